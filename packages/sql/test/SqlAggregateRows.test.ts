// Aggregate rows in the database, on SQLite and a real Postgres server: every stat in its column (absent ones NULL),
// the group as JSON the database can read, and a rerun of the same query replacing its rows, not adding to them.
import type * as AggregateRecord from "@effect-genesys/analytics/AggregateRecord"
import { SqlClient } from "@effect/sql"
import { assert, describe, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as SqlAggregateRows from "../src/SqlAggregateRows.js"
import * as SqlSinkSqlite from "../src/SqlSinkSqlite.js"
import { postgresDatabase, postgresServer } from "./PostgresServer.js"

const rows = (count: number): ReadonlyArray<AggregateRecord.AggregateRow> =>
  Array.from({ length: count }, (_, i) => ({
    group: { queueId: `q${i % 3}`, mediaType: "voice" },
    bucketStart: new Date(Date.UTC(2026, 0, 5, i)).toISOString(),
    bucketEnd: new Date(Date.UTC(2026, 0, 5, i + 1)).toISOString(),
    metric: i % 2 === 0 ? "nConnected" : "tHandle",
    kind: "metric" as const,
    stats: i % 2 === 0 ? { count: i } : { count: i, sum: i * 1000, max: i * 10 }
  }))

const check = (dialect: "sqlite" | "pg") =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    assert.strictEqual(yield* SqlAggregateRows.write("query-a", rows(450)), 450)
    assert.strictEqual(yield* SqlAggregateRows.write("query-b", rows(5)), 5)
    // The same query again: its rows are replaced.
    assert.strictEqual(yield* SqlAggregateRows.write("query-a", rows(10)), 10)
    const counts = yield* sql<{ readonly query_hash: string; readonly n: number | string }>`
      SELECT query_hash, COUNT(*) AS n FROM aggregate_rows GROUP BY query_hash ORDER BY query_hash`
    assert.deepStrictEqual(
      counts.map((r) => [r.query_hash, Number(r.n)]),
      [
        ["query-a", 10],
        ["query-b", 5]
      ]
    )
    const queue =
      dialect === "pg"
        ? sql`SELECT (group_json::json->>'queueId') AS queue, stat_count, stat_sum, stat_max FROM aggregate_rows WHERE query_hash = 'query-a' AND bucket_start = ${rows(2)[1]!.bucketStart}`
        : sql`SELECT json_extract(group_json, '$.queueId') AS queue, stat_count, stat_sum, stat_max FROM aggregate_rows WHERE query_hash = 'query-a' AND bucket_start = ${rows(2)[1]!.bucketStart}`
    const [row] = (yield* queue) as ReadonlyArray<Record<string, unknown>>
    assert.deepStrictEqual(
      { queue: row?.queue, count: Number(row?.stat_count), sum: Number(row?.stat_sum), max: Number(row?.stat_max) },
      { queue: "q1", count: 1, sum: 1000, max: 10 }
    )
    const [absent] = yield* sql<{ readonly stat_sum: unknown }>`
      SELECT stat_sum FROM aggregate_rows WHERE query_hash = 'query-a' AND metric = 'nConnected' LIMIT 1`
    assert.isNull(absent?.stat_sum)
  })

describe("SqlAggregateRows (SQLite)", () => {
  it.scoped("writes every row and stat, replaces a query's rows on a rerun", () => {
    const file = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "aggregate-rows-")), "rows.sqlite")
    return check("sqlite").pipe(Effect.provide(SqlSinkSqlite.layer({ filename: file })))
  })
})

layer(postgresServer, { excludeTestServices: true })("SqlAggregateRows (Postgres server)", (it) => {
  it.scoped("writes every row and stat, replaces a query's rows on a rerun", () =>
    check("pg").pipe(Effect.provide(postgresDatabase("aggregate_rows")))
  )
})
