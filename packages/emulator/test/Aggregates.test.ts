/**
 * Conversation aggregates: the sync query and the job (states, cursor pages, faults) against the ground truth,
 * the ground truth against a naive recomputation from the generated details records, the 400 bodies, DST buckets.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fc from "fast-check"
import * as AggregateTruth from "../src/AggregateTruth.js"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Generator from "../src/Generator.js"
import { call } from "./EmulatorCall.js"

const QUERY = "/api/v2/analytics/conversations/aggregates/query"
const JOBS = "/api/v2/analytics/conversations/aggregates/jobs"
const DAYS3 = "2026-01-05T00:00:00.000Z/2026-01-08T00:00:00.000Z"

const options: EmulatorOptions.Input = {
  days: 3,
  perDay: 40,
  jobs: { queueMillis: 1000, runMillis: 2000, runMillisPerConversation: 10, resultTtlMillis: 3_600_000 }
}

const setup = (input: EmulatorOptions.Input = options) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make(input)
    const token = yield* emu.issueToken
    return { emu, token }
  })

// ---- a naive recomputation, written independently of the engine ----

interface Naive {
  readonly group: Record<string, string>
  readonly bucket: string
  readonly metric: string
  count: number
  sum: number
  max: number
  min: number
}

const localDay = (t: number, zone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(t)

/** Groups × buckets × metrics by brute force over every session metric of every conversation. */
const naive = (
  dataset: Generator.Dataset,
  q: {
    interval: string
    granularity: "P1D" | "PT1H" | undefined
    timeZone: string
    groupBy: Array<string>
    metrics: Array<string>
  },
  now: number
): Map<string, Naive> => {
  const [a, b] = q.interval.split("/") as [string, string]
  const start = Date.parse(a)
  const end = Date.parse(b)
  const out = new Map<string, Naive>()
  const segmentValue = (p: Generator.Participant, s: Generator.Session, dim: string): Array<string> => {
    const vals = new Set<string>()
    for (const seg of s.segments) {
      const v = (seg as any)[dim] ?? (s as any)[dim] ?? (p as any)[dim]
      if (v !== undefined && typeof v !== "object") vals.add(String(v))
    }
    return [...vals]
  }
  for (let i = 0; i < dataset.size; i++) {
    const c = dataset.conversation(i)
    for (const p of c.participants) {
      for (const s of p.sessions) {
        for (const m of s.metrics) {
          const t = Date.parse(m.emitDate)
          if (t < start || t >= end || t > now || !q.metrics.includes(m.name)) continue
          const bucket =
            q.granularity === "P1D"
              ? localDay(t, q.timeZone)
              : q.granularity === "PT1H"
                ? String(Math.floor((t - start) / 3_600_000))
                : "all"
          const group: Record<string, string> = {}
          for (const dim of [...q.groupBy, ...(q.groupBy.includes("mediaType") ? [] : ["mediaType"])]) {
            const vals = segmentValue(p, s, dim)
            if (vals.length > 1) throw new Error(`multi-valued ${dim}`)
            if (vals.length === 1) group[dim] = vals[0]!
          }
          const key = JSON.stringify([Object.entries(group).sort(), bucket, m.name])
          const e = out.get(key) ?? { group, bucket, metric: m.name, count: 0, sum: 0, max: -Infinity, min: Infinity }
          const timer = m.name.startsWith("t")
          e.count += timer ? 1 : m.value
          e.sum += m.value
          e.max = Math.max(e.max, m.value)
          e.min = Math.min(e.min, m.value)
          out.set(key, e)
        }
      }
    }
  }
  return out
}

/** The engine's answer flattened into the naive shape (bucket named the naive way). */
const flatten = (
  response: AggregateTruth.AggregateResponse,
  q: { interval: string; granularity: "P1D" | "PT1H" | undefined; timeZone: string }
): Map<string, Naive> => {
  const start = Date.parse(q.interval.split("/")[0]!)
  const out = new Map<string, Naive>()
  for (const r of response.results ?? []) {
    for (const d of r.data) {
      const [bs, be] = d.interval.split("/").map(Date.parse) as [number, number]
      const bucket =
        q.granularity === "P1D"
          ? localDay(bs, q.timeZone)
          : q.granularity === "PT1H"
            ? String(Math.floor((bs - start) / 3_600_000))
            : "all"
      if (q.granularity === "P1D") assert.strictEqual(localDay(be - 1, q.timeZone), bucket, d.interval)
      for (const m of d.metrics) {
        const key = JSON.stringify([Object.entries(r.group).sort(), bucket, m.metric])
        assert.isFalse(out.has(key), key)
        const timer = m.metric.startsWith("t")
        out.set(key, {
          group: { ...r.group },
          bucket,
          metric: m.metric,
          count: m.stats.count,
          sum: timer ? m.stats.sum! : m.stats.count,
          max: timer ? m.stats.max! : 1,
          min: timer ? m.stats.min! : 1
        })
      }
    }
  }
  return out
}

