// The built command against a hostile server (HostileServer.ts: written from FACTS, not the emulator), one fault per
// run. Every case ends one of two ways: exit 0 with the output exactly the server's data, or a non-zero exit with a
// clear message and the output marked incomplete (no file under the final name; a SQL run not `complete`). No run
// prints the client secret, the Basic credentials or a token. Plus the CLI's own guards: concurrent runs on one
// --out, device and directory outputs, signals with the resume hint, reconciliation, and a full disk.
//
// Short budgets keep it fast: request timeout 2 s, retry budget 3 s (GENESYS_REQUEST_TIMEOUT, GENESYS_RETRY_BUDGET).
// Needs the build (`npm run build -w @effect-genesys/cli`, which also bundles it).
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as H from "./HostileServer.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const DAY = 86_400_000
const ID = "hostile-client"
const SECRET = "hostile-Secret-0123456789abcdef"
const BASIC = Buffer.from(`${ID}:${SECRET}`).toString("base64")
// Two settled UTC days, three days back: jobs when availability is now, sync queries when it is their start.
const day0 = Math.floor(Date.now() / DAY) * DAY - 3 * DAY
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + 2 * DAY).toISOString()}`
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-hostile-"))
const slow = { timeout: 30_000 }

const children = new Set<ChildProcess.ChildProcess>()
const servers = new Set<H.Running>()
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Promise.all([...servers].map((s) => s.close()))
  Fs.rmSync(root, { recursive: true, force: true })
})

let dirs = 0
const freshDir = () => {
  const dir = Path.join(root, `case-${++dirs}`)
  Fs.mkdirSync(dir)
  return dir
}

const serve = async (options: Partial<H.Options> = {}) => {
  const server = await H.start({
    clientId: ID,
    clientSecret: SECRET,
    day0,
    days: 2,
    perDay: 30,
    mode: "settled",
    ...options
  })
  servers.add(server)
  return server
}

interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

const env = (server: H.Running, extra: Record<string, string> = {}) => {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) base[k] = v
  return {
    ...base,
    GENESYS_API_URL: server.url,
    GENESYS_CLIENT_ID: ID,
    GENESYS_CLIENT_SECRET: SECRET,
    GENESYS_REQUEST_TIMEOUT: "2 seconds",
    GENESYS_RETRY_BUDGET: "3 seconds",
    GENESYS_JOB_TIMEOUT: "20 seconds",
    ...extra
  }
}

/** Starts the command; `done` settles when it exits. */
const spawn = (server: H.Running, args: ReadonlyArray<string>, cwd: string, extra?: Record<string, string>) => {
  const child = ChildProcess.spawn(process.execPath, [bin, ...args], {
    cwd,
    env: env(server, extra),
    stdio: ["ignore", "pipe", "pipe"]
  })
  children.add(child)
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => {
    stdout += d.toString()
  })
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString()
  })
  const done = new Promise<Result>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code) => {
      children.delete(child)
      resolve({ code, stdout, stderr })
    })
  })
  return { child, done }
}

const extract = (
  server: H.Running,
  cwd: string,
  out: string,
  more: ReadonlyArray<string> = [],
  extra?: Record<string, string>
) => spawn(server, ["extract", "--interval", interval, "--out", out, "--page-size", "25", ...more], cwd, extra).done

const lastLine = (r: Result) => r.stderr.trimEnd().split("\n").pop() ?? ""

/** No secret, Basic value or issued token anywhere in what the command printed. */
const assertNoSecrets = (server: H.Running, r: Result) => {
  const printed = r.stdout + r.stderr
  for (const secret of [SECRET, BASIC, BASIC.replace(/=+$/, ""), `${ID}:${SECRET}`, ...server.tokens]) {
    assert.notInclude(printed, secret, "a secret was printed")
  }
}

const byId = (records: ReadonlyArray<Record<string, unknown>>) =>
  [...records].sort((a, b) => String(a.conversationId).localeCompare(String(b.conversationId)))

/** Exit 0 and the NDJSON file equal to the server's data, nothing left beside it. */
const assertExact = (server: H.Running, r: Result, file: string) => {
  assert.strictEqual(r.code, 0, r.stderr)
  const lines = Fs.readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
  assert.deepStrictEqual(byId(lines.map((l) => JSON.parse(l) as Record<string, unknown>)), byId(server.data))
  assert.isFalse(Fs.existsSync(`${file}.partial`), "no partial file after success")
  assert.isFalse(Fs.existsSync(`${file}.lock`), "lock removed")
  assertNoSecrets(server, r)
}

/** A non-zero exit with the message, no file under the final name. */
const assertIncomplete = (
  server: H.Running,
  r: Result,
  file: string,
  code: number | ReadonlyArray<number>,
  message: RegExp
) => {
  const codes = typeof code === "number" ? [code] : code
  assert.include(codes, r.code, r.stderr)
  assert.match(r.stderr, message)
  assert.match(lastLine(r), /^genesys-analytics: /, "one clear line at the end")
  assert.notMatch(r.stderr, /internal error|\[object Object\]/)
  assert.isFalse(Fs.existsSync(file), "no output under its final name")
  assert.isFalse(Fs.existsSync(`${file}.lock`), "lock removed")
  assertNoSecrets(server, r)
}

/** Either of the two allowed endings. */
const assertExactOrIncomplete = (server: H.Running, r: Result, file: string) =>
  r.code === 0 ? assertExact(server, r, file) : assertIncomplete(server, r, file, [2, 3, 4], /genesys-analytics: .+/)

const count = (server: H.Running, endpoint: H.Endpoint) => server.requests.filter((r) => r.endpoint === endpoint).length

const sqliteRuns = (file: string) =>
  Effect.runPromise(Effect.scoped(Effect.provide(SqlSink.runs, SqlSinkSqlite.layer({ filename: file }))))

describe.concurrent("hostile server: baseline", () => {
  it("jobs: NDJSON exactly the server's data, exit 0", slow, async () => {
    const server = await serve()
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertExact(server, r, Path.join(dir, "out.ndjson"))
    assert.isAtLeast(count(server, "results"), 4, "paged at 25")
  })

  it("sync queries (fresh data, two pages a day): exact, exit 0", slow, async () => {
    const server = await serve({ mode: "fresh", perDay: 130 })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertExact(server, r, Path.join(dir, "out.ndjson"))
    assert.strictEqual(count(server, "submit"), 0)
    assert.isAtLeast(count(server, "query"), 4)
  })

  it("SQLite: every conversation once, the run recorded complete", slow, async () => {
    const server = await serve()
    const dir = freshDir()
    const r = await extract(server, dir, "out.sqlite")
    assert.strictEqual(r.code, 0, r.stderr)
    const file = Path.join(dir, "out.sqlite")
    const counts = await Effect.runPromise(
      Effect.scoped(Effect.provide(SqlSink.counts, SqlSinkSqlite.layer({ filename: file })))
    )
    assert.strictEqual(counts.conversations, server.data.length)
    const runs = await sqliteRuns(file)
    assert.deepStrictEqual(
      runs.map((run) => [run.status, run.conversations, run.windows]),
      [["complete", server.data.length, 2]]
    )
  })
})

describe.concurrent("hostile server: bodies, statuses, hangs (transient faults are ridden out, exact exit 0)", () => {
  const transient: ReadonlyArray<readonly [string, H.Fault, Partial<H.Options>?]> = [
    ["a truncated results page", H.truncated("results", 2)],
    ["an HTML results page", H.html("results", 1)],
    ["two 503s on a results page", H.status("results", [1, 2], 503)],
    ["a 503 on job status", H.status("status", 1, 503)],
    ["a results page that never answers (request timeout)", H.hang("results", 1)],
    [
      "a connection dropped mid-body",
      H.on("results", 1, (call) => ({ ...(call.normal() as { status: number; body: string }), dropMidBody: true }))
    ],
    ["a 502 on the token endpoint", H.status("token", 1, 502)],
    ["a sync page truncated", H.truncated("query", 2), { mode: "fresh", perDay: 130 }],
    ["a truncated token response", H.truncated("token", 1)],
    ["an HTML availability page", H.html("availability", 1)]
  ]
  for (const [name, fault, options] of transient) {
    it(name, slow, async () => {
      const server = await serve({ fault, ...options })
      const dir = freshDir()
      assertExact(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
    })
  }
})

describe.concurrent("hostile server: persistent faults end non-zero with the output marked incomplete", () => {
  it("a 5xx storm on results outlasting the retry budget: exit 4, the server error named", slow, async () => {
    const server = await serve({ fault: H.status("results", "all", 503) })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(
      server,
      r,
      Path.join(dir, "out.ndjson"),
      4,
      /extraction failed: .*(503|Service unavailable|server)/i
    )
  })

  it("a sync query refused with 400: exit 4 naming Genesys' message", slow, async () => {
    const server = await serve({ mode: "fresh", fault: H.status("query", "all", 400, "Invalid interval for query") })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(
      server,
      r,
      Path.join(dir, "out.ndjson"),
      4,
      /Genesys refused the request: .*Invalid interval for query/
    )
  })

  it("repeated cursors: exit 4, paging stalled", slow, async () => {
    // Every page after the first points back at the second page: paging would never end.
    const server = await serve({
      fault: H.mapBody("results", "all", (body) => ({ ...body, cursor: Buffer.from("25").toString("base64url") }))
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /extraction failed: .*(cursor|stalled|already seen)/i)
  })

  it("a job submission answered 400: exit 4", slow, async () => {
    const server = await serve({ fault: H.status("submit", "all", 400, "Query interval too long") })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /Query interval too long/)
  })

  it("token refused (401 echoing the Basic header and secret): exit 3, nothing printed of either", slow, async () => {
    const server = await serve({
      fault: H.on("token", "all", () => ({
        status: 401,
        body: JSON.stringify({
          error: "invalid_client",
          description: `bad client Basic ${BASIC} (${ID}:${SECRET})`,
          error_description: `secret ${SECRET} refused`
        })
      }))
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 3, /authentication failed/)
  })

  it("an error body echoing the bearer token, the Basic value and the secret: exit 4, none printed", slow, async () => {
    const server = await serve({
      mode: "fresh",
      fault: H.on("query", "all", (call) =>
        H.errorBody(400, `bad request from Bearer ${call.token} / Basic ${BASIC} / ${SECRET} / ${ID}:${SECRET}`)
      )
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(
      server,
      r,
      Path.join(dir, "out.ndjson"),
      4,
      /Genesys refused the request: .*bad request from Bearer \[REDACTED\] \/ Basic \[REDACTED\]/
    )
    assert.isAbove(server.tokens.length, 0)
  })

  it("a results page whose conversations is a string: exit 4", slow, async () => {
    const server = await serve({ fault: H.mapBody("results", "all", (body) => ({ ...body, conversations: "oops" })) })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /extraction failed: /)
  })

  const wrongTypes: ReadonlyArray<readonly [string, H.Fault, Partial<H.Options>?]> = [
    [
      "a job status in a state FACTS does not know",
      H.mapBody("status", "all", (body) => ({ ...body, state: "WEIRD" }))
    ],
    ["a results cursor that is a number", H.mapBody("results", "all", (body) => ({ ...body, cursor: 42 }))],
    [
      "a sync query totalHits that is a string",
      H.mapBody("query", "all", (body) => ({ ...body, totalHits: "many" })),
      { mode: "fresh" }
    ]
  ]
  for (const [name, fault, options] of wrongTypes) {
    it(`${name}: exit 4`, slow, async () => {
      const server = await serve({ fault, ...options })
      const dir = freshDir()
      const r = await extract(server, dir, "out.ndjson")
      assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /genesys-analytics: /)
    })
  }

  it("an empty body on job submission (never retried blindly): exact or a clear failure", slow, async () => {
    const server = await serve({ fault: H.empty("submit", 1) })
    const dir = freshDir()
    assertExactOrIncomplete(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
  })

  it("a token response without access_token: non-zero, a clear message", slow, async () => {
    const server = await serve({
      fault: H.on("token", "all", () => ({
        status: 200,
        body: JSON.stringify({ token_type: "bearer", expires_in: 3600 })
      }))
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(
      server,
      r,
      Path.join(dir, "out.ndjson"),
      [3, 4],
      /genesys-analytics: .*(token|auth|decode|Decode)/i
    )
  })

  it("a token that expires at once (expires_in 0): exact or a clear failure, never a wrong file", slow, async () => {
    const server = await serve({
      fault: H.mapBody("token", "all", (body) => ({ ...body, expires_in: 0 }))
    })
    const dir = freshDir()
    assertExactOrIncomplete(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
  })

  it(
    "--reconcile when the sync query counts one more than was served: exit 4, the file moved back to .partial",
    slow,
    async () => {
      const server = await serve({
        fault: H.mapBody("query", "all", (body) => ({ ...body, totalHits: Number(body.totalHits) + 1 }))
      })
      const dir = freshDir()
      const file = Path.join(dir, "out.ndjson")
      const r = await extract(server, dir, "out.ndjson", ["--reconcile"])
      assertIncomplete(server, r, file, 4, /reconciliation failed: .* has 30 conversations, the sync query counts 31/)
      assert.isTrue(Fs.existsSync(`${file}.partial`))
    }
  )

  it("--reconcile into SQLite below the threshold: exit 4, the run recorded failed", slow, async () => {
    const server = await serve({
      fault: H.mapBody("query", "all", (body) => ({ ...body, totalHits: Number(body.totalHits) + 1 }))
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.sqlite", ["--reconcile"])
    assert.strictEqual(r.code, 4, r.stderr)
    const runs = await sqliteRuns(Path.join(dir, "out.sqlite"))
    assert.strictEqual(runs[0]!.status, "failed")
    assert.match(runs[0]!.detail ?? "", /reconciliation failed/)
  })
})

describe.concurrent("hostile server: needs the library fixes of issue 13 (empty bodies, record checks, job cancel)", () => {
  const transient: ReadonlyArray<readonly [string, H.Fault, Partial<H.Options>?]> = [
    ["an empty 200 results page is retried, not read as the last page", H.empty("results", 2)],
    ["an empty availability body is retried, not a plan of sync queries", H.empty("availability", 1)],
    ["an empty job status body is retried", H.empty("status", 1)],
    ["an empty token body is retried", H.empty("token", 1)],
    ["an empty sync page is retried", H.empty("query", 2), { mode: "fresh", perDay: 130 }]
  ]
  for (const [name, fault, options] of transient) {
    it(name, slow, async () => {
      const server = await serve({ fault, ...options })
      const dir = freshDir()
      assertExact(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
    })
  }

  it("a results page that stays empty: exit 4, never a short file with exit 0", slow, async () => {
    const server = await serve({ fault: H.empty("results", "all") })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /extraction failed: /)
  })

  it("an availability body that stays empty: exit 4 before any job or query", slow, async () => {
    const server = await serve({ fault: H.empty("availability", "all") })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /genesys-analytics: /)
    assert.strictEqual(count(server, "submit") + count(server, "query"), 0)
  })

  it("a record without conversationId: exit 4 naming the field", slow, async () => {
    const server = await serve({
      mapRecord: (c, i) => {
        if (i !== 7) return c
        const { conversationId: _, ...rest } = c
        return rest
      }
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /conversationId/)
  })

  it("a record without conversationStart: exit 4 naming the field, not a silent drop", slow, async () => {
    const server = await serve({
      mapRecord: (c, i) => {
        if (i !== 40) return c
        const { conversationStart: _, ...rest } = c
        return rest
      }
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /conversationStart/)
  })

  it("a job whose status keeps failing is cancelled (DELETE) before the run exits 4", slow, async () => {
    const server = await serve({ fault: H.status("status", "all", 503) })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(server, r, Path.join(dir, "out.ndjson"), 4, /extraction failed: /)
    assert.isAtLeast(count(server, "cancel"), 1, "the stuck job was cancelled")
  })
})

describe.concurrent("records are checked as far as the output reads them", () => {
  // A session field of the wrong type, three levels below the conversation: NDJSON writes the record as received, the
  // table formats would have to convert it.
  const deeplyWrong = {
    mapRecord: (c: H.Conversation, i: number): H.Conversation => {
      if (i !== 7) return c
      const [participant] = c.participants as ReadonlyArray<{ readonly sessions: ReadonlyArray<object> }>
      return { ...c, participants: [{ ...participant, sessions: [{ ...participant!.sessions[0], mediaType: 7 }] }] }
    }
  }

  it("NDJSON: exit 0, the record exactly as the server sent it, with and without --checkpoint", slow, async () => {
    const server = await serve(deeplyWrong)
    const dir = freshDir()
    assertExact(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
    const durable = await extract(server, dir, "durable.ndjson", ["--checkpoint", "ckpt"])
    assertExact(server, durable, Path.join(dir, "durable.ndjson"))
  })

  it("jobs results: exit 0, the record printed as the server sent it", slow, async () => {
    const server = await serve(deeplyWrong)
    const dir = freshDir()
    // The extraction submits a job per day; the first holds the record of the wrong type.
    assertExact(server, await extract(server, dir, "out.ndjson"), Path.join(dir, "out.ndjson"))
    const r = await spawn(server, ["jobs", "results", "job-1", "--page-size", "25"], dir).done
    assert.strictEqual(r.code, 0, r.stderr)
    const printed = r.stdout
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as H.Conversation)
    assert.deepStrictEqual(
      printed.find((c) => c.conversationId === server.data[7]!.conversationId),
      server.data[7]
    )
    assertNoSecrets(server, r)
  })

  it("CSV: exit 4 naming the unexpected shape, no table under its final name", slow, async () => {
    const server = await serve(deeplyWrong)
    const dir = freshDir()
    const r = await extract(server, dir, "tables", ["--format", "csv"])
    assert.strictEqual(r.code, 4, r.stderr)
    assert.match(r.stderr, /unexpected response shape/)
    assert.isFalse(Fs.existsSync(Path.join(dir, "tables", "conversations.csv")))
    assertNoSecrets(server, r)
  })
})

describe.concurrent("hostile server: paging ends by what arrived, never short and never endless", () => {
  it("sync-cap: sync pages capped at 10 whatever pageSize asks, 130 a window: exact, exit 0", slow, async () => {
    const server = await serve({ mode: "fresh", perDay: 130, queryPageCap: 10 })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertExact(server, r, Path.join(dir, "out.ndjson"))
    assert.strictEqual(server.data.length, 260)
    assert.strictEqual(count(server, "submit"), 0, "sync queries, not jobs")
    assert.isAtLeast(count(server, "query"), 26, "13 capped pages a window")
  })

  it("sync-nohits: sync pages without totalHits, paged until an empty page: exact, exit 0", slow, async () => {
    const server = await serve({
      mode: "fresh",
      perDay: 130,
      fault: H.mapBody("query", "all", ({ totalHits: _, ...rest }) => rest)
    })
    const dir = freshDir()
    const r = await extract(server, dir, "out.ndjson")
    assertExact(server, r, Path.join(dir, "out.ndjson"))
    assert.strictEqual(count(server, "submit"), 0, "sync queries, not jobs")
  })

  it(
    "sync-nohits: an empty sync page before totalHits came (totalHits above the data): exit 4, PaginationIncomplete, .partial",
    slow,
    async () => {
      const server = await serve({
        mode: "fresh",
        fault: H.mapBody("query", "all", (body) => ({ ...body, totalHits: Number(body.totalHits) + 5 }))
      })
      const dir = freshDir()
      const file = Path.join(dir, "out.ndjson")
      const r = await extract(server, dir, "out.ndjson")
      assertIncomplete(server, r, file, 4, /page \d+ came back empty after 30 of 35 results/)
      assert.isTrue(Fs.existsSync(`${file}.partial`), "the output kept as .partial")
      assert.strictEqual(count(server, "submit"), 0, "sync queries, not jobs")
    }
  )

  it("cursor-cycle: a new cursor on every results page over the same records: exit 4 in seconds", slow, async () => {
    const server = await serve({ fault: H.cursorCycle() })
    const dir = freshDir()
    const started = Date.now()
    const r = await extract(server, dir, "out.ndjson")
    assertIncomplete(
      server,
      r,
      Path.join(dir, "out.ndjson"),
      4,
      /extraction failed: Job \S+: a page repeated the records of an earlier page under a new cursor/
    )
    assert.isTrue(Fs.existsSync(Path.join(dir, "out.ndjson.partial")), "the output kept as .partial")
    assert.isBelow(Date.now() - started, 15_000, "ends within seconds")
    assert.isAbove(count(server, "results"), 1)
    assert.isBelow(count(server, "results"), 20, "no endless requests")
  })
})

describe.concurrent("--quarantine: invalid records set aside, counted, the rest exact", () => {
  const drop =
    (field: "conversationId" | "conversationStart", at: number) =>
    (c: H.Conversation, i: number): H.Conversation => {
      if (i !== at) return c
      const { [field]: _, ...rest } = c
      return rest
    }
  for (const [field, at] of [
    ["conversationId", 7],
    ["conversationStart", 40]
  ] as const) {
    it(
      `a record without ${field}: exit 0, the output every other record, the quarantine file that one`,
      slow,
      async () => {
        const server = await serve({ mapRecord: drop(field, at) })
        const dir = freshDir()
        const r = await extract(server, dir, "out.ndjson", ["--quarantine", "bad.ndjson"])
        assert.strictEqual(r.code, 0, r.stderr)
        const bad = server.data[at]!
        const lines = Fs.readFileSync(Path.join(dir, "out.ndjson"), "utf8")
          .split("\n")
          .filter((l) => l !== "")
        assert.deepStrictEqual(
          byId(lines.map((l) => JSON.parse(l) as Record<string, unknown>)),
          byId(server.data.filter((c) => c !== bad))
        )
        const set = Fs.readFileSync(Path.join(dir, "bad.ndjson"), "utf8")
          .split("\n")
          .filter((l) => l !== "")
        assert.strictEqual(set.length, 1)
        const entry = JSON.parse(set[0]!) as { field: string; record: unknown; reason: string }
        assert.strictEqual(entry.field, field)
        assert.deepStrictEqual(entry.record, bad)
        assert.match(r.stderr, /quarantine {5}1 records set aside in bad\.ndjson/)
        assertNoSecrets(server, r)
      }
    )
  }
})

describe.concurrent("the CLI's guards under a hostile environment", () => {
  it("a second run on the same --out fails at once naming the holder; the first completes exactly", slow, async () => {
    let release: () => void = () => {}
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    let startSecond: () => void = () => {}
    const dir = freshDir()
    const second = new Promise<Result>((resolve) => {
      startSecond = () => resolve(extract(server, dir, "out.ndjson"))
    })
    // The first run is held at its availability request (it has its lock by then); the second starts right then.
    const server = await serve({
      fault: H.on("availability", 1, (call) => ({ after: held, reply: call.normal() })),
      onRequest: ({ endpoint, n }) => {
        if (endpoint === "availability" && n === 1) startSecond()
      }
    })
    // The hold lasts until the second run has exited, however slowly it starts on a busy machine: the first run's
    // request timeout is long enough that the held request is never given up (and the lock released) before that.
    const first = extract(server, dir, "out.ndjson", [], { GENESYS_REQUEST_TIMEOUT: "60 seconds" })
    const r2 = await Promise.race([
      second,
      first.then((r) => assert.fail(`the first run ended before its availability request was held: ${r.stderr}`))
    ])
    release()
    const r1 = await first
    assert.strictEqual(r2.code, 2, r2.stderr)
    assert.match(r2.stderr, /--out out\.ndjson is in use by another extraction \(pid \d+, started at \d{4}-/)
    assert.strictEqual(count(server, "availability"), 1, "the second run sent nothing")
    assertExact(server, r1, Path.join(dir, "out.ndjson"))
  })

  it(
    "--out /dev/null and --out <directory> are refused before any request; the device stays a device",
    slow,
    async () => {
      const server = await serve()
      const dir = freshDir()
      Fs.mkdirSync(Path.join(dir, "adir"))
      // Three independent refusals, run side by side.
      const [devNull, ...directories] = await Promise.all([
        extract(server, dir, "/dev/null", ["--format", "ndjson"]),
        ...["ndjson", "sqlite"].map((format) => extract(server, dir, "adir", ["--format", format]))
      ])
      assert.strictEqual(devNull!.code, 2)
      assert.match(devNull!.stderr, /--out \/dev\/null is a character device, not a regular file/)
      assert.isTrue(Fs.statSync("/dev/null").isCharacterDevice())
      for (const r of directories) {
        assert.strictEqual(r.code, 2)
        assert.match(r.stderr, /--out adir is a directory, not a regular file/)
      }
      assert.strictEqual(server.requests.length, 0)
    }
  )

  it(
    "SIGINT mid-run: exit 130, where it stopped and the command to resume; the same command then completes exactly",
    slow,
    async () => {
      const dir = freshDir()
      let interrupt: () => void = () => {}
      // The fourth results page never answers until the test has interrupted the run. Its request leaves once the
      // third page's bytes are in and the second page is with the sink: the first page is written by then (read ahead,
      // docs/jobs.md), the second and third may be.
      const server = await serve({
        perDay: 130,
        fault: H.hang("results", 4),
        onRequest: ({ endpoint, n }) => {
          if (endpoint === "results" && n === 4) interrupt()
        }
      })
      const args = [
        "extract",
        "--interval",
        interval,
        "--out",
        "out.ndjson",
        "--page-size",
        "25",
        "--checkpoint",
        "cp",
        "--concurrency",
        "1"
      ]
      const { child, done } = spawn(server, args, dir)
      interrupt = () => child.kill("SIGINT")
      const r = await done
      assert.strictEqual(r.code, 130, r.stderr)
      assert.match(
        r.stderr,
        /genesys-analytics: interrupted after 0\/2 windows, (25|50|75) conversations written \(pages read so far are kept in cp\/parts; out\.ndjson is written when the run completes\)/
      )
      assert.include(r.stderr, `to resume, run the same command again: genesys-analytics ${args.join(" ")}`)
      assert.isFalse(Fs.existsSync(Path.join(dir, "out.ndjson")))
      assertNoSecrets(server, r)
      const again = await spawn(server, args, dir).done
      assertExact(server, again, Path.join(dir, "out.ndjson"))
    }
  )

  it("SIGTERM mid-run: exit 143, SQLite run recorded interrupted", slow, async () => {
    const dir = freshDir()
    let terminate: () => void = () => {}
    // As in the SIGINT case: the first page is written when the fourth is asked for.
    const server = await serve({
      perDay: 130,
      fault: H.hang("results", 4),
      onRequest: ({ endpoint, n }) => {
        if (endpoint === "results" && n === 4) terminate()
      }
    })
    const { child, done } = spawn(
      server,
      ["extract", "--interval", interval, "--out", "out.sqlite", "--concurrency", "1", "--page-size", "25"],
      dir
    )
    terminate = () => child.kill("SIGTERM")
    const r = await done
    assert.strictEqual(r.code, 143, r.stderr)
    const written = Number(/interrupted after 0\/2 windows, (25|50|75) conversations written/.exec(r.stderr)?.[1])
    assert.isAtLeast(written, 25, r.stderr)
    const runs = await sqliteRuns(Path.join(dir, "out.sqlite"))
    assert.deepStrictEqual(
      runs.map((run) => [run.status, run.conversations]),
      [["interrupted", written]]
    )
  })

  it(
    "a full disk (small tmpfs): NDJSON and SQLite exit 4 naming ENOSPC and the path, nothing complete-looking",
    slow,
    async () => {
      const mount = Path.join(root, "full")
      Fs.mkdirSync(mount)
      const mounted = ChildProcess.spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mount]).status === 0
      // Where mounting is not permitted, the CLI's mapping is checked in process (HostileDisk.test.ts) instead.
      if (!mounted) return
      try {
        const server = await serve({ perDay: 400 })
        const nd = await extract(server, mount, "out.ndjson")
        assertIncomplete(
          server,
          nd,
          Path.join(mount, "out.ndjson"),
          4,
          /cannot write .*out\.ndjson\.partial: ENOSPC \(no space left on device\)/
        )
        for (const f of Fs.readdirSync(mount)) Fs.rmSync(Path.join(mount, f))
        const sq = await extract(server, mount, "out.sqlite")
        assert.include([2, 4], sq.code, sq.stderr)
        assert.match(lastLine(sq), /SQLite database out\.sqlite: (ENOSPC|EIO)/)
        if (sq.code === 4) {
          const runs = await sqliteRuns(Path.join(mount, "out.sqlite")).catch(() => [])
          assert.notInclude(
            runs.map((run) => run.status),
            "complete"
          )
        }
      } finally {
        ChildProcess.spawnSync("umount", ["-l", mount])
      }
    }
  )
})
