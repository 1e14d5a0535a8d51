// Jobs hold a share of the small concurrent-jobs quota: runJob and Extraction's job windows DELETE them when they
// stop using them early (failure, timeout, interruption), best effort within 5 s, and the audit log says so.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Fiber, Layer, Option, Stream, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { AuditRecords, clientLayer, drive, requestsTo, settle } from "./GenesysHttpFixtures.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"
const jobsPath = "/api/v2/analytics/conversations/details/jobs"
const resultsPath = `${jobsPath}/*/results`

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const deletes = Effect.map(requestsTo("DELETE", jobsPath), (all) => all.filter((r) => !r.path.endsWith("/results")))

const cancelledEvents = Effect.map(AuditRecords, (audit) => audit.filter((e) => e.type === "job.cancelled"))

describe("runJob cancels its job", () => {
  it.effect("on JobTimeout: DELETE, audited with the reason", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const exit = yield* drive(
        Stream.runDrain(details.runJob({ interval: day }, { poll: { timeout: Duration.minutes(2) } })),
        {
          step: "5 seconds"
        }
      )
      assert.strictEqual(failureOf(exit)?._tag, "JobTimeout")
      const sent = yield* deletes
      assert.strictEqual(sent.length, 1)
      assert.strictEqual(sent[0]!.status, 204)
      const events = yield* cancelledEvents
      assert.deepStrictEqual(
        events.map((e) => e.detail),
        ["failed: JobTimeout"]
      )
    }).pipe(Effect.provide(clientLayer({ jobs: { runMillis: 10 * 3_600_000 } })))
  )

  it.effect("a DELETE that hangs is given up after 5 s: the failure comes through, the give-up is audited", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "DELETE", path: `${jobsPath}/*`, fault: { kind: "slow", delayMillis: 600_000 } }]
      })
      const fiber = yield* Effect.fork(
        Stream.runDrain(details.runJob({ interval: day }, { poll: { timeout: Duration.seconds(30), jitter: false } }))
      )
      // Just past the poll timeout (the job is still PENDING): the DELETE is in flight.
      for (let i = 0; i < 32; i++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      for (let i = 0; i < 5; i++) yield* settle
      // (The emulator records a request when it answers: the hanging DELETE never shows in its log.)
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "still waiting for the DELETE")
      for (let i = 0; i < 5; i++) {
        yield* settle
        yield* TestClock.adjust("1 second")
      }
      for (let i = 0; i < 5; i++) yield* settle
      const done = yield* Fiber.poll(fiber)
      assert.isTrue(Option.isSome(done), "released within the 5 s deadline")
      if (Option.isSome(done)) assert.strictEqual(failureOf(done.value)?._tag, "JobTimeout")
      const audit = yield* AuditRecords
      const gaveUp = audit.find((e) => e.type === "failure" && e.route === ConversationDetails.routes.cancelJob)
      assert.strictEqual(gaveUp?.status, "Timeout")
      assert.include(gaveUp?.detail ?? "", "did not finish within 5s")
      assert.strictEqual((yield* cancelledEvents).length, 0)
    }).pipe(Effect.provide(clientLayer({ jobs: { runMillis: 10 * 3_600_000 } })))
  )

  it.effect("on interruption: DELETE, audited as interrupted", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const fiber = yield* Effect.fork(Stream.runDrain(details.runJob({ interval: day })))
      for (let i = 0; i < 5; i++) yield* settle
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* deletes).length, 1)
      assert.deepStrictEqual(
        (yield* cancelledEvents).map((e) => e.detail),
        ["interrupted"]
      )
    }).pipe(Effect.provide(clientLayer()))
  )
})

describe("Extraction cancels the job of a window", () => {
  const extraction = (run?: Extraction.RunOptions) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-07T00:00:00.000Z"))
      const plan = yield* Extraction.plan({ interval: day }, { jobWindow: "1 day" })
      assert.deepStrictEqual(
        plan.windows.map((w) => w.kind),
        ["job"]
      )
      return yield* Extraction.run(plan, ExtractionSink.memory(), run)
    })
  // The emulator's "now" is two days after the data and jobs see all of it, so the plan is one job window.
  const anchorMillis = Date.parse("2026-01-07T00:00:00.000Z")
  const layer = (jobs: { readonly runMillis?: number } = {}, client: Parameters<typeof clientLayer>[1] = {}) =>
    Layer.merge(
      clientLayer(
        {
          days: 1,
          anchorMillis,
          jobs: { queueMillis: 1_000, runMillis: 2_000, availabilityLagMillis: 3_600_000, ...jobs }
        },
        client
      ),
      CheckpointStore.layerMemory
    )

  it.effect("when the window fails (a refused cursor, no resubmission left): DELETE, failed: BadRequest", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      yield* emulator.setFaults({
        script: [{ method: "GET", path: resultsPath, nth: 1, fault: { kind: "staleCursor", mode: "reject" } }]
      })
      const exit = yield* drive(extraction({ maxResubmissions: 0, pageSize: 10 }))
      assert.strictEqual(failureOf(exit)?._tag, "BadRequest")
      assert.strictEqual((yield* deletes).length, 1)
      assert.deepStrictEqual(
        (yield* cancelledEvents).map((e) => e.detail),
        ["failed: BadRequest"]
      )
    }).pipe(Effect.provide(layer()))
  )

  it.effect("when the job times out: DELETE, failed: JobTimeout", () =>
    Effect.gen(function* () {
      const exit = yield* drive(extraction(), { step: "10 seconds" })
      assert.strictEqual(failureOf(exit)?._tag, "JobTimeout")
      assert.strictEqual((yield* deletes).length, 1)
      assert.deepStrictEqual(
        (yield* cancelledEvents).map((e) => e.detail),
        ["failed: JobTimeout"]
      )
    }).pipe(Effect.provide(layer({ runMillis: 10 * 3_600_000 }, { poll: { timeout: Duration.minutes(2) } })))
  )

  it.effect("when the run is interrupted while the job runs: DELETE, interrupted", () =>
    Effect.gen(function* () {
      const fiber = yield* Effect.fork(extraction())
      // Until the library holds the job id (the emulator logs the POST before the answer is read).
      const submitted = Effect.map(AuditRecords, (audit) => audit.some((e) => e.type === "job.submitted"))
      for (let i = 0; i < 500 && !(yield* submitted); i++) {
        yield* settle
        yield* TestClock.adjust("100 millis")
      }
      assert.strictEqual((yield* requestsTo("POST", jobsPath)).length, 1)
      yield* Fiber.interrupt(fiber)
      assert.strictEqual((yield* deletes).length, 1)
      assert.deepStrictEqual(
        (yield* cancelledEvents).map((e) => e.detail),
        ["interrupted"]
      )
    }).pipe(Effect.provide(layer({ runMillis: 10 * 3_600_000 })))
  )

  it.effect("a job read to its end is left alone", () =>
    Effect.gen(function* () {
      const exit = yield* drive(extraction())
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual((yield* deletes).length, 0)
    }).pipe(Effect.provide(layer()))
  )
})
