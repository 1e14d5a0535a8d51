import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, TestClock } from "effect"
import * as Pacer from "../src/internal/http/pacer.js"

const send = (pacer: Pacer.Pacer, limits: { count: number; allowed: number; resetMillis: number }) =>
  Effect.zipRight(pacer.acquire, pacer.observe(limits))

const waited = (polled: Option.Option<Exit.Exit<number>>): number | undefined =>
  Option.isSome(polled) && Exit.isSuccess(polled.value) ? polled.value.value : undefined

describe("httpPacer", () => {
  it.effect("waits for the tightest reset bound seen in the window, not the latest one", () =>
    Effect.gen(function* () {
      const pacer = yield* Pacer.make(0.8)
      // The window really resets at 2 100 ms; each response rounds the time left up to whole seconds.
      yield* send(pacer, { count: 1, allowed: 3, resetMillis: 3_000 })
      yield* TestClock.adjust("1100 millis")
      yield* send(pacer, { count: 2, allowed: 3, resetMillis: 1_000 })
      yield* TestClock.adjust("50 millis")
      yield* send(pacer, { count: 3, allowed: 3, resetMillis: 1_000 })
      yield* TestClock.adjust("50 millis")
      const next = yield* Effect.fork(pacer.acquire)
      // Budget spent at 1 200 ms: wait until 2 100 ms plus the 250 ms margin, i.e. 1 150 ms.
      yield* TestClock.adjust("1149 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(next)), "still waiting 1 ms before the reset bound")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(waited(yield* Fiber.poll(next)), 1_150)
    })
  )

  it.effect("responses observed out of order keep the highest count of the window, not the latest", () =>
    Effect.gen(function* () {
      const pacer = yield* Pacer.make(0.8)
      // Nine requests go at once; their answers say 1 … 9 but arrive in another order, the one that said 3 last.
      for (let i = 0; i < 9; i++) yield* pacer.acquire
      for (const count of [1, 2, 4, 5, 6, 7, 8, 9, 3]) {
        yield* pacer.observe({ count, allowed: 10, resetMillis: 5_000 })
      }
      // One request is left in the window: the first goes now, the second waits for the reset and its margin.
      assert.strictEqual(yield* pacer.acquire, 0)
      const next = yield* Effect.fork(pacer.acquire)
      yield* TestClock.adjust("5249 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(next)), "the window's budget is spent")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(waited(yield* Fiber.poll(next)), 5_250)
    })
  )

  it.effect("a reset further out than rounding explains starts a new window before the estimated reset", () =>
    Effect.gen(function* () {
      const pacer = yield* Pacer.make(0.8)
      yield* send(pacer, { count: 1, allowed: 3, resetMillis: 1_000 })
      yield* TestClock.adjust("900 millis")
      // The platform's window turned over before our estimate (1 000 ms): this header belongs to the next one.
      yield* send(pacer, { count: 1, allowed: 3, resetMillis: 5_000 })
      yield* send(pacer, { count: 2, allowed: 3, resetMillis: 5_000 })
      yield* send(pacer, { count: 3, allowed: 3, resetMillis: 5_000 })
      const next = yield* Effect.fork(pacer.acquire)
      yield* TestClock.adjust("5249 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(next)), "waits for the new window's reset, not the old one's")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(waited(yield* Fiber.poll(next)), 5_250)
    })
  )

  it.effect("a late header of the old window does not hold the estimate when the next window's arrives", () =>
    Effect.gen(function* () {
      const pacer = yield* Pacer.make(0.8)
      yield* send(pacer, { count: 1, allowed: 3, resetMillis: 1_000 })
      yield* TestClock.adjust("500 millis")
      yield* pacer.acquire
      yield* TestClock.adjust("550 millis")
      // Answered before the reset, observed after it: its bound (2 050 ms) is stale.
      yield* pacer.observe({ count: 2, allowed: 3, resetMillis: 1_000 })
      yield* TestClock.adjust("50 millis")
      yield* send(pacer, { count: 1, allowed: 3, resetMillis: 5_000 })
      yield* send(pacer, { count: 2, allowed: 3, resetMillis: 5_000 })
      yield* send(pacer, { count: 3, allowed: 3, resetMillis: 5_000 })
      const next = yield* Effect.fork(pacer.acquire)
      yield* TestClock.adjust("5249 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(next)))
      yield* TestClock.adjust("1 millis")
      assert.strictEqual(waited(yield* Fiber.poll(next)), 5_250)
    })
  )
})
