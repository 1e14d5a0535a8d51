// Reliability suite, crash and resume: the built command extracting with --checkpoint is SIGKILLed at random moments,
// then run again with the same arguments until it exits 0; five kills into NDJSON and five into SQLite. The moment of
// each kill is chosen by watching the run's progress on disk (file-system events in the output and checkpoint
// directories, and the conversations committed in the checkpoint), from a seeded random source, so a failing schedule
// replays with the same RELIABILITY_SEED. The final output must equal the emulator's ground truth exactly: every
// conversation once, each record as served, every flattened row once.
//
// Needs the build (`npm test` builds first; alone: `npm run build -w @effect-genesys/cli`, which also bundles it).
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Child from "./ReliabilityChild.js"

const SEED = Number(process.env.RELIABILITY_SEED ?? 7_2026)
const KILLS_PER_FORMAT = 5
const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-02-02"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const DAYS = 3
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + DAYS * DAY).toISOString()}`

let scope: Scope.CloseableScope
let server: Server.Running
let truth: ReadonlyArray<string>
/** Each ground-truth conversation as the emulator serves it in job results, by id. */
let served: ReadonlyMap<string, unknown>
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-crash-"))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 23,
      startDate,
      days: DAYS,
      perDay: 80,
      // Now = eleven hours after the data ends: past the watermark and the plan's settle look-back, so every window
      // is a job (the part a checkpoint resumes by cursor).
      anchorMillis: day0 + DAYS * DAY + 11 * HOUR,
      jobs: { queueMillis: 20, runMillis: 60, runMillisPerConversation: 0 },
      rateLimit: { count: 100_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
  truth = await Effect.runPromise(server.emulator.groundTruthSync({ interval }))
  const dataset = server.emulator.dataset
  served = new Map(
    truth.map((id) => [id, JSON.parse(JSON.stringify(dataset.conversation(dataset.indexOfId(id)!))) as unknown])
  )
})

afterAll(async () => {
  Child.killAll()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

/** Conversations in the committed page files of the run's journal (part files under `ckpt/parts`). */
const committed = (checkpointDir: string): number => {
  try {
    const parts = Path.join(checkpointDir, "parts")
    return Fs.readdirSync(parts)
      .filter((f) => f.endsWith(".ndjson"))
      .reduce(
        (n, f) =>
          n +
          Fs.readFileSync(Path.join(parts, f), "utf8")
            .split("\n")
            .filter((l) => l !== "").length,
        0
      )
  } catch {
    return 0
  }
}

/** The committed pages and the partial output's size, for the log of a kill. */
const positions = (dir: string, checkpointDir: string): string => {
  try {
    const partial = Fs.readdirSync(dir).find((f) => f.endsWith(".partial"))
    return `${committed(checkpointDir)} conversations in committed pages, ${partial === undefined ? "no partial output" : `partial output ${Fs.statSync(Path.join(dir, partial)).size} bytes`}`
  } catch (error) {
    return `positions unreadable (${String(error)})`
  }
}

/**
 * The kill moment of run `n` (0-based): the first run dies at one of its first file events (before or while it saves
 * its plan and opens the output); later ones once the checkpoint has committed a random number of conversations past
 * the previous kill (never beyond 80 % of the total, so the run cannot finish first), then after 0–3 more file
 * events, so that some die between a page's write and its checkpoint, some inside a SQLite transaction.
 */
const trigger = (rng: ReturnType<typeof Child.random>, n: number, checkpointDir: string): Child.Trigger => {
  const extra = rng.int(0, 3)
  if (n === 0) {
    let events = 0
    return (file) => (++events > extra ? `early, at file event ${events} (${file})` : undefined)
  }
  const from = committed(checkpointDir)
  const ceiling = Math.floor(truth.length * 0.8)
  const left = KILLS_PER_FORMAT - n
  const threshold = Math.min(ceiling, from + 1 + rng.int(0, Math.max(0, Math.floor((ceiling - from) / left) - 1)))
  let after = -1
  return (file) => {
    if (after < 0) {
      const now = committed(checkpointDir)
      if (now < threshold) return undefined
      after = 0
    }
    return after++ >= extra
      ? `${committed(checkpointDir)} committed (threshold ${threshold}), ${extra} events later (${file})`
      : undefined
  }
}

/** Kills and re-runs the command until it exits 0; returns the log of every run. */
const extractThroughCrashes = async (name: string, out: string, seed: number) => {
  const dir = Path.join(root, name)
  const checkpoint = Path.join(dir, "ckpt")
  Fs.mkdirSync(Path.join(checkpoint, "parts"), { recursive: true })
  const args = [
    "extract",
    "--interval",
    interval,
    "--out",
    out,
    "--checkpoint",
    "ckpt",
    "--concurrency",
    "2",
    "--page-size",
    "4"
  ]
  const env = {
    GENESYS_API_URL: server.url,
    GENESYS_CLIENT_ID: "emulator-client",
    GENESYS_CLIENT_SECRET: "emulator-secret"
  }
  const rng = Child.random(seed)
  const log: Array<string> = []
  let kills = 0
  for (let run = 0; run < KILLS_PER_FORMAT + 3; run++) {
    const result = await Child.run(args, {
      cwd: dir,
      env,
      watch: [dir, checkpoint, Path.join(checkpoint, "parts")],
      trigger: kills < KILLS_PER_FORMAT ? trigger(rng, kills, checkpoint) : undefined
    })
    if (result.killed) {
      kills++
      log.push(`run ${run}: SIGKILL ${result.killedAt}; ${positions(dir, checkpoint)}`)
      continue
    }
    log.push(`run ${run}: exit ${result.code} ${result.signal ?? ""}`)
    const context = `seed ${seed}\n${log.join("\n")}\n${result.stderr}`
    assert.strictEqual(result.code, 0, context)
    assert.strictEqual(kills, KILLS_PER_FORMAT, `the extraction finished before every kill\n${context}`)
    assert.match(result.stderr, /complete\s+yes/, context)
    // A finished extraction leaves no plan, journal or pages behind: the next run of the command starts afresh.
    assert.deepStrictEqual(
      Fs.readdirSync(checkpoint).filter((f) => f !== "lock"),
      [],
      context
    )
    log.push(
      `left in ${checkpoint}: ${JSON.stringify(Fs.readdirSync(checkpoint))}; in ${dir}: ${JSON.stringify(Fs.readdirSync(dir))}`
    )
    console.info(`${name}, seed ${seed}:\n${log.join("\n")}`)
    return { dir, log: log.join("\n") }
  }
  return assert.fail(`no run exited 0 (seed ${seed})\n${log.join("\n")}`)
}

const sorted = (xs: ReadonlyArray<string>) => [...xs].sort()

describe.concurrent("genesys-analytics extract killed with SIGKILL and resumed from its checkpoint", () => {
  it("NDJSON: five kills, then exactly the ground truth, each conversation once and as served", {
    timeout: 120_000
  }, async () => {
    assert.isAbove(truth.length, 150)
    const { dir, log } = await extractThroughCrashes("ndjson", "out.ndjson", SEED)
    assert.isFalse(Fs.existsSync(Path.join(dir, "out.ndjson.partial")), log)
    const text = Fs.readFileSync(Path.join(dir, "out.ndjson"), "utf8")
    assert.isTrue(text.endsWith("\n"), log)
    const records = text
      .slice(0, -1)
      .split("\n")
      .map((line) => JSON.parse(line) as { conversationId: string })
    const ids = records.map((r) => r.conversationId)
    const seen = new Set<string>()
    const duplicates = ids.filter((id) => seen.size === seen.add(id).size)
    assert.deepStrictEqual(duplicates, [], log)
    assert.deepStrictEqual(sorted(ids), sorted(truth), log)
    for (const record of records) assert.deepStrictEqual(record, served.get(record.conversationId), log)
  })

  it("SQLite: five kills, then every ground-truth row once", { timeout: 120_000 }, async () => {
    const { dir, log } = await extractThroughCrashes("sqlite", "out.sqlite", SEED + 1)
    const expected = Flatten.flattenAll([...served.values()] as ReadonlyArray<Flatten.ConversationInput>)
    const stored = await Effect.runPromise(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const keys: Record<string, { readonly rows: number; readonly keys: ReadonlyArray<string> }> = {}
        for (const table of Flatten.tables) {
          const columns = table.primaryKey.map((c) => `"${c}"`).join(", ")
          const rows = yield* sql.unsafe<Record<string, unknown>>(`SELECT ${columns} FROM "${table.name}"`)
          keys[table.name] = { rows: rows.length, keys: rows.map((r) => Flatten.primaryKeyOf(table, r as Flatten.Row)) }
        }
        return keys
      }).pipe(Effect.provide(SqlSinkSqlite.layer({ filename: Path.join(dir, "out.sqlite") })), Effect.scoped)
    )
    for (const table of Flatten.tables) {
      const { rows, keys } = stored[table.name]!
      // Distinct keys = rows: no row twice, whatever the schema's constraints.
      assert.strictEqual(new Set(keys).size, rows, `${table.name}\n${log}`)
      const want = expected[table.name].map((row) => Flatten.primaryKeyOf(table, row))
      assert.deepStrictEqual(sorted(keys), sorted(want), `${table.name}\n${log}`)
    }
    assert.deepStrictEqual(
      sorted(stored.conversations!.keys.map((k) => (JSON.parse(k) as Array<string>)[0]!)),
      sorted(truth),
      log
    )
  })
})
