// The small job and lookup parts of ConversationDetails: status decoding, submission, runJob's cleanup, the
// availability check, failure auditing and query validation, each over scripted dependencies.
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { BadRequest, JobTimeout, ServerError } from "../src/GenesysError.js"
import * as FailureAudit from "../src/internal/details/failureAudit.js"
import * as JobRun from "../src/internal/details/jobRun.js"
import * as JobStatus from "../src/internal/details/jobStatus.js"
import * as JobSubmit from "../src/internal/details/jobSubmit.js"
import { checkAvailability } from "../src/internal/details/lookups.js"
import * as QueryValidation from "../src/internal/details/queryValidation.js"
import { fakeHttp, memoryAudit } from "./DetailsFixtures.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

describe("jobStatus", () => {
  it.effect("the platform's state becomes the tagged status, dates and errorMessage carried when present", () =>
    Effect.gen(function* () {
      const dates = { submissionDate: "2026-01-06T00:00:00Z", completionDate: "2026-01-06T00:01:00Z" }
      assert.deepStrictEqual(yield* JobStatus.fromWire("j", { state: "FULFILLED", ...dates }), {
        _tag: "FULFILLED",
        jobId: "j",
        ...dates
      })
      assert.deepStrictEqual(yield* JobStatus.fromWire("j", { state: "FAILED", errorMessage: "too big" }), {
        _tag: "FAILED",
        jobId: "j",
        errorMessage: "too big"
      })
      for (const state of ["QUEUED", "PENDING", "CANCELLED", "EXPIRED"] as const) {
        assert.strictEqual((yield* JobStatus.fromWire("j", { state }))._tag, state)
      }
      const unknown = yield* Effect.flip(JobStatus.fromWire("j", { state: "PAUSED" }))
      assert.deepStrictEqual(
        [unknown._tag, unknown.reason, unknown.detail],
        ["Transport", "Decode", 'job j reports unknown state "PAUSED"']
      )
    })
  )

  it("checkJobState refuses a missing or unknown state inside the request loop", () => {
    assert.isUndefined(JobStatus.checkJobState("j")({ state: "PENDING" }))
    assert.strictEqual(JobStatus.checkJobState("j")({}), "job j reports unknown state null")
    assert.strictEqual(JobStatus.checkJobState("j")({ state: "paused" }), 'job j reports unknown state "paused"')
  })

  it.effect("make: GET of the job with the state check, decoded", () =>
    Effect.gen(function* () {
      const fake = fakeHttp(() => Effect.succeed({ state: "QUEUED", id: "job-1" }))
      assert.deepStrictEqual(yield* JobStatus.make(fake.http)("job-1"), { _tag: "QUEUED", jobId: "job-1" })
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.options.route, r.options.idempotent]),
        [["GET", "/api/v2/analytics/conversations/details/jobs/job-1", ConversationDetails.routes.jobStatus, true]]
      )
    })
  )
})

describe("jobSubmit", () => {
  it.effect("POSTs once, not idempotent, and audits job.submitted with the query hash and latency", () =>
    Effect.gen(function* () {
      const fake = fakeHttp(() => Effect.succeed({ jobId: "job-9" }))
      const { audit, events } = memoryAudit()
      assert.strictEqual(yield* JobSubmit.make(fake.http, audit)({ interval: day }), "job-9")
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.body, r.options.idempotent]),
        [["POST", "/api/v2/analytics/conversations/details/jobs", { interval: day }, false]]
      )
      assert.strictEqual(events.length, 1)
      assert.deepStrictEqual(
        [events[0]!.type, events[0]!.jobId, events[0]!.window, events[0]!.route, events[0]!.latencyMillis],
        ["job.submitted", "job-9", day, ConversationDetails.routes.submitJob, 0]
      )
      assert.match(events[0]!.queryHash ?? "", /^[0-9a-f]{64}$/)
    })
  )

  it.effect("an answer without a jobId is a Transport Decode failure, and nothing is audited", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      for (const answer of [{}, { jobId: "" }]) {
        const error = yield* Effect.flip(
          JobSubmit.make(fakeHttp(() => Effect.succeed(answer)).http, audit)({ interval: day })
        )
        assert.deepStrictEqual(
          [error._tag, error._tag === "Transport" ? error.detail : ""],
          ["Transport", "job submission answered without a jobId"]
        )
      }
      assert.deepStrictEqual(events, [])
    })
  )
})

