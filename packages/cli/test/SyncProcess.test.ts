// `genesys-analytics sync` as a process against a live emulator server (real time, the availability date stepping
// every two seconds): the first run is SIGKILLed right after its first cycle, the same command then runs to --until,
// and the SQLite database holds every conversation settled by then, each once, and the settled point.
//
// Needs the build (`npm test` builds first; alone: `npx tsc -b packages/cli`).
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Child from "./ReliabilityChild.js"

let scope: Scope.CloseableScope
let server: Server.Running
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-sync-"))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 53,
      days: 1,
      perDay: 3_000,
      live: { speed: 1, availabilityStepMillis: 2_000, horizonDays: 1, restatementRate: 0 },
      // Data settles seconds after it ends, so a test can wait for it.
      jobs: { availabilityLagMillis: 4_000 }
    }).pipe(Scope.extend(scope))
  )
})

afterAll(async () => {
  Child.killAll()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GENESYS_"))),
  GENESYS_API_URL: server.url,
  GENESYS_CLIENT_ID: "emulator-client",
  GENESYS_CLIENT_SECRET: "emulator-secret"
})

/** Runs the command; `killOn` may SIGKILL it when a stderr line matches. */
const sync = (args: ReadonlyArray<string>, killOn?: RegExp) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, [Child.bin, "sync", ...args], {
      cwd: root,
      env: env(),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
      if (killOn?.test(stderr)) child.kill("SIGKILL")
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })

describe("genesys-analytics sync against a live emulator", () => {
  it("SIGKILLed after its first cycle, the same command runs to --until: every settled conversation once", {
    timeout: 120_000
  }, async () => {
    const now = await Effect.runPromise(server.emulator.nowMillis)
    const from = new Date(Math.floor(now / 86_400_000) * 86_400_000 - 86_400_000).toISOString()
    const until = new Date(now + 8_000).toISOString()
    const args = [
      "--from",
      from,
      "--until",
      until,
      "--out",
      "live.sqlite",
      "--poll-seconds",
      "1",
      "--tail-every",
      "0.05",
      "--restatement-hours",
      "0.5"
    ]
    const killed = await sync(args, /sync cycle 0:/)
    assert.strictEqual(killed.signal, "SIGKILL", killed.stderr)
    const done = await sync(args)
    assert.strictEqual(done.code, 0, done.stderr)
    assert.match(done.stderr, /sync done: settled until/)
    assert.match(done.stderr, /sync: listening to the availability topic \(channel \S+\)/)
    const settledUntil = /settled until (\S+)\n/.exec(done.stderr.split("sync done")[1]!)![1]!
    assert.isAtLeast(Date.parse(settledUntil), Date.parse(until), done.stderr)

    const { ids, stored } = await Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const rows = yield* sql<{ readonly conversation_id: string }>`SELECT "conversation_id" FROM "conversations"`
        const state = yield* sql<{ readonly settled_until: string }>`SELECT settled_until FROM genesys_sync_state`
        return { ids: rows.map((r) => r.conversation_id), stored: state.map((r) => r.settled_until) }
      }).pipe(Effect.provide(SqlSinkSqlite.layer({ filename: Path.join(root, "live.sqlite") })), Effect.scoped)
    )
    assert.deepStrictEqual(stored, [settledUntil])
    assert.strictEqual(new Set(ids).size, ids.length)
    // Everything a job would return now for [from, until) that had ended by the settled point is in the database.
    const settled = await Effect.runPromise(server.emulator.groundTruthSettled({ interval: `${from}/${until}` }))
    const inDatabase = new Set(ids)
    const settledBy = settled.filter((c) => Date.parse(c.conversationEnd ?? "9999") <= Date.parse(settledUntil))
    assert.isAbove(settledBy.length, 100)
    const missing = settledBy.filter((c) => !inDatabase.has(c.conversationId)).map((c) => c.conversationId)
    assert.deepStrictEqual(missing, [], done.stderr)
  })
})
