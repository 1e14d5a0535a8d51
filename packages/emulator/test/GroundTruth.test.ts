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

// ---- property: ground truth equals a naive full scan + FilterEngine ----

const predicateArb = (catalog: Generator.Dataset["catalog"]) =>
  fc.oneof(
    fc.record({
      dimension: fc.constant("purpose"),
      value: fc.constantFrom("customer", "agent", "acd", "ivr", "External")
    }),
    fc.record({
      dimension: fc.constant("mediaType"),
      value: fc.constantFrom("voice", "chat", "email", "message", "callback")
    }),
    fc.record({ dimension: fc.constant("queueId"), value: fc.constantFrom(...catalog.queues.map((q) => q.id)) }),
    fc.record({ dimension: fc.constant("segmentType"), value: fc.constantFrom("hold", "wrapup", "ivr", "alert") }),
    fc.record({ dimension: fc.constant("wrapUpCode"), operator: fc.constantFrom("exists", "notExists") }),
    fc.record({
      metric: fc.constant("tSegmentDuration"),
      range: fc.record({ gte: fc.integer({ min: 0, max: 600_000 }) })
    })
  )
const convPredicateArb = fc.oneof(
  fc.record({ dimension: fc.constant("originatingDirection"), value: fc.constantFrom("inbound", "outbound") }),
  fc.record({
    metric: fc.constantFrom("tTalk", "tAcd", "tHeld"),
    range: fc.record({ lt: fc.integer({ min: 1000, max: 900_000 }) })
  }),
  fc.record({ metric: fc.constantFrom("tAbandon", "nTransferred"), operator: fc.constantFrom("exists", "notExists") })
)

describe("GroundTruth property", () => {
  it("equals a naive full scan on random datasets and queries", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 5, max: 40 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(undefined, "asc", "desc", "unordered"),
        fc.constantFrom(undefined, "conversationStart", "conversationEnd", "segmentStart", "segmentEnd"),
        fc.boolean(),
        fc.double({ min: 0.3, max: 1.2, noNaN: true }),
        fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
        fc.constantFrom("sameSegment" as const, "anySegment" as const),
        (seed, days, perDay, a, b, order, orderBy, sod, nowFraction, limit, segmentScope) => {
          const ds = Generator.make({ seed, startDate: "2026-04-01", days, perDay })
          const span = ds.spanEndMillis - ds.spanStartMillis
          const s = ds.spanStartMillis + Math.floor(Math.min(a, b) * span)
          const e = ds.spanStartMillis + Math.floor(Math.max(a, b) * span) + 1
          const now = ds.spanStartMillis + Math.floor(nowFraction * span)
          const availability = now - 3_600_000
          const preds = fc.sample(predicateArb(ds.catalog), { seed, numRuns: 2 })
          const convPreds = fc.sample(convPredicateArb, { seed: seed + 1, numRuns: 1 })
          const filters: FilterEngine.FiltersLike = {
            segmentFilters: [{ type: seed % 2 === 0 ? "and" : "or", predicates: preds }],
            ...(seed % 3 === 0 ? { conversationFilters: [{ type: "and", predicates: convPreds }] } : {})
          }
          const interval = `${iso(s)}/${iso(e)}`
          const key = (i: number) =>
            orderBy === "conversationEnd" || orderBy === "segmentEnd" ? ds.endMillis(i) : ds.startMillis(i)
          const sortNaive = (xs: Array<number>) => {
            if (order === "unordered") return xs.sort((x, y) => x - y)
            xs.sort((x, y) => key(x) - key(y) || x - y)
            return order === "desc" ? xs.reverse() : xs
          }
          // sync
          const sync = GroundTruth.syncQuery(
            ds,
            { interval, ...filters, order, orderBy },
            { nowMillis: now, match: { segmentScope } }
          )
          const dayFrom = Math.floor(s / DAY) * DAY
          const dayTo = Math.ceil(e / DAY) * DAY
          const naiveSync: Array<number> = []
          for (let i = 0; i < ds.size; i++) {
            const st = ds.startMillis(i)
            if (
              st >= dayFrom &&
              st < dayTo &&
              ds.endMillis(i) <= now &&
              FilterEngine.matches(ds.conversation(i), filters, { segmentScope })
            ) {
              naiveSync.push(i)
            }
          }
          assert.deepStrictEqual([...sync.indices], sortNaive(naiveSync))
          assert.strictEqual(sync.totalHits, naiveSync.length)
          // job
          const job = GroundTruth.job(
            ds,
            { interval, ...filters, order, orderBy, limit, startOfDayIntervalMatching: sod },
            {
              nowMillis: now,
              availabilityMillis: availability,
              match: { segmentScope }
            }
          )
          const naiveJob: Array<number> = []
          for (let i = 0; i < ds.size; i++) {
            const st = ds.startMillis(i)
            const en = ds.endMillis(i)
            if (st < e && en > s && en <= availability && (!sod || st >= dayFrom)) {
              if (FilterEngine.matches(ds.conversation(i), filters, { segmentScope, partialEmailMatch: true }))
                naiveJob.push(i)
            }
          }
          const sorted = sortNaive(naiveJob)
          assert.deepStrictEqual([...job.indices], limit === undefined ? sorted : sorted.slice(0, limit))
        }
      ),
      { numRuns: 60 }
    )
  })
})

describe("GroundTruth intervals", () => {
  it("accepts every interval form the API accepts: date-only, zone-less, duration/end", () => {
    const dataset = Generator.make({ seed: 5, startDate: "2026-01-05", days: 2, perDay: 40 })
    const nowMillis = Date.parse("2026-01-08T00:00:00Z")
    const full = GroundTruth.syncQuery(
      dataset,
      { interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z" },
      { nowMillis }
    )
    for (const interval of ["2026-01-05/2026-01-06", "P1D/2026-01-06", "2026-01-05T00:00/P1D"]) {
      assert.deepStrictEqual(
        GroundTruth.syncQuery(dataset, { interval }, { nowMillis }).indices,
        full.indices,
        interval
      )
    }
  })
})
