// ConversationAggregates over a scripted GenesysHttp: the sync query and its tidy rows, validation before any
// request, the split of long intervals on bucket boundaries (in the query's time zone, across DST) stitched without
// counting a bucket twice, and the job (submit, TestClock-driven poll, cursor pages, cancel, run) on the details'
// job parts with their typed errors.
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Fiber, Layer, Schema, Stream, TestClock } from "effect"
import * as AggregateRecord from "../src/AggregateRecord.js"
import { AuditLog } from "../src/AuditLog.js"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import { BadRequest } from "../src/GenesysError.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as Buckets from "../src/internal/aggregates/buckets.js"
import * as Interval from "../src/Interval.js"
import { type Answer, fakeHttp, memoryAudit } from "./DetailsFixtures.js"

const base = "/api/v2/analytics/conversations/aggregates"

const serviceWith = (answer: Answer, options: ConversationAggregates.Options = {}) => {
  const fake = fakeHttp(answer)
  const memory = memoryAudit()
  const layer = Layer.mergeAll(
    Layer.succeed(GenesysHttp.GenesysHttp, fake.http),
    Layer.succeed(AuditLog, memory.audit),
    GenesysConfig.layer({ region: "us_east_1", clientId: "c", clientSecret: "s" }).pipe(Layer.orDie)
  )
  return {
    fake,
    memory,
    service: ConversationAggregates.makeWith(options).pipe(Effect.provide(layer))
  }
}

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

const october = "2026-10-01T04:00:00.000Z/2026-10-03T04:00:00.000Z"
const day1 = "2026-10-01T04:00:00.000Z/2026-10-02T04:00:00.000Z"
const day2 = "2026-10-02T04:00:00.000Z/2026-10-03T04:00:00.000Z"

const byWrapUp = {
  interval: october,
  granularity: "P1D",
  timeZone: "America/New_York",
  groupBy: ["wrapUpCode"],
  metrics: ["nConnected", "tHandle"],
  filter: {
    type: "or",
    predicates: [
      { dimension: "wrapUpCode", value: "resolved-id" },
      { dimension: "wrapUpCode", value: "positive-id" }
    ]
  }
}

const response = {
  results: [
    {
      group: { wrapUpCode: "resolved-id", mediaType: "voice" },
      data: [
        {
          interval: day1,
          metrics: [
            { metric: "nConnected", stats: { count: 3 } },
            { metric: "tHandle", stats: { max: 500, min: 100, count: 3, sum: 900 } }
          ]
        },
        // tHandle absent on day 2: no row for it, not a zero.
        { interval: day2, metrics: [{ metric: "nConnected", stats: { count: 1 } }] }
      ]
    },
    // A partial group: only mediaType.
    {
      group: { mediaType: "voice" },
      data: [{ interval: day2, metrics: [{ metric: "nConnected", stats: { count: 2 } }] }]
    }
  ]
}

/**
 * Joins a forked fiber that waits on the TestClock, moving the clock in `step`s until it is done (bounded): the fork
 * may not have reached its first sleep when the clock first moves, on a busy machine.
 */
const joinAdvancing = <A, E>(fiber: Fiber.RuntimeFiber<A, E>, step: Duration.DurationInput) =>
  Effect.gen(function* () {
    for (let i = 0; i < 100 && (yield* Fiber.poll(fiber))._tag === "None"; i++) yield* TestClock.adjust(step)
    return yield* Fiber.join(fiber)
  })

