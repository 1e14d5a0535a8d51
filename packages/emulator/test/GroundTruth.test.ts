import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as FilterEngine from "../src/FilterEngine.js"
import * as Generator from "../src/Generator.js"
import * as GroundTruth from "../src/GroundTruth.js"

const DAY = 86_400_000
const iso = (t: number) => new Date(t).toISOString()
const dataset = Generator.make({ seed: 11, startDate: "2026-02-02", days: 5, perDay: 300 })
const farFuture = Date.parse("2030-01-01T00:00:00.000Z")

describe("GroundTruth.parseInterval", () => {
  it("parses start/end, start/duration and duration/end", () => {
    assert.deepStrictEqual(GroundTruth.parseInterval("2026-02-02T00:00:00.000Z/2026-02-03T00:00:00Z"), {
      startMillis: Date.parse("2026-02-02T00:00:00Z"),
      endMillis: Date.parse("2026-02-03T00:00:00Z")
    })
    assert.strictEqual(
      GroundTruth.parseInterval("2026-02-02T00:00:00Z/PT36H")!.endMillis,
      Date.parse("2026-02-03T12:00:00Z")
    )
    assert.strictEqual(
      GroundTruth.parseInterval("P1D/2026-02-03T00:00:00Z")!.startMillis,
      Date.parse("2026-02-02T00:00:00Z")
    )
    assert.isUndefined(GroundTruth.parseInterval("2026-02-03T00:00:00Z/2026-02-02T00:00:00Z"))
    assert.isUndefined(GroundTruth.parseInterval("yesterday"))
  })
})

describe("GroundTruth.syncQuery", () => {
  it("returns every conversation that started on a UTC day the interval touches", () => {
    const day1 = dataset.dayRange(1)
    // a one-minute interval late on day 1 still returns the whole of day 1
    const r = GroundTruth.syncQuery(
      dataset,
      { interval: "2026-02-03T23:00:00.000Z/2026-02-03T23:01:00.000Z" },
      { nowMillis: farFuture }
    )
    assert.strictEqual(r.totalHits, day1.to - day1.from)
    assert.deepStrictEqual(
      r.indices,
      Array.from({ length: day1.to - day1.from }, (_, k) => day1.from + k)
    )
    // an interval ending exactly at midnight does not touch the next day
    const two = GroundTruth.syncQuery(
      dataset,
      { interval: "2026-02-02T12:00:00Z/2026-02-04T00:00:00Z" },
      { nowMillis: farFuture }
    )
    assert.strictEqual(two.totalHits, dataset.dayRange(1).to - dataset.dayRange(0).from)
  })

  it("hides conversations that have not ended by now", () => {
    const day0 = dataset.dayRange(0)
    const now = dataset.startMillis(day0.from + 100) + 1
    const r = GroundTruth.syncQuery(
      dataset,
      { interval: "2026-02-02T00:00:00Z/2026-02-03T00:00:00Z" },
      { nowMillis: now }
    )
    assert.isTrue(r.totalHits > 0 && r.totalHits <= 101)
    for (const i of r.indices) assert.isTrue(dataset.endMillis(i) <= now)
    for (let i = day0.from; i <= day0.from + 100; i++) {
      assert.strictEqual(r.indices.includes(i), dataset.endMillis(i) <= now)
    }
  })

  it("orders by conversationStart (default asc), conversationEnd, and desc", () => {
    const interval = "2026-02-02T00:00:00Z/2026-02-03T00:00:00Z"
    const asc = GroundTruth.syncQuery(dataset, { interval }, { nowMillis: farFuture }).indices
    const desc = GroundTruth.syncQuery(dataset, { interval, order: "desc" }, { nowMillis: farFuture }).indices
    assert.deepStrictEqual([...desc].reverse(), [...asc])
    const byEnd = GroundTruth.syncQuery(
      dataset,
      { interval, orderBy: "conversationEnd" },
      { nowMillis: farFuture }
    ).indices
    for (let k = 1; k < byEnd.length; k++) {
      assert.isTrue(dataset.endMillis(byEnd[k - 1]!) <= dataset.endMillis(byEnd[k]!))
    }
    assert.notDeepEqual([...byEnd], [...asc])
    const segEnd = GroundTruth.syncQuery(
      dataset,
      { interval, orderBy: "segmentEnd", order: "desc" },
      { nowMillis: farFuture }
    )
    assert.deepStrictEqual([...segEnd.indices].reverse(), [...byEnd])
  })

  it("filters and aggregates over all hits", () => {
    const r = GroundTruth.syncQuery(
      dataset,
      {
        interval: "2026-02-02T00:00:00Z/2026-02-03T00:00:00Z",
        segmentFilters: [{ type: "or", predicates: [{ dimension: "mediaType", value: "email" }] }],
        aggregations: [{ type: "termFrequency", dimension: "mediaType", size: 5 }]
      },
      { nowMillis: farFuture }
    )
    assert.isTrue(r.totalHits > 0)
    for (const i of r.indices) {
      assert.isTrue(dataset.conversation(i).participants.some((p) => p.sessions.some((s) => s.mediaType === "email")))
    }
    assert.deepStrictEqual(r.aggregations, [
      {
        type: "termFrequency",
        dimension: "mediaType",
        count: r.totalHits,
        results: [{ count: r.totalHits, value: "email" }]
      }
    ])
  })
})

