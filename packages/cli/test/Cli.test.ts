// The command end to end: `node packages/cli/dist/bin.js` as a child process against the emulator served over
// loopback HTTP from this process. Needs the build (`npm test` builds first; alone: `npm run build -w @effect-genesys/cli`, which also bundles it).
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as SqlSinkPg from "@effect-genesys/sql/SqlSinkPg"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as TestPostgres from "@effect-genesys/test-postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-01-05"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + 2 * DAY).toISOString()}`

let scope: Scope.CloseableScope
let server: Server.Running
let truth: ReadonlyArray<string>
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-e2e-"))

const serverOptions: Server.Options = {
  port: 0,
  seed: 5,
  startDate,
  days: 2,
  perDay: 40,
  // Emulator "now" eleven hours after the data ends: the watermark (now - 2 h) minus the plan's 8-hour settle
  // look-back is past the data, so every window is a job.
  anchorMillis: day0 + 2 * DAY + 11 * HOUR,
  jobs: { queueMillis: 50, runMillis: 100, runMillisPerConversation: 0 },
  rateLimit: { count: 10_000, windowSeconds: 60 }
}

/**
 * An emulator of its own, with the same data as the shared one, for a test that sets faults or reads the requests:
 * the other tests of the file run beside it on the shared one.
 */
const ownServer = () => Effect.runPromise(Server.start(serverOptions).pipe(Scope.extend(scope)))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(Server.start(serverOptions).pipe(Scope.extend(scope)))
  truth = await Effect.runPromise(server.emulator.groundTruthSync({ interval }))
})

// Children still running when the file ends (a failed assertion before a kill) are stopped here.
const children = new Set<ChildProcess.ChildProcess>()
const track = <C extends ChildProcess.ChildProcess>(child: C): C => {
  children.add(child)
  child.on("close", () => children.delete(child))
  return child
}

// One real Postgres server on 127.0.0.1 for the file (@effect-genesys/test-postgres), started by the first test that
// needs it and stopped with the file's scope; each test gets a database of its own.
let postgres: Promise<TestPostgres.Server> | undefined
const postgresDatabase = async (name: string): Promise<string> => {
  postgres ??= Effect.runPromise(TestPostgres.start().pipe(Scope.extend(scope)))
  const server = await postgres
  return Effect.runPromise(
    TestPostgres.createDatabase(name).pipe(Effect.provideService(TestPostgres.TestPostgres, server))
  )
}

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const env = (overrides: Record<string, string> = {}) => {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) base[k] = v
  return {
    ...base,
    GENESYS_API_URL: server.url,
    GENESYS_CLIENT_ID: "emulator-client",
    GENESYS_CLIENT_SECRET: "emulator-secret",
    ...overrides
  }
}

/** Runs the command; async so that the emulator in this process keeps answering. */
const cli = (args: ReadonlyArray<string>, overrides: Record<string, string> = {}): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = track(
      ChildProcess.spawn(process.execPath, [bin, ...args], {
        cwd: root,
        env: env(overrides),
        stdio: ["ignore", "pipe", "pipe"]
      })
    )
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

// Child processes on a shared 2-core machine: allow for slow starts.
const slow = { timeout: 60_000 }

const file = (name: string) => Path.join(root, name)
const ndjsonIds = (path: string) =>
  Fs.readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { conversationId: string }).conversationId)
const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

/** The NDJSON extraction that writes audit.jsonl: asserted by one test, its audit log verified by another. */
let audited: Promise<Result> | undefined
const auditedRun = () =>
  (audited ??= cli(["extract", "--interval", interval, "--out", "out.ndjson", "--audit", "audit.jsonl"]))

const sqliteCounts = (path: string) =>
  Effect.runPromise(Effect.scoped(Effect.provide(SqlSink.counts, SqlSinkSqlite.layer({ filename: path }))))

// Every test of the file runs concurrently with the others (up to the project's maxConcurrency): the two that set
// faults or read the request log have an emulator of their own, and the one that reads another's output waits for it.
describe.concurrent("genesys-analytics extract with --checkpoint and --dry-run", () => {
  it("with --checkpoint, a failed run exits 4 and the same command resumes it without duplicates", slow, async () => {
    const own = await ownServer()
    const api = { GENESYS_API_URL: own.url }
    // The second results page of a job is refused (a stale cursor, 400): the run stops after committing page one.
    await Effect.runPromise(
      own.emulator.setFaults({
        script: [
          {
            method: "GET",
            path: "/api/v2/analytics/conversations/details/jobs/*/results",
            nth: 2,
            times: 1_000,
            fault: { kind: "staleCursor", mode: "reject" }
          }
        ]
      })
    )
    const args = [
      "extract",
      "--interval",
      interval,
      "--out",
      "resumed.ndjson",
      "--checkpoint",
      "ckpt",
      "--concurrency",
      "1",
      "--page-size",
      "10"
    ]
    const failed = await cli(args, api)
    await Effect.runPromise(own.emulator.setFaults(undefined))
    assert.strictEqual(failed.code, 4, failed.stderr)
    assert.match(
      failed.stderr,
      /extraction failed: .*pages read so far are kept in ckpt\/parts; resumed\.ndjson is written when the run completes.*run the same command again to resume/
    )
    assert.isTrue(Fs.existsSync(file("ckpt/plan.json")))
    assert.isTrue(Fs.existsSync(file("ckpt/journal.sqlite")))
    // The first job's first page was committed before the stale cursor stopped the run; nothing is in the output yet.
    assert.isAbove(Fs.readdirSync(file("ckpt/parts")).length, 0)
    assert.isFalse(Fs.existsSync(file("resumed.ndjson")))

    const resumed = await cli(args, api)
    assert.strictEqual(resumed.code, 0, resumed.stderr)
    const ids = ndjsonIds(file("resumed.ndjson"))
    assert.strictEqual(new Set(ids).size, ids.length)
    assert.deepStrictEqual(sorted(ids), sorted(truth))
    assert.isFalse(Fs.existsSync(file("ckpt/plan.json")))
    assert.isFalse(Fs.existsSync(file("ckpt/journal.sqlite")))
    assert.isFalse(Fs.existsSync(file("ckpt/parts")))
  })

  it("--dry-run prints the plan and submits no job", slow, async () => {
    const own = await ownServer()
    const result = await cli(["extract", "--interval", interval, "--dry-run", "--out", "never.ndjson"], {
      GENESYS_API_URL: own.url
    })
    assert.strictEqual(result.code, 0, result.stderr)
    // The volume (one aggregate query) is less than a results page: one job window, with its estimate.
    assert.match(result.stdout, /windows\s+1 \(1 jobs, 0 sync queries\)/)
    assert.match(
      result.stdout,
      /job-000\s+job\s+2026-01-05T00:00:00.000Z\/2026-01-07T00:00:00.000Z\s+~\d+ conversations/
    )
    const requests = await Effect.runPromise(own.emulator.requests)
    assert.isTrue(requests.some((r) => r.path.endsWith("/details/jobs/availability")))
    assert.strictEqual(requests.filter((r) => r.path.endsWith("/aggregates/query")).length, 1)
    assert.isFalse(requests.some((r) => r.method === "POST" && r.path.endsWith("/details/jobs")))
    assert.isFalse(Fs.existsSync(file("never.ndjson")))
  })
})

describe.concurrent("genesys-analytics extract", () => {
  it("writes NDJSON equal to the emulator's ground truth, with the summary on stderr", slow, async () => {
    assert.isAbove(truth.length, 40)
    const result = await auditedRun()
    assert.strictEqual(result.code, 0, result.stderr)
    assert.deepStrictEqual(sorted(ndjsonIds(file("out.ndjson"))), sorted(truth))
    assert.isFalse(Fs.existsSync(file("out.ndjson.partial")))
    assert.match(result.stderr, /complete\s+yes/)
    assert.match(result.stderr, new RegExp(`conversations\\s+${truth.length} in`))
    assert.strictEqual(result.stdout, "")
  })

  it("writes one CSV file per table; the conversations table holds the ground truth", slow, async () => {
    const result = await cli(["extract", "--interval", interval, "--out", "csv", "--format", "csv"])
    assert.strictEqual(result.code, 0, result.stderr)
    const lines = Fs.readFileSync(file("csv/conversations.csv"), "utf8")
      .split("\r\n")
      .filter((l) => l !== "")
    assert.strictEqual(lines[0]!.split(",")[0], "conversation_id")
    assert.deepStrictEqual(sorted(lines.slice(1).map((l) => l.split(",")[0]!)), sorted(truth))
    assert.include(Fs.readdirSync(file("csv")), "segments.csv")
    assert.isFalse(Fs.readdirSync(file("csv")).some((f) => f.endsWith(".partial")))
  })

  it("writes SQLite, and a re-run upserts the same rows instead of duplicating them", slow, async () => {
    const first = await cli(["extract", "--interval", interval, "--out", "db.sqlite"])
    assert.strictEqual(first.code, 0, first.stderr)
    const counts = await sqliteCounts(file("db.sqlite"))
    assert.strictEqual(counts.conversations, truth.length)
    assert.isAbove(counts.segments, truth.length)
    const second = await cli(["extract", "--interval", interval, "--out", "db.sqlite", "--format", "sqlite"])
    assert.strictEqual(second.code, 0, second.stderr)
    assert.deepStrictEqual(await sqliteCounts(file("db.sqlite")), counts)
  })

  it(
    "writes Postgres over the wire, and a re-run upserts the same rows instead of duplicating them",
    slow,
    async () => {
      const url = await postgresDatabase("cli_extract")
      const pgCounts = () =>
        Effect.runPromise(Effect.scoped(Effect.provide(SqlSink.counts, SqlSinkPg.layer({ url, maxConnections: 1 }))))
      const first = await cli(["extract", "--interval", interval, "--format", "postgres", "--out", url])
      assert.strictEqual(first.code, 0, first.stderr)
      const counts = await pgCounts()
      assert.strictEqual(counts.conversations, truth.length)
      assert.isAbove(counts.segments, truth.length)
      const second = await cli(["extract", "--interval", interval, "--format", "postgres", "--out", url])
      assert.strictEqual(second.code, 0, second.stderr)
      assert.deepStrictEqual(await pgCounts(), counts)
    }
  )

  it("--where filters are applied: only matching conversations are written", slow, async () => {
    const where = "mediaType = voice"
    const result = await cli(["extract", "--interval", interval, "--where", where, "--out", "voice.ndjson"])
    assert.strictEqual(result.code, 0, result.stderr)
    const expected = await Effect.runPromise(
      server.emulator.groundTruthSync({
        interval,
        segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }]
      })
    )
    const ids = ndjsonIds(file("voice.ndjson"))
    assert.isBelow(ids.length, truth.length)
    assert.deepStrictEqual(sorted(ids), sorted(expected))
  })
})

describe.concurrent("genesys-analytics bad input", () => {
  it("an unknown flag exits 2 naming it", slow, async () => {
    const result = await cli(["extract", "--interval", interval, "--bogus"])
    assert.strictEqual(result.code, 2)
    assert.match(result.stderr, /^genesys-analytics: .*'--bogus'.* \(see genesys-analytics --help\)\n$/)
    assert.notInclude(result.stderr, "    at ")
  })

  it("--wizard with no terminal on standard input exits 2 instead of waiting for answers", slow, async () => {
    const result = await cli(["--wizard"])
    assert.strictEqual(result.code, 2)
    assert.match(result.stderr, /^genesys-analytics: --wizard asks its questions on a terminal.*\n$/)
  })

  it("a bad --where exits 2 with one line pointing at the column", slow, async () => {
    const result = await cli(["extract", "--interval", interval, "--where", "mediaType = voice and and"])
    assert.strictEqual(result.code, 2)
    assert.match(result.stderr, /^genesys-analytics: invalid --where expression: .* \(column 23\)\n$/)
  })

  it(
    "a malformed interval, an unreadable query file and an unwritable output each exit 2 with one line",
    slow,
    async () => {
      const cases = [
        [["extract", "--interval", "2026-01-05/yesterday"], /--interval: invalid interval/],
        [["extract", "--interval", interval, "--query", "missing.json"], /cannot read --query missing\.json/],
        [
          ["extract", "--interval", interval, "--out", "no/such/dir/out.ndjson"],
          /directory no\/such\/dir does not exist/
        ]
      ] as const
      for (const [i, [args]] of cases.entries()) {
        const result = await cli(args)
        assert.strictEqual(result.code, 2, result.stderr)
        assert.match(result.stderr, cases[i]![1])
        assert.strictEqual(result.stderr.trimEnd().split("\n").length, 1, result.stderr)
      }
    }
  )

  it("a query the validator refuses exits 2 and names the path", slow, async () => {
    Fs.writeFileSync(
      file("bad-query.json"),
      JSON.stringify({ segmentFilters: [{ type: "nand", predicates: [{ dimension: "mediaType", value: "voice" }] }] })
    )
    const result = await cli(["extract", "--interval", interval, "--query", "bad-query.json", "--out", "x.ndjson"])
    assert.strictEqual(result.code, 2, result.stderr)
    assert.match(result.stderr, /invalid query: \$\.segmentFilters\[0\]\.type/)
  })

  it("a query with warnings only runs and prints each warning on stderr; --strict exits 2", slow, async () => {
    Fs.writeFileSync(
      file("odd-query.json"),
      JSON.stringify({ segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaTyp", value: "voice" }] }] })
    )
    const args = ["query", "--interval", "2026-01-05T00:00:00Z/2026-01-05T06:00:00Z", "--query", "odd-query.json"]
    const lenient = await cli(args)
    assert.strictEqual(lenient.code, 0, lenient.stderr)
    assert.match(
      lenient.stderr,
      /^genesys-analytics: warning: \$\.segmentFilters\[0\]\.predicates\[0\]\.dimension: "mediaTyp" is not a known segment dimension.*\(did you mean "mediaType"\?\) \[vocabulary\.dimension\]$/m
    )
    assert.notInclude(lenient.stdout, "warning")
    const strict = await cli([...args, "--strict"])
    assert.strictEqual(strict.code, 2, strict.stderr)
    assert.match(strict.stderr, /invalid query: \$\.segmentFilters\[0\]\.predicates\[0\]\.dimension/)
  })

  it("rejected credentials exit 3 without echoing the secret", slow, async () => {
    const rejected = await cli(["availability"], { GENESYS_CLIENT_SECRET: "not-the-secret" })
    assert.strictEqual(rejected.code, 3)
    assert.match(rejected.stderr, /^genesys-analytics: authentication failed/)
    assert.notInclude(rejected.stderr, "not-the-secret")
  })
})

describe.concurrent("genesys-analytics audit verify", () => {
  it("exits 0 on the log the NDJSON extraction wrote and 1 naming the line of a tampered copy", slow, async () => {
    const extraction = await auditedRun()
    assert.strictEqual(extraction.code, 0, extraction.stderr)
    const good = await cli(["audit", "verify", "audit.jsonl"])
    assert.strictEqual(good.code, 0, good.stderr)
    assert.match(good.stdout, /^ok: \d+ records in 1 run, head [0-9a-f]{64}\n$/)

    const lines = Fs.readFileSync(file("audit.jsonl"), "utf8").split("\n")
    lines[2] = lines[2]!.replace(/"seq":\d+/, (m) => `${m}0`)
    Fs.writeFileSync(file("tampered.jsonl"), lines.join("\n"))
    const bad = await cli(["audit", "verify", "tampered.jsonl"])
    assert.strictEqual(bad.code, 1)
    assert.match(bad.stderr, /tampered\.jsonl: line 3: /)
  })
})

describe.concurrent("genesys-analytics query, jobs, availability", () => {
  it("query prints a page table; availability prints the watermark", slow, async () => {
    const day = `${startDate}T00:00:00.000Z/${startDate}T12:00:00.000Z`
    const table = await cli(["query", "--interval", day, "--format", "table", "--page-size", "5"])
    const availability = await cli(["availability"])
    const expected = await Effect.runPromise(server.emulator.groundTruthSync({ interval: day }))
    assert.strictEqual(table.code, 0, table.stderr)
    assert.include(table.stdout, `${expected.length} conversations (totalHits ${expected.length})`)
    assert.strictEqual(availability.code, 0, availability.stderr)
    // The emulator clock runs from its anchor (data end + 11 h); jobs see data up to two hours before its now.
    const watermark = Date.parse(availability.stdout.trim()) - (day0 + 2 * DAY + 9 * HOUR)
    assert.isTrue(watermark >= 0 && watermark < 10 * 60_000, availability.stdout)
  })
})

describe.concurrent("genesys-analytics emulator and demo", () => {
  it("emulator serves until SIGTERM and exits 0", slow, async () => {
    const child = track(
      ChildProcess.spawn(process.execPath, [bin, "emulator", "--port", "0", "--days", "1", "--per-day", "5"], {
        env: env(),
        stdio: ["ignore", "pipe", "pipe"]
      })
    )
    const url = await new Promise<string>((resolve, reject) => {
      let out = ""
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString()
        if (out.includes("\n")) resolve(out.trim())
      })
      child.on("error", reject)
      child.on("close", () => reject(new Error(`emulator exited before printing its URL: ${out}`)))
    })
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
    const response = await fetch(`${url}/api/v2/analytics/conversations/details/jobs/availability`)
    assert.strictEqual(response.status, 401)
    const code = await new Promise<number | null>((resolve) => {
      child.on("close", (c) => resolve(c))
      child.kill("SIGTERM")
    })
    assert.strictEqual(code, 0)
  })

  it("demo extracts into NDJSON and SQLite, verifies the audit chain and exits 0 (small settings)", slow, async () => {
    const result = await cli(["demo", "--out", "demo", "--days", "3", "--per-day", "20"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.match(result.stdout, /audit\s+chain verified/)
    assert.match(result.stdout, /demo done in/)
    const n = ndjsonIds(file("demo/conversations.ndjson")).length
    assert.isAbove(n, 0)
    assert.strictEqual((await sqliteCounts(file("demo/conversations.sqlite"))).conversations, n)
  })
})
