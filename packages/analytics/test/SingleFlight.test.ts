import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as Faults from "@effect-genesys/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, TestClock } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as SingleFlight from "../src/internal/singleFlight.js"
import { AuditRecords, clientLayer, requestsTo, settle } from "./GenesysHttpFixtures.js"

/** A run per key that waits for `release` and counts its starts, ends and interruptions. */
const gatedRuns = Effect.gen(function* () {
  const release = yield* Deferred.make<string, string>()
  const log = { starts: [] as Array<string>, ends: [] as Array<string>, interrupted: [] as Array<string> }
  const shared = SingleFlight.make((key: string) =>
    Effect.sync(() => log.starts.push(key)).pipe(
      Effect.zipRight(Deferred.await(release)),
      Effect.map((answer) => `${key}:${answer}`),
      Effect.tap(() => Effect.sync(() => log.ends.push(key))),
      Effect.onInterrupt(() => Effect.sync(() => log.interrupted.push(key)))
    )
  )
  return { release, log, shared }
})

/** Lets forked fibers start and run up to their next wait. */
const turns = Effect.repeatN(settle, 3)

describe("SingleFlight", () => {
  it.effect("overlapping calls with one key share one run and its outcome; other keys and later calls run anew", () =>
    Effect.gen(function* () {
      const { log, release, shared } = yield* gatedRuns
      const calls = yield* Effect.forEach(["a", "a", "b", "a"], (key) => Effect.fork(shared(key)))
      yield* turns
      assert.deepStrictEqual(log.starts, ["a", "b"])
      yield* Deferred.succeed(release, "done")
      const answers = yield* Effect.forEach(calls, Fiber.join)
      assert.deepStrictEqual(answers, ["a:done", "a:done", "b:done", "a:done"])
      assert.strictEqual(yield* shared("a"), "a:done")
      assert.deepStrictEqual(log.starts, ["a", "b", "a"], "a call after the outcome runs again")
    })
  )

  it.effect("a failure is every waiting caller's", () =>
    Effect.gen(function* () {
      const { release, shared } = yield* gatedRuns
      const calls = yield* Effect.forEach(["a", "a"], (key) => Effect.fork(shared(key)))
      yield* turns
      yield* Deferred.fail(release, "refused")
      for (const call of calls) assert.deepStrictEqual(yield* Fiber.await(call), Exit.fail("refused"))
    })
  )

  it.effect("the caller that started the run is interrupted: the run goes on for the caller still waiting", () =>
    Effect.gen(function* () {
      const { log, release, shared } = yield* gatedRuns
      const first = yield* Effect.fork(shared("a"))
      yield* turns
      const second = yield* Effect.fork(shared("a"))
      yield* turns
      yield* Fiber.interrupt(first)
      assert.deepStrictEqual(log.interrupted, [])
      yield* Deferred.succeed(release, "done")
      assert.strictEqual(yield* Fiber.join(second), "a:done")
      assert.deepStrictEqual(log, { starts: ["a"], ends: ["a"], interrupted: [] })
    })
  )

  it.effect("every caller interrupted: the run is interrupted, and the next call starts a new one", () =>
    Effect.gen(function* () {
      const { log, release, shared } = yield* gatedRuns
      const calls = yield* Effect.forEach(["a", "a"], (key) => Effect.fork(shared(key)))
      yield* turns
      yield* Fiber.interrupt(calls[0]!)
      assert.deepStrictEqual(log.interrupted, [], "one caller still waits")
      yield* Fiber.interrupt(calls[1]!)
      assert.deepStrictEqual(log.interrupted, ["a"])
      const next = yield* Effect.fork(shared("a"))
      yield* turns
      yield* Deferred.succeed(release, "done")
      assert.strictEqual(yield* Fiber.join(next), "a:done")
      assert.deepStrictEqual(log.starts, ["a", "a"])
    })
  )
})

describe("ConversationDetails.jobStatus of one job, twice at once", () => {
  const jobsPath = "/api/v2/analytics/conversations/details/jobs"

  it.effect(
    "one request: a 429 waited out once and audited, though the caller that sent it stops waiting (a race's loser)",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const details = yield* ConversationDetails.ConversationDetails
        const jobId = yield* details.submitJob({ interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z" })
        yield* emulator.setFaults(
          Faults.script({ method: "GET", path: `${jobsPath}/*`, fault: { kind: "rateLimit", retryAfterSeconds: 3 } })
        )
        const loser = yield* Effect.fork(details.jobStatus(jobId))
        for (let i = 0; i < 5; i++) yield* settle
        const winner = yield* Effect.fork(details.jobStatus(jobId))
        yield* TestClock.adjust("1 second")
        yield* Fiber.interrupt(loser)
        yield* TestClock.adjust("2 seconds")
        for (let i = 0; i < 5; i++) yield* settle
        const status = yield* Fiber.join(winner)
        assert.strictEqual(status.jobId, jobId)
        const polls = yield* requestsTo("GET", `${jobsPath}/${jobId}`)
        assert.deepStrictEqual(
          polls.map((r) => [r.status === 429 ? "429" : "answered", r.atMillis - polls[0]!.atMillis]),
          [
            ["429", 0],
            ["answered", 3_000]
          ]
        )
        const waits = (yield* AuditRecords).filter((e) => e.type === "http.rateLimitWait")
        assert.deepStrictEqual(
          waits.map((e) => e.correlationId),
          [polls[0]!.correlationId]
        )
      }).pipe(Effect.provide(clientLayer()))
  )
})
