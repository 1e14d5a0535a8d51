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

/** A platform with `totalHits` hits, answering `perPage(pageNumber)` conversations per page. */
const platform = (totalHits: number, perPage: (pageNumber: number, pageSize: number) => number) =>
  fakeHttp((request) => {
    const { pageNumber, pageSize } = (request.body as { paging: { pageNumber: number; pageSize: number } }).paging
    const n = perPage(pageNumber, pageSize)
    return Effect.succeed({
      totalHits,
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
  it("hasNextPage: only after a non-empty page, while hits remain reachable", () => {
    assert.isTrue(QueryPages.hasNextPage(1, 25, 25, 60))
    assert.isTrue(QueryPages.hasNextPage(2, 25, 25, 60))
    assert.isFalse(QueryPages.hasNextPage(3, 25, 10, 60))
    assert.isFalse(QueryPages.hasNextPage(1, 25, 0, 60))
    assert.isFalse(QueryPages.hasNextPage(2, 25, 25, 50))
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

  it.effect("an empty page ends the stream even when totalHits says more (a shrinking result)", () =>
    Effect.gen(function* () {
      const fake = platform(500, (n) => (n === 1 ? 10 : 0))
      const { exit } = yield* pagesOf(fake, { interval: day, paging: { pageSize: 10, pageNumber: 1 } })
      assert.strictEqual(exit._tag === "Success" ? Chunk.size(exit.value) : -1, 2)
      assert.strictEqual(fake.seen.length, 2)
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
