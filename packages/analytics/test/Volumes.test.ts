import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as BalancedWindows from "../src/internal/extraction/balancedWindows.js"
import * as Reconcile from "../src/internal/extraction/reconcile.js"
import * as Volumes from "../src/internal/extraction/volumes.js"
import { DAY, HOUR } from "./ExtractionFixtures.js"

const week = 7 * DAY

/** Hourly buckets from `counts`, the first at `from`. */
const hourly = (from: number, counts: ReadonlyArray<number>) =>
  counts.map((count, i) => ({ startMillis: from + i * HOUR, endMillis: from + (i + 1) * HOUR, count }))

/** The whole-day partition of `days` into `parts` contiguous windows with the smallest largest window. */
const bestWholeDays = (days: ReadonlyArray<number>, parts: number): number => {
  const fits = (limit: number) => {
    let windows = 1
    let sum = 0
    for (const d of days) {
      if (d > limit) return false
      if (sum + d > limit) {
        windows++
        sum = 0
      }
      sum += d
    }
    return windows <= parts
  }
  let lo = 0
  let hi = days.reduce((a, b) => a + b, 0)
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    if (fits(mid)) hi = mid
    else lo = mid + 1
  }
  return lo
}

describe("BalancedWindows.cuts", () => {
  // Thirty days of a contact centre: weekdays busy, weekends quiet, nights empty, afternoons the peak.
  const day0 = Date.parse("2026-11-02T00:00:00.000Z")
  const shape = [0, 0, 0, 0, 0, 0, 1, 3, 6, 9, 11, 12, 12, 13, 12, 11, 9, 6, 4, 2, 1, 0, 0, 0]
  const perDay = Array.from({ length: 30 }, (_, d) => (d % 7 >= 5 ? 45 : 110) + ((d * 37) % 23))
  const counts = perDay.flatMap((n) => shape.map((s) => (n * s) / 10))
  const buckets = hourly(day0, counts)
  const total = counts.reduce((a, b) => a + b, 0)

  it("cuts thirty days into five windows of equal volume at whole hours, where whole days cannot", () => {
    const ranges = BalancedWindows.cuts({
      from: day0,
      to: day0 + 30 * DAY,
      count: 5,
      buckets,
      gridMillis: HOUR,
      maxWindowMillis: week
    })!
    assert.strictEqual(ranges.length, 5)
    const volumes = Volumes.estimate(
      ranges.map(([startMillis, endMillis]) => ({ startMillis, endMillis })),
      buckets
    )
    const mean = total / 5
    const biggestHour = Math.max(...counts)
    for (const v of volumes) assert.isAtMost(Math.abs(v - mean), biggestHour)
    for (const [from] of ranges) assert.strictEqual(from % HOUR, 0)
    // Whole days: the best split leaves a window at least this much over the mean.
    const wholeDays = bestWholeDays(
      perDay.map((n) => (n * shape.reduce((a, b) => a + b, 0)) / 10),
      5
    )
    assert.isAbove(wholeDays / mean, 1.05)
    assert.isBelow(Math.max(...volumes) / mean, 1.01)
  })

  it("windows tile the span at grid points, none longer than the cap, each within two buckets of its share", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 24 * 20 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 1, max: 10 }),
        (counts, count, startMinute, endMinute, capDays) => {
          const start = Date.parse("2026-03-01T00:00:00.000Z")
          const from = start + startMinute * 60_000
          const to = start + counts.length * HOUR - endMinute * 60_000
          fc.pre(to > from)
          const ranges = BalancedWindows.cuts({
            from,
            to,
            count,
            buckets: hourly(start, counts),
            gridMillis: HOUR,
            maxWindowMillis: capDays * DAY
          })
          const spans = ranges ?? []
          const inside = Volumes.estimate([{ startMillis: from, endMillis: to }], hourly(start, counts))[0]!
          if (ranges === null) return inside === 0
          const tiled =
            spans[0]![0] === from &&
            spans.at(-1)![1] === to &&
            spans.every(([a, b], i) => a < b && (i === 0 || spans[i - 1]![1] === a))
          const onGrid = spans.slice(1).every(([a]) => a % HOUR === 0)
          const capped = spans.every(([a, b]) => b - a <= capDays * DAY)
          const volumes = Volumes.estimate(
            spans.map(([startMillis, endMillis]) => ({ startMillis, endMillis })),
            hourly(start, counts)
          )
          const fair =
            spans.length > count || volumes.every((v) => v <= inside / spans.length + 2 * Math.max(...counts) + 1e-6)
          return tiled && onGrid && capped && fair
        }
      )
    )
  })

  it("nothing to balance: null, so the plan cuts by time", () => {
    const from = Date.parse("2026-03-01T00:00:00.000Z")
    assert.isNull(
      BalancedWindows.cuts({
        from,
        to: from + DAY,
        count: 3,
        buckets: hourly(from, [0, 0, 0]),
        gridMillis: HOUR,
        maxWindowMillis: week
      })
    )
  })
})

