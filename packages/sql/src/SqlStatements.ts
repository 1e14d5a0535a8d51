/**
 * The SQL text the relational sink runs, generated from the `Flatten` table definitions for SQLite and Postgres:
 * DDL, the schema migrations, multi-row upserts keyed by each table's primary key, and parameter conversion.
 * Pure: no connection needed, so the Postgres dialect is tested as text.
 *
 * @since 0.1.0
 */
import * as Flatten from "@effect-genesys/analytics/Flatten"

/** The SQL dialects the sink writes. @since 0.1.0 */
export type Dialect = "sqlite" | "pg"

/** Name of the table recording applied schema migrations. @since 0.1.0 */
export const migrationsTable = "genesys_schema_migrations"

/** Quotes an identifier (both dialects use double quotes). @since 0.1.0 */
export const ident = (name: string): string => `"${name.replace(/"/g, `""`)}"`

/**
 * The column type of a logical type. SQLite gets affinities (timestamps stay ISO-8601 text, booleans 0/1); Postgres
 * gets `timestamptz`, `boolean`, `bigint` (session metric values are int64) and `jsonb`.
 *
 * @since 0.1.0
 */
export const columnType = (dialect: Dialect, type: Flatten.LogicalType): string => {
  switch (type) {
    case "string":
      return "TEXT"
    case "timestamp":
      return dialect === "pg" ? "TIMESTAMPTZ" : "TEXT"
    case "integer":
      return dialect === "pg" ? "BIGINT" : "INTEGER"
    case "real":
      return dialect === "pg" ? "DOUBLE PRECISION" : "REAL"
    case "boolean":
      return dialect === "pg" ? "BOOLEAN" : "INTEGER"
    case "json":
      return dialect === "pg" ? "JSONB" : "TEXT"
  }
}

/** `CREATE TABLE IF NOT EXISTS` for one flattened table. @since 0.1.0 */
export const createTable = (dialect: Dialect, table: Flatten.Table): string => {
  const columns = table.columns.map(
    (c) => `  ${ident(c.name)} ${columnType(dialect, c.type)}${c.nullable ? "" : " NOT NULL"}`
  )
  const key = `  PRIMARY KEY (${table.primaryKey.map(ident).join(", ")})`
  return `CREATE TABLE IF NOT EXISTS ${ident(table.name)} (\n${[...columns, key].join(",\n")}\n)`
}

/** One schema migration: a version, a name, and its statements per dialect. @since 0.1.0 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly statements: (dialect: Dialect) => ReadonlyArray<string>
}

/**
 * The schema migrations, oldest first. A later release that adds a column appends a migration with the
 * `ALTER TABLE` statements; released migrations never change.
 *
 * @since 0.1.0
 */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "flatten tables",
    statements: (dialect) => [
      ...Flatten.tables.map((table) => createTable(dialect, table)),
      // Lookups by session are common (segments and metrics of a session); the primary keys lead with conversation_id.
      `CREATE INDEX IF NOT EXISTS ${ident("segments_session_id")} ON ${ident("segments")} (${ident("session_id")})`,
      `CREATE INDEX IF NOT EXISTS ${ident("session_metrics_session_id")} ON ${ident("session_metrics")} (${ident("session_id")})`,
      `CREATE INDEX IF NOT EXISTS ${ident("conversations_start")} ON ${ident("conversations")} (${ident("conversation_start")})`
    ]
  },
  {
    version: 2,
    name: "extraction runs",
    // Rows of a failed or interrupted run stay in the tables (each batch is complete on its own), so readers need
    // to know whether the last run over an interval completed.
    statements: (dialect) => [createRunsTable(dialect)]
  },
  {
    version: 3,
    name: "extraction page ledger",
    // A durable extraction writes pages at least once: the ledger makes a replayed page a no-op, records which
    // conversations each page wrote (for finalize's counts and clean-up) and which attempt of each window is final.
    statements: (dialect) => [
      ...createPageLedgerTables(dialect),
      `CREATE INDEX IF NOT EXISTS ${ident("extraction_page_conversations_id")} ON ${ident(pageConversationsTable)} (${ident("conversation_id")})`
    ]
  }
]

