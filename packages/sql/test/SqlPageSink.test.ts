// The durable extraction's PageSink over SQL, on SQLite files and on a real Postgres server: a replayed page writes
// nothing, two processes writing the same page at once make one write and no error, finalize keeps exactly the final
// attempts and is idempotent, and the ledger's migration applies to a database of the previous version.
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as TestPostgres from "@effect-genesys/test-postgres"
import { SqlClient } from "@effect/sql"
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Context, Deferred, Effect, Fiber, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqlSink from "../src/SqlSink.js"
import * as SqlSinkPg from "../src/SqlSinkPg.js"
import * as SqlSinkSqlite from "../src/SqlSinkSqlite.js"
import * as SqlStatements from "../src/SqlStatements.js"
import { postgresDatabase, postgresServer } from "./PostgresServer.js"
import { conversation, conversations } from "./SqlFixtures.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sqlpagesink-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const count = (table: string, where = "") =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(sql.unsafe<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table} ${where}`), (rows) =>
      Number(rows[0]!.n)
    )
  )

const tagsOf = (ids: ReadonlyArray<string>) =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.map(
      sql.unsafe<{ external_tag: string }>(
        `SELECT DISTINCT external_tag FROM conversations WHERE conversation_id IN (${ids.map((id) => `'${id}'`).join(", ")})`
      ),
      (rows) => rows.map((r) => r.external_tag)
    )
  )

const countsOf = (data: ReadonlyArray<any>) => Flatten.counts(Flatten.flattenAll(data))

const cases: ReadonlyArray<readonly [string, Effect.Effect<void, unknown, SqlClient.SqlClient>]> = [
  [
    "a replayed page writes nothing: rows unchanged, one ledger row",
    Effect.gen(function* () {
      const sink = yield* SqlSink.makePageSink({ execution: "e1" })
      const key = { window: "w1", attempt: 0, page: 1 }
      yield* sink.writePage(key, conversations(5))
      const before = yield* SqlSink.counts
      assert.deepStrictEqual(before, countsOf(conversations(5)))
      // A replay with other content proves that nothing was written, not only that the same rows were upserted.
      yield* sink.writePage(key, conversations(5, { tag: "replayed" }))
      assert.deepStrictEqual(yield* SqlSink.counts, before)
      assert.notInclude(yield* tagsOf(conversations(5).map((c) => c.conversationId)), "replayed")
      assert.strictEqual(yield* count(SqlStatements.pagesTable), 1)
      assert.strictEqual(yield* count(SqlStatements.pageConversationsTable), 5)
    })
  ],
  [
    "finalize keeps exactly the final attempts, counts distinct and repeated conversations, and is idempotent",
    Effect.gen(function* () {
      const sink = yield* SqlSink.makePageSink({ execution: "e1" })
      const c = conversation
      // Attempt 0 of w1 is superseded: c9 appears only there; c7 too, but another execution also wrote it.
      yield* sink.writePage({ window: "w1", attempt: 0, page: 1 }, [c(0), c(1), c(2)])
      yield* sink.writePage({ window: "w1", attempt: 0, page: 2 }, [c(3), c(9), c(7)])
      yield* sink.writePage({ window: "w1", attempt: 1, page: 1 }, [c(0), c(1), c(2)])
      yield* sink.writePage({ window: "w1", attempt: 1, page: 2 }, [c(3), c(4), c(2)])
      yield* sink.writePage({ window: "w2", attempt: 0, page: 1 }, [c(5), c(6), c(6)])
      const other = yield* SqlSink.makePageSink({ execution: "e2" })
      yield* other.writePage({ window: "w1", attempt: 0, page: 1 }, [c(7)])
      const final = [
        { window: "w1", attempt: 1, pages: 2 },
        { window: "w2", attempt: 0, pages: 1 }
      ]
      const kept = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => c(i))
      const first = yield* sink.finalize(final)
      // Distinct: c0-c4 (w1, attempt 1) and c5, c6 (w2); repeated: c2 across pages, c6 within a page.
      assert.deepStrictEqual(first, { conversations: 7, duplicates: 2 })
      assert.deepStrictEqual(yield* SqlSink.counts, countsOf(kept))
      assert.strictEqual(yield* count("conversations", `WHERE conversation_id = '${c(9).conversationId}'`), 0)
      assert.deepStrictEqual(yield* sink.finalize(final), first)
      assert.deepStrictEqual(yield* SqlSink.counts, countsOf(kept))
    })
  ],
  [
    "finalize fails, changing nothing, when a final page was never written",
    Effect.gen(function* () {
      const sink = yield* SqlSink.makePageSink({ execution: "e1" })
      yield* sink.writePage({ window: "w1", attempt: 0, page: 1 }, conversations(2))
      const error = yield* Effect.flip(sink.finalize([{ window: "w1", attempt: 0, pages: 2 }]))
      assert.strictEqual(error._tag, "SqlError")
      assert.include(error.message, "w1 attempt 0: 1/2")
      assert.strictEqual(yield* count(SqlStatements.finalWindowsTable), 0)
    })
  ],
  [
    "the ledger's migration applies to a database of the previous version, keeping its rows",
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      const d = yield* SqlSink.dialect
      // The schema as the previous release left it: migrations 1 and 2, and rows written by its sink.
      yield* sql.unsafe(SqlStatements.createMigrationsTable(d))
      for (const migration of SqlStatements.migrations.filter((m) => m.version <= 2)) {
        for (const statement of migration.statements(d)) yield* sql.unsafe(statement)
        yield* sql.unsafe(SqlStatements.recordMigration(d), [
          migration.version,
          migration.name,
          new Date().toISOString()
        ])
      }
      yield* SqlSink.writeBatch(conversations(3))
      const sink = yield* SqlSink.makePageSink({ execution: "e1" })
      const versions = yield* sql.unsafe<{ version: number | string }>(SqlStatements.selectVersion)
      assert.strictEqual(Number(versions[0]!.version), 3)
      assert.deepStrictEqual(yield* SqlSink.counts, countsOf(conversations(3)))
      yield* sink.writePage({ window: "w1", attempt: 0, page: 1 }, [conversation(3)])
      assert.deepStrictEqual(yield* sink.finalize([{ window: "w1", attempt: 0, pages: 1 }]), {
        conversations: 1,
        duplicates: 0
      })
      assert.deepStrictEqual(yield* SqlSink.counts, countsOf(conversations(4)))
    })
  ]
]

