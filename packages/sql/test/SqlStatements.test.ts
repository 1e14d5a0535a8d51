import * as Flatten from "@effect-genesys/analytics/Flatten"
import { assert, describe, it } from "@effect/vitest"
import * as SqlStatements from "../src/SqlStatements.js"

describe("SqlStatements", () => {
  const flows = Flatten.table("flows")

  it("creates Postgres tables with native types, NOT NULL keys and the composite primary key", () => {
    const ddl = SqlStatements.createTable("pg", Flatten.table("session_metrics"))
    assert.strictEqual(
      ddl,
      [
        `CREATE TABLE IF NOT EXISTS "session_metrics" (`,
        `  "conversation_id" TEXT NOT NULL,`,
        `  "metric_key" TEXT NOT NULL,`,
        `  "session_id" TEXT,`,
        `  "participant_id" TEXT,`,
        `  "name" TEXT,`,
        `  "value" BIGINT,`,
        `  "emit_date" TIMESTAMPTZ,`,
        `  PRIMARY KEY ("conversation_id", "metric_key")`,
        `)`
      ].join("\n")
    )
    const conversations = SqlStatements.createTable("pg", Flatten.table("conversations"))
    assert.include(conversations, `"division_ids" JSONB`)
    assert.include(conversations, `"self_served" BOOLEAN`)
    assert.include(conversations, `"media_stats_min_conversation_mos" DOUBLE PRECISION`)
  })

  it("creates SQLite tables with affinities (ISO text timestamps, 0/1 booleans)", () => {
    const ddl = SqlStatements.createTable("sqlite", Flatten.table("conversations"))
    assert.include(ddl, `"conversation_start" TEXT`)
    assert.include(ddl, `"self_served" INTEGER`)
    assert.include(ddl, `"division_ids" TEXT`)
    assert.include(ddl, `PRIMARY KEY ("conversation_id")`)
  })

  it("numbers Postgres placeholders across rows and updates every non-key column on conflict", () => {
    const sql = SqlStatements.upsert("pg", flows, 2)
    const width = flows.columns.length
    assert.isTrue(sql.startsWith(`INSERT INTO "flows" ("conversation_id", "session_id", "participant_id", "flow_id"`))
    assert.include(sql, `VALUES ($1, $2, `)
    assert.include(sql, `$${width}), ($${width + 1}, `)
    assert.isTrue(sql.includes(`$${2 * width})`) && !sql.includes(`$${2 * width + 1}`))
    assert.include(
      sql,
      `ON CONFLICT ("conversation_id", "session_id") DO UPDATE SET "participant_id" = excluded."participant_id"`
    )
    assert.notInclude(sql, `"conversation_id" = excluded`)
    assert.strictEqual(sql.match(/= excluded\./g)!.length, width - 2)
  })

  it("uses ? placeholders for SQLite", () => {
    const sql = SqlStatements.upsert("sqlite", Flatten.table("participant_attributes"), 1)
    assert.strictEqual(
      sql,
      `INSERT INTO "participant_attributes" ("conversation_id", "participant_id", "name", "value") VALUES (?, ?, ?, ?) ON CONFLICT ("conversation_id", "participant_id", "name") DO UPDATE SET "value" = excluded."value"`
    )
    assert.strictEqual(
      SqlStatements.deleteConversations("pg", flows, 3),
      `DELETE FROM "flows" WHERE "conversation_id" IN ($1, $2, $3)`
    )
  })

  it("keeps every statement under the parameter limits of both databases", () => {
    for (const table of Flatten.tables) {
      const rows = SqlStatements.rowsPerStatement(table)
      assert.isAtMost(rows * table.columns.length, 32766)
      assert.isAtLeast(rows, 100)
    }
  })

  it("records migrations idempotently and binds booleans as SQLite can", () => {
    assert.strictEqual(
      SqlStatements.recordMigration("pg"),
      `INSERT INTO "genesys_schema_migrations" ("version", "name", "applied_at") VALUES ($1, $2, $3) ON CONFLICT ("version") DO NOTHING`
    )
    assert.include(SqlStatements.createMigrationsTable("pg"), `"applied_at" TIMESTAMPTZ NOT NULL`)
    assert.strictEqual(SqlStatements.parameter("sqlite", true), 1)
    assert.strictEqual(SqlStatements.parameter("pg", true), true)
    assert.strictEqual(SqlStatements.ident(`we"ird`), `"we""ird"`)
    const v1 = SqlStatements.migrations[0]!.statements("pg")
    assert.strictEqual(v1.filter((s) => s.startsWith("CREATE TABLE")).length, Flatten.tables.length)
  })
})
