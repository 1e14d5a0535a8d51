// Bucket boundaries of an aggregates query and the split of a long interval into requests of at most `maxSpan`,
// cut only on bucket boundaries. Boundaries are computed in the query's time zone: years, months, weeks and days of
// the granularity are calendar steps on the local wall clock (a P1D bucket in America/New_York is 23 or 25 hours
// across a DST change), hours and smaller are fixed steps. Each boundary is computed from the start (start + k ×
// granularity), so month steps do not drift.
import type * as Interval from "../../Interval.js"
import { wallAsUtc } from "../timeZone.js"

/** A granularity split into calendar parts (months, days) and a fixed part (milliseconds). */
export interface Granularity {
  readonly months: number
  readonly days: number
  readonly millis: number
}

const pattern =
  /^P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9})(?:\.(\d{1,3})\d*)?S)?)?$/

/** The granularity, or `undefined` when the text is not a non-zero ISO-8601 duration. */
export const parseGranularity = (text: string): Granularity | undefined => {
  const match = pattern.exec(text)
  if (match === null || text === "P" || text.endsWith("T")) return undefined
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v))
  const [, y, mo, w, d, h, mi, s, ms] = match
  const result = {
    months: n(y) * 12 + n(mo),
    days: n(w) * 7 + n(d),
    millis: n(h) * 3_600_000 + n(mi) * 60_000 + n(s) * 1000 + (ms === undefined ? 0 : Number(ms.padEnd(3, "0")))
  }
  return result.months === 0 && result.days === 0 && result.millis === 0 ? undefined : result
}

/** The instant whose wall clock in `timeZone` reads `wall` (given as if UTC); in a DST gap, the later reading. */
const instantOf = (timeZone: string, wall: number): number => {
  const first = wall - (wallAsUtc(timeZone, wall) - wall)
  return wall - (wallAsUtc(timeZone, first) - first)
}

/** The `k`-th boundary after `startMillis`. */
export const step = (startMillis: number, k: number, granularity: Granularity, timeZone: string): number => {
  if (granularity.months === 0 && granularity.days === 0) return startMillis + k * granularity.millis
  const wall = new Date(wallAsUtc(timeZone, startMillis))
  const shifted = Date.UTC(
    wall.getUTCFullYear(),
    wall.getUTCMonth() + k * granularity.months,
    wall.getUTCDate() + k * granularity.days,
    wall.getUTCHours(),
    wall.getUTCMinutes(),
    wall.getUTCSeconds(),
    wall.getUTCMilliseconds()
  )
  return instantOf(timeZone, shifted) + k * granularity.millis
}

/** Most buckets computed for one split; beyond it the interval is not split (it is sent as one request). */
export const maxBuckets = 1_000_000

/**
 * The bucket boundaries from `start` to `end` (both included, the last bucket cut at `end`). Without a granularity
 * the interval is one bucket.
 */
export const boundaries = (
  interval: Interval.Interval,
  granularity: Granularity | undefined,
  timeZone: string
): ReadonlyArray<number> => {
  if (granularity === undefined) return [interval.startMillis, interval.endMillis]
  const result = [interval.startMillis]
  for (let k = 1; k <= maxBuckets; k++) {
    const next = step(interval.startMillis, k, granularity, timeZone)
    if (next >= interval.endMillis || next <= result[result.length - 1]!) break
    result.push(next)
  }
  result.push(interval.endMillis)
  return result
}

/**
 * The requests of a split: consecutive intervals, each as long as possible within `maxSpanMillis` and cut on
 * bucket boundaries; the longest bucket when one bucket alone exceeds `maxSpanMillis` (the caller refuses that).
 */
export const split = (
  bounds: ReadonlyArray<number>,
  maxSpanMillis: number
): { readonly chunks: ReadonlyArray<Interval.Interval> } | { readonly tooLong: Interval.Interval } => {
  const chunks: Array<Interval.Interval> = []
  let start = bounds[0]!
  let last = start
  for (let i = 1; i < bounds.length; i++) {
    const boundary = bounds[i]!
    if (boundary - last > maxSpanMillis) return { tooLong: { startMillis: last, endMillis: boundary } }
    if (boundary - start > maxSpanMillis) {
      chunks.push({ startMillis: start, endMillis: last })
      start = last
    }
    last = boundary
  }
  chunks.push({ startMillis: start, endMillis: last })
  return { chunks }
}
