// Job result pages by cursor: scripted answers for the stop and stall rules, the emulator for the wire.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as CursorPages from "../src/internal/details/cursorPages.js"
import { fakeHttp, memoryAudit } from "./DetailsFixtures.js"
import { AuditRecords, clientLayer, drive } from "./GenesysHttpFixtures.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

/** A job whose result pages are linked by `links[cursor ?? ""]`: conversations of the page and the next cursor. */
const linked = (links: Record<string, { readonly ids: ReadonlyArray<string>; readonly cursor?: string }>) =>
  fakeHttp((request) => {
    const page = links[request.params["cursor"] ?? ""]!
    return Effect.succeed({
      conversations: page.ids.map((conversationId) => ({ conversationId })),
      ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
      dataAvailabilityDate: "2026-01-06T00:00:00.000Z"
    })
  })

const collect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.map(Effect.exit(Stream.runCollect(stream)), Exit.map(Chunk.toReadonlyArray))

describe("cursorPages", () => {
  it.effect("follows cursors to the page without one, numbering pages and auditing each", () =>
    Effect.gen(function* () {
      const fake = linked({ "": { ids: ["a", "b"], cursor: "c1" }, c1: { ids: ["c"], cursor: "" } })
      const { audit, events } = memoryAudit()
      const pages = CursorPages.make({ http: fake.http, audit, jobPageSize: 2 })
      const exit = yield* collect(pages("job-1"))
      assert.isTrue(Exit.isSuccess(exit))
      const read = Exit.isSuccess(exit) ? exit.value : []
      assert.deepStrictEqual(
        read.map((p) => [p.index, p.conversations.map((c) => c.conversationId), p.cursor]),
        [
          [0, ["a", "b"], "c1"],
          [1, ["c"], undefined]
        ]
      )
      assert.strictEqual(read[1]!.dataAvailabilityDate, "2026-01-06T00:00:00.000Z")
      assert.deepStrictEqual(
        fake.seen.map((r) => [r.method, r.url, r.params, r.options.route, r.options.idempotent]),
        [
          [
            "GET",
            "/api/v2/analytics/conversations/details/jobs/job-1/results",
            { pageSize: "2" },
            ConversationDetails.routes.jobResults,
            true
          ],
          [
            "GET",
            "/api/v2/analytics/conversations/details/jobs/job-1/results",
            { pageSize: "2", cursor: "c1" },
            ConversationDetails.routes.jobResults,
            true
          ]
        ]
      )
      assert.deepStrictEqual(
        events.map((e) => [e.type, e.jobId, e.counts]),
        [
          ["job.page", "job-1", { page: 0, conversations: 2 }],
          ["job.page", "job-1", { page: 1, conversations: 1 }]
        ]
      )
    })
  )

  it.effect("a cursor handed back a second time fails PaginationStalled with the cursor and pages read", () =>
    Effect.gen(function* () {
      const fake = linked({
        "": { ids: ["a"], cursor: "c1" },
        c1: { ids: ["b"], cursor: "c2" },
        c2: { ids: [], cursor: "c1" }
      })
      const { audit } = memoryAudit()
      const exit = yield* collect(CursorPages.make({ http: fake.http, audit, jobPageSize: 10 })("job-1"))
      assert.isTrue(Exit.isFailure(exit))
      const error = Exit.isFailure(exit) ? yield* Effect.flip(exit) : undefined
      assert.strictEqual(error?._tag, "PaginationStalled")
      if (error?._tag === "PaginationStalled") {
        assert.strictEqual(error.jobId, "job-1")
        assert.strictEqual(error.cursor, "c1")
        assert.strictEqual(error.pagesRead, 3)
      }
      assert.strictEqual(fake.seen.length, 3)
    })
  )

  it.effect("resuming from a cursor starts there; that cursor and seenCursors count as followed", () =>
    Effect.gen(function* () {
      const { audit } = memoryAudit()
      const resumed = linked({ c1: { ids: ["b"], cursor: "c2" }, c2: { ids: ["c"] } })
      const pages = CursorPages.make({ http: resumed.http, audit, jobPageSize: 10 })
      const exit = yield* collect(pages("job-1", { cursor: "c1", pageSize: 5 }))
      assert.deepStrictEqual(
        Exit.isSuccess(exit) ? exit.value.map((p) => p.conversations.map((c) => c.conversationId)) : [],
        [["b"], ["c"]]
      )
      assert.deepStrictEqual(resumed.seen[0]!.params, { pageSize: "5", cursor: "c1" })
      const back = linked({ c1: { ids: ["b"], cursor: "c1" } })
      const stalled = yield* Effect.flip(
        Stream.runDrain(CursorPages.make({ http: back.http, audit, jobPageSize: 10 })("job-1", { cursor: "c1" }))
      )
      assert.strictEqual(stalled._tag, "PaginationStalled")
      const earlier = linked({ "": { ids: ["a"], cursor: "old" } })
      const seen = yield* Effect.flip(
        Stream.runDrain(
          CursorPages.make({ http: earlier.http, audit, jobPageSize: 10 })("job-1", { seenCursors: ["old"] })
        )
      )
      assert.strictEqual(seen._tag === "PaginationStalled" ? seen.pagesRead : -1, 1)
    })
  )

  it.effect("a trail refuses a cursor it has followed", () =>
    Effect.gen(function* () {
      const trail = CursorPages.makeTrail(["x"], "y")
      const page = [{ conversationId: "a" }]
      const x = yield* Effect.flip(trail.follow("x", page, "j", 1))
      assert.deepStrictEqual(
        [x._tag, x.jobId, x.cursor, x.pagesRead, x.reason],
        ["PaginationStalled", "j", "x", 1, undefined]
      )
      assert.strictEqual((yield* Effect.flip(trail.follow("y", page, "j", 1)))._tag, "PaginationStalled")
      yield* trail.follow("z", page, "j", 1)
      assert.strictEqual((yield* Effect.flip(trail.follow("z", [{ conversationId: "b" }], "j", 2))).pagesRead, 2)
    })
  )

  it.effect(
    "new cursors over the same records stall instead of looping: a repeated page, or empty pages on and on",
    () =>
      Effect.gen(function* () {
        const { audit } = memoryAudit()
        // Every cursor is new (c1, c2, ...) but every page holds the same two records.
        const cycling = fakeHttp((request) => {
          const n = Number((request.params["cursor"] ?? "c0").slice(1))
          return Effect.succeed({
            conversations: [{ conversationId: "a" }, { conversationId: "b" }],
            cursor: `c${n + 1}`
          })
        })
        const repeated = yield* Effect.flip(
          Stream.runDrain(CursorPages.make({ http: cycling.http, audit, jobPageSize: 2 })("job-1"))
        )
        assert.strictEqual(repeated._tag, "PaginationStalled")
        if (repeated._tag !== "PaginationStalled") return
        assert.deepStrictEqual(
          [repeated._tag, repeated.jobId, repeated.cursor, repeated.pagesRead, repeated.reason],
          ["PaginationStalled", "job-1", "c2", 2, "a page repeated the records of an earlier page under a new cursor"]
        )
        assert.strictEqual(cycling.seen.length, 2)
        const hollow = fakeHttp((request) => {
          const n = Number((request.params["cursor"] ?? "c0").slice(1))
          return Effect.succeed({ conversations: [], cursor: `c${n + 1}` })
        })
        const empty = yield* Effect.flip(
          Stream.runDrain(CursorPages.make({ http: hollow.http, audit, jobPageSize: 2 })("job-1"))
        )
        assert.strictEqual(empty._tag, "PaginationStalled")
        if (empty._tag !== "PaginationStalled") return
        assert.strictEqual(
          empty.reason,
          `${CursorPages.maxEmptyPagesInARow + 1} empty pages in a row still carried a cursor`
        )
        assert.strictEqual(hollow.seen.length, CursorPages.maxEmptyPagesInARow + 1)
      })
  )

  it("page signatures tell pages apart by their ids in order", () => {
    const sig = (...ids: ReadonlyArray<string>) =>
      CursorPages.pageSignature(ids.map((conversationId) => ({ conversationId })))
    assert.strictEqual(sig("a", "b"), sig("a", "b"))
    assert.notStrictEqual(sig("a", "b"), sig("b", "a"))
    assert.notStrictEqual(sig("ab"), sig("a", "b"))
    assert.isTrue(Number.isSafeInteger(sig("x".repeat(1000))))
  })

  it.effect("over the emulator: every conversation of a fulfilled job, in order, one request per page", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const q = { interval: day }
      const expected = yield* emulator.groundTruthJob(q)
      const jobId = yield* details.submitJob(q)
      assert.isTrue(Exit.isSuccess(yield* drive(details.awaitJob(jobId))))
      const pages = CursorPages.make({ http: yield* GenesysHttp.GenesysHttp, audit: yield* AuditLog, jobPageSize: 7 })
      const read = Chunk.toReadonlyArray(yield* Stream.runCollect(pages(jobId)))
      assert.deepStrictEqual(
        read.flatMap((p) => p.conversations.map((c) => c.conversationId)),
        [...expected]
      )
      assert.strictEqual(read.length, Math.ceil(expected.length / 7))
      assert.isUndefined(read.at(-1)!.cursor)
      const audited = (yield* AuditRecords).filter((e) => e.type === "job.page")
      assert.strictEqual(audited.length, read.length)
    }).pipe(Effect.provide(clientLayer()))
  )
})