describe("ConversationAggregates: sync", () => {
  it.effect("query validates, POSTs the body to E1 and returns the response; rows are tidy", () =>
    Effect.gen(function* () {
      const { fake, memory, service } = serviceWith(() => Effect.succeed(response))
      const aggregates = yield* service
      const answered = yield* aggregates.query(byWrapUp)
      assert.deepStrictEqual(answered, response)
      const rows = yield* collect(aggregates.rows(byWrapUp))
      assert.deepStrictEqual(
        rows.map((r) => [r.group.wrapUpCode, r.bucketStart, r.metric, r.stats.count, r.stats.sum]),
        [
          ["resolved-id", "2026-10-01T04:00:00.000Z", "nConnected", 3, undefined],
          ["resolved-id", "2026-10-01T04:00:00.000Z", "tHandle", 3, 900],
          ["resolved-id", "2026-10-02T04:00:00.000Z", "nConnected", 1, undefined],
          [undefined, "2026-10-02T04:00:00.000Z", "nConnected", 2, undefined]
        ]
      )
      assert.deepStrictEqual(AggregateRecord.columns(rows[1]!, ["wrapUpCode"]), {
        wrapUpCode: "resolved-id",
        mediaType: "voice",
        bucketStart: "2026-10-01T04:00:00.000Z",
        bucketEnd: "2026-10-02T04:00:00.000Z",
        metric: "tHandle",
        kind: "metric",
        qualifier: undefined,
        max: 500,
        min: 100,
        count: 3,
        countNegative: undefined,
        countPositive: undefined,
        sum: 900,
        current: undefined,
        ratio: undefined,
        numerator: undefined,
        denominator: undefined,
        target: undefined,
        p95: undefined,
        p99: undefined,
        calculatedMetricValue: undefined
      })
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.options.route, r.options.idempotent]),
        [
          ["POST", `${base}/query`, ConversationAggregates.routes.query, true],
          ["POST", `${base}/query`, ConversationAggregates.routes.query, true]
        ]
      )
      assert.deepStrictEqual(fake.seen[0]!.body, byWrapUp)
      assert.deepStrictEqual(
        memory.events.map((e) => e.type),
        ["query.sent", "query.sent"]
      )
    })
  )

  it.effect("an invalid query fails QueryInvalid with every problem before any request", () =>
    Effect.gen(function* () {
      const { fake, service } = serviceWith(() => Effect.succeed(response))
      const aggregates = yield* service
      const error = yield* Effect.flip(aggregates.query({ granularity: "1D", groupBy: ["queueId"] }))
      assert.strictEqual(error._tag, "QueryInvalid")
      assert.deepStrictEqual(error._tag === "QueryInvalid" ? error.issues.map((i) => i.rule) : [], [
        "aggregate.required",
        "aggregate.required",
        "aggregate.granularity"
      ])
      const rowsError = yield* Effect.flip(collect(aggregates.rows({ interval: october })))
      assert.strictEqual(rowsError._tag, "QueryInvalid")
      assert.strictEqual(fake.seen.length, 0)
    })
  )

  it.effect("a 400 reaches the caller as BadRequest with the platform's message", () =>
    Effect.gen(function* () {
      const refusal = new BadRequest({
        status: 400,
        method: "POST",
        url: `${base}/query`,
        detail: "Requested groupBy dimensions are not supported for aggregate queries in scope CONVERSATION",
        correlationId: "c-1"
      })
      const { memory, service } = serviceWith(() => Effect.fail(refusal))
      const error = yield* Effect.flip((yield* service).query({ interval: october, metrics: ["nConnected"] }))
      assert.deepStrictEqual(
        [error._tag, error._tag === "BadRequest" ? error.detail : undefined],
        ["BadRequest", "Requested groupBy dimensions are not supported for aggregate queries in scope CONVERSATION"]
      )
      assert.deepStrictEqual(
        memory.events.filter((e) => e.type === "failure").map((e) => e.route),
        [ConversationAggregates.routes.query]
      )
    })
  )
})

// A platform answering every bucket of the requested interval, plus — to prove stitching keeps each bucket once —
// the bucket just before the interval (as a platform rounding a start down might).
const bucketAnswer =
  (timeZone: string): Answer =>
  (request) => {
    const body = request.body as { interval: string; granularity: string }
    const interval = Either.getOrThrow(Interval.parse(body.interval))
    const granularity = Buckets.parseGranularity(body.granularity)!
    const bounds = Buckets.boundaries(interval, granularity, timeZone)
    const data = bounds.slice(0, -1).map((start, i) => ({
      interval: Interval.format(start, bounds[i + 1]!),
      metrics: [{ metric: "nConnected", stats: { count: 1 } }]
    }))
    const before = {
      interval: Interval.format(interval.startMillis - 3_600_000, interval.startMillis),
      metrics: data[0]!.metrics
    }
    return Effect.succeed({ results: [{ group: { queueId: "q" }, data: [before, ...data] }] })
  }

