/**
 * The SQLite client for `SqlSink`, on `@effect/sql-sqlite-node` (better-sqlite3): the only module of this package that
 * imports that driver, so an application on Postgres does not need it installed (it is an optional peer dependency).
 *
 * ```ts
 * import * as SqlSink from "@effect-genesys/sql/SqlSink"
 * import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
 *
 * SqlSink.counts.pipe(Effect.provide(SqlSinkSqlite.layer({ filename: "conversations.sqlite" })))
 * ```
 *
 * @since 0.2.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as Cause from "effect/Cause"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** Options of {@link layer}. @since 0.2.0 */
export interface Options {
  /** The database file, created when missing. */
  readonly filename: string
}

/**
 * A SQLite client on a file (created when missing; WAL journal). A file that cannot be opened (missing directory, no
 * permission) fails the layer with a `SqlError` naming it, where the driver would throw.
 *
 * @since 0.2.0
 */
export const layer = (
  options: Options
): Layer.Layer<SqliteClient.SqliteClient | SqlClient.SqlClient, ConfigError.ConfigError | SqlError> =>
  SqliteClient.layer({ filename: options.filename }).pipe(
    Layer.catchAllCause((cause): Layer.Layer<unknown, ConfigError.ConfigError | SqlError> => {
      const failure = Cause.failureOption(cause)
      if (Option.isSome(failure)) return Layer.fail(failure.value)
      const defect = Cause.squash(cause)
      const reason = defect instanceof Error ? defect.message : String(defect)
      return Layer.fail(
        new SqlError({ cause: defect, message: `cannot open SQLite database ${options.filename}: ${reason}` })
      )
    })
  )
