// Large response bodies (results pages of a few megabytes) joined into memory the process has used before. A fresh
// buffer of 6 MB is memory the system maps page by page as it is first written: in scenario 6's tail, joining 60 pages
// took 445 to 629 ms of the main thread (counted runs), against ~0.5 ms a page for the same copy into a buffer used
// before.
//
// A buffer comes back only once nothing can read it any more: the page reader, whose records keep the very view
// `join` returned, hands it over (`recycleWhenUnreachable`), and the buffer is recycled after that view is garbage:
// the records, the response and its exchange, which all hold that object, are gone. Recycling moves the memory to a
// new `ArrayBuffer` (a transfer, not a copy), which detaches every other view of the old one (one a `beforeDecode`
// hook kept): it reads as empty, never as the next page's bytes, and `bodyText.ts` refuses to decode such a body.

/** Joins large bodies into spare buffers, and takes buffers back once their page is unreachable. @internal */
export interface BodyBuffers {
  /** `chunks` as one buffer of `byteLength` bytes: a spare one when one fits and the body is large. */
  readonly join: (chunks: ReadonlyArray<Uint8Array>, byteLength: number) => Uint8Array
  /**
   * Takes back the buffer under `bytes` once that object is garbage, if it is a view `join` returned and was not
   * handed over yet. Whoever calls this promises to read the page only through that object from then on.
   */
  readonly recycleWhenUnreachable: (bytes: Uint8Array) => void
  /** Counts since the start, for tests and measurements. */
  readonly counts: () => BodyBufferCounts
}

/** What the buffers did so far. @internal */
export interface BodyBufferCounts {
  readonly allocated: number
  readonly reused: number
  readonly recycled: number
  readonly spare: number
}

/** Calls back with `held` at some time after `target` is garbage (a `FinalizationRegistry` in production). @internal */
export type WhenCollected = (collected: (held: ArrayBuffer) => void) => (target: object, held: ArrayBuffer) => void

const finalization: WhenCollected = (collected) => {
  const registry = new FinalizationRegistry<ArrayBuffer>(collected)
  return (target, held) => registry.register(target, held)
}

/** How `make` pools. @internal */
export interface Options {
  /** Bodies of fewer bytes are joined into fresh memory, as `Buffer.concat` does. */
  readonly minBytes: number
  /** Spare buffers kept at most; the pages in flight at once, plus those waiting on a collection. */
  readonly maxSpare: number
  /** Spare buffers are let go after this long without a join (a long-running process keeps no pages' worth). */
  readonly idleMillis: number
  readonly whenCollected?: WhenCollected | undefined
}

const roundTo = 1 << 20

const concat = (chunks: ReadonlyArray<Uint8Array>, byteLength: number): Uint8Array =>
  chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, byteLength)

/** A pool of body buffers. @internal */
export const make = (options: Options): BodyBuffers => {
  let spare: Array<ArrayBuffer> = []
  // The views `join` returned that nobody handed over yet, and their buffers: each is watched at most once, so it
  // comes back at most once.
  const joined = new WeakMap<Uint8Array, ArrayBuffer>()
  let allocated = 0
  let reused = 0
  let recycled = 0
  let lastJoin = 0
  let idleTimer: ReturnType<typeof setTimeout> | undefined

  const dropWhenIdle = () => {
    idleTimer = undefined
    const idle = Date.now() - lastJoin
    if (idle >= options.idleMillis) spare = []
    else if (spare.length > 0) watchIdle(options.idleMillis - idle)
  }
  const watchIdle = (millis: number) => {
    if (idleTimer !== undefined) return
    idleTimer = setTimeout(dropWhenIdle, millis)
    idleTimer.unref?.()
  }

  const recycle = (buffer: ArrayBuffer) => {
    let moved: ArrayBuffer
    try {
      moved = structuredClone(buffer, { transfer: [buffer] })
    } catch {
      return
    }
    recycled++
    if (spare.length >= options.maxSpare) return
    spare.push(moved)
    watchIdle(options.idleMillis)
  }
  const watch = (options.whenCollected ?? finalization)(recycle)

  // The smallest spare that fits, so that a larger page later still finds one.
  const takeSpare = (byteLength: number): ArrayBuffer | undefined => {
    let best = -1
    for (let i = 0; i < spare.length; i++) {
      const size = spare[i]!.byteLength
      if (size >= byteLength && (best < 0 || size < spare[best]!.byteLength)) best = i
    }
    if (best < 0) return undefined
    const [buffer] = spare.splice(best, 1)
    return buffer
  }

  return {
    join: (chunks, byteLength) => {
      if (byteLength < options.minBytes || chunks.length === 1) return concat(chunks, byteLength)
      lastJoin = Date.now()
      let buffer = takeSpare(byteLength)
      if (buffer === undefined) {
        buffer = new ArrayBuffer(Math.ceil(byteLength / roundTo) * roundTo)
        allocated++
      } else {
        // Past this body, a spare holds an earlier one's bytes: whoever reads `bytes.buffer` sees zeros there.
        new Uint8Array(buffer, byteLength).fill(0)
        reused++
      }
      const bytes = Buffer.from(buffer, 0, byteLength)
      let offset = 0
      for (const chunk of chunks) {
        bytes.set(chunk, offset)
        offset += chunk.length
      }
      joined.set(bytes, buffer)
      return bytes
    },
    recycleWhenUnreachable: (bytes) => {
      const buffer = joined.get(bytes)
      if (buffer === undefined) return
      joined.delete(bytes)
      watch(bytes, buffer)
    },
    counts: () => ({ allocated, reused, recycled, spare: spare.length })
  }
}

/**
 * The process's pool: bodies of 1 MiB or more; up to 12 spare buffers (scenario 6 reads five jobs' pages at once,
 * and a page's buffer comes back only after a collection), let go after 30 s without a join. @internal
 */
export const shared: BodyBuffers = make({ minBytes: 1 << 20, maxSpare: 12, idleMillis: 30_000 })
