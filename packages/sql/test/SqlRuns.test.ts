// The run table: a run is `running` from its first batch, each batch adds to its count in the same transaction, and
// only `finishRun(..., "complete")` marks it complete, on SQLite and on Postgres (a real server).
import { SqlClient } from "@effect/sql"
import { afterAll, assert, describe, it, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqlSink from "../src/SqlSink.js"
import * as SqlSinkSqlite from "../src/SqlSinkSqlite.js"
import * as SqlStatements from "../src/SqlStatements.js"
import { postgresDatabase, postgresServer } from "./PostgresServer.js"
import { conversations } from "./SqlFixtures.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sqlruns-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))

const lifecycle = Effect.gen(function* () {
  yield* SqlSink.migrate
  const start = {
    runId: "run-1",
    planHash: "hash-1",
    interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
    windows: 3
  }
  yield* SqlSink.startRun(start)
  const sink = yield* SqlSink.make({ runId: "run-1" })
  yield* sink.open(Option.none())
  yield* sink.write(conversations(4))
  yield* sink.write(conversations(2))
  const running = yield* SqlSink.runs
  assert.strictEqual(running.length, 1)
  assert.strictEqual(running[0]!.status, "running")
  assert.strictEqual(running[0]!.conversations, 6)
  assert.strictEqual(running[0]!.finishedAt, null)
  yield* SqlSink.finishRun("run-1", "interrupted", "interrupted after 1/3 windows")
  yield* SqlSink.startRun({ ...start, runId: "run-2" })
  yield* SqlSink.finishRun("run-2", "complete")
  const all = yield* SqlSink.runs
  const byId = new Map(all.map((r) => [r.runId, r]))
  assert.strictEqual(byId.get("run-1")!.status, "interrupted")
  assert.strictEqual(byId.get("run-1")!.detail, "interrupted after 1/3 windows")
  assert.strictEqual(byId.get("run-2")!.status, "complete")
  assert.isNotNull(byId.get("run-2")!.finishedAt)
  assert.strictEqual(byId.get("run-2")!.windows, 3)
  // An unknown status is refused by the table itself.
  const sql = yield* SqlClient.SqlClient
  const bad = yield* Effect.either(sql.unsafe(`UPDATE ${SqlStatements.runsTable} SET status = 'done'`))
  assert.isTrue(bad._tag === "Left")
})

describe("SqlSink run table", () => {
  it.effect("SQLite: running, counted per batch, then interrupted or complete", () =>
    lifecycle.pipe(Effect.provide(SqlSinkSqlite.layer({ filename: path.join(root, "runs.sqlite") })))
  )
})

layer(postgresServer, { excludeTestServices: true })("SqlSink run table (Postgres server)", (it) => {
  it.effect("Postgres: the same statements", () => lifecycle.pipe(Effect.provide(postgresDatabase("runs"))))
})
