// Cursor paging with `readAhead`: the next page is requested when the current page's bytes arrive, before the page is
// read; a guess the read does not confirm is dropped; no more than one page is requested ahead of the one being read.
import { assert, describe, it } from "@effect/vitest"
import { Clock, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import * as CursorPages from "../src/internal/details/cursorPages.js"
import type { BeforeDecode } from "../src/internal/http/decodeBody.js"

const encoder = new TextEncoder()
const pageCount = 4
const cursorAfter = (index: number) => (index + 1 < pageCount ? `c${index + 1}` : undefined)

interface Log {
  readonly requests: Array<readonly [string, number]>
  readonly taken: Array<number>
  readonly ended: Array<string>
}

/**
 * Pages whose round trip takes 1 s and whose reading takes 1 s (after `beforeDecode` has seen their bytes); `shown`
 * is the cursor a page's bytes show (its own by default), `next` the one its read gives.
 */
const pages =
  (
    log: Log,
    shown: (index: number) => string | undefined = cursorAfter,
    next = cursorAfter,
    retriedShowing?: (index: number) => string | undefined
  ) =>
  (cursor: string | undefined, index: number, beforeDecode: BeforeDecode | undefined) =>
    Effect.gen(function* () {
      log.requests.push([cursor ?? "-", yield* Clock.currentTimeMillis])
      yield* Effect.sleep("1 second")
      const cursorShown = shown(index)
      const bytes = encoder.encode(
        JSON.stringify({ conversations: [], ...(cursorShown !== undefined ? { cursor: cursorShown } : {}) })
      )
      if (beforeDecode !== undefined) yield* beforeDecode(bytes)
      const retried = retriedShowing?.(index)
      if (retried !== undefined && beforeDecode !== undefined) {
        // The page did not read, and its retry came back with other bytes.
        yield* Effect.sleep("1 second")
        yield* beforeDecode(encoder.encode(JSON.stringify({ conversations: [], cursor: retried })))
      }
      yield* Effect.sleep("1 second")
      return {
        page: index,
        next: next(index),
        records: [{ conversationId: `id-${index}` }],
        taken: Effect.sync(() => log.taken.push(index))
      }
    }).pipe(
      Effect.onExit((exit) => Effect.sync(() => log.ended.push(Exit.isInterrupted(exit) ? "interrupted" : "done")))
    )

const newLog = (): Log => ({ requests: [], taken: [], ended: [] })

/** Runs the stream to its end under the test clock (from 0): the pages in order, and when the last one came. */
const run = <E>(stream: Stream.Stream<number, E>, consumeMillis = 0) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(0)
    const fiber = yield* Effect.fork(
      Stream.runCollect(Stream.tap(stream, () => Effect.sleep(consumeMillis))).pipe(
        Effect.zip(Clock.currentTimeMillis),
        Effect.exit
      )
    )
    yield* TestClock.adjust("1 minute")
    return yield* Fiber.join(fiber)
  })

describe("requests ahead", () => {
  it.effect("the next page is requested when this page's bytes arrive: 4 pages in 5 s, not 8", () =>
    Effect.gen(function* () {
      const log = newLog()
      const exit = yield* run(CursorPages.cursorStream("job", { readAhead: true }, pages(log)))
      const [collected, end] = Exit.getOrElse(exit, () => assert.fail("the stream failed"))
      assert.deepStrictEqual([...collected], [0, 1, 2, 3])
      assert.strictEqual(end, 5000)
      assert.deepStrictEqual(log.requests, [
        ["-", 0],
        ["c1", 1000],
        ["c2", 2000],
        ["c3", 3000]
      ])
      assert.deepStrictEqual(log.taken, [0, 1, 2, 3])

      const plain = newLog()
      const second = yield* run(CursorPages.cursorStream("job", {}, pages(plain)))
      const [again, secondEnd] = Exit.getOrElse(second, () => assert.fail("the stream failed"))
      assert.deepStrictEqual([...again], [0, 1, 2, 3])
      assert.deepStrictEqual(
        plain.requests.map(([, at]) => at),
        [0, 2000, 4000, 6000]
      )
      assert.strictEqual(secondEnd, 8000)
    })
  )

  it.effect("a cursor the bytes showed but the read did not give is dropped, and the read's cursor fetched", () =>
    Effect.gen(function* () {
      const log = newLog()
      const shown = (index: number) => (index === 1 ? "wrong" : cursorAfter(index))
      const exit = yield* run(CursorPages.cursorStream("job", { readAhead: true }, pages(log, shown)))
      const [collected] = Exit.getOrElse(exit, () => assert.fail("the stream failed"))
      assert.deepStrictEqual([...collected], [0, 1, 2, 3])
      assert.deepStrictEqual(
        log.requests.map(([cursor]) => cursor),
        ["-", "c1", "wrong", "c2", "c3"]
      )
      assert.deepStrictEqual(log.taken, [0, 1, 2, 3])
      assert.strictEqual(log.ended.filter((e) => e === "interrupted").length, 1)
    })
  )

  it.effect("a retried page whose bytes show another cursor drops the request sent for the first", () =>
    Effect.gen(function* () {
      const log = newLog()
      const shown = (index: number) => (index === 1 ? "wrong" : cursorAfter(index))
      const retry = (index: number) => (index === 1 ? "c2" : undefined)
      const exit = yield* run(
        CursorPages.cursorStream("job", { readAhead: true }, pages(log, shown, cursorAfter, retry))
      )
      const [collected] = Exit.getOrElse(exit, () => assert.fail("the stream failed"))
      assert.deepStrictEqual([...collected], [0, 1, 2, 3])
      assert.deepStrictEqual(
        log.requests.map(([cursor]) => cursor),
        ["-", "c1", "wrong", "c2", "c3"]
      )
      assert.deepStrictEqual([...log.ended].sort(), ["done", "done", "done", "done", "interrupted"])
    })
  )

  it.effect("with a slow consumer, one page is requested ahead of the one being read, no more", () =>
    Effect.gen(function* () {
      const log = newLog()
      const exit = yield* run(CursorPages.cursorStream("job", { readAhead: true }, pages(log)), 10_000)
      const [collected] = Exit.getOrElse(exit, () => assert.fail("the stream failed"))
      assert.deepStrictEqual([...collected], [0, 1, 2, 3])
      // Page 0 is with the consumer from 2 s to 12 s: page 1 is read, page 2 requested, page 3 waits.
      assert.deepStrictEqual(log.requests, [
        ["-", 0],
        ["c1", 1000],
        ["c2", 2000],
        ["c3", 12_000]
      ])
    })
  )

  it.effect("a cursor followed before is not requested again: the stream stops as a stalled paging", () =>
    Effect.gen(function* () {
      const log = newLog()
      const repeat = (index: number) => (index === 2 ? "c1" : cursorAfter(index))
      const exit = yield* run(CursorPages.cursorStream("job", { readAhead: true }, pages(log, repeat, repeat)))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(
        log.requests.map(([cursor]) => cursor),
        ["-", "c1", "c2"]
      )
    })
  )
})
