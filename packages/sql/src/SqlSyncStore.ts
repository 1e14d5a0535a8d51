/**
 * The settled point of a continuous sync (`Sync.SyncStore`), kept in the sink's own database, one row per sync name,
 * so that the data and the point it is settled up to move together. Works on any `SqlClient` (SQLite, Postgres).
 *
 * @since 0.2.0
 */
import type * as Sync from "@effect-genesys/analytics/Sync"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** The table of sync states. @since 0.2.0 */
export const table = "genesys_sync_state"

/**
 * A store for the sync named `name` (one database may hold several syncs, e.g. one per org): creates its table on
 * first use.
 *
 * @since 0.2.0
 */
export const make = (name: string): Effect.Effect<Sync.SyncStore<SqlError>, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS ${sql(table)} (
      name TEXT PRIMARY KEY,
      settled_until TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`
    return {
      settledUntil: Effect.map(
        sql<{ readonly settled_until: string }>`SELECT settled_until FROM ${sql(table)} WHERE name = ${name}`,
        (rows) => Option.fromNullable(rows[0]?.settled_until)
      ),
      setSettledUntil: (iso) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.asVoid(
            sql`INSERT INTO ${sql(table)} (name, settled_until, updated_at)
              VALUES (${name}, ${iso}, ${new Date(now).toISOString()})
              ON CONFLICT (name) DO UPDATE SET settled_until = excluded.settled_until, updated_at = excluded.updated_at`
          )
        )
    }
  })
