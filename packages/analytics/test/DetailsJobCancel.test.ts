// Job cancellation in isolation: the plain DELETE, the reason derived from an exit, and the quiet cleanup form
// with its 5 s deadline on the TestClock.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Fiber, TestClock } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { JobTimeout, ServerError } from "../src/GenesysError.js"
import * as JobCancel from "../src/internal/details/jobCancel.js"
import { fakeHttp, memoryAudit } from "./DetailsFixtures.js"

describe("jobCancel", () => {
  it("cancelReason says why from the exit of what used the job", () => {
    assert.strictEqual(JobCancel.cancelReason(Exit.void), "stopped before the last page")
    assert.strictEqual(JobCancel.cancelReason(Exit.interrupt(undefined as never)), "interrupted")
    assert.strictEqual(
      JobCancel.cancelReason(Exit.fail(new JobTimeout({ jobId: "j", elapsedMillis: 1 }))),
      "failed: JobTimeout"
    )
    assert.strictEqual(JobCancel.cancelReason(Exit.fail("no tag")), "failed: error")
    assert.strictEqual(JobCancel.cancelReason(Exit.die(new Error("boom"))), "defect")
    assert.strictEqual(ConversationDetails.cancelReason, JobCancel.cancelReason)
  })

  it.effect("make: DELETE of the job (escaped, idempotent), then job.cancelled with the reason", () =>
    Effect.gen(function* () {
      const fake = fakeHttp(() => Effect.succeed(undefined))
      const { audit, events } = memoryAudit()
      yield* JobCancel.make(fake.http, audit)("job/1", "interrupted")
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.options]),
        [
          [
            "DELETE",
            "/api/v2/analytics/conversations/details/jobs/job%2F1",
            { route: ConversationDetails.routes.cancelJob, idempotent: true }
          ]
        ]
      )
      assert.deepStrictEqual(events, [
        { type: "job.cancelled", jobId: "job/1", route: ConversationDetails.routes.cancelJob, detail: "interrupted" }
      ])
    })
  )

  it.effect("make: a refused DELETE fails with its error and audits no cancellation", () =>
    Effect.gen(function* () {
      const refused = new ServerError({ status: 500 })
      const { audit, events } = memoryAudit()
      const error = yield* Effect.flip(JobCancel.make(fakeHttp(() => Effect.fail(refused)).http, audit)("job-1"))
      assert.strictEqual(error, refused)
      assert.deepStrictEqual(events, [])
    })
  )

  it.effect("cancelQuietly: a DELETE still running at 5 s is given up and audited as a Timeout failure", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      const fiber = yield* Effect.fork(JobCancel.cancelQuietly(() => Effect.never, audit, "job-1", "interrupted"))
      yield* TestClock.adjust("4999 millis")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("1 milli")
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      assert.deepStrictEqual(events, [
        {
          type: "failure",
          jobId: "job-1",
          route: ConversationDetails.routes.cancelJob,
          status: "Timeout",
          detail: "cancelling job job-1 (interrupted) did not finish within 5s; given up"
        }
      ])
    })
  )

  it.effect("cancelQuietly: a failing DELETE is swallowed (its own operation audits it)", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      const exit = yield* Effect.exit(
        JobCancel.cancelQuietly(() => Effect.fail(new ServerError({ status: 503 })), audit, "job-1", "x")
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(events, [])
    })
  )

  it.effect("cancelQuietly sends the DELETE from the finalizer of an interrupted fiber", () =>
    Effect.gen(function* () {
      const { audit } = memoryAudit()
      const started = yield* Deferred.make<void>()
      const sent = yield* Deferred.make<string>()
      const cancel = (jobId: string, reason?: string) =>
        Effect.zipRight(
          Deferred.succeed(started, undefined),
          Effect.zipRight(Effect.sleep("1 second"), Deferred.succeed(sent, `${jobId}: ${reason}`))
        )
      const user = yield* Effect.fork(
        Effect.onInterrupt(Effect.never, () => JobCancel.cancelQuietly(cancel, audit, "job-1", "interrupted"))
      )
      yield* Effect.yieldNow()
      const interrupting = yield* Effect.fork(Fiber.interrupt(user))
      yield* Deferred.await(started)
      yield* Effect.yieldNow()
      yield* TestClock.adjust("1 second")
      yield* Fiber.join(interrupting)
      assert.strictEqual(yield* Deferred.await(sent), "job-1: interrupted")
      assert.strictEqual(Duration.toSeconds(JobCancel.cancelDeadline), 5)
    })
  )
})