describe("ConversationAggregates: split", () => {
  it.effect("maxSpan splits on bucket boundaries and stitches without double counting", () =>
    Effect.gen(function* () {
      const { fake, service } = serviceWith(bucketAnswer("UTC"), { maxSpan: "3 days" })
      const aggregates = yield* service
      const query = {
        interval: "2026-01-01T00:00:00Z/2026-01-11T00:00:00Z",
        granularity: "P1D",
        groupBy: ["queueId"],
        metrics: ["nConnected"]
      }
      const rows = yield* collect(aggregates.rows(query))
      assert.deepStrictEqual(
        fake.seen.map((r) => (r.body as { interval: string }).interval),
        [
          "2026-01-01T00:00:00.000Z/2026-01-04T00:00:00.000Z",
          "2026-01-04T00:00:00.000Z/2026-01-07T00:00:00.000Z",
          "2026-01-07T00:00:00.000Z/2026-01-10T00:00:00.000Z",
          "2026-01-10T00:00:00.000Z/2026-01-11T00:00:00.000Z"
        ]
      )
      // Ten days, each once: the extra bucket before each request is dropped.
      assert.deepStrictEqual(
        rows.map((r) => r.bucketStart.slice(0, 10)),
        [...Array(10)].map((_, i) => `2026-01-${String(i + 1).padStart(2, "0")}`)
      )
      const stitched = yield* aggregates.query(query)
      assert.strictEqual(stitched.results?.length, 1)
      assert.strictEqual(stitched.results?.[0]?.data?.length, 10)
      // Without maxSpan (the default) the same query is one request.
      const { fake: single, service: unsplit } = serviceWith(bucketAnswer("UTC"))
      yield* (yield* unsplit).query(query)
      assert.strictEqual(single.seen.length, 1)
    })
  )

  it("P1D in America/New_York is 25 h on 2026-11-01 and 23 h on 2026-03-08; PT1H stays 1 h", () => {
    const fall = Either.getOrThrow(Interval.calendarDays("2026-10-31", 3, "America/New_York"))
    const daily = Buckets.parseGranularity("P1D")!
    const bounds = Buckets.boundaries(fall, daily, "America/New_York")
    assert.deepStrictEqual(
      bounds.map((b) => new Date(b).toISOString()),
      ["2026-10-31T04:00:00.000Z", "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z", "2026-11-03T05:00:00.000Z"]
    )
    const spring = Either.getOrThrow(Interval.calendarDays("2026-03-07", 3, "America/New_York"))
    assert.deepStrictEqual(
      Buckets.boundaries(spring, daily, "America/New_York").map((b, i, all) =>
        i === 0 ? 0 : (b - all[i - 1]!) / 3_600_000
      ),
      [0, 24, 23, 24]
    )
    const hourly = Buckets.boundaries(fall, Buckets.parseGranularity("PT1H")!, "America/New_York")
    assert.strictEqual(hourly.length, 24 + 25 + 24 + 1)
  })

  it.effect("across DST the split follows the local days; a 25 h bucket over a 24 h maxSpan is refused", () =>
    Effect.gen(function* () {
      const query = {
        interval: "2026-10-31T04:00:00Z/2026-11-03T05:00:00Z",
        granularity: "P1D",
        timeZone: "America/New_York",
        groupBy: ["queueId"],
        metrics: ["nConnected"]
      }
      const { fake, service } = serviceWith(bucketAnswer("America/New_York"), { maxSpan: "48 hours" })
      const rows = yield* collect((yield* service).rows(query))
      assert.deepStrictEqual(
        fake.seen.map((r) => (r.body as { interval: string }).interval),
        [
          "2026-10-31T04:00:00.000Z/2026-11-01T04:00:00.000Z",
          "2026-11-01T04:00:00.000Z/2026-11-02T05:00:00.000Z",
          "2026-11-02T05:00:00.000Z/2026-11-03T05:00:00.000Z"
        ]
      )
      assert.deepStrictEqual(
        rows.map((r) => [r.bucketStart, r.bucketEnd]),
        [
          ["2026-10-31T04:00:00.000Z", "2026-11-01T04:00:00.000Z"],
          ["2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z"],
          ["2026-11-02T05:00:00.000Z", "2026-11-03T05:00:00.000Z"]
        ]
      )
      const { fake: refused, service: tight } = serviceWith(bucketAnswer("America/New_York"), { maxSpan: "24 hours" })
      const error = yield* Effect.flip((yield* tight).query(query))
      assert.deepStrictEqual(error._tag === "QueryInvalid" ? error.issues.map((i) => [i.path, i.rule]) : [], [
        ["$.granularity", "aggregate.maxSpan"]
      ])
      assert.strictEqual(refused.seen.length, 0)
    })
  )
})

