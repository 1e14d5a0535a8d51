import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Option, Stream, TestClock } from "effect"
import * as ReleasingPages from "../src/internal/details/releasingPages.js"

/** Three pages, each fetched in 1 s; `fetches` gets the time each fetch starts, `ended` whether it finished. */
const threePages = (log: { fetches: Array<number>; ended: Array<string> }, failAt?: number) => (page: number) =>
  Effect.gen(function* () {
    log.fetches.push(yield* Clock.currentTimeMillis)
    yield* Effect.sleep("1 second")
    if (page === failAt) return yield* Effect.fail(`page ${page} failed`)
    return [page, page < 2 ? Option.some(page + 1) : Option.none()] as const
  }).pipe(Effect.onExit((exit) => Effect.sync(() => log.ended.push(Exit.isInterrupted(exit) ? "interrupted" : "done"))))

/** Consumes every page in 1 s each, recording when it is done with it. */
const consume = (pages: Stream.Stream<number, string>, consumed: Array<[number, number]>) =>
  Stream.runForEach(pages, (page) =>
    Effect.zipRight(
      Effect.sleep("1 second"),
      Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => consumed.push([page, t])))
    )
  )

describe("ReleasingPages.paginateAhead", () => {
  it.effect("fetches the next page while the consumer works on one: 3 pages of 1 s + 1 s in 4 s, not 6", () =>
    Effect.gen(function* () {
      const ahead = { fetches: [] as Array<number>, ended: [] as Array<string> }
      const consumedAhead: Array<[number, number]> = []
      const fiber = yield* Effect.fork(consume(ReleasingPages.paginateAhead(0, threePages(ahead)), consumedAhead))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(fiber)
      assert.deepStrictEqual(ahead.fetches, [0, 1000, 2000])
      assert.deepStrictEqual(consumedAhead, [
        [0, 2000],
        [1, 3000],
        [2, 4000]
      ])

      const plain = { fetches: [] as Array<number>, ended: [] as Array<string> }
      const consumedPlain: Array<[number, number]> = []
      const start = yield* Clock.currentTimeMillis
      const second = yield* Effect.fork(consume(ReleasingPages.paginate(0, threePages(plain)), consumedPlain))
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.join(second)
      assert.deepStrictEqual(
        plain.fetches.map((t) => t - start),
        [0, 2000, 4000]
      )
    })
  )

  it.effect("a page that fails fails the stream after the pages before it are consumed", () =>
    Effect.gen(function* () {
      const log = { fetches: [] as Array<number>, ended: [] as Array<string> }
      const consumed: Array<[number, number]> = []
      const fiber = yield* Effect.fork(
        Effect.exit(consume(ReleasingPages.paginateAhead(0, threePages(log, 1)), consumed))
      )
      yield* TestClock.adjust("10 seconds")
      const exit = yield* Fiber.join(fiber)
      assert.deepStrictEqual(exit, Exit.fail("page 1 failed"))
      assert.deepStrictEqual(
        consumed.map(([page]) => page),
        [0]
      )
    })
  )

  it.effect("a consumer that stops early stops the page being fetched", () =>
    Effect.gen(function* () {
      const log = { fetches: [] as Array<number>, ended: [] as Array<string> }
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.take(ReleasingPages.paginateAhead(0, threePages(log)), 1))
      )
      yield* TestClock.adjust("10 seconds")
      const taken = yield* Fiber.join(fiber)
      assert.deepStrictEqual([...taken], [0])
      assert.deepStrictEqual(log.ended, ["done", "interrupted"])
    })
  )
})
