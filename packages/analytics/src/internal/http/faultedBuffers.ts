// New buffers for joining large bodies, whose memory another thread has already written to. A new buffer the size of a
// results page (~5.8 MB) is memory the system maps on first write, one page fault per 4 KiB: in a CPU profile of
// scenario 6's tail, joining five jobs' pages into new buffers took ~13 ms of the main thread a page, nearly all of it
// in those faults, while the span worker (which checks such pages anyway) had time to spare. So the worker, once it has
// answered for a page, writes to new buffers of a little more than that page's size and hands them over
// (`spanWorker.ts`), and the join of a coming body of about that size copies into it. Each buffer is handed out once
// and then belongs to the body that holds it, like any new buffer: none is ever used again.

const kept: Array<ArrayBuffer> = []

/** Buffers kept for joins at most. @internal */
export const maxKept = 4

const roundTo = 64 * 1024

/**
 * The size to ask for when pages are `byteLength` bytes: a little more, since the pages of a run differ a little.
 * @internal
 */
export const sizeFor = (byteLength: number): number => Math.ceil((byteLength * 1.05) / roundTo) * roundTo

// A body much smaller than a kept buffer (a job's last page) is joined as usual: it would hold the whole buffer.
const fits = (buffer: ArrayBuffer, byteLength: number) =>
  buffer.byteLength >= byteLength && buffer.byteLength <= byteLength * 1.1 + roundTo

/** Bodies from this size on drop the kept buffers that do not fit them: the pages are no longer of their size. */
const resizesFrom = 256 * 1024

/**
 * A new buffer of `byteLength` bytes in memory already written to, when one kept fits it; it is no longer kept. A
 * large body that none fits drops them all, so that the worker makes buffers of the size pages have now. @internal
 */
export const take = (byteLength: number): Buffer | undefined => {
  if (kept.length === 0) return undefined
  const at = kept.findIndex((buffer) => fits(buffer, byteLength))
  if (at < 0) {
    if (byteLength >= resizesFrom) kept.length = 0
    return undefined
  }
  const [buffer] = kept.splice(at, 1)
  return Buffer.from(buffer!, 0, byteLength)
}

/** Keeps `buffer` for a join, unless {@link maxKept} are kept. @internal */
export const keep = (buffer: ArrayBuffer): void => {
  if (kept.length < maxKept) kept.push(buffer)
}

/** How many buffers are kept. @internal */
export const keptCount = (): number => kept.length

/** A new buffer of `size` bytes, each of its memory pages written to: what the span worker makes. @internal */
export const faulted = (size: number): ArrayBuffer => {
  const buffer = new ArrayBuffer(size)
  const bytes = new Uint8Array(buffer)
  for (let i = 0; i < size; i += 4096) bytes[i] = 0
  return buffer
}