describe("ConversationAggregates: jobs", () => {
  const jobQuery = { interval: october, granularity: "P1D", groupBy: ["queueId"], metrics: ["nOffered"], pageSize: 2 }
  const page = (queue: string, cursor?: string) => ({
    results: [
      { group: { queueId: queue }, data: [{ interval: day1, metrics: [{ metric: "nOffered", stats: { count: 1 } }] }] }
    ],
    ...(cursor !== undefined ? { cursor } : {})
  })

  const jobAnswer =
    (states: Array<string>, pages: Record<string, unknown>): Answer =>
    (request) => {
      if (request.method === "POST") return Effect.succeed({ jobId: "job-1" })
      if (request.method === "DELETE") return Effect.void
      if (request.url.endsWith("/results")) return Effect.succeed(pages[request.params.cursor ?? ""])
      return Effect.succeed({ state: states.length > 1 ? states.shift() : states[0] })
    }

  it.effect("runJob: submit (pageSize in the body), poll on the TestClock, cursor pages with only a cursor", () =>
    Effect.gen(function* () {
      const { fake, memory, service } = serviceWith(
        jobAnswer(["QUEUED", "PENDING", "FULFILLED"], { "": page("a", "c1"), c1: page("b", "") })
      )
      const aggregates = yield* service
      const fiber = yield* Effect.fork(
        collect(aggregates.runJob({ ...jobQuery, pageSize: undefined }, { pageSize: 7 }))
      )
      const results = yield* joinAdvancing(fiber, "10 minutes")
      assert.deepStrictEqual(
        results.map((r) => r.group?.queueId),
        ["a", "b"]
      )
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.params, r.options.route]),
        [
          ["POST", `${base}/jobs`, {}, ConversationAggregates.routes.submitJob],
          ["GET", `${base}/jobs/job-1`, {}, ConversationAggregates.routes.jobStatus],
          ["GET", `${base}/jobs/job-1`, {}, ConversationAggregates.routes.jobStatus],
          ["GET", `${base}/jobs/job-1`, {}, ConversationAggregates.routes.jobStatus],
          ["GET", `${base}/jobs/job-1/results`, {}, ConversationAggregates.routes.jobResults],
          ["GET", `${base}/jobs/job-1/results`, { cursor: "c1" }, ConversationAggregates.routes.jobResults]
        ]
      )
      assert.strictEqual((fake.seen[0]!.body as { pageSize: number }).pageSize, 7)
      assert.strictEqual(fake.seen[0]!.options.idempotent, false)
      assert.includeMembers(
        memory.events.map((e) => e.type),
        ["job.submitted", "job.state", "job.page"]
      )
    })
  )

  it.effect("jobStatus of one job twice at once sends one request, and both calls get its answer", () =>
    Effect.gen(function* () {
      const { fake, service } = serviceWith((request) =>
        request.method === "GET" ? Effect.as(Effect.sleep("1 second"), { state: "PENDING" }) : Effect.void
      )
      const aggregates = yield* service
      const calls = yield* Effect.forEach([1, 2], () => Effect.fork(aggregates.jobStatus("job-1")))
      yield* TestClock.adjust("1 second")
      const states = yield* Effect.forEach(calls, Fiber.join)
      assert.deepStrictEqual(
        states.map((s) => s._tag),
        ["PENDING", "PENDING"]
      )
      assert.strictEqual(fake.seen.filter((r) => r.method === "GET").length, 1)
    })
  )

  it.effect("a failed job fails JobFailed and the stream DELETEs nothing it read to the end", () =>
    Effect.gen(function* () {
      const { fake, service } = serviceWith(jobAnswer(["PENDING", "FAILED"], {}))
      const aggregates = yield* service
      const jobId = yield* aggregates.submitJob(jobQuery)
      const fiber = yield* Effect.fork(Effect.flip(aggregates.awaitJob(jobId)))
      const error = yield* joinAdvancing(fiber, "10 minutes")
      assert.strictEqual(error._tag, "JobFailed")
      // A run whose job fails is cancelled on the way out.
      const run = yield* Effect.fork(Effect.flip(collect(aggregates.runJob(jobQuery))))
      assert.strictEqual((yield* joinAdvancing(run, "10 minutes"))._tag, "JobFailed")
      assert.deepStrictEqual(
        fake.seen.filter((r) => r.method === "DELETE").map((r) => [r.url, r.options.route]),
        [[`${base}/jobs/job-1`, ConversationAggregates.routes.cancelJob]]
      )
    })
  )

  it.effect("a job still running past the poll timeout fails JobTimeout; an expired one JobExpired", () =>
    Effect.gen(function* () {
      const { service } = serviceWith(jobAnswer(["PENDING"], {}))
      const aggregates = yield* service
      const fiber = yield* Effect.fork(Effect.flip(aggregates.awaitJob("job-1", { timeout: Duration.minutes(1) })))
      assert.strictEqual((yield* joinAdvancing(fiber, "2 minutes"))._tag, "JobTimeout")
      const { service: expiring } = serviceWith(jobAnswer(["EXPIRED"], {}))
      const expired = yield* Effect.fork(Effect.flip((yield* expiring).awaitJob("job-1")))
      assert.strictEqual((yield* joinAdvancing(expired, "1 minute"))._tag, "JobExpired")
    })
  )

  it.effect("a cursor handed back twice fails PaginationStalled; cancelJob DELETEs the job", () =>
    Effect.gen(function* () {
      const { fake, service } = serviceWith(jobAnswer(["FULFILLED"], { "": page("a", "c1"), c1: page("b", "c1") }))
      const aggregates = yield* service
      const error = yield* Effect.flip(collect(aggregates.jobResultPages("job-1")))
      assert.deepStrictEqual(
        [error._tag, error._tag === "PaginationStalled" ? error.cursor : ""],
        ["PaginationStalled", "c1"]
      )
      yield* aggregates.cancelJob("job-1", "done")
      assert.deepStrictEqual(fake.seen.at(-1)!.method, "DELETE")
      const other = yield* serviceWith(jobAnswer(["FULFILLED"], { "": page("a") })).service
      const rows = yield* Effect.fork(collect(other.rows(jobQuery, { via: "job" })))
      assert.deepStrictEqual(
        (yield* joinAdvancing(rows, "1 minute")).map((r) => [r.group.queueId, r.metric, r.stats.count]),
        [["a", "nOffered", 1]]
      )
    })
  )
})

describe("AggregateRecord", () => {
  it("decodes null as absent and keeps unknown fields", () => {
    const decoded = Schema.decodeUnknownSync(AggregateRecord.AsyncAggregateQueryResponse)(
      {
        results: [
          {
            group: { queueId: "q" },
            data: [
              {
                interval: day1,
                metrics: [{ metric: "oServiceLevel", qualifier: null, stats: { ratio: 0.5, target: 0.8, extra: 1 } }],
                views: null
              }
            ],
            extra: "kept"
          }
        ],
        cursor: null
      },
      AggregateRecord.parseOptions
    )
    assert.deepStrictEqual(decoded, {
      results: [
        {
          group: { queueId: "q" },
          data: [
            { interval: day1, metrics: [{ metric: "oServiceLevel", stats: { ratio: 0.5, target: 0.8, extra: 1 } }] }
          ],
          extra: "kept"
        }
      ]
    } as never)
    assert.throws(() =>
      Schema.decodeUnknownSync(AggregateRecord.AggregateQueryResponse)({ results: [{ group: { queueId: 1 } }] })
    )
  })
})