/** The page ledger of durable extractions: one row per written page. @since 0.2.0 */
export const pagesTable = "extraction_pages"

/** The conversations each ledger page wrote. @since 0.2.0 */
export const pageConversationsTable = "extraction_page_conversations"

/** The final attempt and page count of each window of a finalized execution. @since 0.2.0 */
export const finalWindowsTable = "extraction_final_windows"

const pageKeyColumns = ["execution_id", "window_id", "attempt", "page"] as const

/** `CREATE TABLE` of the page ledger, its conversations and the final windows. @since 0.2.0 */
export const createPageLedgerTables = (dialect: Dialect): ReadonlyArray<string> => {
  const int = columnType(dialect, "integer")
  const key = [
    `  ${ident("execution_id")} TEXT NOT NULL,`,
    `  ${ident("window_id")} TEXT NOT NULL,`,
    `  ${ident("attempt")} ${int} NOT NULL,`,
    `  ${ident("page")} ${int} NOT NULL,`
  ]
  const primaryKey = (columns: ReadonlyArray<string>) => `  PRIMARY KEY (${columns.map(ident).join(", ")})`
  return [
    [
      `CREATE TABLE IF NOT EXISTS ${ident(pagesTable)} (`,
      ...key,
      `  ${ident("conversations")} ${int} NOT NULL,`,
      `  ${ident("written_at")} ${columnType(dialect, "timestamp")} NOT NULL,`,
      primaryKey(pageKeyColumns),
      ")"
    ].join("\n"),
    [
      `CREATE TABLE IF NOT EXISTS ${ident(pageConversationsTable)} (`,
      ...key,
      `  ${ident("conversation_id")} TEXT NOT NULL,`,
      primaryKey([...pageKeyColumns, "conversation_id"]),
      ")"
    ].join("\n"),
    [
      `CREATE TABLE IF NOT EXISTS ${ident(finalWindowsTable)} (`,
      `  ${ident("execution_id")} TEXT NOT NULL,`,
      `  ${ident("window_id")} TEXT NOT NULL,`,
      `  ${ident("attempt")} ${int} NOT NULL,`,
      `  ${ident("pages")} ${int} NOT NULL,`,
      primaryKey(["execution_id", "window_id"]),
      ")"
    ].join("\n")
  ]
}

/**
 * Claims a page in the ledger (parameters: execution, window, attempt, page, conversations, written at). Returns a row
 * only when the page is new: a replay, or a concurrent writer of the same page (Postgres waits for it to commit),
 * gets none and writes nothing.
 *
 * @since 0.2.0
 */
export const claimPage = (dialect: Dialect): string =>
  `INSERT INTO ${ident(pagesTable)} (${[...pageKeyColumns, "conversations", "written_at"].map(ident).join(", ")}) VALUES (${placeholders(dialect, 0, 6)}) ON CONFLICT (${pageKeyColumns.map(ident).join(", ")}) DO NOTHING RETURNING ${ident("page")}`

/** Records the conversations of a page (parameters: execution, window, attempt, page, id, per row). @since 0.2.0 */
export const insertPageConversations = (dialect: Dialect, rowCount: number): string => {
  const values: Array<string> = []
  for (let r = 0; r < rowCount; r++) values.push(`(${placeholders(dialect, r * 5, 5)})`)
  return `INSERT INTO ${ident(pageConversationsTable)} (${[...pageKeyColumns, "conversation_id"].map(ident).join(", ")}) VALUES ${values.join(", ")} ON CONFLICT DO NOTHING`
}