const METRICS = ["nOffered", "nConnected", "tHandle", "tTalk", "tAcw", "tAnswered", "tAbandon", "nTransferred", "tAcd"]
const DIMS = ["queueId", "userId", "wrapUpCode", "mediaType", "direction", "purpose"]

describe("AggregateTruth against a naive recomputation", () => {
  it("equals it over seeds, groupBy, granularity and time zones (DST included)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.subarray(DIMS, { maxLength: 3 }),
        fc.subarray(METRICS, { minLength: 1 }),
        fc.constantFrom<"P1D" | "PT1H" | undefined>("P1D", "PT1H", undefined),
        fc.constantFrom("UTC", "America/New_York", "Europe/London", "Australia/Sydney"),
        (seed, groupBy, metrics, granularity, timeZone) => {
          // 2026-03-08 is the US spring-forward day, 2026-03-29 the EU one; the data spans both weeks' edges.
          const startDate = timeZone === "Europe/London" ? "2026-03-28" : "2026-03-07"
          const dataset = Generator.make({ seed, startDate, days: 3, perDay: 15 })
          const s = dataset.spanStartMillis
          // Local midnight of the first day in the zone, so P1D buckets are local days.
          const offset =
            Date.parse(new Date(s).toLocaleString("en-US", { timeZone: "UTC" })) -
            Date.parse(new Date(s).toLocaleString("en-US", { timeZone }))
          const from = s + offset
          const interval = `${new Date(from).toISOString()}/${new Date(from + 2 * 86_400_000).toISOString()}`
          const now = s + 10 * 86_400_000
          const q = { interval, granularity, timeZone, groupBy, metrics }
          const response = AggregateTruth.query(dataset, q, { nowMillis: now })
          const got = flatten(response, q)
          const want = naive(dataset, q, now)
          assert.deepStrictEqual(
            [...got.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
            [...want.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
          )
        }
      ),
      { numRuns: 40 }
    )
  })

  it("P1D buckets in America/New_York are 23 and 25 hours across the DST changes", () => {
    const dataset = Generator.make({ seed: 3, startDate: "2026-03-07", days: 2, perDay: 10 })
    const spring = AggregateTruth.query(
      dataset,
      {
        interval: "2026-03-07T05:00:00.000Z/2026-03-09T04:00:00.000Z",
        granularity: "P1D",
        timeZone: "America/New_York",
        metrics: ["nOffered"]
      },
      { nowMillis: Date.parse("2027-01-01T00:00:00Z") }
    )
    const intervals = new Set(spring.results!.flatMap((r) => r.data.map((d) => d.interval)))
    assert.deepStrictEqual([...intervals].sort(), [
      "2026-03-07T05:00:00.000Z/2026-03-08T05:00:00.000Z",
      "2026-03-08T05:00:00.000Z/2026-03-09T04:00:00.000Z"
    ])
    const fall = Generator.make({ seed: 3, startDate: "2026-10-31", days: 2, perDay: 10 })
    const autumn = AggregateTruth.query(
      fall,
      {
        interval: "2026-11-01T04:00:00.000Z/2026-11-02T05:00:00.000Z",
        granularity: "P1D",
        timeZone: "America/New_York",
        metrics: ["nOffered"]
      },
      { nowMillis: Date.parse("2027-01-01T00:00:00Z") }
    )
    for (const r of autumn.results!) {
      for (const d of r.data) assert.strictEqual(d.interval, "2026-11-01T04:00:00.000Z/2026-11-02T05:00:00.000Z")
    }
  })

  it("facts not yet emitted at now are not counted; unknown metrics and dimensions give nothing", () => {
    const dataset = Generator.make({ seed: 5, startDate: "2026-01-05", days: 1, perDay: 30 })
    const interval = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"
    const noon = Date.parse("2026-01-05T12:00:00.000Z")
    const early = AggregateTruth.facts(
      dataset,
      Date.parse("2026-01-05T00:00:00Z"),
      Date.parse("2026-01-06T00:00:00Z"),
      noon
    )
    assert.isTrue(early.every((f) => f.emitMillis <= noon))
    const count = (r: AggregateTruth.AggregateResponse) =>
      (r.results ?? []).reduce((n, x) => n + x.data.reduce((k, d) => k + d.metrics[0]!.stats.count, 0), 0)
    assert.strictEqual(
      count(AggregateTruth.query(dataset, { interval, metrics: ["nOffered"] }, { nowMillis: noon })),
      early.filter((f) => f.name === "nOffered").length
    )
    assert.deepStrictEqual(AggregateTruth.query(dataset, { interval, metrics: ["nAnswered"] }, { nowMillis: noon }), {})
    const r = AggregateTruth.query(
      dataset,
      { interval, metrics: ["nOffered"], groupBy: ["noSuchDimension"] },
      { nowMillis: noon }
    )
    assert.isTrue(r.results!.every((x) => Object.keys(x.group).join() === "mediaType"))
  })
})

