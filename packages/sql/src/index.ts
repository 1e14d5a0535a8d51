/**
 * Relational sink for Genesys Cloud conversation records on `@effect/sql`: SQLite and Postgres; an `ExtractionSink`
 * and the durable extraction's `PageSink` (a page ledger in the database).
 *
 * This entry point imports no database driver. The client layers have one entry point each, so that only the driver
 * in use is installed: `@effect-genesys/sql/SqlSinkSqlite` and `@effect-genesys/sql/SqlSinkPg`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as SqlSink from "./SqlSink.js"

/** @since 0.1.0 */
export * as SqlStatements from "./SqlStatements.js"

/** @since 0.2.0 */
export * as SqlSyncStore from "./SqlSyncStore.js"

/** @since 0.3.0 */
export * as SqlAggregateRows from "./SqlAggregateRows.js"