/** Forgets the final windows of an execution (parameter: execution). @since 0.2.0 */
export const deleteFinalWindows = (dialect: Dialect): string =>
  `DELETE FROM ${ident(finalWindowsTable)} WHERE ${ident("execution_id")} = ${placeholders(dialect, 0, 1)}`

/** Records final windows (parameters: execution, window, attempt, pages, per row). @since 0.2.0 */
export const insertFinalWindows = (dialect: Dialect, rowCount: number): string => {
  const values: Array<string> = []
  for (let r = 0; r < rowCount; r++) values.push(`(${placeholders(dialect, r * 4, 4)})`)
  const set = ["attempt", "pages"].map((c) => `${ident(c)} = excluded.${ident(c)}`).join(", ")
  return `INSERT INTO ${ident(finalWindowsTable)} (${["execution_id", "window_id", "attempt", "pages"].map(ident).join(", ")}) VALUES ${values.join(", ")} ON CONFLICT (${ident("execution_id")}, ${ident("window_id")}) DO UPDATE SET ${set}`
}

/** `<alias>` is one of the final pages of its window (joined as `f`). */
const isFinalPage = (alias: string, f: string) =>
  `${alias}.${ident("attempt")} = ${f}.${ident("attempt")} AND ${alias}.${ident("page")} <= ${f}.${ident("pages")}`

const joinFinal = (alias: string, f: string) =>
  `${ident(finalWindowsTable)} ${f} ON ${f}.${ident("execution_id")} = ${alias}.${ident("execution_id")} AND ${f}.${ident("window_id")} = ${alias}.${ident("window_id")}`

/**
 * The final windows of an execution missing some of their pages in the ledger (parameter: execution): columns
 * `window_id`, `attempt`, `pages`, `written`.
 *
 * @since 0.2.0
 */
export const selectMissingPages = (dialect: Dialect): string =>
  `SELECT f.${ident("window_id")}, f.${ident("attempt")}, f.${ident("pages")}, COUNT(p.${ident("page")}) AS ${ident("written")} FROM ${ident(finalWindowsTable)} f LEFT JOIN ${ident(pagesTable)} p ON p.${ident("execution_id")} = f.${ident("execution_id")} AND p.${ident("window_id")} = f.${ident("window_id")} AND ${isFinalPage("p", "f")} WHERE f.${ident("execution_id")} = ${placeholders(dialect, 0, 1)} GROUP BY f.${ident("window_id")}, f.${ident("attempt")}, f.${ident("pages")} HAVING COUNT(p.${ident("page")}) < f.${ident("pages")} ORDER BY f.${ident("window_id")}`

/**
 * The conversations written only by superseded pages (parameter: execution): pages of the execution's final windows
 * that are not among the final pages, and no page that is kept (a final page, or a page of any window not finalized
 * by its execution) wrote the conversation too.
 *
 * @since 0.2.0
 */
export const selectSupersededConversations = (dialect: Dialect): string =>
  `SELECT DISTINCT c.${ident("conversation_id")} FROM ${ident(pageConversationsTable)} c JOIN ${joinFinal("c", "f")} WHERE c.${ident("execution_id")} = ${placeholders(dialect, 0, 1)} AND NOT (${isFinalPage("c", "f")}) AND NOT EXISTS (SELECT 1 FROM ${ident(pageConversationsTable)} o LEFT JOIN ${joinFinal("o", "g")} WHERE o.${ident("conversation_id")} = c.${ident("conversation_id")} AND (g.${ident("window_id")} IS NULL OR (${isFinalPage("o", "g")}))) ORDER BY c.${ident("conversation_id")}`

/** Distinct conversations of an execution's final pages (parameter: execution), as `n`. @since 0.2.0 */
export const countFinalConversations = (dialect: Dialect): string =>
  `SELECT COUNT(DISTINCT c.${ident("conversation_id")}) AS ${ident("n")} FROM ${ident(pageConversationsTable)} c JOIN ${joinFinal("c", "f")} AND ${isFinalPage("c", "f")} WHERE c.${ident("execution_id")} = ${placeholders(dialect, 0, 1)}`