describe("aggregates over HTTP", () => {
  it.effect("the sync query answers the ground truth; a filter narrows it with the details semantics", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const body = {
        interval: DAYS3,
        granularity: "P1D",
        groupBy: ["queueId", "wrapUpCode"],
        metrics: ["nConnected", "tHandle", "nOffered"]
      }
      const r = yield* call(emu, "POST", QUERY, token, body)
      assert.strictEqual(r.status, 200)
      assert.deepStrictEqual(r.body, yield* emu.groundTruthAggregates(body))
      assert.isAbove(r.body.results.length, 3)
      const first = r.body.results.find((x: any) => x.group.wrapUpCode !== undefined)
      assert.hasAllKeys(first.group, ["queueId", "wrapUpCode", "mediaType"])
      const t = first.data[0].metrics.find((m: any) => m.metric === "tHandle")
      assert.hasAllKeys(t.stats, ["max", "min", "count", "sum"])
      // A queue's nOffered has no wrap-up code: its groups have fewer keys.
      assert.isTrue(r.body.results.some((x: any) => x.group.wrapUpCode === undefined && x.group.queueId !== undefined))

      const code = first.group.wrapUpCode as string
      const filtered = {
        ...body,
        filter: { type: "OR", predicates: [{ dimension: "wrapUpCode", value: code.toUpperCase() }] }
      }
      const f = yield* call(emu, "POST", QUERY, token, filtered)
      assert.deepStrictEqual(f.body, yield* emu.groundTruthAggregates(filtered))
      assert.isTrue(f.body.results.every((x: any) => x.group.wrapUpCode === code))
    })
  )

  it.effect("400 bodies: required interval and metrics, malformed interval and granularity, bad time zone", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const cases: Array<[unknown, string, string, string]> = [
        [{ metrics: ["nOffered"] }, "bad.request", "interval is required", "interval"],
        [{ interval: DAYS3 }, "bad.request", "metrics is required", "metrics"],
        [
          { interval: "yesterday", metrics: ["nOffered"] },
          "invalid.date",
          "Dates must be specified as ISO-8601 strings. Invalid interval [yesterday]",
          "interval"
        ],
        [
          { interval: DAYS3, metrics: ["nOffered"], granularity: "1 day" },
          "bad.request",
          "Invalid granularity [1 day]: expected an ISO-8601 duration",
          "granularity"
        ],
        [
          {
            interval: DAYS3,
            metrics: ["nOffered"],
            views: [{ target: "tHandle", name: "tHandle", function: "rangeBound", range: { lt: 5 } }]
          },
          "bad.request",
          "View name [tHandle] must be distinct from other views and built-in metric names",
          "views[0].name"
        ],
        [
          {
            interval: DAYS3,
            metrics: ["nOffered"],
            views: [{ target: "tHandle", name: "short", function: "rangeBound" }]
          },
          "bad.request",
          "A range bound view requires range.gte or range.lt",
          "views[0].range"
        ],
        [
          { interval: DAYS3, metrics: "nOffered" },
          "bad.request",
          "The request could not be understood by the server due to malformed syntax.",
          "metrics"
        ],
        [
          { interval: DAYS3, metrics: ["nOffered"], filter: { type: "xor" } },
          "invalid.value",
          "Value [xor] is not valid for field type [BooleanType]. Allowable values are: and, or",
          "filter.type"
        ]
      ]
      for (const [body, code, message, field] of cases) {
        for (const path of [QUERY, JOBS]) {
          const r = yield* call(emu, "POST", path, token, body)
          assert.strictEqual(r.status, 400, JSON.stringify(body))
          assert.strictEqual(r.body.code, code)
          assert.strictEqual(r.body.message, message)
          assert.strictEqual(r.body.details[0].fieldName, field)
          assert.strictEqual(r.body.contextId, r.headers["inin-correlation-id"])
        }
      }
      // Unknown names are accepted and match nothing; so does an empty metrics list; an unknown zone buckets in UTC.
      for (const body of [
        { interval: DAYS3, metrics: ["nAnswered"], groupBy: ["nope"] },
        { interval: DAYS3, metrics: [] }
      ]) {
        const ok = yield* call(emu, "POST", QUERY, token, body)
        assert.strictEqual(ok.status, 200)
        assert.deepStrictEqual(ok.body, {})
      }
      const mars = { interval: DAYS3, metrics: ["nOffered"], granularity: "P1D" }
      const utc = yield* call(emu, "POST", QUERY, token, mars)
      const zoned = yield* call(emu, "POST", QUERY, token, { ...mars, timeZone: "Mars/Olympus" })
      assert.deepStrictEqual(zoned.body, utc.body)
    })
  )

  it.effect("a job: QUEUED, PENDING, FULFILLED; cursor pages of pageSize results; then EXPIRED", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const query = { interval: DAYS3, granularity: "PT12H", groupBy: ["userId"], metrics: ["tTalk", "nConnected"] }
      const submitted = yield* call(emu, "POST", JOBS, token, { ...query, pageSize: 7 })
      assert.strictEqual(submitted.status, 202)
      const jobId = submitted.body.jobId as string
      const status = () => call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual((yield* status()).body.state, "QUEUED")
      assert.strictEqual((yield* status()).status, 202)
      const early = yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)
      assert.strictEqual(early.status, 400)
      yield* TestClock.adjust("1500 millis")
      assert.strictEqual((yield* status()).body.state, "PENDING")
      yield* TestClock.adjust("1 hour")
      const done = yield* status()
      assert.strictEqual(done.status, 200)
      assert.strictEqual(done.body.state, "FULFILLED")
      assert.isString(done.body.expirationDate)
      // A details job route does not know an aggregates job.
      assert.strictEqual(
        (yield* call(emu, "GET", `/api/v2/analytics/conversations/details/jobs/${jobId}`, token)).status,
        404
      )

      const all: Array<unknown> = []
      let cursor: string | undefined
      let pages = 0
      do {
        const url = `${JOBS}/${jobId}/results${cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`}`
        const page = yield* call(emu, "GET", url, token)
        assert.strictEqual(page.status, 200)
        assert.isAtMost(page.body.results.length, 7)
        all.push(...page.body.results)
        cursor = page.body.cursor
        pages++
      } while (cursor !== undefined)
      const truth = yield* emu.groundTruthAggregates(query)
      assert.deepStrictEqual(all, [...truth.results!])
      assert.strictEqual(pages, Math.ceil(truth.results!.length / 7))
      const bad = yield* call(emu, "GET", `${JOBS}/${jobId}/results?cursor=nonsense`, token)
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.body.message, "Invalid cursor")
      yield* TestClock.adjust("2 hours")
      assert.strictEqual((yield* status()).body.state, "EXPIRED")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)).status, 404)
    })
  )

  it.effect("cancel, unknown jobs, the concurrency limit, failJob and staleCursor faults, rate-limit headers", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup({ ...options, jobs: { ...options.jobs, maxConcurrent: 1 } })
      const query = { interval: DAYS3, metrics: ["nOffered"], groupBy: ["queueId"], pageSize: 2 }
      const a = yield* call(emu, "POST", JOBS, token, query)
      assert.isString(a.headers["inin-ratelimit-count"])
      const limited = yield* call(emu, "POST", JOBS, token, query)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.body.limit.value, 1)
      assert.strictEqual((yield* call(emu, "DELETE", `${JOBS}/${a.body.jobId}`, token)).status, 204)
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${a.body.jobId}`, token)).body.state, "CANCELLED")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/unknown`, token)).status, 404)
      assert.strictEqual((yield* call(emu, "DELETE", `${JOBS}/unknown`, token)).status, 404)

      yield* emu.setFaults({
        script: [{ method: "POST", path: JOBS, fault: { kind: "failJob", errorMessage: "boom" } }]
      })
      const failed = yield* call(emu, "POST", JOBS, token, query)
      yield* TestClock.adjust("1 hour")
      const st = yield* call(emu, "GET", `${JOBS}/${failed.body.jobId}`, token)
      assert.strictEqual(st.body.state, "FAILED")
      assert.strictEqual(st.body.errorMessage, "boom")

      yield* emu.setFaults({ script: [{ path: `${JOBS}/*/results`, fault: { kind: "staleCursor", mode: "repeat" } }] })
      const ok = yield* call(emu, "POST", JOBS, token, query)
      yield* TestClock.adjust("1 hour")
      const p1 = yield* call(emu, "GET", `${JOBS}/${ok.body.jobId}/results`, token)
      const p2 = yield* call(emu, "GET", `${JOBS}/${ok.body.jobId}/results?cursor=${p1.body.cursor}`, token)
      assert.strictEqual(p2.body.cursor, p1.body.cursor)
      yield* emu.setFaults({ script: [{ path: QUERY, fault: { kind: "serverError", status: 503 } }] })
      assert.strictEqual((yield* call(emu, "POST", QUERY, token, query)).status, 503)
    })
  )
})