let n = 0
describe("SqlSink.makePageSink (SQLite)", () => {
  for (const [name, body] of cases) {
    it.effect(name, () =>
      Effect.provide(body, SqlSinkSqlite.layer({ filename: path.join(root, `pages-${++n}.sqlite`) }))
    )
  }
})

/** Two pools on one database, as two processes would have. */
const twoPools = (name: string) =>
  Effect.gen(function* () {
    const url = yield* TestPostgres.createDatabase(name)
    const a = yield* Layer.build(SqlSinkPg.layer({ url }))
    const b = yield* Layer.build(SqlSinkPg.layer({ url }))
    return { a, b }
  })

layer(postgresServer, { excludeTestServices: true })("SqlSink.makePageSink (Postgres server)", (it) => {
  let db = 0
  for (const [name, body] of cases) {
    it.effect(name, () => Effect.provide(body, postgresDatabase(`pages_${++db}`)))
  }

  it.scoped("the same page from two pools at once: the second waits for the first, writes nothing, does not fail", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoPools("pages_held")
      const sinkA = yield* Effect.provide(SqlSink.makePageSink({ execution: "e1" }), a)
      const sinkB = yield* Effect.provide(SqlSink.makePageSink({ execution: "e1" }), b)
      const sqlA = Context.get(a, SqlClient.SqlClient)
      const key = { window: "w1", attempt: 0, page: 1 }
      const claimed = yield* Deferred.make<void>()
      const commit = yield* Deferred.make<void>()
      // Writer A claims the page inside a transaction that stays open until told to commit.
      const writerA = yield* Effect.fork(
        sqlA.withTransaction(
          sinkA
            .writePage(key, conversations(5, { tag: "a" }))
            .pipe(Effect.zipRight(Deferred.succeed(claimed, undefined)), Effect.zipRight(Deferred.await(commit)))
        )
      )
      yield* Deferred.await(claimed)
      const writerB = yield* Effect.fork(sinkB.writePage(key, conversations(5, { tag: "b" })))
      // Writer B is blocked on A's uncommitted ledger row: poll the server (bounded) until it says so.
      const waiting = yield* sqlA
        .unsafe<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        .pipe(Effect.repeat({ until: (rows) => Number(rows[0]!.n) > 0, times: 20_000 }))
      assert.strictEqual(Number(waiting[0]!.n), 1)
      yield* Deferred.succeed(commit, undefined)
      yield* Fiber.join(writerA)
      yield* Fiber.join(writerB)
      yield* Effect.gen(function* () {
        assert.strictEqual(yield* count(SqlStatements.pagesTable), 1)
        assert.deepStrictEqual(yield* tagsOf(conversations(5).map((c) => c.conversationId)), ["a"])
        assert.deepStrictEqual(yield* SqlSink.counts, countsOf(conversations(5)))
      }).pipe(Effect.provide(b))
    })
  )

  it.scoped("racing writers of the same pages from two pools: each page written once, whole, no error", () =>
    Effect.gen(function* () {
      const { a, b } = yield* twoPools("pages_race")
      const sinkA = yield* Effect.provide(SqlSink.makePageSink({ execution: "e1" }), a)
      const sinkB = yield* Effect.provide(SqlSink.makePageSink({ execution: "e1" }), b)
      const pageData = (page: number, tag: string) =>
        [0, 1, 2, 3, 4].map((i) => conversation(page * 10 + i, { tag: `${tag}${page}` }))
      yield* Effect.all(
        [1, 2, 3, 4, 5, 6].flatMap((page) => [
          sinkA.writePage({ window: "w1", attempt: 0, page }, pageData(page, "a")),
          sinkB.writePage({ window: "w1", attempt: 0, page }, pageData(page, "b"))
        ]),
        { concurrency: "unbounded" }
      )
      yield* Effect.gen(function* () {
        assert.strictEqual(yield* count(SqlStatements.pagesTable), 6)
        for (const page of [1, 2, 3, 4, 5, 6]) {
          const tags = yield* tagsOf(pageData(page, "").map((c) => c.conversationId))
          assert.strictEqual(tags.length, 1, `page ${page}: ${tags.join(", ")}`)
        }
        const all = [1, 2, 3, 4, 5, 6].flatMap((page) => pageData(page, ""))
        assert.deepStrictEqual(yield* SqlSink.counts, countsOf(all))
        const final = yield* sinkA.finalize([{ window: "w1", attempt: 0, pages: 6 }])
        assert.deepStrictEqual(final, { conversations: 30, duplicates: 0 })
      }).pipe(Effect.provide(a))
    })
  )
})