/** Conversations written by an execution's final pages, repeats included (parameter: execution), as `n`. @since 0.2.0 */
export const countFinalPageConversations = (dialect: Dialect): string =>
  `SELECT COALESCE(SUM(p.${ident("conversations")}), 0) AS ${ident("n")} FROM ${ident(pagesTable)} p JOIN ${joinFinal("p", "f")} AND ${isFinalPage("p", "f")} WHERE p.${ident("execution_id")} = ${placeholders(dialect, 0, 1)}`

/** Takes the migration lock (Postgres: a transaction-scoped advisory lock, so concurrent migrators queue). @since 0.2.0 */
export const lockMigrations = "SELECT pg_advisory_xact_lock(7405298102)"

/** Name of the table recording extraction runs and whether each completed. @since 0.1.0 */
export const runsTable = "extraction_runs"

/** The status of an extraction run: `complete` only once every window is done and the output is exact. @since 0.1.0 */
export type RunStatus = "running" | "complete" | "failed" | "interrupted"

/** The statuses a run can have. @since 0.1.0 */
export const runStatuses: ReadonlyArray<RunStatus> = ["running", "complete", "failed", "interrupted"]

/** `CREATE TABLE` of the run table. @since 0.1.0 */
export const createRunsTable = (dialect: Dialect): string => {
  const ts = columnType(dialect, "timestamp")
  const int = columnType(dialect, "integer")
  return [
    `CREATE TABLE IF NOT EXISTS ${ident(runsTable)} (`,
    `  ${ident("run_id")} TEXT NOT NULL PRIMARY KEY,`,
    `  ${ident("plan_hash")} TEXT NOT NULL,`,
    `  ${ident("interval")} TEXT NOT NULL,`,
    `  ${ident("status")} TEXT NOT NULL CHECK (${ident("status")} IN (${runStatuses.map((s) => `'${s}'`).join(", ")})),`,
    `  ${ident("started_at")} ${ts} NOT NULL,`,
    `  ${ident("finished_at")} ${ts},`,
    `  ${ident("windows")} ${int} NOT NULL,`,
    `  ${ident("conversations")} ${int} NOT NULL,`,
    `  ${ident("detail")} TEXT`,
    ")"
  ].join("\n")
}

/** Inserts a run with status `running` (parameters: run id, plan hash, interval, started at, windows). @since 0.1.0 */
export const insertRun = (dialect: Dialect): string =>
  `INSERT INTO ${ident(runsTable)} (${["run_id", "plan_hash", "interval", "status", "started_at", "windows", "conversations"].map(ident).join(", ")}) VALUES (${placeholders(dialect, 0, 1)}, ${placeholders(dialect, 1, 1)}, ${placeholders(dialect, 2, 1)}, 'running', ${placeholders(dialect, 3, 1)}, ${placeholders(dialect, 4, 1)}, 0)`

/** Adds to a run's conversation count (parameters: count, run id); runs inside each batch's transaction. @since 0.1.0 */
export const countRun = (dialect: Dialect): string =>
  `UPDATE ${ident(runsTable)} SET ${ident("conversations")} = ${ident("conversations")} + ${placeholders(dialect, 0, 1)} WHERE ${ident("run_id")} = ${placeholders(dialect, 1, 1)}`

/** Ends a run (parameters: status, finished at, detail, run id). @since 0.1.0 */
export const finishRun = (dialect: Dialect): string =>
  `UPDATE ${ident(runsTable)} SET ${ident("status")} = ${placeholders(dialect, 0, 1)}, ${ident("finished_at")} = ${placeholders(dialect, 1, 1)}, ${ident("detail")} = ${placeholders(dialect, 2, 1)} WHERE ${ident("run_id")} = ${placeholders(dialect, 3, 1)}`

