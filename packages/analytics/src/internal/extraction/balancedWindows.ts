// Job windows of equal work. Jobs that run at once should end at once, and an org's hours are not equal work, so the
// settled span is cut where its estimated volume (`volumes.ts`) divides evenly, at whole hours (whole days past a
// month), instead of into equal lengths of time.
import * as Interval from "../../Interval.js"
import * as Volumes from "./volumes.js"

/**
 * Most results pages (estimated) that one wave of jobs leaves to be read after it. Below this, a second wave would
 * cost more than it saves: each job pays its queue and fixed run time again (seconds), while what the first wave's
 * jobs gain is that their pages are read during the second (pages take a round trip each, ~0.2 s); so one wave of
 * equal windows, one per job slot, ends first. Above it, reading the pages at the end also runs into a token's 300
 * requests a minute (FACTS §5.1), and two waves read half of them while jobs still run.
 *
 * @internal
 */
export const oneWaveMaxPages = 150

/** Windows per job slot for an estimated volume: one wave when its pages are few ({@link oneWaveMaxPages}), else two. @internal */
export const wavesFor = (estimated: number, pageSize: number): 1 | 2 =>
  estimated / Math.max(1, pageSize) <= oneWaveMaxPages ? 1 : 2

/**
 * Windows for a span: `waves` per job slot, in rounds of that many as long as a window would be longer than
 * `maxWindowMillis`.
 *
 * @internal
 */
export const windowCount = (options: {
  readonly spanMillis: number
  readonly slots: number
  readonly waves: number
  readonly maxWindowMillis: number
}): number => {
  const perRound = Math.max(1, options.waves * options.slots)
  return perRound * Math.max(1, Math.ceil(options.spanMillis / (options.maxWindowMillis * perRound)))
}

/** Multiples of `gridMillis` from the UTC midnight before `from`, strictly inside (`from`, `to`). */
const gridInside = (from: number, to: number, gridMillis: number): Array<number> => {
  const origin = Math.floor(from / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  const out: Array<number> = []
  for (let t = origin + (Math.floor((from - origin) / gridMillis) + 1) * gridMillis; t < to; t += gridMillis) {
    out.push(t)
  }
  return out
}

/** Splits spans longer than `maxMillis` into equal pieces, at grid points. */
const capLength = (
  ranges: ReadonlyArray<[number, number]>,
  maxMillis: number,
  gridMillis: number
): Array<[number, number]> =>
  ranges.flatMap(([from, to]): Array<[number, number]> => {
    if (to - from <= maxMillis) return [[from, to]]
    const pieces = Math.ceil((to - from) / Math.max(gridMillis, maxMillis - gridMillis))
    const origin = Math.floor(from / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
    const edges = [from]
    for (let k = 1; k < pieces; k++) {
      const edge = origin + Math.floor((from + ((to - from) * k) / pieces - origin) / gridMillis) * gridMillis
      if (edge > edges.at(-1)! && edge < to) edges.push(edge)
    }
    edges.push(to)
    return edges.slice(1).map((e, i): [number, number] => [edges[i]!, e])
  })

/**
 * Cuts [`from`, `to`) into `count` windows of about equal estimated volume, each edge at a multiple of `gridMillis`
 * from UTC midnight (so at whole hours, or whole days), none longer than `maxWindowMillis`. `null` when the buckets
 * hold nothing over the span: there is no volume to balance.
 *
 * @internal
 */
export const cuts = (options: {
  readonly from: number
  readonly to: number
  readonly count: number
  readonly buckets: ReadonlyArray<Volumes.Bucket>
  readonly gridMillis: number
  readonly maxWindowMillis: number
}): ReadonlyArray<[number, number]> | null => {
  const { from, to } = options
  if (to <= from) return []
  const grid = gridInside(from, to, options.gridMillis)
  const points = [from, ...grid, to]
  const cells = Volumes.estimate(
    points.slice(1).map((endMillis, i) => ({ startMillis: points[i]!, endMillis })),
    options.buckets
  )
  const total = cells.reduce((a, b) => a + b, 0)
  if (!(total > 0)) return null
  // before[i]: the volume before grid[i].
  const before: Array<number> = []
  let sum = 0
  for (let i = 0; i < grid.length; i++) {
    sum += cells[i]!
    before.push(sum)
  }
  const count = Math.min(Math.max(1, options.count), grid.length + 1)
  const edges = [from]
  let next = 0
  for (let k = 1; k < count; k++) {
    const target = (total * k) / count
    // Leave a grid point for each cut after this one.
    const last = grid.length - (count - k)
    let best = next
    for (let i = next; i <= last; i++) {
      if (Math.abs(before[i]! - target) < Math.abs(before[best]! - target)) best = i
      if (before[i]! >= target) break
    }
    edges.push(grid[best]!)
    next = best + 1
  }
  edges.push(to)
  const ranges = edges.slice(1).map((e, i): [number, number] => [edges[i]!, e])
  return capLength(ranges, options.maxWindowMillis, options.gridMillis)
}
