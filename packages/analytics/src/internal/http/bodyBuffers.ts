// Large response bodies (results pages of a few megabytes) joined into memory the process has used before. A fresh
// buffer of 6 MB is memory the system maps page by page as it is first written: in scenario 6's tail, joining a page
// took a median ~10 to 15 ms of the main thread, against ~0.5 ms for the same copy into a buffer used before.
//
// A buffer comes back only once nothing can read it any more: the page reader hands over the object through which
// its records reach the page (`recycleWhenUnreachable`), and the buffer is recycled after that object is garbage.
// Recycling moves the memory to a new `ArrayBuffer` (a transfer, not a copy), which detaches every view of the old
// one: whatever still holds the body (a response, an exchange) then holds an empty view, never the next page's
// bytes, and `bodyText.ts` refuses to decode it.

/** Joins large bodies into spare buffers, and takes buffers back once their page is unreachable. @internal */
export interface BodyBuffers {
  /** `chunks` as one buffer of `byteLength` bytes: a spare one when one fits and the body is large. */
  readonly join: (chunks: ReadonlyArray<Uint8Array>, byteLength: number) => Uint8Array
  /**
   * Takes back the buffer under `bytes` once `holder` is garbage, if `join` made it and it was not handed over yet.
   * Whoever calls this promises that, from then on, the bytes are read only through `holder`.
   */
  readonly recycleWhenUnreachable: (holder: object, bytes: Uint8Array) => void
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

/** Calls back with `held` at some time after `holder` is garbage (a `FinalizationRegistry` in production). @internal */
export type WhenCollected = (collected: (held: ArrayBuffer) => void) => (holder: object, held: ArrayBuffer) => void

const finalization: WhenCollected = (collected) => {
  const registry = new FinalizationRegistry<ArrayBuffer>(collected)
  return (holder, held) => registry.register(holder, held)
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
  // Buffers `join` made and nobody handed over yet: each is watched at most once, so it comes back at most once.
  const joined = new WeakSet<ArrayBuffer>()
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
      joined.add(buffer)
      return bytes
    },
    recycleWhenUnreachable: (holder, bytes) => {
      const buffer = bytes.buffer as ArrayBuffer
      if (joined.delete(buffer)) watch(holder, buffer)
    },
    counts: () => ({ allocated, reused, recycled, spare: spare.length })
  }
}

/**
 * The process's pool: bodies of 1 MiB or more; up to 12 spare buffers (scenario 6 reads five jobs' pages at once,
 * and a page's buffer comes back only after a collection), let go after 30 s without a join. @internal
 */
export const shared: BodyBuffers = make({ minBytes: 1 << 20, maxSpare: 12, idleMillis: 30_000 })
