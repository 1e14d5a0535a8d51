/**
 * Writes conversation records to a relational database as `Flatten` rows, through `@effect/sql`: SQLite (a file,
 * the default) or Postgres (a URL). Tables are created on first use and migrated forward (a migrations table records
 * the applied versions). Each batch of conversations is one transaction that replaces the child rows of those
 * conversations and upserts every row by its primary key, so re-extracting an interval (Genesys reprocesses data up
 * to 48 hours late) updates rows instead of duplicating them, and a conversation that lost a segment loses its row.
 *
 * @since 0.1.0
 */
import type * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type * as ConfigError from "effect/ConfigError"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Statements from "./SqlStatements.js"

/** Options of {@link make}. @since 0.1.0 */
export interface Options {
  /** A run recorded with {@link startRun}: every batch adds to its conversation count, in the batch's transaction. */
  readonly runId?: string | undefined
}

/** What a sink wrote. @since 0.1.0 */
export interface Summary {
  readonly conversations: number
  readonly batches: number
  /** Rows upserted per table (rows of a conversation written twice count twice). */
  readonly rows: Flatten.Counts
}

/** The dialect of the provided client; anything but SQLite and Postgres is refused. @since 0.1.0 */
export const dialect: Effect.Effect<Statements.Dialect, SqlError, SqlClient.SqlClient> = Effect.flatMap(
  SqlClient.SqlClient,
  (sql) =>
    sql.onDialectOrElse({
      sqlite: () => Effect.succeed("sqlite" as const),
      pg: () => Effect.succeed("pg" as const),
      orElse: () => Effect.fail(new SqlError({ message: "the SQL sink supports SQLite and Postgres only" }))
    })
)

/**
 * Runs `effect` in a transaction. `@effect/sql` turns a failed `COMMIT` or `ROLLBACK` into a defect; on a full disk
 * (`SQLITE_FULL`) that is exactly what fails, and it is a condition to report, so such a `SqlError` stays a failure.
 */
const transaction = <A, E, R>(sql: SqlClient.SqlClient, effect: Effect.Effect<A, E, R>) =>
  Effect.suspend(() => {
    // SQLite rolls back by itself on SQLITE_FULL, so the explicit ROLLBACK then fails with "no transaction is
    // active" and hides the reason: the statement's own failure is the one reported.
    let first: E | undefined
    return sql
      .withTransaction(
        Effect.tapError(effect, (e) =>
          Effect.sync(() => {
            first = e
          })
        )
      )
      .pipe(
        Effect.catchAllDefect((defect) =>
          defect instanceof SqlError ? Effect.fail<E | SqlError>(first ?? defect) : Effect.die(defect)
        )
      )
  })

/**
 * Creates the tables or migrates them to the current version, in one transaction; a no-op when up to date.
 *
 * @since 0.1.0
 */
export const migrate: Effect.Effect<number, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const d = yield* dialect
  return yield* transaction(
    sql,
    Effect.gen(function* () {
      yield* sql.unsafe(Statements.createMigrationsTable(d))
      const rows = yield* sql.unsafe<{ version: number | string | null }>(Statements.selectVersion)
      const current = Number(rows[0]?.version ?? 0)
      for (const migration of Statements.migrations) {
        if (migration.version <= current) continue
        for (const statement of migration.statements(d)) yield* sql.unsafe(statement)
        const now = new Date(yield* Clock.currentTimeMillis).toISOString()
        yield* sql.unsafe(Statements.recordMigration(d), [migration.version, migration.name, now])
      }
      return Statements.migrations[Statements.migrations.length - 1]!.version
    })
  )
}).pipe(Effect.withSpan("SqlSink.migrate"))

/** Keeps the last record per conversation id: a later copy in the same batch replaces an earlier one entirely. */
const lastPerConversation = (
  conversations: Iterable<Flatten.ConversationInput>
): ReadonlyArray<Flatten.ConversationInput> => {
  const byId = new Map<unknown, Flatten.ConversationInput>()
  for (const conversation of conversations) {
    const id = conversation.conversationId ?? Symbol()
    byId.delete(id)
    byId.set(id, conversation)
  }
  return Array.from(byId.values())
}

/**
 * Writes one batch of conversations in one transaction. The tables must exist: run {@link migrate} first (the SQLite
 * driver caches a statement that failed to prepare, so a write before the migration keeps failing on that connection).
 *
 * @since 0.1.0
 */
export const writeBatch = (
  conversations: Iterable<Flatten.ConversationInput>,
  runId?: string | undefined
): Effect.Effect<Flatten.Counts, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const d = yield* dialect
    const flat = Flatten.flattenAll(lastPerConversation(conversations))
    const ids = Array.from(new Set(flat.conversations.map((row) => row.conversation_id as string)))
    if (ids.length === 0) return Flatten.zeroCounts
    yield* transaction(
      sql,
      Effect.gen(function* () {
        for (const table of Flatten.tables) {
          if (table.name !== "conversations") {
            for (let i = 0; i < ids.length; i += Statements.maxParameters) {
              const slice = ids.slice(i, i + Statements.maxParameters)
              yield* sql.unsafe(Statements.deleteConversations(d, table, slice.length), slice)
            }
          }
          const rows = flat[table.name]
          const step = Statements.rowsPerStatement(table)
          for (let i = 0; i < rows.length; i += step) {
            const slice = rows.slice(i, i + step)
            const params: Array<unknown> = []
            for (const row of slice) {
              for (const column of table.columns) params.push(Statements.parameter(d, row[column.name] ?? null))
            }
            yield* sql.unsafe(Statements.upsert(d, table, slice.length), params)
          }
        }
        // In the batch's transaction: the run's count never disagrees with the rows committed.
        if (runId !== undefined) yield* sql.unsafe(Statements.countRun(d), [ids.length, runId])
      })
    )
    return Flatten.counts(flat)
  }).pipe(Effect.withSpan("SqlSink.writeBatch"))

