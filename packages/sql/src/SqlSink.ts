/**
 * Writes conversation records to a relational database as `Flatten` rows, through `@effect/sql`: SQLite (a file,
 * the default) or Postgres (a URL). Tables are created on first use and migrated forward (a migrations table records
 * the applied versions). Each batch of conversations is one transaction that replaces the child rows of those
 * conversations and upserts every row by its primary key, so re-extracting an interval (Genesys reprocesses data up
 * to 48 hours late) updates rows instead of duplicating them, and a conversation that lost a segment loses its row.
 *
 * Two sinks share those writes: {@link make}, the `ExtractionSink` of a one-process extraction, and
 * {@link makePageSink}, the `PageSink` of a durable extraction, whose page ledger (`extraction_pages`, keyed by
 * execution, window, attempt and page) makes a replayed page a no-op and whose `finalize` keeps only the final
 * attempts' conversations.
 *
 * Everything here works on any provided `SqlClient` (SQLite or Postgres) and imports no driver: the client layers
 * live in their own entry points, `@effect-genesys/sql/SqlSinkSqlite` (`@effect/sql-sqlite-node`) and
 * `@effect-genesys/sql/SqlSinkPg` (`@effect/sql-pg`), so an application installs only the driver it uses.
 *
 * @since 0.1.0
 */
import type * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import type * as PageSink from "@effect-genesys/analytics/PageSink"
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as SqlClient from "@effect/sql/SqlClient"
import { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
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
      // Two runners booting on a fresh Postgres database queue here instead of racing the CREATE TABLEs.
      if (d === "pg") yield* sql.unsafe(Statements.lockMigrations)
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
 * Replaces the rows of some conversations (`ids`: those of `flat`), inside the caller's transaction.
 * Conversations and rows go in conversation id order, so two transactions writing overlapping conversations mostly take
 * their row locks in the same order; a deadlock that Postgres still detects fails one page's transaction, whole, and
 * the page is written again by its retry.
 */
const writeRows = (
  sql: SqlClient.SqlClient,
  d: Statements.Dialect,
  flat: Flatten.Flattened,
  ids: ReadonlyArray<string>
): Effect.Effect<void, SqlError> =>
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
  })

/** The flattened rows of a batch (the last copy of each conversation, in id order) and its conversation ids. */
const flattenBatch = (conversations: Iterable<Flatten.ConversationInput>) => {
  const unique = lastPerConversation(conversations)
  const sorted = [...unique].sort((a, b) => compareIds(a.conversationId, b.conversationId))
  const flat = Flatten.flattenAll(sorted)
  const ids = Array.from(new Set(flat.conversations.map((row) => row.conversation_id as string)))
  return { flat, ids }
}

