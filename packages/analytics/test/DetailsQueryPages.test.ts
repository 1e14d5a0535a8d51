// Sync page-number paging: scripted answers for the stop rules and the paging cap, the emulator for the wire.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Stream } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { defaultPagingPolicy } from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as QueryPages from "../src/internal/details/queryPages.js"
import { fakeHttp, memoryAudit } from "./DetailsFixtures.js"
import { AuditRecords, clientLayer } from "./GenesysHttpFixtures.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

/** A platform with `totalHits` hits (none: no `totalHits` field), answering `perPage(pageNumber)` conversations per page. */
const platform = (totalHits: number | undefined, perPage: (pageNumber: number, pageSize: number) => number) =>
  fakeHttp((request) => {
    const { pageNumber, pageSize } = (request.body as { paging: { pageNumber: number; pageSize: number } }).paging
    const n = perPage(pageNumber, pageSize)
    return Effect.succeed({
      ...(totalHits === undefined ? {} : { totalHits }),
      conversations: Array.from({ length: n }, (_, i) => ({ conversationId: `${pageNumber}-${i}` })),
      aggregations: pageNumber === 1 ? [{ group: {}, results: [] }] : undefined
    })
  })

const pagesOf = (
  fake: ReturnType<typeof fakeHttp>,
  q: { readonly interval: string; readonly paging?: { readonly pageSize: number; readonly pageNumber: number } },
  paging = defaultPagingPolicy
) =>
  Effect.gen(function* () {
    const { audit, events } = memoryAudit()
    const part = QueryPages.make({ http: fake.http, audit, paging })
    const exit = yield* Effect.exit(Stream.runCollect(part.pages(q)))
    return { exit, events }
  })