describe("jobRun", () => {
  const conversations = ["a", "b", "c"].map((conversationId) => ({ conversationId }))
  const scripted = (awaitResult: Effect.Effect<void, JobTimeout>) => {
    const cancelled: Array<[string, string | undefined]> = []
    const { audit } = memoryAudit()
    const run = JobRun.make({
      audit,
      submitJob: () => Effect.succeed("job-1"),
      awaitJob: (jobId) => Effect.as(awaitResult, ConversationDetails.Fulfilled.make({ jobId })),
      jobResults: () => Stream.fromIterable(conversations),
      cancelJob: (jobId, reason) => Effect.sync(() => void cancelled.push([jobId, reason]))
    })
    return { run, cancelled }
  }

  it.effect("a stream read to its end leaves the job alone", () =>
    Effect.gen(function* () {
      const { run, cancelled } = scripted(Effect.void)
      const read = yield* Stream.runCollect(run({ interval: day }))
      assert.deepStrictEqual(Chunk.toReadonlyArray(read), conversations)
      assert.deepStrictEqual(cancelled, [])
    })
  )

  it.effect("a stream stopped early, or a job that failed, is cancelled with the reason", () =>
    Effect.gen(function* () {
      const early = scripted(Effect.void)
      yield* Stream.runDrain(Stream.take(early.run({ interval: day }), 1))
      assert.deepStrictEqual(early.cancelled, [["job-1", "stopped before the last page"]])
      const timedOut = scripted(Effect.fail(new JobTimeout({ jobId: "job-1", elapsedMillis: 1 })))
      const exit = yield* Effect.exit(Stream.runDrain(timedOut.run({ interval: day })))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(exit, Exit.fail(new JobTimeout({ jobId: "job-1", elapsedMillis: 1 })))
      assert.deepStrictEqual(timedOut.cancelled, [["job-1", "failed: JobTimeout"]])
    })
  )
})

describe("lookups, failure audit, validation", () => {
  it("checkAvailability needs a parseable dataAvailabilityDate", () => {
    assert.isUndefined(checkAvailability({ dataAvailabilityDate: "2026-01-06T00:00:00.000Z" }))
    assert.strictEqual(checkAvailability({}), "dataAvailabilityDate is missing")
    assert.strictEqual(
      checkAvailability({ dataAvailabilityDate: "soon" }),
      'dataAvailabilityDate is not a date: "soon"'
    )
  })

  it.effect("a failure is recorded with its context, status (or tag), message and correlation id", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      const failure = FailureAudit.make(audit)
      yield* failure({ route: "GET /x", jobId: "j" })(new ServerError({ status: 503, correlationId: "corr-1" }))
      const timeout = new JobTimeout({ jobId: "j", elapsedMillis: 5 })
      yield* failure({ jobId: "j" })(timeout)
      assert.deepStrictEqual(events[0], {
        type: "failure",
        route: "GET /x",
        jobId: "j",
        status: 503,
        detail: new ServerError({ status: 503, correlationId: "corr-1" }).message,
        correlationId: "corr-1"
      })
      assert.deepStrictEqual(events[1], {
        type: "failure",
        jobId: "j",
        status: "JobTimeout",
        detail: timeout.message,
        correlationId: undefined
      })
      assert.isTrue(FailureAudit.isJobOutcome(timeout))
      assert.isFalse(FailureAudit.isJobOutcome(new BadRequest({ status: 400 })))
    })
  )

  it.effect("validation fails QueryInvalid before anything is sent, and reports warnings under the route", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      const validate = QueryValidation.make(audit, {})
      const invalid = yield* Effect.flip(validate.query({ interval: "yesterday" }))
      assert.strictEqual(invalid._tag, "QueryInvalid")
      assert.strictEqual((yield* Effect.flip(validate.asyncQuery({ interval: "yesterday" })))._tag, "QueryInvalid")
      assert.deepStrictEqual(events, [])
      const warningOnly = {
        interval: day,
        segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "vioce" }] }]
      }
      assert.strictEqual((yield* validate.query(warningOnly)).interval, day)
      yield* validate.asyncQuery(warningOnly)
      assert.deepStrictEqual(
        events.map((e) => [e.type, e.route, e.status]),
        [
          ["query.warning", ConversationDetails.routes.query, "vocabulary.value"],
          ["query.warning", ConversationDetails.routes.submitJob, "vocabulary.value"]
        ]
      )
    })
  )
})
