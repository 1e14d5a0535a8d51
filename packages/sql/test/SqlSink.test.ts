import * as Flatten from "@effect-genesys/analytics/Flatten"
import { SqlClient } from "@effect/sql"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as SqlSink from "../src/SqlSink.js"
import * as SqlSinkSqlite from "../src/SqlSinkSqlite.js"
import * as SqlStatements from "../src/SqlStatements.js"
import { conversation, conversations } from "./SqlFixtures.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sqlsink-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let n = 0
const sqlite = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.provide(effect, SqlSinkSqlite.layer({ filename: path.join(root, `db-${++n}.sqlite`) }))

describe("SqlSink (SQLite)", () => {
  it.effect("creates the tables on first use and records the migration once", () =>
    sqlite(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        assert.strictEqual(yield* SqlSink.migrate, 3)
        assert.strictEqual(yield* SqlSink.migrate, 3)
        const applied = yield* sql.unsafe<{ version: number; name: string }>(
          `SELECT version, name FROM ${SqlStatements.migrationsTable}`
        )
        assert.deepStrictEqual(
          applied.map((r) => [r.version, r.name]),
          [
            [1, "flatten tables"],
            [2, "extraction runs"],
            [3, "extraction page ledger"]
          ]
        )
        const tables = yield* sql.unsafe<{ name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
        for (const name of Flatten.tableNames)
          assert.include(
            tables.map((t) => t.name),
            name
          )
        assert.deepStrictEqual(yield* SqlSink.counts, Flatten.zeroCounts)
      })
    )
  )

  it.effect("writes every flattened row; counts per table equal Flatten's", () =>
    sqlite(
      Effect.gen(function* () {
        const data = conversations(25)
        const summary = yield* Stream.fromIterable(data).pipe(
          Stream.rechunk(4),
          ExtractionSink.write(SqlSink.make(), { batchSize: 10 })
        )
        const expected = Flatten.counts(Flatten.flattenAll(data))
        assert.deepStrictEqual(summary, { conversations: 25, batches: 3, rows: expected })
        assert.deepStrictEqual(yield* SqlSink.counts, expected)
        assert.isAbove(expected.participant_attributes, 0)
        assert.isAbove(expected.evaluations, 0)
      })
    )
  )

  it.effect("re-writing the same interval upserts: no duplicates, updated values", () =>
    sqlite(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* ExtractionSink.write(Stream.fromIterable(conversations(12)), SqlSink.make())
        const first = yield* SqlSink.counts
        // Reprocessed by Genesys: the wrap-up segment has ended and the tag changed.
        yield* ExtractionSink.write(
          Stream.fromIterable(conversations(12, { wrapUpEnded: true, tag: "reprocessed" })),
          SqlSink.make()
        )
        assert.deepStrictEqual(yield* SqlSink.counts, first)
        const tags = yield* sql.unsafe<{ external_tag: string }>("SELECT DISTINCT external_tag FROM conversations")
        assert.deepStrictEqual(
          tags.map((t) => t.external_tag),
          ["reprocessed"]
        )
        const open = yield* sql.unsafe<{ n: number }>(
          "SELECT COUNT(*) AS n FROM segments WHERE segment_type = 'wrapup' AND segment_end IS NULL"
        )
        assert.strictEqual(open[0]!.n, 0)
      })
    )
  )

  it.effect("a conversation that lost a segment loses its row; duplicates inside one batch are merged", () =>
    sqlite(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const c = conversation(1)
        const trimmed = {
          ...c,
          participants: c.participants.map((p: any) =>
            p.purpose === "agent"
              ? { ...p, sessions: p.sessions.map((s: any) => ({ ...s, segments: s.segments.slice(0, 1) })) }
              : p
          )
        }
        yield* SqlSink.migrate
        yield* SqlSink.writeBatch([c])
        yield* SqlSink.writeBatch([c, trimmed])
        const segments = yield* sql.unsafe<{ n: number }>("SELECT COUNT(*) AS n FROM segments")
        assert.strictEqual(segments[0]!.n, Flatten.flatten(trimmed).segments.length)
        const conversationsRows = yield* sql.unsafe<{ n: number }>("SELECT COUNT(*) AS n FROM conversations")
        assert.strictEqual(conversationsRows[0]!.n, 1)
      })
    )
  )

  it.effect("stores typed cells: booleans as 0/1, JSON as text, integers as numbers", () =>
    sqlite(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        yield* ExtractionSink.write(Stream.make(conversation(0)), SqlSink.make())
        const [row] = yield* sql.unsafe<any>(
          "SELECT self_served, division_ids, external_tag, media_stats_min_conversation_mos FROM conversations"
        )
        assert.deepStrictEqual(row, {
          self_served: 1,
          division_ids: `["div-1"]`,
          external_tag: `tag, "0"`,
          media_stats_min_conversation_mos: 4.2
        })
        const [metric] = yield* sql.unsafe<any>("SELECT value FROM session_metrics WHERE name = 'tHandle'")
        assert.strictEqual(metric.value, 360_000)
      })
    )
  )

  it.effect("a failing stream keeps the committed batches and nothing of the open one", () =>
    sqlite(
      Effect.gen(function* () {
        const stream = Stream.concat(Stream.fromChunk(Chunk.fromIterable(conversations(5))), Stream.fail("boom"))
        const exit = yield* Effect.exit(ExtractionSink.write(stream, SqlSink.make(), { batchSize: 2 }))
        assert.deepStrictEqual(exit, Exit.fail("boom"))
        assert.strictEqual((yield* SqlSink.counts).conversations, 4)
      })
    )
  )

  it.effect("an unopenable database file is a SqlError naming the file, not a defect", () =>
    Effect.gen(function* () {
      const exit = yield* Effect.exit(
        Effect.provide(
          SqlSink.migrate,
          SqlSinkSqlite.layer({ filename: path.join(root, "missing-dir", "x", "db.sqlite") })
        )
      )
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail")
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      assert.strictEqual(error?._tag, "SqlError")
      assert.include(error?.message, "db.sqlite")
    })
  )
})
