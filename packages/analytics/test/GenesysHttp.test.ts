import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Option, TestClock } from "effect"
import * as AnalyticsMetrics from "../src/AnalyticsMetrics.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { AuditRecords, clientLayer, drive, requestsTo, settle } from "./GenesysHttpFixtures.js"

const availabilityPath = "/api/v2/analytics/conversations/details/jobs/availability"
const jobsPath = "/api/v2/analytics/conversations/details/jobs"
const job = { interval: "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z" }

describe("GenesysHttp", () => {
  it.effect("a 429 waits exactly its Retry-After, then succeeds", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "GET", path: availabilityPath, nth: 1, fault: { kind: "rateLimit", retryAfterSeconds: 7 } }]
      })
      const fiber = yield* Effect.fork(details.availability())
      for (let i = 0; i < 5; i++) yield* settle
      yield* TestClock.adjust("6999 millis")
      for (let i = 0; i < 5; i++) yield* settle
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting at 6.999 s")
      assert.strictEqual((yield* requestsTo("GET", availabilityPath)).length, 1)
      yield* TestClock.adjust("1 millis")
      const result = yield* Fiber.join(fiber)
      assert.isString(result.dataAvailabilityDate)
      const calls = yield* requestsTo("GET", availabilityPath)
      assert.deepStrictEqual(
        calls.map((c) => c.status),
        [429, 200]
      )
      assert.strictEqual(calls[1]!.atMillis - calls[0]!.atMillis, 7000)
      const audit = yield* AuditRecords
      const wait = audit.find((e) => e.type === "http.rateLimitWait")
      assert.strictEqual(wait?.waitMillis, 7000)
      assert.strictEqual(wait?.status, 429)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a 429 asking for more than the cap fails RateLimited at once", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ path: availabilityPath, fault: { kind: "rateLimit", retryAfterSeconds: 600 } }]
      })
      const error = yield* Effect.flip(details.availability())
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") {
        assert.strictEqual(error.retryAfterMillis, 600_000)
        assert.strictEqual(error.status, 429)
        assert.isString(error.correlationId)
      }
      assert.strictEqual((yield* requestsTo("GET", availabilityPath)).length, 1)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a 429 on job submission is waited out and the job is submitted once", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "POST", path: jobsPath, nth: 1, fault: { kind: "rateLimit", retryAfterSeconds: 2 } }]
      })
      const exit = yield* drive(details.submitJob(job))
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(
        (yield* requestsTo("POST", jobsPath)).map((r) => r.status),
        [429, 202]
      )
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("pacing keeps a rate-limited emulator free of 429s", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const exit = yield* drive(
        Effect.forEach(Array.from({ length: 45 }), () => details.availability(), { concurrency: 3 }),
        { step: "250 millis" }
      )
      assert.isTrue(Exit.isSuccess(exit))
      const calls = yield* requestsTo("GET", availabilityPath)
      assert.strictEqual(calls.length, 45)
      assert.deepStrictEqual(
        calls.filter((c) => c.status !== 200),
        []
      )
      // 45 requests at 10 per 10 s cannot take less than four full windows.
      assert.isAtLeast(calls[44]!.atMillis - calls[0]!.atMillis, 40_000)
    }).pipe(Effect.provide(clientLayer({ rateLimit: { count: 10, windowSeconds: 10 } })))
  )

  it.effect("without pacing the same load meets 429s (the control for the test above)", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const exit = yield* drive(
        Effect.forEach(Array.from({ length: 45 }), () => details.availability(), { concurrency: 3 }),
        { step: "250 millis" }
      )
      assert.isTrue(Exit.isSuccess(exit))
      const calls = yield* requestsTo("GET", availabilityPath)
      assert.isAbove(calls.filter((c) => c.status === 429).length, 0)
    }).pipe(Effect.provide(clientLayer({ rateLimit: { count: 10, windowSeconds: 10 } }, { http: { pacing: false } })))
  )

  it.effect("a 503 is retried with backoff for a GET", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ path: availabilityPath, nth: 1, times: 2, fault: { kind: "serverError", status: 503 } }]
      })
      const exit = yield* drive(details.availability(), { step: "100 millis" })
      assert.isTrue(Exit.isSuccess(exit))
      const calls = yield* requestsTo("GET", availabilityPath)
      assert.deepStrictEqual(
        calls.map((c) => c.status),
        [503, 503, 200]
      )
      // 500 ms then 1000 ms, each jittered by ±20 %.
      const first = calls[1]!.atMillis - calls[0]!.atMillis
      const second = calls[2]!.atMillis - calls[1]!.atMillis
      assert.isAtLeast(first, 400)
      assert.isAtMost(first, 700)
      assert.isAtLeast(second, 800)
      assert.isAtMost(second, 1300)
      const audit = yield* AuditRecords
      assert.strictEqual(audit.filter((e) => e.type === "http.retry").length, 2)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a 503 or a dropped connection is not retried for job submission", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [
          { method: "POST", path: jobsPath, nth: 1, fault: { kind: "serverError", status: 503 } },
          { method: "POST", path: jobsPath, nth: 2, fault: { kind: "drop" } }
        ]
      })
      const server = yield* Effect.flip(details.submitJob(job))
      assert.strictEqual(server._tag, "ServerError")
      if (server._tag === "ServerError") {
        assert.strictEqual(server.status, 503)
        assert.isString(server.correlationId)
      }
      const dropped = yield* Effect.flip(details.submitJob(job))
      assert.strictEqual(dropped._tag, "Transport")
      assert.strictEqual((yield* requestsTo("POST", jobsPath)).length, 2)
    }).pipe(Effect.provide(clientLayer({}, { http: { maxRetries: 5 } })))
  )

  it.effect("retries stop after maxRetries with the last ServerError", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ path: availabilityPath, times: 100, fault: { kind: "serverError", status: 502 } }]
      })
      const exit = yield* drive(details.availability(), { step: "1 second" })
      assert.isTrue(Exit.isFailure(exit))
      const calls = yield* requestsTo("GET", availabilityPath)
      assert.strictEqual(calls.length, 3)
      const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
      assert.strictEqual(error?._tag, "ServerError")
      if (error?._tag === "ServerError") {
        assert.strictEqual(error.status, 502)
        assert.strictEqual(error.correlationId, calls[2]!.correlationId, "the last attempt's correlation id")
      }
    }).pipe(Effect.provide(clientLayer({}, { http: { maxRetries: 2 } })))
  )

  it.effect("a response slower than the request timeout fails Transport(Timeout)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "POST", path: jobsPath, fault: { kind: "slow", delayMillis: 60_000 } }]
      })
      const exit = yield* drive(details.submitJob(job), { step: "1 second" })
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
        assert.strictEqual(error?._tag, "Transport")
        if (error?._tag === "Transport") assert.strictEqual(error.reason, "Timeout")
      }
    }).pipe(Effect.provide(clientLayer({}, { http: { requestTimeout: Duration.seconds(5) } })))
  )

  it.effect("ErrorBody fields reach the typed error: status, code, message, contextId, correlation id", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const error = yield* Effect.flip(details.jobStatus("00000000-0000-0000-0000-000000000000"))
      assert.strictEqual(error._tag, "NotFound")
      if (error._tag === "NotFound") {
        assert.strictEqual(error.status, 404)
        assert.strictEqual(error.code, "not.found")
        assert.include(error.detail ?? "", "Unable to find job")
        assert.isString(error.correlationId)
        assert.isString(error.contextId)
        assert.include(error.message, error.correlationId!)
      }
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("requests are timed per route template and status", () =>
    Effect.gen(function* () {
      const before = yield* AnalyticsMetrics.snapshot
      const details = yield* ConversationDetails.ConversationDetails
      yield* details.availability()
      yield* Effect.flip(details.jobStatus("nope"))
      const summary = AnalyticsMetrics.summarize(yield* AnalyticsMetrics.snapshot, before)
      const status = summary.find((s) => s.route === ConversationDetails.routes.jobStatus)
      assert.strictEqual(status?.count, 1)
      assert.deepStrictEqual(status?.statuses, { "404": 1 })
      const availability = summary.find((s) => s.route === ConversationDetails.routes.availability)
      assert.strictEqual(availability?.count, 1)
    }).pipe(Effect.provide(clientLayer()))
  )
})