describe("GroundTruth.job", () => {
  const day1 = Date.parse("2026-02-03T00:00:00Z")
  const interval = "2026-02-03T00:00:00Z/2026-02-04T00:00:00Z"

  it("returns conversations whose lifetime overlaps the interval", () => {
    const r = GroundTruth.job(dataset, { interval }, { nowMillis: farFuture, availabilityMillis: farFuture })
    const expected: Array<number> = []
    for (let i = 0; i < dataset.size; i++) {
      if (dataset.startMillis(i) < day1 + DAY && dataset.endMillis(i) > day1) expected.push(i)
    }
    assert.deepStrictEqual([...r.indices], expected)
    // some started the day before and ran over midnight
    assert.isTrue(expected.some((i) => dataset.startMillis(i) < day1))
  })

  it("startOfDayIntervalMatching keeps only those started from the start day (both modes)", () => {
    const mid = "2026-02-03T12:00:00Z/2026-02-04T00:00:00Z"
    const overlap = GroundTruth.job(dataset, { interval: mid }, { nowMillis: farFuture, availabilityMillis: farFuture })
    const sod = GroundTruth.job(
      dataset,
      { interval: mid, startOfDayIntervalMatching: true },
      {
        nowMillis: farFuture,
        availabilityMillis: farFuture
      }
    )
    assert.isTrue(sod.indices.every((i) => dataset.startMillis(i) >= day1))
    assert.deepStrictEqual(
      [...sod.indices],
      overlap.indices.filter((i) => dataset.startMillis(i) >= day1)
    )
    const startDay = GroundTruth.job(
      dataset,
      { interval: mid, startOfDayIntervalMatching: true },
      {
        nowMillis: farFuture,
        availabilityMillis: farFuture,
        startOfDayMode: "startDay"
      }
    )
    const sync = GroundTruth.syncQuery(dataset, { interval: mid }, { nowMillis: farFuture })
    assert.deepStrictEqual([...startDay.indices], [...sync.indices])
    assert.isTrue(startDay.indices.length > sod.indices.length)
  })

  it("sees only data that ended by the availability instant, and honours limit", () => {
    const availability = Date.parse("2026-02-03T15:00:00Z")
    const r = GroundTruth.job(dataset, { interval }, { nowMillis: farFuture, availabilityMillis: availability })
    assert.isTrue(r.indices.length > 0)
    for (const i of r.indices) assert.isTrue(dataset.endMillis(i) <= availability)
    const all = GroundTruth.job(dataset, { interval }, { nowMillis: farFuture, availabilityMillis: farFuture })
    assert.deepStrictEqual(
      [...r.indices],
      all.indices.filter((i) => dataset.endMillis(i) <= availability)
    )
    const limited = GroundTruth.job(
      dataset,
      { interval, limit: 10, order: "desc" },
      {
        nowMillis: farFuture,
        availabilityMillis: farFuture
      }
    )
    assert.deepStrictEqual([...limited.indices], [...all.indices].reverse().slice(0, 10))
    assert.deepStrictEqual(GroundTruth.ids(dataset, limited.indices), limited.indices.map(dataset.conversationId))
  })

  it("computes a 200 000-conversation job, every settled conversation of the interval", () => {
    const big = Generator.make({ seed: 3, startDate: "2026-01-05", days: 10, perDay: 20_000 })
    const r = GroundTruth.job(
      big,
      { interval: "2026-01-05T00:00:00Z/2026-01-15T00:00:00Z" },
      {
        nowMillis: farFuture,
        availabilityMillis: Date.parse("2026-01-14T12:00:00Z")
      }
    )
    // Its time bound is a bench check now (packages/bench/src/checks.ts), off the shared unit-test machine.
    assert.isTrue(r.indices.length > 180_000)
  })
})
