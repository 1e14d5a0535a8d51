/**
 * The Postgres client for `SqlSink`, on `@effect/sql-pg` (node-postgres): the only module of this package that imports
 * that driver, so an application on SQLite does not need it installed (it is an optional peer dependency). With
 * `skipLibCheck: false`, install `@types/pg` as well: `@effect/sql-pg`'s declarations import `pg`.
 *
 * ```ts
 * import * as SqlSink from "@effect-genesys/sql/SqlSink"
 * import * as SqlSinkPg from "@effect-genesys/sql/SqlSinkPg"
 *
 * SqlSink.counts.pipe(Effect.provide(SqlSinkPg.layer({ url: Redacted.make(process.env.DATABASE_URL!) })))
 * ```
 *
 * @since 0.2.0
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"

/** Options of {@link layer}. @since 0.2.0 */
export interface Options {
  /** The connection URL; a plain string is wrapped in `Redacted` (it may carry a password). */
  readonly url: string | Redacted.Redacted<string>
  /** The pool's size (the driver's default when absent). */
  readonly maxConnections?: number | undefined
}

/** A Postgres client from a connection URL (kept `Redacted`: it may carry a password). @since 0.2.0 */
export const layer = (options: Options): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> =>
  PgClient.layer({
    url: Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections })
  })
