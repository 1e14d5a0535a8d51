// The webhook's queue and its drop auditing in isolation: a delivery gate the test opens, the TestClock for the
// drain deadline, no HTTP.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Exit, Scope, TestClock } from "effect"
import * as DropAudit from "../src/internal/webhook/dropAudit.js"
import * as Outbox from "../src/internal/webhook/outbox.js"
import * as PendingEvent from "../src/internal/webhook/pendingEvent.js"
import * as Stats from "../src/internal/webhook/stats.js"
import { memoryAudit } from "./DetailsFixtures.js"

/** An outbox of strings whose deliveries wait for `gate`, recording what was delivered, dropped and queued. */
const setup = (capacity: number) =>
  Effect.gen(function* () {
    const gate = yield* Deferred.make<void>()
    const delivered: Array<string> = []
    const dropped: Array<[string, string]> = []
    let queued = 0
    const scope = yield* Scope.make()
    const outbox = yield* Outbox.make<string>({
      capacity,
      deliver: (item) =>
        Effect.zipRight(
          Deferred.await(gate),
          Effect.sync(() => void delivered.push(item))
        ),
      drop: (item, reason) => Effect.sync(() => void dropped.push([item, reason])),
      onQueued: Effect.sync(() => void queued++)
    }).pipe(Scope.extend(scope))
    return { outbox, gate, delivered, dropped, queued: () => queued, scope }
  })

describe("webhook outbox", () => {
  it.effect("delivers in order once the receiver answers", () =>
    Effect.gen(function* () {
      const { outbox, gate, delivered, queued } = yield* setup(10)
      yield* outbox.offer("a")
      yield* outbox.offer("b")
      yield* Deferred.succeed(gate, undefined)
      for (let i = 0; i < 10 && delivered.length < 2; i++) yield* Effect.yieldNow()
      assert.deepStrictEqual(delivered, ["a", "b"])
      assert.strictEqual(queued(), 2)
    })
  )

  it.effect("full: the oldest queued item is dropped so that the newest survives; offer never waits", () =>
    Effect.gen(function* () {
      const { outbox, dropped } = yield* setup(2)
      yield* outbox.offer("in-flight")
      yield* Effect.yieldNow()
      for (const item of ["q1", "q2", "q3", "q4"]) yield* outbox.offer(item)
      assert.deepStrictEqual(dropped, [
        ["q1", "queue full"],
        ["q2", "queue full"]
      ])
    })
  )

  it.effect("close drains to a receiver that answers within the drain time, then refuses new items", () =>
    Effect.gen(function* () {
      const { outbox, gate, delivered, dropped } = yield* setup(10)
      yield* outbox.offer("a")
      yield* outbox.offer("b")
      const closing = yield* Effect.fork(outbox.close(Duration.seconds(5)))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      yield* closing.await
      assert.deepStrictEqual(delivered, ["a", "b"])
      yield* outbox.offer("late")
      assert.deepStrictEqual(dropped, [["late", "sent after the notifier closed"]])
    })
  )

  it.effect("close gives up at the drain time: the item in flight and the queue are dropped", () =>
    Effect.gen(function* () {
      const { outbox, delivered, dropped } = yield* setup(10)
      yield* outbox.offer("a")
      yield* Effect.yieldNow()
      yield* outbox.offer("b")
      const closing = yield* Effect.fork(outbox.close(Duration.seconds(5)))
      yield* TestClock.adjust("4 seconds")
      assert.isNull(closing.unsafePoll())
      yield* TestClock.adjust("1 second")
      assert.isTrue(Exit.isSuccess(yield* closing.await))
      assert.deepStrictEqual(delivered, [])
      assert.deepStrictEqual(dropped, [
        ["a", "still queued when the drain time ran out"],
        ["b", "still queued when the drain time ran out"]
      ])
    })
  )
})

describe("webhook dropAudit", () => {
  it.scoped("counts at once and audits webhook.dropped with id, reason, attempts and counters; close flushes", () =>
    Effect.gen(function* () {
      const { audit, events } = memoryAudit()
      const stats = yield* Stats.make
      const drops = yield* DropAudit.make(audit, stats)
      const event = PendingEvent.make({ type: "job.failed", jobId: "job-1", window: "w" }, [], 0)
      yield* drops.dropped(event, "queue full")
      yield* drops.failed(event, "delivery failed after 6 attempt(s): HTTP 503", 6)
      const counted = yield* stats.get
      assert.deepStrictEqual([counted.dropped, counted.failed], [1, 1])
      yield* drops.close
      const { id } = yield* PendingEvent.prepare(event)
      assert.deepStrictEqual(
        events.map((e) => [e.type, e.correlationId, e.jobId, e.window, e.attempt, e.detail]),
        [
          ["webhook.dropped", id, "job-1", "w", undefined, "job.failed not delivered: queue full"],
          [
            "webhook.dropped",
            id,
            "job-1",
            "w",
            6,
            "job.failed not delivered: delivery failed after 6 attempt(s): HTTP 503"
          ]
        ]
      )
      assert.deepStrictEqual(events[1]!.counts, { dropped: 1, failed: 1 })
    })
  )

  it.effect("stats start at zero and count each key on its own", () =>
    Effect.gen(function* () {
      const stats = yield* Stats.make
      assert.deepStrictEqual(yield* stats.get, Stats.empty)
      yield* stats.count("attempts")
      yield* stats.count("attempts")
      yield* stats.count("queued")
      assert.deepStrictEqual(yield* stats.get, { ...Stats.empty, attempts: 2, queued: 1 })
    })
  )
})
