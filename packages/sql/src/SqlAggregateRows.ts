/**
 * Tidy aggregate rows (`AggregateRecord.AggregateRow`: one per group × bucket × metric) in a database table,
 * `aggregate_rows`: the query's hash, the group as canonical JSON (query a dimension with the database's JSON
 * functions), the bucket, the metric, its qualifier and one column per stat (absent stats stay NULL). Writing the
 * rows of a query replaces that query's earlier rows, in one transaction. Works on any `SqlClient` (SQLite, Postgres).
 *
 * @since 0.3.0
 */
import * as AggregateRecord from "@effect-genesys/analytics/AggregateRecord"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import { ident } from "./SqlStatements.js"

/** The table. @since 0.3.0 */
export const table = "aggregate_rows"

const statColumn = (stat: string) => `stat_${stat.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`

/** The column of each stat (`countNegative` → `stat_count_negative`). @since 0.3.0 */
export const statColumns: ReadonlyArray<readonly [stat: string, column: string]> = AggregateRecord.statNames.map(
  (stat) => [stat, statColumn(stat)] as const
)

const canonical = (group: { readonly [dimension: string]: string }): string =>
  JSON.stringify(Object.fromEntries(Object.entries(group).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))))

const createTable = `CREATE TABLE IF NOT EXISTS ${ident(table)} (
  ${ident("query_hash")} TEXT NOT NULL,
  ${ident("group_json")} TEXT NOT NULL,
  ${ident("bucket_start")} TEXT NOT NULL,
  ${ident("bucket_end")} TEXT NOT NULL,
  ${ident("metric")} TEXT NOT NULL,
  ${ident("kind")} TEXT NOT NULL,
  ${ident("qualifier")} TEXT NOT NULL,
  ${statColumns.map(([, column]) => `${ident(column)} DOUBLE PRECISION`).join(",\n  ")},
  PRIMARY KEY (${["query_hash", "group_json", "bucket_start", "metric", "kind", "qualifier"].map(ident).join(", ")})
)`

/**
 * Writes the rows of the query hashed `queryHash`, replacing what an earlier run of it wrote; returns the row count.
 *
 * @since 0.3.0
 */
export const write = (
  queryHash: string,
  rows: ReadonlyArray<AggregateRecord.AggregateRow>
): Effect.Effect<number, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql.unsafe(createTable)
    yield* sql.withTransaction(
      Effect.gen(function* () {
        yield* sql`DELETE FROM ${sql(table)} WHERE query_hash = ${queryHash}`
        // A few hundred rows a statement keeps every dialect under its parameter limit.
        for (let i = 0; i < rows.length; i += 200) {
          const values = rows.slice(i, i + 200).map((row) => {
            const record: Record<string, string | number | null> = {
              query_hash: queryHash,
              group_json: canonical(row.group),
              bucket_start: row.bucketStart,
              bucket_end: row.bucketEnd,
              metric: row.metric,
              kind: row.kind,
              qualifier: row.qualifier ?? ""
            }
            for (const [stat, column] of statColumns) {
              const value = (row.stats as Record<string, number | undefined>)[stat]
              record[column] = typeof value === "number" ? value : null
            }
            return record
          })
          yield* sql`INSERT INTO ${sql(table)} ${sql.insert(values)}`
        }
      })
    )
    return rows.length
  })
