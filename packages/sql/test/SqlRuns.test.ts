// The run table: a run is `running` from its first batch, each batch adds to its count in the same transaction, and
// only `finishRun(..., "complete")` marks it complete, on SQLite and on Postgres (PGlite over the wire protocol).
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { SqlClient } from "@effect/sql"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import * as SqlSink from "../src/SqlSink.js"
import * as SqlStatements from "../src/SqlStatements.js"
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
    lifecycle.pipe(Effect.provide(SqlSink.layerSqlite({ filename: path.join(root, "runs.sqlite") })))
  )

  it.scoped(
    "Postgres: the same statements",
    () =>
      lifecycle.pipe(
        Effect.provide(
          Layer.unwrapScoped(
            Effect.gen(function* () {
              const db = yield* Effect.acquireRelease(
                Effect.promise(() => PGlite.create()),
                (db) => Effect.promise(() => db.close())
              )
              const server = yield* Effect.acquireRelease(
                Effect.promise(async () => {
                  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 })
                  await server.start()
                  return server
                }),
                (server) => Effect.promise(() => server.stop())
              )
              const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address()
              return SqlSink.layerPg({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, maxConnections: 1 })
            })
          )
        )
      ),
    60_000
  )
})