describe("queryPages", () => {
  it("nextStep: by what arrived: the end at totalHits, an empty page early is short, without totalHits an empty page ends", () => {
    assert.strictEqual(QueryPages.nextStep(25, 25, 60), "next")
    assert.strictEqual(QueryPages.nextStep(25, 50, 60), "next")
    assert.strictEqual(QueryPages.nextStep(10, 60, 60), "end")
    assert.strictEqual(QueryPages.nextStep(25, 50, 50), "end")
    assert.strictEqual(QueryPages.nextStep(0, 0, 0), "end")
    assert.strictEqual(QueryPages.nextStep(0, 10, 60), "short")
    assert.strictEqual(QueryPages.nextStep(10, 20, 60), "next", "a page shorter than asked is not the end")
    assert.strictEqual(QueryPages.nextStep(7, 7, undefined), "next")
    assert.strictEqual(QueryPages.nextStep(0, 7, undefined), "end")
  })

  it.effect("pages until totalHits, with page numbers, sizes and the query in each request", () =>
    Effect.gen(function* () {
      const fake = platform(60, (n, size) => Math.min(size, 60 - (n - 1) * size))
      const { exit, events } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 25, pageNumber: 1 } })
      assert.isTrue(exit._tag === "Success")
      const pages = exit._tag === "Success" ? Chunk.toReadonlyArray(exit.value) : []
      assert.deepStrictEqual(
        pages.map((p) => [p.pageNumber, p.totalHits, p.conversations.length, p.aggregations.length]),
        [
          [1, 60, 25, 1],
          [2, 60, 25, 0],
          [3, 60, 10, 0]
        ]
      )
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, (r.body as { interval: string }).interval, r.options.idempotent]),
        Array.from({ length: 3 }, () => ["POST", "/api/v2/analytics/conversations/details/query", day, true])
      )
      assert.deepStrictEqual(
        events.map((e) => e.type),
        ["query.sent", "query.page", "query.page", "query.page"]
      )
      assert.deepStrictEqual(events[3]!.counts, { pageNumber: 3, conversations: 10, totalHits: 60 })
      assert.strictEqual(events[0]!.queryHash, events[3]!.queryHash)
    })
  )

  it.effect("an empty page before totalHits fails PaginationIncomplete instead of ending short", () =>
    Effect.gen(function* () {
      const fake = platform(500, (n) => (n === 1 ? 10 : 0))
      const { exit } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 10, pageNumber: 1 } })
      const error = exit._tag === "Failure" ? yield* Effect.flip(exit) : undefined
      assert.strictEqual(error?._tag, "PaginationIncomplete")
      if (error?._tag === "PaginationIncomplete") {
        assert.deepStrictEqual([error.interval, error.totalHits, error.received, error.pageNumber], [day, 500, 10, 2])
      }
      assert.strictEqual(fake.seen.length, 2)
    })
  )

  it.effect("a server that caps pages below the size asked is paged until totalHits results arrived", () =>
    Effect.gen(function* () {
      // Asked for 50 per page, it answers 10 per page of its own (pages 1..13 of 130 hits).
      const fake = platform(130, (n) => Math.max(0, Math.min(10, 130 - (n - 1) * 10)))
      const { exit } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 50, pageNumber: 1 } })
      const pages = exit._tag === "Success" ? Chunk.toReadonlyArray(exit.value) : []
      assert.strictEqual(
        pages.reduce((n, p) => n + p.conversations.length, 0),
        130
      )
      assert.strictEqual(fake.seen.length, 13)
    })
  )

  it.effect("without totalHits, pages until an empty page", () =>
    Effect.gen(function* () {
      const fake = platform(undefined, (n) => (n <= 3 ? 10 : 0))
      const { exit } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 50, pageNumber: 1 } })
      const pages = exit._tag === "Success" ? Chunk.toReadonlyArray(exit.value) : []
      assert.deepStrictEqual(
        pages.map((p) => p.conversations.length),
        [10, 10, 10, 0]
      )
    })
  )

  it.effect("past maxResults on the first page: PaginationLimitExceeded after one request, nothing streamed", () =>
    Effect.gen(function* () {
      const fake = platform(120, () => 10)
      const paging = { ...defaultPagingPolicy, maxResults: 100 }
      const { exit, events } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 10, pageNumber: 1 } }, paging)
      const error = exit._tag === "Failure" ? yield* Effect.flip(exit) : undefined
      assert.strictEqual(error?._tag, "PaginationLimitExceeded")
      if (error?._tag === "PaginationLimitExceeded") {
        assert.deepStrictEqual([error.interval, error.totalHits, error.maxResults], [day, 120, 100])
      }
      assert.strictEqual(fake.seen.length, 1)
      assert.deepStrictEqual(
        events.map((e) => e.type),
        ["query.sent"]
      )
    })
  )

  it.effect("starting from a later page number checks the cap there and pages on from it", () =>
    Effect.gen(function* () {
      const fake = platform(30, (n, size) => Math.max(0, Math.min(size, 30 - (n - 1) * size)))
      const { exit } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 10, pageNumber: 2 } })
      assert.deepStrictEqual(
        exit._tag === "Success" ? Chunk.toReadonlyArray(exit.value).map((p) => p.pageNumber) : [],
        [2, 3]
      )
    })
  )

  it.effect("without paging in the query the configured page size is used", () =>
    Effect.gen(function* () {
      const fake = platform(5, () => 5)
      yield* pagesOf(fake, { interval: day }, { ...defaultPagingPolicy, queryPageSize: 40 })
      assert.deepStrictEqual((fake.seen[0]!.body as { paging: unknown }).paging, { pageSize: 40, pageNumber: 1 })
    })
  )

  it.effect("over the emulator: the platform's order, and fetchPage's totalHits", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const q = { interval: day, paging: { pageSize: 25, pageNumber: 1 } }
      const expected = yield* emulator.groundTruthSync(q)
      const part = QueryPages.make({
        http: yield* GenesysHttp.GenesysHttp,
        audit: yield* AuditLog,
        paging: defaultPagingPolicy
      })
      const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(part.pages(q)))
      assert.deepStrictEqual(
        pages.flatMap((p) => p.conversations.map((c) => c.conversationId)),
        [...expected]
      )
      assert.strictEqual((yield* part.fetchPage(q, 1, 1)).totalHits, expected.length)
      const sent = (yield* AuditRecords).filter((e) => e.type === "query.sent")
      assert.deepStrictEqual(
        sent.map((e) => [e.route, e.window]),
        [[ConversationDetails.routes.query, day]]
      )
    }).pipe(Effect.provide(clientLayer()))
  )
})
