// The bounded queue between `notify` and the delivery fiber. `offer` never waits: when the queue is full the
// oldest item is dropped so that the newest (often the final `extraction.completed`) survives. Closing waits a
// bounded time for the queue to empty, then drops whatever is left, the item in flight included.
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"

/** What the outbox does with its items: deliver one, drop one (with why), note one queued. */
export interface Dependencies<A> {
  readonly capacity: number
  readonly deliver: (item: A) => Effect.Effect<void>
  readonly drop: (item: A, reason: string) => Effect.Effect<void>
  readonly onQueued: Effect.Effect<void>
}

/** Accepts items and closes. */
export interface Outbox<A> {
  /** Queues `item`, dropping the oldest when full, or drops `item` itself once closed. Never waits. */
  readonly offer: (item: A) => Effect.Effect<void>
  /** Refuses new items, waits up to `drainTimeout` for the queue to empty, stops delivery, drops what is left. */
  readonly close: (drainTimeout: Duration.Duration) => Effect.Effect<void>
}

/** Starts the delivery fiber in the scope. */
export const make = <A>({
  capacity,
  deliver,
  drop,
  onQueued
}: Dependencies<A>): Effect.Effect<Outbox<A>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const queue = yield* Queue.dropping<A>(Math.max(1, capacity))
    // Queued plus in flight; the drain on close waits for it to reach zero.
    const pending = yield* SubscriptionRef.make(0)
    const wake = yield* Effect.makeLatch(false)
    let closed = false
    let inFlight: A | undefined

    // The loop never blocks in `Queue.take` (an interrupted taker can lose the item handed to it): it polls, and
    // waits on a latch that `offer` opens.
    const deliveryLoop = Effect.forever(
      Effect.gen(function* () {
        inFlight = Option.getOrUndefined(yield* Queue.poll(queue))
        if (inFlight === undefined) {
          yield* wake.close
          if ((yield* Queue.size(queue)) === 0) yield* wake.await
          return
        }
        yield* deliver(inFlight)
        inFlight = undefined
        yield* SubscriptionRef.update(pending, (n) => n - 1)
      })
    )
    const deliveryFiber = yield* Effect.forkScoped(deliveryLoop)

    const enqueue = (item: A) =>
      Effect.flatMap(Queue.offer(queue, item), (accepted) =>
        accepted ? Effect.as(Effect.zipRight(onQueued, wake.open), true) : Effect.succeed(false)
      )
    const offer = (item: A): Effect.Effect<void> =>
      Effect.gen(function* () {
        if (closed) return yield* drop(item, "sent after the notifier closed")
        yield* SubscriptionRef.update(pending, (n) => n + 1)
        if (yield* enqueue(item)) return
        const oldest = yield* Queue.poll(queue)
        if (Option.isSome(oldest)) {
          yield* SubscriptionRef.update(pending, (n) => n - 1)
          yield* drop(oldest.value, "queue full")
        }
        if (yield* enqueue(item)) return
        yield* SubscriptionRef.update(pending, (n) => n - 1)
        yield* drop(item, "queue full")
      })

    const close = (drainTimeout: Duration.Duration) =>
      Effect.gen(function* () {
        closed = true
        // Finalizers run uninterruptibly; the timeout must be able to interrupt the wait.
        yield* pending.changes.pipe(
          Stream.takeUntil((n) => n <= 0),
          Stream.runDrain,
          Effect.interruptible,
          Effect.timeoutOption(drainTimeout),
          Effect.interruptible
        )
        yield* Fiber.interrupt(deliveryFiber)
        const left = [...(inFlight === undefined ? [] : [inFlight]), ...(yield* Queue.takeAll(queue))]
        for (const item of left) yield* drop(item, "still queued when the drain time ran out")
      })

    return { offer, close }
  })