/**
 * The SQL sink: `open` migrates the schema, each `write` is one transaction (see {@link writeBatch}), `close` returns
 * what was written. Upserts make a resume position unnecessary (`position` is `null`): conversations written again
 * after a crash between a write and its checkpoint replace their own rows. A failed stream keeps the batches already
 * committed (each is complete on its own) and never a half-written one. Run a `Stream` into it with
 * `ExtractionSink.write(stream, SqlSink.make(), { batchSize })`.
 *
 * @since 0.1.0
 */
export const make = (
  options?: Options
): Effect.Effect<ExtractionSink.ExtractionSink<SqlError, Summary>, never, SqlClient.SqlClient> =>
  Effect.map(Effect.context<SqlClient.SqlClient>(), (context) => {
    let summary: Summary = { conversations: 0, batches: 0, rows: Flatten.zeroCounts }
    return {
      open: () => Effect.provide(Effect.asVoid(migrate), context),
      write: (batch) =>
        Effect.provide(
          Effect.map(writeBatch(batch, options?.runId), (rows) => {
            if (batch.length === 0) return
            summary = {
              conversations: summary.conversations + batch.length,
              batches: summary.batches + 1,
              rows: Flatten.addCounts(summary.rows, rows)
            }
          }),
          context
        ),
      position: Effect.succeed(null),
      close: Effect.sync(() => summary)
    }
  })

/** What the CLI (or any runner) records about one extraction run. @since 0.1.0 */
export interface RunStart {
  readonly runId: string
  readonly planHash: string
  readonly interval: string
  readonly windows: number
}

/** One row of the run table. @since 0.1.0 */
export interface RunRow {
  readonly runId: string
  readonly planHash: string
  readonly interval: string
  readonly status: Statements.RunStatus
  readonly startedAt: string
  readonly finishedAt: string | null
  readonly windows: number
  readonly conversations: number
  readonly detail: string | null
}

const isoNow = Effect.map(Clock.currentTimeMillis, (now) => new Date(now).toISOString())

/** Records a run as `running`; the tables must exist (run {@link migrate} first). @since 0.1.0 */
export const startRun = (run: RunStart): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const d = yield* dialect
    yield* sql.unsafe(Statements.insertRun(d), [run.runId, run.planHash, run.interval, yield* isoNow, run.windows])
  }).pipe(Effect.withSpan("SqlSink.startRun"))

/** Ends a run with its status (and a one-line reason when it did not complete). @since 0.1.0 */
export const finishRun = (
  runId: string,
  status: Exclude<Statements.RunStatus, "running">,
  detail?: string | undefined
): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const d = yield* dialect
    yield* sql.unsafe(Statements.finishRun(d), [status, yield* isoNow, detail ?? null, runId])
  }).pipe(Effect.withSpan("SqlSink.finishRun"))

const text = (u: unknown): string => (u instanceof Date ? u.toISOString() : String(u))

/** The recorded runs, newest first. @since 0.1.0 */
export const runs: Effect.Effect<ReadonlyArray<RunRow>, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql.unsafe<Record<string, unknown>>(Statements.selectRuns)
  return rows.map(
    (r): RunRow => ({
      runId: text(r.run_id),
      planHash: text(r.plan_hash),
      interval: text(r.interval),
      status: text(r.status) as Statements.RunStatus,
      startedAt: text(r.started_at),
      finishedAt: r.finished_at === null || r.finished_at === undefined ? null : text(r.finished_at),
      windows: Number(r.windows),
      conversations: Number(r.conversations),
      detail: r.detail === null || r.detail === undefined ? null : text(r.detail)
    })
  )
})

/** Row counts per table, as stored. @since 0.1.0 */
export const counts: Effect.Effect<Flatten.Counts, SqlError, SqlClient.SqlClient> = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const result = {} as Record<Flatten.TableName, number>
  for (const name of Flatten.tableNames) {
    const rows = yield* sql.unsafe<{ n: number | string }>(Statements.countRows(name))
    result[name] = Number(rows[0]?.n ?? 0)
  }
  return result
})

/**
 * A SQLite client on a file (created when missing; WAL journal). A file that cannot be opened (missing directory, no
 * permission) fails the layer with a `SqlError` naming it, where the driver would throw.
 *
 * @since 0.1.0
 */
export const layerSqlite = (options: {
  readonly filename: string
}): Layer.Layer<SqliteClient.SqliteClient | SqlClient.SqlClient, ConfigError.ConfigError | SqlError> =>
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

/** A Postgres client from a connection URL (kept `Redacted`: it may carry a password). @since 0.1.0 */
export const layerPg = (options: {
  readonly url: string | Redacted.Redacted<string>
  readonly maxConnections?: number | undefined
}): Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, SqlError> =>
  PgClient.layer({
    url: Redacted.isRedacted(options.url) ? options.url : Redacted.make(options.url),
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections })
  })
