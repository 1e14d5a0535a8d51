/**
 * Buffers for results pages, used again once the Node server has written them. A fresh buffer per page (~5.5 MiB
 * for 1,000 conversations) is memory outside V8's heap, and V8 answers that much new outside memory by collecting
 * its whole heap: with a cache of 200,000 conversations alive, traced runs showed 30–40 full collections in one pass,
 * seconds of the emulator's CPU that landed in whichever client's run they fell. A page the in-process emulator
 * hands to a web `Response` is never given back (the response may read it at any time) and is collected as before.
 */

/** Spare buffers kept at most: about one per client reading results at once. */
const MAX_SPARE = 8
/** Room over a page's length, so that the next page (sizes vary by a few percent) fits the same buffer. */
const HEADROOM = 1.25

const spare: Array<Uint8Array<ArrayBuffer>> = []
// Buffers handed out and not given back yet: only those can be given back, once.
const lent = new WeakSet<ArrayBuffer>()

/** A buffer of `length` bytes: a spare one when one is large enough, else a new one with room to spare. */
export const take = (length: number): Uint8Array<ArrayBuffer> => {
  let best = -1
  for (let i = 0; i < spare.length; i++) {
    const size = spare[i]!.length
    if (size >= length && (best === -1 || size < spare[best]!.length)) best = i
  }
  const whole = best === -1 ? new Uint8Array(Math.ceil(length * HEADROOM)) : spare.splice(best, 1)[0]!
  lent.add(whole.buffer)
  return whole.subarray(0, length)
}

/** Gives back the buffer under `bytes` once nothing will read it again; anything else, or a second time, is ignored. */
export const giveBack = (bytes: Uint8Array): void => {
  const buffer = bytes.buffer
  if (!(buffer instanceof ArrayBuffer) || !lent.has(buffer)) return
  lent.delete(buffer)
  if (spare.length < MAX_SPARE) spare.push(new Uint8Array(buffer))
}

/** How many spare buffers there are (tests). */
export const spareCount = (): number => spare.length