const compareIds = (a: string | undefined, b: string | undefined): number =>
  a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1

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
    const { flat, ids } = flattenBatch(conversations)
    if (ids.length === 0) return Flatten.zeroCounts
    yield* transaction(
      sql,
      Effect.gen(function* () {
        yield* writeRows(sql, d, flat, ids)
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

/** Options of {@link makePageSink}. @since 0.2.0 */
export interface PageSinkOptions {
  /** The durable execution the pages belong to (the workflow's execution id): the ledger's first key column. */
  readonly execution: string
}

const conversationIdOf = (c: Flatten.ConversationInput): string | undefined =>
  typeof c.conversationId === "string" ? c.conversationId : undefined

/**
 * The `PageSink` of a durable extraction over the provided `SqlClient` (migrated first). `writePage` is one
 * transaction: it claims the page in the ledger (`extraction_pages`) and, only when the page is new, writes its
 * conversations exactly as {@link writeBatch} does and records which conversations the page wrote. A replayed page,
 * or the same page written at the same time by another process, writes nothing and does not fail (on Postgres the
 * second writer waits for the first to commit, then finds the page claimed; had the first rolled back, the second
 * writes it).
 *
 * `finalize(windows)` records the final attempt and page count of each window, fails with a `SqlError` naming the
 * windows whose final pages are not all in the ledger, deletes from the flattened tables the conversations written
 * only by pages that are not final (earlier attempts of those windows) and by no kept page of any execution, and
 * returns the distinct conversations of the final pages and the repeats among them (`duplicates`: records of those
 * pages minus distinct conversations). All in one transaction, and computed from the ledger, so calling it again
 * returns the same result. Records without a `conversationId` are written but not counted.
 *
 * Not prevented: a superseded page written for the first time after `finalize` (a zombie runner) is written like any
 * page; the next `finalize` removes its conversations again.
 *
 * @since 0.2.0
 */
export const makePageSink = (
  options: PageSinkOptions
): Effect.Effect<PageSink.PageSink<SqlError>, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const d = yield* dialect
    yield* migrate
    const execution = options.execution
    const writePage = (key: PageSink.PageKey, batch: ReadonlyArray<ExtractionSink.Conversation>) =>
      Effect.gen(function* () {
        const { flat, ids } = flattenBatch(batch)
        const withId = batch.filter((c) => conversationIdOf(c) !== undefined).length
        const pageIds = Array.from(new Set(batch.flatMap((c) => conversationIdOf(c) ?? []))).sort()
        const keyParams = [execution, key.window, key.attempt, key.page]
        yield* transaction(
          sql,
          Effect.gen(function* () {
            const claimed = yield* sql.unsafe(Statements.claimPage(d), [...keyParams, withId, yield* isoNow])
            if (claimed.length === 0) return
            if (ids.length > 0) yield* writeRows(sql, d, flat, ids)
            const step = Math.floor(Statements.maxParameters / 5)
            for (let i = 0; i < pageIds.length; i += step) {
              const slice = pageIds.slice(i, i + step)
              yield* sql.unsafe(
                Statements.insertPageConversations(d, slice.length),
                slice.flatMap((id) => [...keyParams, id])
              )
            }
          })
        )
      }).pipe(
        Effect.withSpan("SqlSink.writePage", {
          attributes: { execution, window: key.window, attempt: key.attempt, page: key.page }
        })
      )
    const finalize = (windows: ReadonlyArray<PageSink.FinalWindow>) =>
      transaction(
        sql,
        Effect.gen(function* () {
          yield* sql.unsafe(Statements.deleteFinalWindows(d), [execution])
          const step = Math.floor(Statements.maxParameters / 4)
          for (let i = 0; i < windows.length; i += step) {
            const slice = windows.slice(i, i + step)
            yield* sql.unsafe(
              Statements.insertFinalWindows(d, slice.length),
              slice.flatMap((w) => [execution, w.window, w.attempt, w.pages])
            )
          }
          const missing = yield* sql.unsafe<Record<string, unknown>>(Statements.selectMissingPages(d), [execution])
          if (missing.length > 0) {
            const list = missing
              .slice(0, 5)
              .map((m) => `${text(m.window_id)} attempt ${Number(m.attempt)}: ${Number(m.written)}/${Number(m.pages)}`)
            return yield* new SqlError({
              message: `cannot finalize ${execution}: pages missing from the ledger in ${missing.length} window(s) (${list.join("; ")})`
            })
          }
          const superseded = yield* sql.unsafe<{ conversation_id: string }>(
            Statements.selectSupersededConversations(d),
            [execution]
          )
          const gone = superseded.map((r) => r.conversation_id)
          for (const table of Flatten.tables) {
            for (let i = 0; i < gone.length; i += Statements.maxParameters) {
              const slice = gone.slice(i, i + Statements.maxParameters)
              yield* sql.unsafe(Statements.deleteConversations(d, table, slice.length), slice)
            }
          }
          const distinct = yield* sql.unsafe<{ n: number | string }>(Statements.countFinalConversations(d), [execution])
          const all = yield* sql.unsafe<{ n: number | string }>(Statements.countFinalPageConversations(d), [execution])
          const conversations = Number(distinct[0]?.n ?? 0)
          return { conversations, duplicates: Number(all[0]?.n ?? 0) - conversations }
        })
      ).pipe(Effect.withSpan("SqlSink.finalize", { attributes: { execution, windows: windows.length } }))
    return { writePage, finalize }
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
