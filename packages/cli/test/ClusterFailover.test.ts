// Failover on a real Postgres: three `genesys-analytics runner` processes share a cluster database; a client-only
// `extract --cluster` submits a 14-day extraction into a Postgres sink and follows it. Whichever runner is seen
// executing a window (it logs each page it commits) is SIGKILLed, three times, each time replaced by a fresh runner:
// the survivors take its shards over and the run ends with exactly the emulator's ground truth in the sink, each
// conversation once.
//
// Needs the build (`npm test` builds first; alone: `npm run build -w @effect-genesys/cli`, which also bundles it).
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSinkPg from "@effect-genesys/sql/SqlSinkPg"
import * as SqlClient from "@effect/sql/SqlClient"
import * as TestPostgres from "@effect-genesys/test-postgres"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Executions from "../src/internal/clusterExecutions.js"
import * as Child from "./ReliabilityChild.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-04-06"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const DAYS = 14
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + DAYS * DAY).toISOString()}`
const KILLS = 3

let scope: Scope.CloseableScope
let server: Server.Running
/** A second org: another emulator, other data. */
let other: Server.Running
let otherTruth: ReadonlyArray<string>
let postgres: TestPostgres.Server
let truth: ReadonlyArray<string>
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-cluster-"))
const children = new Set<ChildProcess.ChildProcess>()

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  postgres = await Effect.runPromise(TestPostgres.start().pipe(Scope.extend(scope)))
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 41,
      startDate,
      days: DAYS,
      perDay: 40,
      anchorMillis: day0 + DAYS * DAY + 11 * HOUR,
      jobs: { queueMillis: 200, runMillis: 800, runMillisPerConversation: 0 },
      rateLimit: { count: 100_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
  truth = await Effect.runPromise(server.emulator.groundTruthSync({ interval }))
  other = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 43,
      startDate,
      days: DAYS,
      perDay: 25,
      anchorMillis: day0 + DAYS * DAY + 11 * HOUR,
      jobs: { queueMillis: 100, runMillis: 300, runMillisPerConversation: 0 }
    }).pipe(Scope.extend(scope))
  )
  otherTruth = await Effect.runPromise(other.emulator.groundTruthSync({ interval }))
}, 60_000)

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL")
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = Net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as Net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GENESYS_"))),
  GENESYS_API_URL: server.url,
  GENESYS_CLIENT_ID: "emulator-client",
  GENESYS_CLIENT_SECRET: "emulator-secret"
})

interface Runner {
  readonly name: string
  readonly child: ChildProcess.ChildProcess
  readonly ready: Promise<void>
  pages: number
  /** The window of the last page it committed. */
  window: string
}

/** Starts a runner; `onPage` sees every page it commits. */
const startRunner = async (
  name: string,
  clusterUrl: string,
  onPage: (runner: Runner) => void,
  extra: ReadonlyArray<string> = [],
  extraEnv: Record<string, string> = {}
): Promise<Runner> => {
  const port = await freePort()
  const child = ChildProcess.spawn(
    process.execPath,
    [Child.bin, "runner", "--cluster", clusterUrl, "--port", String(port), ...extra],
    { cwd: root, env: { ...env(), ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] }
  )
  children.add(child)
  child.on("close", () => children.delete(child))
  let out = ""
  let err = ""
  const runner: Runner = {
    name,
    child,
    pages: 0,
    window: "",
    ready: new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString()
        if (out.includes("ready on")) resolve()
      })
      child.on("close", (code) => reject(new Error(`${name} exited ${code} before ready: ${err}`)))
    })
  }
  child.stderr!.on("data", (d: Buffer) => {
    const text = d.toString()
    err += text
    for (const line of text.split("\n")) {
      const page = / (\S+) page \d+ /.exec(line)
      if (page !== null) {
        runner.pages += 1
        runner.window = page[1]!
        onPage(runner)
      }
    }
  })
  return runner
}

/** The conversation ids in a Postgres sink. */
const storedIds = (url: string) =>
  Effect.runPromise(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql<{ readonly conversation_id: string }>`SELECT "conversation_id" FROM "conversations"`
    ).pipe(
      Effect.map((rows) => rows.map((r) => r.conversation_id)),
      Effect.provide(SqlSinkPg.layer({ url })),
      Effect.scoped
    )
  )

const database = (name: string) =>
  Effect.runPromise(TestPostgres.createDatabase(name).pipe(Effect.provideService(TestPostgres.TestPostgres, postgres)))

describe("genesys-analytics runner: three runners on Postgres, the executing one SIGKILLed three times", () => {
  it("the survivors finish the 14-day extraction: exactly the ground truth in the Postgres sink", {
    timeout: 240_000
  }, async () => {
    assert.isAbove(truth.length, 400)
    const clusterUrl = await Effect.runPromise(
      TestPostgres.createDatabase("cluster").pipe(Effect.provideService(TestPostgres.TestPostgres, postgres))
    )
    const sinkUrl = await Effect.runPromise(
      TestPostgres.createDatabase("sink").pipe(Effect.provideService(TestPostgres.TestPostgres, postgres))
    )
    const log: Array<string> = []
    let kills = 0
    // Kill time of each window whose runner was killed, until another runner commits a page of it.
    const orphaned = new Map<string, number>()
    const takeovers: Array<number> = []
    let serial = 0
    const runners = new Set<Runner>()
    const onPage = (runner: Runner) => {
      const since = orphaned.get(runner.window)
      if (since !== undefined) {
        orphaned.delete(runner.window)
        takeovers.push(Date.now() - since)
      }
      // A runner that has committed a few pages is executing a window: kill it there, and start a replacement.
      if (kills >= KILLS || runner.pages < 3 || runner.child.exitCode !== null || runner.child.killed) return
      kills += 1
      orphaned.set(runner.window, Date.now())
      log.push(`SIGKILL ${runner.name} after its page ${runner.pages} (window ${runner.window})`)
      runner.child.kill("SIGKILL")
      runners.delete(runner)
      void startRunner(`runner-${++serial}`, clusterUrl, onPage).then((r) => runners.add(r))
    }
    for (let i = 0; i < 3; i++) runners.add(await startRunner(`runner-${++serial}`, clusterUrl, onPage))
    await Promise.all([...runners].map((r) => r.ready))

    const submitted = await Child.run(
      [
        "extract",
        "--interval",
        interval,
        "--cluster",
        clusterUrl,
        "--out",
        sinkUrl,
        "--format",
        "postgres",
        "--page-size",
        "10",
        "--concurrency",
        "3"
      ],
      { cwd: root, env: { GENESYS_API_URL: "http://127.0.0.1:9" } }
    )
    const context = `${log.join("\n")}\nwindow takeovers after a kill (ms): ${takeovers.join(", ")}\n${submitted.stderr}`
    assert.strictEqual(submitted.code, 0, context)
    assert.match(submitted.stderr, /complete\s+yes/, context)
    assert.strictEqual(kills, KILLS, `the extraction ended before every kill\n${context}`)
    assert.strictEqual(takeovers.length, KILLS, `every killed window was continued by another runner\n${context}`)

    const ids = await Effect.runPromise(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ readonly conversation_id: string }>`SELECT "conversation_id" FROM "conversations"`
      ).pipe(
        Effect.map((rows) => rows.map((r) => r.conversation_id)),
        Effect.provide(SqlSinkPg.layer({ url: sinkUrl })),
        Effect.scoped
      )
    )
    assert.strictEqual(new Set(ids).size, ids.length, context)
    assert.deepStrictEqual([...ids].sort(), [...truth].sort(), context)
    console.info(
      `${context
        .split("\n")
        .slice(0, KILLS + 1)
        .join("\n")}`
    )
  })
})

describe("genesys-analytics runner: two orgs on one cluster", () => {
  it("each org's extraction runs with its own credentials into its own sink, both exact; --detach and status", {
    timeout: 120_000
  }, async () => {
    const clusterUrl = await database("orgs_cluster")
    const sinks = { acme: await database("acme_sink"), globex: await database("globex_sink") }
    const orgs = Path.join(root, "orgs.json")
    Fs.writeFileSync(
      orgs,
      JSON.stringify({
        acme: { apiUrl: server.url, clientId: "emulator-client", clientSecretEnv: "ACME_SECRET" },
        globex: { apiUrl: other.url, clientId: "emulator-client", clientSecretFile: Path.join(root, "globex.secret") }
      })
    )
    Fs.writeFileSync(Path.join(root, "globex.secret"), "emulator-secret\n")
    const runners = await Promise.all(
      [1, 2].map((i) =>
        startRunner(`orgs-runner-${i}`, clusterUrl, () => {}, ["--orgs", orgs], { ACME_SECRET: "emulator-secret" })
      )
    )
    await Promise.all(runners.map((r) => r.ready))
    // The client has no credentials at all: the runners plan and extract with the profiles.
    const extract = (org: string, more: ReadonlyArray<string> = []) =>
      Child.run(
        [
          "extract",
          "--interval",
          interval,
          "--cluster",
          clusterUrl,
          "--org",
          org,
          "--out",
          sinks[org as keyof typeof sinks] ?? sinks.acme,
          "--format",
          "postgres",
          "--page-size",
          "25",
          ...more
        ],
        { cwd: root, env: {} }
      )
    const [detached, followed] = await Promise.all([extract("globex", ["--detach"]), extract("acme")])
    assert.strictEqual(followed.code, 0, followed.stderr)
    assert.strictEqual(detached.code, 0, detached.stderr)
    const id = detached.stdout.trim()
    assert.match(id, /^\S+$/, detached.stdout)
    // The same command without --detach follows the execution already under way to its report.
    const attached = await extract("globex")
    assert.strictEqual(attached.code, 0, attached.stderr)
    assert.match(attached.stderr, /complete\s+yes/)
    const status = await Child.run(["status", "--cluster", clusterUrl, id], { cwd: root, env: {} })
    assert.strictEqual(status.code, 0, status.stderr)
    assert.match(status.stdout, new RegExp(`${id}\\s+succeeded`))
    // A database no runner has started on is said to hold no cluster (not an SQL error about a missing table).
    // Asked for an id, it creates no tables there either.
    const noCluster = await database("no_cluster")
    for (const args of [[], ["some-id"], []]) {
      const empty = await Child.run(["status", "--cluster", noCluster, ...args], { cwd: root, env: {} })
      assert.strictEqual(empty.code, 2, empty.stderr)
      assert.match(empty.stderr, /holds no cluster: no runner has started on this database/)
    }
    const listing = await Child.run(["status", "--cluster", clusterUrl], { cwd: root, env: {} })
    assert.strictEqual(listing.code, 0, listing.stderr)
    const lines = listing.stdout.trim().split("\n")
    assert.match(lines[0]!, /^execution\s+state\s+org\s+interval/)
    assert.strictEqual(lines.length, 3, listing.stdout)
    assert.isTrue(
      lines.some((l) => l.startsWith(id) && /succeeded\s+globex/.test(l)),
      listing.stdout
    )
    assert.isTrue(
      lines.some((l) => /succeeded\s+acme/.test(l)),
      listing.stdout
    )
    assert.deepStrictEqual([...(await storedIds(sinks.acme))].sort(), [...truth].sort())
    assert.deepStrictEqual([...(await storedIds(sinks.globex))].sort(), [...otherTruth].sort())
    assert.notDeepEqual([...truth].sort(), [...otherTruth].sort())
    // A following client's progress line comes from the journal: every window done, with the run's counts; and, while
    // windows run (their final replies taken away here), the pages their runners have written so far.
    const fromJournal = <A, E>(effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
      Effect.runPromise(effect.pipe(Effect.provide(SqlSinkPg.layer({ url: clusterUrl })), Effect.scoped))
    const executions = await fromJournal(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql<{ readonly payload: string; readonly reply: string }>`
          SELECT m.payload, r.payload AS reply FROM "cluster_messages" m
          JOIN "cluster_replies" r ON r.request_id = m.id AND r.kind = 0
          WHERE m.entity_type = 'Workflow/effect-genesys/Extraction' AND m.tag = 'run'`
      )
    )
    const executionOf = (org: string) => {
      const row = executions.find((r) => JSON.parse(r.payload).org === org)!
      return { plan: JSON.parse(row.payload).plan, report: JSON.parse(row.reply).value.exit.value }
    }
    const globex = executionOf("globex")
    const finished = await fromJournal(Executions.windowProgress("globex", globex.plan))
    assert.deepInclude(finished, {
      windowsDone: globex.plan.windows.length,
      pages: globex.report.totals.pages,
      conversations: otherTruth.length
    })
    assert.isDefined(finished.startedAtMillis)
    await fromJournal(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`
          DELETE FROM "cluster_replies" WHERE request_id IN (
            SELECT id FROM "cluster_messages" WHERE entity_type = 'Workflow/effect-genesys/ExtractionWindow'
              AND tag = 'run' AND payload LIKE ${`%${globex.plan.planHash}%`})`
      )
    )
    assert.deepStrictEqual(await fromJournal(Executions.windowProgress("globex", globex.plan)), {
      ...finished,
      windowsDone: 0
    })
    // A next generation running one of those windows (a copy of its message, marked processed so that no runner takes
    // it): the windows left without a reply belong to a generation that failed, and their pages no longer count.
    await fromJournal(
      Effect.flatMap(
        SqlClient.SqlClient,
        (sql) => sql`
          INSERT INTO "cluster_messages" (id, shard_id, entity_type, entity_id, kind, tag, payload, headers, processed, request_id)
          SELECT (SELECT max(id) FROM "cluster_messages") + 1, shard_id, entity_type, 'next-generation', kind, tag,
            replace(payload, '"generation":0', '"generation":1'), headers, TRUE, request_id + 1
          FROM "cluster_messages" WHERE entity_type = 'Workflow/effect-genesys/ExtractionWindow'
            AND tag = 'run' AND payload LIKE ${`%${globex.plan.planHash}%`}
          ORDER BY id LIMIT 1`
      )
    )
    assert.deepStrictEqual(await fromJournal(Executions.windowProgress("globex", globex.plan)), {
      windowsDone: 0,
      pages: 0,
      conversations: 0,
      startedAtMillis: finished.startedAtMillis
    })
    const acme = executionOf("acme")
    assert.deepInclude(await fromJournal(Executions.windowProgress("acme", acme.plan)), {
      windowsDone: acme.plan.windows.length,
      pages: acme.report.totals.pages,
      conversations: truth.length
    })
    const unknown = await extract("initech")
    assert.notStrictEqual(unknown.code, 0)
    assert.match(unknown.stderr, /unknown org profile "initech"/)
    // A runner started with no retention deletes the journal of every completed execution before it is ready.
    const journalRows = () =>
      Effect.runPromise(
        Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{ readonly n: string | number }>`
            SELECT COUNT(*) AS n FROM "cluster_messages" WHERE entity_type LIKE 'Workflow/effect-genesys/%'`
        ).pipe(
          Effect.map((rows) => Number(rows[0]!.n)),
          Effect.provide(SqlSinkPg.layer({ url: clusterUrl })),
          Effect.scoped
        )
      )
    assert.isAbove(await journalRows(), 0)
    const sweeper = await startRunner("sweeper", clusterUrl, () => {}, ["--retention-hours", "0"])
    await sweeper.ready
    assert.strictEqual(await journalRows(), 0)
    const gone = await Child.run(["status", "--cluster", clusterUrl, id], { cwd: root, env: {} })
    assert.strictEqual(gone.code, 2, gone.stdout)
    assert.match(gone.stderr, /no execution/)
    for (const r of [...runners, sweeper]) r.child.kill("SIGTERM")
  })
})