describe("BalancedWindows waves", () => {
  it("one wave while the pages are few, two beyond", () => {
    assert.strictEqual(BalancedWindows.wavesFor(60_600, 1000), 1)
    assert.strictEqual(BalancedWindows.wavesFor(150_000, 1000), 1)
    assert.strictEqual(BalancedWindows.wavesFor(150_001, 1000), 2)
    assert.strictEqual(BalancedWindows.wavesFor(1_800, 10), 2)
  })

  it("windows come in rounds of waves × slots, as many rounds as the one-week cap needs", () => {
    assert.strictEqual(
      BalancedWindows.windowCount({ spanMillis: 30 * DAY, slots: 5, waves: 1, maxWindowMillis: week }),
      5
    )
    assert.strictEqual(
      BalancedWindows.windowCount({ spanMillis: 30 * DAY, slots: 5, waves: 2, maxWindowMillis: week }),
      10
    )
    assert.strictEqual(
      BalancedWindows.windowCount({ spanMillis: 50 * DAY, slots: 5, waves: 1, maxWindowMillis: week }),
      10
    )
    assert.strictEqual(
      BalancedWindows.windowCount({ spanMillis: 90 * DAY, slots: 2, waves: 2, maxWindowMillis: week }),
      16
    )
  })
})

describe("Reconcile.reconciledDays", () => {
  const day0 = Date.parse("2026-01-05T00:00:00.000Z")
  const window = (kind: "job" | "query", startMillis: number, endMillis: number) => ({
    id: `${kind}-000`,
    kind,
    interval: "",
    startMillis,
    endMillis,
    provisional: kind === "query"
  })
  const settled = (startMillis: number, endMillis: number, watermarkMillis: number) => ({
    startMillis,
    endMillis,
    watermarkMillis
  })

  it("a window of whole days is reconciled over itself", () => {
    const w = window("query", day0, day0 + DAY)
    assert.deepStrictEqual(Reconcile.reconciledDays(w, settled(day0, day0 + DAY, day0)), w)
  })

  it("a job window cut at hours is reconciled over the whole days it touches, once they are settled", () => {
    const w = window("job", day0 + 5 * HOUR, day0 + 2 * DAY + 13 * HOUR)
    assert.deepStrictEqual(Reconcile.reconciledDays(w, settled(day0, day0 + 9 * DAY, day0 + 3 * DAY)), {
      startMillis: day0,
      endMillis: day0 + 3 * DAY
    })
    // A day after the watermark may still change; a query window's days are the tail's.
    assert.isUndefined(Reconcile.reconciledDays(w, settled(day0, day0 + 9 * DAY, day0 + 2 * DAY + 20 * HOUR)))
    assert.isUndefined(
      Reconcile.reconciledDays(window("query", day0 + HOUR, day0 + DAY), settled(day0, day0 + 9 * DAY, day0 + 2 * DAY))
    )
  })

  it("not over days that reach outside the extraction's interval, where nothing was extracted", () => {
    const first = window("job", day0 + 12 * HOUR, day0 + DAY + 9 * HOUR)
    assert.isUndefined(Reconcile.reconciledDays(first, settled(day0 + 12 * HOUR, day0 + 9 * DAY, day0 + 9 * DAY)))
    const last = window("job", day0 + DAY + 9 * HOUR, day0 + 2 * DAY + 12 * HOUR)
    assert.isUndefined(Reconcile.reconciledDays(last, settled(day0, day0 + 2 * DAY + 12 * HOUR, day0 + 9 * DAY)))
  })

  it("a plan's settled part is its covered interval and watermark", () => {
    assert.deepStrictEqual(
      Reconcile.settledOf({
        interval: "2026-01-05T12:00:00.000Z/2026-01-08T00:00:00.000Z",
        watermark: "2026-01-07T04:00:00.000Z"
      }),
      settled(day0 + 12 * HOUR, day0 + 3 * DAY, day0 + 2 * DAY + 4 * HOUR)
    )
  })
})

describe("Volumes.estimate", () => {
  it("counts each bucket by the share of it a window covers", () => {
    const hour = (h: number) => h * HOUR
    const buckets = [
      { startMillis: hour(0), endMillis: hour(1), count: 10 },
      { startMillis: hour(1), endMillis: hour(2), count: 30 },
      { startMillis: hour(2), endMillis: hour(3), count: 0 }
    ]
    const spans = [
      { startMillis: hour(0), endMillis: hour(1.5) },
      { startMillis: hour(1.5), endMillis: hour(3) },
      { startMillis: hour(3), endMillis: hour(4) }
    ]
    assert.deepStrictEqual(Volumes.estimate(spans, buckets), [25, 15, 0])
  })

  it("windows that tile the buckets share out exactly what the buckets hold", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 500 }), { minLength: 1, maxLength: 48 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 47 * 60 }), { maxLength: 10 }),
        (counts, cuts) => {
          const minute = 60_000
          const buckets = counts.map((count, i) => ({ startMillis: i * HOUR, endMillis: (i + 1) * HOUR, count }))
          const end = counts.length * HOUR
          const points = [0, ...cuts.map((c) => c * minute).filter((c) => c < end), end].sort((a, b) => a - b)
          const spans = points.slice(1).map((p, i) => ({ startMillis: points[i]!, endMillis: p }))
          const estimates = Volumes.estimate(spans, buckets)
          const total = counts.reduce((a, b) => a + b, 0)
          return (
            estimates.every((e) => e >= 0) &&
            Math.abs(estimates.reduce((a, b) => a + b, 0) - total) < 1e-6 * (1 + total)
          )
        }
      )
    )
  })
})