/** Reads the runs, newest first. @since 0.1.0 */
export const selectRuns = `SELECT * FROM ${ident(runsTable)} ORDER BY ${ident("started_at")} DESC, ${ident("run_id")}`

/** The statement creating the migrations table. @since 0.1.0 */
export const createMigrationsTable = (dialect: Dialect): string =>
  `CREATE TABLE IF NOT EXISTS ${ident(migrationsTable)} (\n  ${ident("version")} INTEGER NOT NULL PRIMARY KEY,\n  ${ident("name")} TEXT NOT NULL,\n  ${ident("applied_at")} ${columnType(dialect, "timestamp")} NOT NULL\n)`

/** Records an applied migration (a concurrent migrator that got there first is not an error). @since 0.1.0 */
export const recordMigration = (dialect: Dialect): string =>
  `INSERT INTO ${ident(migrationsTable)} (${ident("version")}, ${ident("name")}, ${ident("applied_at")}) VALUES (${placeholders(dialect, 0, 3)}) ON CONFLICT (${ident("version")}) DO NOTHING`

/** Reads the highest applied migration version. @since 0.1.0 */
export const selectVersion = `SELECT MAX(${ident("version")}) AS ${ident("version")} FROM ${ident(migrationsTable)}`

const placeholders = (dialect: Dialect, offset: number, count: number): string => {
  const out: Array<string> = []
  for (let i = 1; i <= count; i++) out.push(dialect === "pg" ? `$${offset + i}` : "?")
  return out.join(", ")
}

/**
 * A multi-row `INSERT ... ON CONFLICT (<primary key>) DO UPDATE SET <every other column> = excluded.<column>`
 * (SQLite ≥ 3.24 and Postgres share the syntax). Parameters are the rows' cells in column order.
 *
 * @since 0.1.0
 */
export const upsert = (dialect: Dialect, table: Flatten.Table, rowCount: number): string => {
  const width = table.columns.length
  const values: Array<string> = []
  for (let r = 0; r < rowCount; r++) values.push(`(${placeholders(dialect, r * width, width)})`)
  const updates = table.columns
    .filter((c) => !table.primaryKey.includes(c.name))
    .map((c) => `${ident(c.name)} = excluded.${ident(c.name)}`)
  const action = updates.length === 0 ? "DO NOTHING" : `DO UPDATE SET ${updates.join(", ")}`
  return `INSERT INTO ${ident(table.name)} (${table.columns.map((c) => ident(c.name)).join(", ")}) VALUES ${values.join(", ")} ON CONFLICT (${table.primaryKey.map(ident).join(", ")}) ${action}`
}

/** Deletes the rows of some conversations from a table. @since 0.1.0 */
export const deleteConversations = (dialect: Dialect, table: Flatten.Table, count: number): string =>
  `DELETE FROM ${ident(table.name)} WHERE ${ident("conversation_id")} IN (${placeholders(dialect, 0, count)})`

/** Counts the rows of a table. @since 0.1.0 */
export const countRows = (table: Flatten.TableName): string => `SELECT COUNT(*) AS ${ident("n")} FROM ${ident(table)}`

/**
 * The most parameters one statement binds. SQLite allows 32766 and Postgres 65535; staying well under both keeps one
 * code path.
 *
 * @since 0.1.0
 */
export const maxParameters = 30_000

/** How many rows of a table one upsert statement carries. @since 0.1.0 */
export const rowsPerStatement = (table: Flatten.Table): number =>
  Math.max(1, Math.floor(maxParameters / table.columns.length))

/** A cell as a bound parameter (SQLite cannot bind booleans). @since 0.1.0 */
export const parameter = (dialect: Dialect, value: Flatten.Value): string | number | boolean | null =>
  dialect === "sqlite" && typeof value === "boolean" ? (value ? 1 : 0) : value
