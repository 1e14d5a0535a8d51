/**
 * `npm run bench:cluster [-- --quick] [--rounds n] [--concurrency n] [--days n] [--kills n] [--only throughput|takeover] [--no-write]`
 *
 * The cluster bench: `genesys-analytics runner` processes on a real Postgres (`@effect-genesys/test-postgres`) extract
 * from emulators with a per-token rate limit, one emulator per org.
 *
 * - Throughput: the same workload (6 orgs, all submitted at once by `extract --cluster` clients) on a cluster of 1
 *   runner and of 3 runners, alternating, a fresh cluster database and fresh sinks each round; wall time of the whole
 *   workload, each sink checked against the emulator's ground truth; what bounded it (runner CPU, the machine's CPU,
 *   windows per runner, 429s).
 * - Takeover: 3 runners, a 14-day extraction; the runner executing a window is SIGKILLed (then replaced), and the time
 *   until another runner commits a page of that window is measured, kill after kill.
 *
 * Writes its section of `docs/benchmarks.md` (between the `bench:cluster` markers) unless `--quick` or `--no-write`.
 * `BENCH_CLUSTER_TRACE=<dir>` also writes each throughput round's timeline to `<dir>/bench-cluster-trace-<runners>.json`
 * (every page each runner committed, each org's requests as its emulator saw them, and the cluster's journal: message
 * and reply ids are snowflakes, whose high bits are their time in milliseconds since 2025-01-01).
 *
 * @since 0.2.0
 */
import * as Server from "@effect-genesys/emulator/Server"
import * as TestPostgres from "@effect-genesys/test-postgres"
// `@effect/sql` and `@effect/sql-pg` come with test-postgres (a dependency).
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Proc from "./clusterProcess.js"
import * as Sections from "./sections.js"
import { median, ratio, round } from "./stats.js"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-04-06"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const secret = "emulator-secret"

/** What one run of the bench does. @since 0.2.0 */
export interface Settings {
  readonly mode: "full" | "quick"
  readonly orgs: number
  readonly days: number
  readonly perDay: number
  readonly pageSize: number
  /** Windows in flight per extraction (`extract --concurrency`); by default the CLI's (the org's concurrent-jobs limit). */
  readonly concurrency: number | undefined
  /** The emulator's budget per token (the platform documents 300 per minute per token; tighter here, so it binds). */
  readonly rateLimit: { readonly count: number; readonly windowSeconds: number }
  readonly jobs: { readonly queueMillis: number; readonly runMillis: number; readonly runMillisPerConversation: number }
  /** Measured rounds per configuration (after one unmeasured warm-up round). */
  readonly rounds: number
  readonly takeover: {
    readonly days: number
    readonly perDay: number
    readonly pageSize: number
    readonly concurrency: number
    readonly kills: number
  }
}

/** @since 0.2.0 */
export const full: Settings = {
  mode: "full",
  orgs: 6,
  // Long enough to be throughput (about 20 rate-limit windows of one token), and 9 default windows per org (2 days
  // each for 5 job slots), which split evenly over 3 runners.
  days: 18,
  perDay: 100,
  pageSize: 10,
  concurrency: undefined,
  rateLimit: { count: 10, windowSeconds: 5 },
  jobs: { queueMillis: 200, runMillis: 500, runMillisPerConversation: 0 },
  rounds: 3,
  takeover: { days: 14, perDay: 120, pageSize: 10, concurrency: 3, kills: 6 }
}

/** @since 0.2.0 */
export const quick: Settings = {
  ...full,
  mode: "quick",
  days: 3,
  perDay: 60,
  rounds: 1,
  takeover: { ...full.takeover, days: 14, perDay: 60, kills: 2 }
}

const log = (message: string) =>
  process.stderr.write(`[bench:cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`)

const intervalOf = (days: number) => `${new Date(day0).toISOString()}/${new Date(day0 + days * DAY).toISOString()}`

// ---------------------------------------------------------------------------------------------------------------
// Environment: Postgres, emulators, the orgs file
// ---------------------------------------------------------------------------------------------------------------

interface Org {
  readonly name: string
  readonly server: Server.Running
  readonly truth: ReadonlyArray<string>
  readonly interval: string
}

interface Env {
  readonly scope: Scope.CloseableScope
  readonly postgres: TestPostgres.Server
  readonly orgs: ReadonlyArray<Org>
  readonly takeoverOrg: Org
  readonly orgsFile: string
  readonly dir: string
}

const startOrg = (scope: Scope.Scope, settings: Settings, name: string, seed: number, days: number, perDay: number) =>
  Effect.gen(function* () {
    const server = yield* Server.start({
      port: 0,
      host: "127.0.0.1",
      seed,
      startDate,
      days,
      perDay,
      anchorMillis: day0 + days * DAY + 11 * HOUR,
      jobs: settings.jobs,
      rateLimit: settings.rateLimit,
      recordLimit: 100_000
    }).pipe(Scope.extend(scope))
    const interval = intervalOf(days)
    const truth = yield* server.emulator.groundTruthSync({ interval })
    return { name, server, truth, interval } satisfies Org
  })

const setUp = (settings: Settings): Promise<Env> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      // Every process holds pools of up to 8 connections: each client's journal, each runner's cluster tables and its
      // sink database. 6 clients and 3 runners may hold 96, on top of the bench's own, past Postgres's default 100.
      const postgres = yield* TestPostgres.start({ settings: { max_connections: 200 } }).pipe(Scope.extend(scope))
      const orgs: Array<Org> = []
      for (let i = 0; i < settings.orgs; i++) {
        orgs.push(yield* startOrg(scope, settings, `org${i + 1}`, 200 + i, settings.days, settings.perDay))
      }
      const t = settings.takeover
      const takeoverOrg = yield* startOrg(scope, settings, "takeover", 41, t.days, t.perDay)
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-cluster-"))
      const orgsFile = Path.join(dir, "orgs.json")
      Fs.writeFileSync(
        orgsFile,
        JSON.stringify(
          Object.fromEntries(
            [...orgs, takeoverOrg].map((o) => [
              o.name,
              { apiUrl: o.server.url, clientId: "emulator-client", clientSecretEnv: "BENCH_ORG_SECRET" }
            ])
          ),
          null,
          2
        )
      )
      return { scope, postgres, orgs, takeoverOrg, orgsFile, dir } satisfies Env
    })
  )

const tearDown = async (env: Env) => {
  Proc.killAll()
  await Effect.runPromise(Scope.close(env.scope, Exit.void))
  Fs.rmSync(env.dir, { recursive: true, force: true })
}

let databases = 0
const database = (env: Env, name: string) =>
  Effect.runPromise(
    TestPostgres.createDatabase(`${name}_${++databases}`).pipe(
      Effect.provideService(TestPostgres.TestPostgres, env.postgres)
    )
  )

/** The conversation ids in a Postgres sink (every row, duplicates included). */
const storedIds = (url: string) =>
  Effect.runPromise(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql<{ readonly conversation_id: string }>`SELECT "conversation_id" FROM "conversations"`
    ).pipe(
      Effect.map((rows) => rows.map((r) => r.conversation_id)),
      Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 2 })),
      Effect.scoped
    )
  )

/** Exactly the truth: the same ids, each once. */
const exact = (ids: ReadonlyArray<string>, truth: ReadonlyArray<string>) => {
  if (ids.length !== truth.length) return false
  const want = new Set(truth)
  const seen = new Set<string>()
  for (const id of ids) {
    if (!want.has(id) || seen.has(id)) return false
    seen.add(id)
  }
  return true
}

const runnerEnv = { BENCH_ORG_SECRET: secret }

const startRunners = async (
  env: Env,
  clusterUrl: string,
  names: ReadonlyArray<string>,
  onPage?: (page: Proc.Page, runner: Proc.Runner) => void
) => {
  const runners = await Promise.all(
    names.map((name) =>
      Proc.startRunner({ name, clusterUrl, orgsFile: env.orgsFile, cwd: env.dir, env: runnerEnv, onPage })
    )
  )
  await Promise.all(runners.map((r) => r.ready))
  return runners
}

const extractArgs = (
  clusterUrl: string,
  org: Org,
  sinkUrl: string,
  pageSize: number,
  concurrency: number | undefined
): ReadonlyArray<string> => [
  "extract",
  "--interval",
  org.interval,
  "--cluster",
  clusterUrl,
  "--org",
  org.name,
  "--out",
  sinkUrl,
  "--format",
  "postgres",
  "--page-size",
  String(pageSize),
  ...(concurrency === undefined ? [] : ["--concurrency", String(concurrency)])
]

// ---------------------------------------------------------------------------------------------------------------
// Throughput
// ---------------------------------------------------------------------------------------------------------------

/** One runner in one round. @since 0.2.0 */
export interface RunnerFigures {
  readonly cpuSeconds: number
  /** CPU seconds over the workload's wall time: 1 is one core kept busy (a Node process runs on one). */
  readonly cpuShare: number
  readonly pages: number
  readonly windows: number
  /** Most windows with pages committed by this runner at the same time (first to last page of each). */
  readonly maxConcurrentWindows: number
}

/** The most loaded token of the most loaded org in a round. @since 0.2.0 */
export interface BusiestToken {
  readonly org: string
  /** Windows of the org on the runner that holds the token. */
  readonly windows: number
  /** The org's windows. */
  readonly orgWindows: number
  /** Share of the org's successful requests sent with that token (≈). */
  readonly share: number
  /** The least time that token's requests need under the emulator's limit. */
  readonly boundSeconds: number
}

/** One round of one configuration. @since 0.2.0 */
export interface Round {
  readonly runners: number
  readonly measured: boolean
  readonly wallSeconds: number
  readonly exact: boolean
  readonly perRunner: ReadonlyArray<RunnerFigures>
  /** Busy share of all the machine's cores during the workload. */
  readonly machineBusy: number
  /** Median over the orgs of the number of runners that committed pages for the org. */
  readonly runnersPerOrg: number
  /** Median over the orgs of an org's extraction wall time (its client's). */
  readonly orgWallSeconds: number
  readonly requests: number
  readonly tooMany: number
  /** Tokens the emulators issued (one per org per runner that worked for it, plus planning). */
  readonly tokens: number
  /** Median over the orgs of the least time its successful requests need on the tokens it got (one per runner). */
  readonly rateBoundSeconds: number
  /**
   * The org whose busiest token carried the most: a window runs where its shard is, so its requests go out on that
   * runner's token for the org. Per org, each runner's requests are its pages plus, per window, a submit and the
   * org's mean status polls per window.
   */
  readonly busiestToken: BusiestToken
  /** Median over windows (of 3 pages or more) of the time between two pages of the same window. */
  readonly secondsPerPage: number
  /** Windows the planner made per org (median over the orgs). */
  readonly windowsPerOrg: number
  /**
   * The least share of an org's requests one token must carry, however its windows were placed (a window's requests
   * all go with one runner's token): the best split of its windows over the runners, for the org where it is worst.
   */
  readonly bestSplitShare: number
  /** Median over the orgs of the time from the submissions to the org's first page. */
  readonly firstPageSeconds: number
  /** Median over the orgs of the time from the org's last page to its client's exit. */
  readonly tailSeconds: number
  /** CPU seconds of the workload: the emulators (this process), runners and clients, Postgres. */
  readonly cpu: Proc.WorkloadCpu
  /** All of it over the wall time, in cores (the machine has `os.cpus().length`). */
  readonly workloadCores: number
}

const maxOverlap = (spans: ReadonlyArray<readonly [number, number]>) => {
  const events = spans.flatMap(([a, b]) => [
    [a, 1],
    [b, -1]
  ])
  events.sort((x, y) => x[0]! - y[0]! || y[1]! - x[1]!)
  let current = 0
  let most = 0
  for (const [, d] of events) {
    current += d!
    most = Math.max(most, current)
  }
  return most
}

const runnerFigures = (runner: Proc.Runner, cpuSeconds: number, wallSeconds: number): RunnerFigures => {
  const spans = new Map<string, [number, number]>()
  for (const p of runner.pages) {
    const key = `${p.org} ${p.window}`
    const span = spans.get(key)
    if (span === undefined) spans.set(key, [p.atMillis, p.atMillis])
    else span[1] = p.atMillis
  }
  return {
    cpuSeconds: round(cpuSeconds, 2),
    cpuShare: round(cpuSeconds / wallSeconds, 2),
    pages: runner.pages.length,
    windows: spans.size,
    maxConcurrentWindows: maxOverlap([...spans.values()])
  }
}

const throughputRound = async (env: Env, settings: Settings, runners: number, measured: boolean): Promise<Round> => {
  const clusterUrl = await database(env, `tp${runners}_cluster`)
  const sinks = await Promise.all(env.orgs.map((o) => database(env, `tp${runners}_${o.name}`)))
  const started = await startRunners(
    env,
    clusterUrl,
    Array.from({ length: runners }, (_, i) => `runner-${i + 1}`)
  )
  for (const o of env.orgs) await Effect.runPromise(o.server.emulator.clearRequests)
  const cpuBefore = started.map((r) => r.cpuSeconds())
  const machineBefore = Proc.machineCpu()
  const workloadBefore = Proc.workloadCpu()
  const t0 = performance.now()
  const results = await Promise.all(
    env.orgs.map((o, i) =>
      Proc.run(extractArgs(clusterUrl, o, sinks[i]!, settings.pageSize, settings.concurrency), {
        cwd: env.dir,
        env: {},
        timeoutMillis: 600_000
      })
    )
  )
  const wallSeconds = (performance.now() - t0) / 1000
  if (process.env.BENCH_CLUSTER_TRACE !== undefined)
    await traceRound(env, started, results, t0, runners, clusterUrl, performance.timeOrigin)
  const machineAfter = Proc.machineCpu()
  const cpuAfter = started.map((r) => r.cpuSeconds())
  await Promise.all(started.map((r) => Proc.kill(r)))
  const cpu = Proc.cpuSince(workloadBefore, Proc.workloadCpu())
  const failed = results.flatMap((r, i) => (r.code === 0 ? [] : [`${env.orgs[i]!.name}: exit ${r.code}\n${r.stderr}`]))
  if (failed.length > 0) throw new Error(`extraction failed with ${runners} runner(s):\n${failed.join("\n")}`)
  let allExact = true
  for (let i = 0; i < env.orgs.length; i++) {
    const ids = await storedIds(sinks[i]!)
    if (!exact(ids, env.orgs[i]!.truth)) {
      allExact = false
      log(
        `NOT EXACT: ${env.orgs[i]!.name} holds ${ids.length} rows, ${new Set(ids).size} distinct, truth ${env.orgs[i]!.truth.length}`
      )
    }
  }
  let requests = 0
  let tooMany = 0
  let tokens = 0
  const rateBounds: Array<number> = []
  let busiest: BusiestToken | undefined
  for (const o of env.orgs) {
    const log_ = await Effect.runPromise(o.server.emulator.requests)
    const ok = log_.filter((r) => r.status !== 429).length
    requests += log_.length
    tooMany += log_.filter((r) => r.status === 429).length
    const orgTokens = log_.filter((r) => r.path.includes("/oauth/token") && r.status === 200).length
    tokens += orgTokens
    rateBounds.push(rateBound(ok, Math.max(1, orgTokens), settings))
    const token = busiestTokenOf(o, started, log_, ok, settings)
    if (busiest === undefined || token.boundSeconds > busiest.boundSeconds) busiest = token
  }
  const runnersPerOrg = median(
    env.orgs.map((o) => new Set(started.flatMap((r) => r.pages.filter((p) => p.org === o.name).map(() => r.name))).size)
  )
  return {
    runners,
    measured,
    wallSeconds: round(wallSeconds, 2),
    exact: allExact,
    perRunner: started.map((r, i) => runnerFigures(r, cpuAfter[i]! - cpuBefore[i]!, wallSeconds)),
    machineBusy: round(Proc.busyShare(machineBefore, machineAfter), 2),
    runnersPerOrg,
    orgWallSeconds: round(median(results.map((r) => r.millis / 1000)), 2),
    requests,
    tooMany,
    tokens,
    rateBoundSeconds: median(rateBounds),
    busiestToken: busiest ?? { org: "", windows: 0, orgWindows: 0, share: Number.NaN, boundSeconds: Number.NaN },
    secondsPerPage: round(median(started.flatMap((r) => pageGaps(r.pages))), 3),
    windowsPerOrg: median(env.orgs.map((o) => orgWindows(started, o.name).length)),
    bestSplitShare: round(Math.max(...env.orgs.map((o) => bestSplit(orgWindows(started, o.name), 3))), 2),
    firstPageSeconds: round(
      median(env.orgs.map((o) => Math.min(...orgPages(started, o.name).map((p) => p.atMillis)) - t0)) / 1000,
      2
    ),
    tailSeconds: round(
      median(
        env.orgs.map(
          (o, i) => results[i]!.millis - (Math.max(...orgPages(started, o.name).map((p) => p.atMillis)) - t0)
        )
      ) / 1000,
      2
    ),
    cpu: { emulators: round(cpu.emulators, 2), children: round(cpu.children, 2), postgres: round(cpu.postgres, 2) },
    workloadCores: round((cpu.emulators + cpu.children + cpu.postgres) / wallSeconds, 2)
  }
}

const traceRound = async (
  env: Env,
  runners: ReadonlyArray<Proc.Runner>,
  results: ReadonlyArray<Proc.Result>,
  t0: number,
  n: number,
  clusterUrl: string,
  origin: number
) => {
  const journal = await Effect.runPromise(
    Effect.flatMap(
      SqlClient.SqlClient,
      (sql) => sql`SELECT m.id::text AS id, m.entity_type, m.entity_id, m.tag, substr(m.payload, 1, 120) AS payload,
        (SELECT max(r.id)::text FROM cluster_replies r WHERE r.request_id = m.id) AS reply,
        (SELECT substr(r.payload, 1, 200) FROM cluster_replies r WHERE r.request_id = m.id ORDER BY r.id DESC LIMIT 1)
          AS reply_payload
        FROM cluster_messages m ORDER BY m.id`
    ).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(clusterUrl), maxConnections: 1 })), Effect.scoped)
  )
  const file = Path.join(process.env.BENCH_CLUSTER_TRACE ?? Os.tmpdir(), `bench-cluster-trace-${n}.json`)
  Fs.writeFileSync(
    file,
    JSON.stringify({
      orgs: await Promise.all(
        env.orgs.map(async (o, i) => ({
          name: o.name,
          millis: results[i]!.millis,
          requests: (await Effect.runPromise(o.server.emulator.requests)).map((r) => [r.path, r.status, r.atMillis])
        }))
      ),
      pages: runners.flatMap((r) => r.pages.map((p) => ({ ...p, atMillis: p.atMillis - t0 }))),
      t0Unix: origin + t0,
      journal
    })
  )
  log(`trace: ${file}`)
}

const orgPages = (runners: ReadonlyArray<Proc.Runner>, org: string) =>
  runners.flatMap((r) => r.pages.filter((p) => p.org === org))

/** Requests of each of an org's windows, ≈ its pages plus a submit and a poll or two (the same for every window). */
const orgWindows = (runners: ReadonlyArray<Proc.Runner>, org: string): ReadonlyArray<number> => {
  const pages = new Map<string, number>()
  for (const p of orgPages(runners, org)) pages.set(p.window, (pages.get(p.window) ?? 0) + 1)
  return [...pages.values()].map((n) => n + 2)
}

/** The least share of `loads` that the busiest of `bins` must take, over every way to split them (few windows). */
export const bestSplit = (loads: ReadonlyArray<number>, bins: number): number => {
  const total = loads.reduce((a, b) => a + b, 0)
  if (total === 0 || loads.length > 12) return Number.NaN
  let best = total
  const sums = Array.from({ length: bins }, () => 0)
  const visit = (i: number) => {
    if (i === loads.length) {
      best = Math.min(best, Math.max(...sums))
      return
    }
    for (let b = 0; b < bins; b++) {
      sums[b]! += loads[i]!
      if (sums[b]! < best) visit(i + 1)
      sums[b]! -= loads[i]!
      if (sums[b] === 0) break
    }
  }
  visit(0)
  return best / total
}

/** The org's most loaded token: the runner with the most of its requests (pages + a submit and polls per window). */
const busiestTokenOf = (
  org: Org,
  runners: ReadonlyArray<Proc.Runner>,
  log_: ReadonlyArray<{ readonly path: string; readonly status: number }>,
  ok: number,
  settings: Settings
): BusiestToken => {
  const polls = log_.filter(
    (r) => r.status !== 429 && /\/jobs\/[^/]+$/.test(r.path) && !r.path.endsWith("/availability")
  ).length
  const perRunner = runners.map((r) => {
    const pages = r.pages.filter((p) => p.org === org.name)
    return { pages: pages.length, windows: new Set(pages.map((p) => p.window)).size }
  })
  const orgWindows = perRunner.reduce((n, r) => n + r.windows, 0)
  const pollsPerWindow = orgWindows > 0 ? polls / orgWindows : 0
  const loads = perRunner.map((r) => ({ ...r, requests: r.pages + r.windows * (1 + pollsPerWindow) }))
  const top = loads.reduce((a, b) => (b.requests > a.requests ? b : a), loads[0]!)
  return {
    org: org.name,
    windows: top.windows,
    orgWindows,
    share: round(top.requests / Math.max(1, ok), 2),
    boundSeconds: rateBound(Math.round(top.requests), 1, settings)
  }
}

/**
 * Windows thrown at random over runners (as hashing their ids into shards does), one org after another: the expected
 * share of an org's windows on the runner with the most of them, for one org and for the worst of `orgs`. Exact, by
 * enumerating how `windows` windows can fall on `runners` runners.
 */
export const placementShares = (windows: number, runners: number, orgs: number) => {
  // P(the busiest runner holds at most k windows), k = 0..windows
  const atMost = Array.from({ length: windows + 1 }, () => 0)
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1))
  const visit = (left: number, slots: number, max: number, weight: number) => {
    if (slots === 1) {
      const top = Math.max(max, left)
      const p = weight / factorial(left) / runners ** windows
      for (let k = top; k <= windows; k++) atMost[k]! += p * factorial(windows)
      return
    }
    for (let n = 0; n <= left; n++) visit(left - n, slots - 1, Math.max(max, n), weight / factorial(n))
  }
  visit(windows, runners, 0, 1)
  let one = 0
  let worst = 0
  for (let k = 1; k <= windows; k++) {
    one += 1 - atMost[k - 1]!
    worst += 1 - atMost[k - 1]! ** orgs
  }
  return { one: one / windows, worst: worst / windows, even: Math.ceil(windows / runners) / windows }
}

/** Per window of 3 pages or more: (last - first) / (pages - 1), in seconds. */
const pageGaps = (pages: ReadonlyArray<Proc.Page>) => {
  const byWindow = new Map<string, Array<number>>()
  for (const p of pages) {
    const key = `${p.org} ${p.window}`
    const list = byWindow.get(key) ?? []
    list.push(p.atMillis)
    byWindow.set(key, list)
  }
  return [...byWindow.values()]
    .filter((t) => t.length >= 3)
    .map((t) => (t[t.length - 1]! - t[0]!) / 1000 / (t.length - 1))
}

/** The least time `requests` take on `tokens` tokens of the emulator's budget: full windows back to back. */
const rateBound = (requests: number, tokens: number, settings: Settings) =>
  (Math.ceil(requests / (settings.rateLimit.count * tokens)) - 1) * settings.rateLimit.windowSeconds

const describeRound = (r: Round) =>
  `${r.runners} runner(s): ${r.wallSeconds} s, exact ${r.exact}, machine busy ${Math.round(r.machineBusy * 100)} %, ` +
  `runners ${r.perRunner.map((p) => `[cpu ${p.cpuSeconds} s (${p.cpuShare}), ${p.pages} pages, ${p.windows} windows, ≤${p.maxConcurrentWindows} at once]`).join(" ")}, ` +
  `runners/org ${r.runnersPerOrg}, ${r.requests} requests, ${r.tooMany} × 429, ${r.tokens} tokens, ` +
  `${r.windowsPerOrg} windows/org (best split: ${Math.round(r.bestSplitShare * 100)} % on one token), first page ${r.firstPageSeconds} s, ` +
  `tail ${r.tailSeconds} s, rate bound/org ${r.rateBoundSeconds} s, busiest token ${r.busiestToken.org} ${r.busiestToken.windows}/${r.busiestToken.orgWindows} windows ` +
  `${Math.round(r.busiestToken.share * 100)} % of its requests, bound ${r.busiestToken.boundSeconds} s, ${r.secondsPerPage} s/page in a window, ` +
  `workload CPU ${r.workloadCores} cores (emulators ${r.cpu.emulators} s, runners+clients ${r.cpu.children} s, postgres ${r.cpu.postgres} s)`

/** The throughput part: a warm-up, then `rounds` rounds of each configuration, alternating. @since 0.2.0 */
const throughput = async (env: Env, settings: Settings): Promise<ReadonlyArray<Round>> => {
  const rounds: Array<Round> = []
  log("throughput: warm-up round (3 runners, not measured: fills the emulators' caches)")
  const warm = await throughputRound(env, settings, 3, false)
  log(`  ${describeRound(warm)}`)
  rounds.push(warm)
  for (let i = 0; i < settings.rounds; i++) {
    for (const runners of i % 2 === 0 ? [1, 3] : [3, 1]) {
      log(`throughput: round ${i + 1}/${settings.rounds}, ${runners} runner(s)`)
      const r = await throughputRound(env, settings, runners, true)
      log(`  ${describeRound(r)}`)
      rounds.push(r)
    }
  }
  return rounds
}

// ---------------------------------------------------------------------------------------------------------------
// Takeover
// ---------------------------------------------------------------------------------------------------------------

/** One kill. @since 0.2.0 */
export interface Kill {
  readonly extraction: number
  /** Seconds from the SIGKILL to the first page of the window committed by another runner; NaN if none came. */
  readonly takeoverSeconds: number
  readonly page: number
}

/** The takeover part's result. @since 0.2.0 */
export interface Takeover {
  readonly kills: ReadonlyArray<Kill>
  readonly extractions: number
  readonly exact: boolean
  readonly wallSeconds: ReadonlyArray<number>
}

const takeover = async (env: Env, settings: Settings): Promise<Takeover> => {
  const t = settings.takeover
  const org = env.takeoverOrg
  const kills: Array<Kill> = []
  let serial = 0
  let extraction = 0
  let clusterUrl = ""
  let pending: { key: string; runner: string; at: number; page: number } | undefined
  let replacing = false
  const current = () => pending
  const runners = new Set<Proc.Runner>()
  const onPage = (page: Proc.Page, runner: Proc.Runner) => {
    const key = `${page.org} ${page.window}`
    if (pending !== undefined && pending.key === key && page.runner !== pending.runner) {
      kills.push({ extraction, takeoverSeconds: round((page.atMillis - pending.at) / 1000, 2), page: pending.page })
      log(
        `  takeover by ${page.runner} (its page ${page.page} of the window) ${((page.atMillis - pending.at) / 1000).toFixed(2)} s after the kill`
      )
      pending = undefined
      return
    }
    // Kill a runner in the middle of a window (at its second page: the window has pages left), one kill at a time,
    // once the last one was taken over and its replacement is ready.
    if (kills.length >= t.kills || pending !== undefined || replacing) return
    if (page.page !== 2 || runner.killed() || !runners.has(runner)) return
    // ... that started this window itself (not one that took it over)
    if (!runner.pages.some((p) => p.page === 1 && p.org === page.org && p.window === page.window)) return
    pending = { key, runner: runner.name, at: performance.now(), page: page.page }
    runner.child.kill("SIGKILL")
    runners.delete(runner)
    log(`  SIGKILL ${runner.name} after its page ${page.page} of ${page.window}`)
    replacing = true
    const url = clusterUrl
    void startRunners(env, url, [`runner-${++serial}`], onPage)
      .then(([r]) => {
        runners.add(r!)
        replacing = false
      })
      .catch((e) => log(`  replacement failed: ${e}`))
  }
  const walls: Array<number> = []
  let allExact = true
  // Another extraction of the same data (a fresh cluster and sink) until every kill was made: at most four.
  while (kills.length < t.kills && extraction < 4) {
    extraction += 1
    clusterUrl = await database(env, "takeover_cluster")
    const sinkUrl = await database(env, "takeover_sink")
    pending = undefined
    replacing = false
    for (const r of await startRunners(
      env,
      clusterUrl,
      [1, 2, 3].map(() => `runner-${++serial}`),
      onPage
    )) {
      runners.add(r)
    }
    log(`takeover: extraction ${extraction} (${t.days} days, ${org.truth.length} conversations)`)
    const result = await Proc.run(extractArgs(clusterUrl, org, sinkUrl, t.pageSize, t.concurrency), {
      cwd: env.dir,
      env: {},
      timeoutMillis: 600_000
    })
    if (result.code !== 0) throw new Error(`takeover extraction failed: exit ${result.code}\n${result.stderr}`)
    walls.push(round(result.millis / 1000, 2))
    // (`pending` is set by `onPage` during the await: read it through a function, not the narrowed variable)
    const left = current()
    if (left !== undefined) {
      kills.push({ extraction, takeoverSeconds: Number.NaN, page: left.page })
      log("  the killed window got no page from another runner before the extraction ended")
      pending = undefined
    }
    const ids = await storedIds(sinkUrl)
    const ok = exact(ids, org.truth)
    if (!ok) log(`NOT EXACT: ${ids.length} rows, ${new Set(ids).size} distinct, truth ${org.truth.length}`)
    allExact = allExact && ok
    log(
      `  extraction ${extraction} done in ${(result.millis / 1000).toFixed(1)} s, exact ${ok}, ${kills.length} kill(s) so far`
    )
    // Wait for a replacement still starting, then stop every runner of this cluster.
    for (let i = 0; replacing && i < 600; i++) await Proc.sleep(100)
    for (const r of [...runners]) await Proc.kill(r)
    runners.clear()
  }
  return { kills, extractions: extraction, exact: allExact, wallSeconds: walls }
}

// ---------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------

/** Everything one run measured. @since 0.2.0 */
export interface Results {
  readonly settings: Settings
  readonly command: string
  readonly date: string
  readonly machine: string
  readonly loadBefore: number
  readonly loadAfter: number
  readonly seconds: number
  readonly rounds: ReadonlyArray<Round> | undefined
  readonly takeover: Takeover | undefined
}

/** The markers of this bench's section in `docs/benchmarks.md`. @since 0.2.0 */
export const begin = "<!-- bench:cluster:begin -->"
/** @since 0.2.0 */
export const end = "<!-- bench:cluster:end -->"

/** `document` with its cluster section replaced by `section` (appended when it has none). @since 0.2.0 */
export const replaceSection = (document: string, section: string): string =>
  Sections.replaceBlock(document, begin, end, `${begin}\n${section.trim()}\n${end}`)

const fmt = (n: number, digits = 2) => (Number.isFinite(n) ? String(round(n, digits)) : "—")
const pct = (n: number) => (Number.isFinite(n) ? `${Math.round(n * 100)} %` : "—")
const times = (n: number) => (Number.isFinite(n) ? `${round(n, 2)}×` : "—")

const medianOf = (rounds: ReadonlyArray<Round>, f: (r: Round) => number) => median(rounds.map(f))

/** The section's markdown. @since 0.2.0 */
export const markdown = (r: Results): string => {
  const s = r.settings
  const lines: Array<string> = []
  lines.push("## 6. Cluster: runners on Postgres")
  lines.push("")
  lines.push(
    "`genesys-analytics runner` processes (the built CLI) on a real Postgres (`@effect-genesys/test-postgres`, on " +
      "127.0.0.1) extract from emulators, one emulator per org, each with a **per-token rate limit of " +
      `${s.rateLimit.count} requests per ${s.rateLimit.windowSeconds} s** (tighter than the platform's documented 300 per ` +
      "minute, so that it binds an org on one token) and jobs of " +
      `${s.jobs.queueMillis} ms queued + ${s.jobs.runMillis} ms running. Clients are \`extract --cluster … --org <name> ` +
      "--format postgres` processes with no credentials; every runner has the same `--orgs` file. Every sink was " +
      "checked against the emulator's ground truth (the same ids, each once)."
  )
  lines.push("")
  lines.push(`- Command: \`${r.command}\` (${Math.round(r.seconds)} s, ${r.date})`)
  lines.push(
    `- Machine: ${r.machine}; load average ${r.loadBefore.toFixed(2)} at start, ${r.loadAfter.toFixed(2)} at end. ` +
      "The machine is shared: **2 cores** hold Postgres, the emulators (in the bench's process), every runner and " +
      "every client, so compare the ratios, not the seconds."
  )
  lines.push("")
  if (r.rounds !== undefined) {
    const measured = r.rounds.filter((x) => x.measured)
    const one = measured.filter((x) => x.runners === 1)
    const three = measured.filter((x) => x.runners === 3)
    const wall1 = medianOf(one, (x) => x.wallSeconds)
    const wall3 = medianOf(three, (x) => x.wallSeconds)
    const conversations = s.orgs * s.days * s.perDay
    lines.push("### Throughput: 1 runner vs 3")
    lines.push("")
    const windows = medianOf(measured, (x) => x.windowsPerOrg)
    lines.push(
      `${s.orgs} orgs × ${s.days} days × about ${s.perDay} conversations a day (≈ ${conversations.toLocaleString("en-US")} ` +
        `conversations), the planner's default windows (${fmt(windows, 0)} per org), pages of ${s.pageSize}, ` +
        `${s.concurrency === undefined ? "`extract`'s default job slots (the org's concurrent-jobs limit, 5 on the emulator; twice as many windows in flight)" : `\`--concurrency ${s.concurrency}\` job slots`} per extraction; the ${s.orgs} extractions submitted at once, ` +
        "wall time from the submissions to the last client's exit. A fresh cluster database and fresh sinks each round; " +
        `the configurations alternate, after one unmeasured warm-up round. Median of ${one.length} rounds each.`
    )
    if (s.mode === "full" && s.days === full.days && s.pageSize === full.pageSize) {
      lines.push("")
      lines.push(
        "Why this size: a cluster's throughput is what it sustains over many rate-limit windows. On a small workload " +
          "the ratio measures start-up and rounding instead: at 7 days (7 windows per org; the run of 2026-12-06 gave " +
          "2.3×) the busiest token's ≈ 31 requests needed 4 windows of 5 s where 30 would have needed 3, and the ≈ 6 s " +
          "before the first page were a quarter of the 3-runner wall. At 18 days and pages of 10 (about 180 pages an org, " +
          "more than the 150 that one wave of jobs takes, docs/extraction.md), the planner cuts each org's days into " +
          "windows of equal volume, two per job slot rounded up to a multiple of the runners it sees: 12 on a cluster " +
          "of 3, which split 4/4/4."
      )
    }
    lines.push("")
    lines.push(
      "| runners | wall (s) | exact | first page (s) | busiest token: windows | its share of the org's requests | its rate-limit bound (s) | s per page in a window | workload CPU (cores) | machine CPU busy | busiest runner's CPU (cores) | requests | 429 |"
    )
    lines.push("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (const [n, rs] of [
      [1, one],
      [3, three]
    ] as const) {
      lines.push(
        `| ${n} | ${fmt(medianOf(rs, (x) => x.wallSeconds))} | ${rs.every((x) => x.exact) ? "yes" : "**no**"} | ` +
          `${fmt(
            medianOf(rs, (x) => x.firstPageSeconds),
            1
          )} | ` +
          `${fmt(
            medianOf(rs, (x) => x.busiestToken.windows),
            1
          )} of ${fmt(windows, 0)} | ` +
          `${pct(medianOf(rs, (x) => x.busiestToken.share))} | ${fmt(
            medianOf(rs, (x) => x.busiestToken.boundSeconds),
            0
          )} | ` +
          `${fmt(medianOf(rs, (x) => x.secondsPerPage))} | ${fmt(medianOf(rs, (x) => x.workloadCores))} | ` +
          `${pct(medianOf(rs, (x) => x.machineBusy))} | ${fmt(medianOf(rs, (x) => Math.max(...x.perRunner.map((p) => p.cpuShare))))} | ` +
          `${fmt(
            medianOf(rs, (x) => x.requests),
            0
          )} | ${fmt(
            medianOf(rs, (x) => x.tooMany),
            0
          )} |`
      )
    }
    lines.push("")
    const split = medianOf(three, (x) => x.bestSplitShare)
    const hashed = placementShares(Math.round(windows), 3, s.orgs)
    const first = medianOf(measured, (x) => x.firstPageSeconds)
    const bound1 = medianOf(one, (x) => x.busiestToken.boundSeconds)
    lines.push("| ratio (medians) | value | goal |")
    lines.push("|---|---:|---:|")
    lines.push(`| wall, 1 runner / 3 runners | ${times(ratio(wall1, wall3))} | ≥ 2.5× |`)
    lines.push(
      `| ceiling with ${fmt(windows, 0)} windows per org: 1 / the best split's share on one token | ${times(1 / split)} | |`
    )
    lines.push(
      `| ceiling with that and the ${fmt(first, 1)} s before the first page: (first + 1 runner's bound) / (first + bound × share) | ` +
        `${times((first + bound1) / (first + bound1 * split))} | |`
    )
    lines.push("")
    lines.push(
      "**What bounds it.** The emulator limits requests *per token*, and each runner logs in to each org with a " +
        "token of its own. With 1 runner every org has one token and its ≈ " +
        `${fmt(
          medianOf(one, (x) => (x.requests - x.tooMany) / s.orgs),
          0
        )} requests need at least ${fmt(bound1, 0)} s (${one.reduce((n, x) => n + x.tooMany, 0)} × 429 in ${one.length} ` +
        "rounds: the client paces itself under the limit): **1 runner is bound by the rate limit.** With 3 runners an " +
        "org has 3 tokens, but every request of a window (its job's submit and polls, placed on the same runner, and " +
        "its pages) goes out from the runner that holds it, with that runner's token: an org's requests split over its " +
        `tokens no finer than its windows. Its ${fmt(windows, 0)} windows can put no less than ` +
        `${pct(split)} of its requests on one token, so the ratio cannot pass ${times(1 / split)} even with no other ` +
        `cost; and both configurations first spend ≈ ${fmt(first, 1)} s from the submissions to the first page ` +
        "(six `extract` processes starting on a busy machine, the plan, a job), which brings the ceiling to the value " +
        "in the table. Where a window runs is chosen: the extraction asks the cluster which runner each of a few " +
        "candidate ids of the window would land on and takes one whose runner carries the least weight of its " +
        "windows so far, largest first (`docs/cluster.md`). A window's size is not known until its pages are read " +
        "(neither a job's status nor its result pages carry a count), so the plan reads the org's volume with one " +
        "aggregate query (`nOffered` + `nOutbound` by hour), cuts its windows to equal volume and weighs them by it: the " +
        "busiest token's share in the table is above the best split's by what that estimate misses, and by the few " +
        "requests that are not a window's (the plan's, the volume query). Left to the hash of its id, the worst of " +
        `${s.orgs} orgs would have ${pct(hashed.worst)} of its windows on one runner on average (${times(1 / hashed.worst)} ` +
        `at best). The busiest runner used ${fmt(medianOf(three, (x) => Math.max(...x.perRunner.map((p) => p.cpuShare))))} ` +
        `of a core with 3 runners (${fmt(medianOf(one, (x) => Math.max(...x.perRunner.map((p) => p.cpuShare))))} alone), ` +
        `the workload ${fmt(medianOf(three, (x) => x.workloadCores))} cores of 2 with 3 runners, on a machine shared ` +
        "with other work (the load average above): every step's latency stretches with it and the rounds are noisy."
    )
    lines.push("")
    lines.push(
      "Every round (runners: wall in seconds, in the order run; w = warm-up; then the first page, the busiest token's " +
        "share of its org's requests and how busy the machine was):"
    )
    lines.push("")
    lines.push(
      r.rounds
        .map(
          (x) =>
            `${x.measured ? "" : "w "}${x.runners}: ${x.wallSeconds}${x.exact ? "" : " (NOT exact)"} ` +
            `(${fmt(x.firstPageSeconds, 1)} s, ${pct(x.busiestToken.share)}, ${pct(x.machineBusy)})`
        )
        .join(" · ")
    )
    lines.push("")
  }
  if (r.takeover !== undefined) {
    const t = r.takeover
    const seen = t.kills.filter((k) => Number.isFinite(k.takeoverSeconds)).map((k) => k.takeoverSeconds)
    lines.push("### Takeover after a runner dies")
    lines.push("")
    lines.push(
      `3 runners, one ${s.takeover.days}-day extraction (${s.takeover.perDay} conversations a day, pages of ` +
        `${s.takeover.pageSize}, \`--concurrency ${s.takeover.concurrency}\`) into a Postgres sink. When a runner commits ` +
        "the second page of a window it started it is SIGKILLed and a replacement runner started; takeover = from the kill to " +
        "the first page of that window committed by another runner (runners log each page they commit). One kill " +
        "at a time: the next waits for the takeover and for the replacement's ready line."
    )
    lines.push("")
    lines.push("| kills | taken over | median takeover (s) | max (s) | extractions | sink exact |")
    lines.push("|---:|---:|---:|---:|---:|---|")
    lines.push(
      `| ${t.kills.length} | ${seen.length} | ${fmt(median(seen))} | ${fmt(seen.length > 0 ? Math.max(...seen) : Number.NaN)} | ` +
        `${t.extractions} | ${t.exact ? "yes" : "**no**"} |`
    )
    lines.push("")
    lines.push(`Each kill (s): ${t.kills.map((k) => fmt(k.takeoverSeconds)).join(", ")}.`)
    lines.push("")
  }
  return lines.join("\n")
}

// ---------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------

const usage =
  "usage: npm run bench:cluster [-- --quick] [--rounds <n>] [--concurrency <n>] [--days <n>] [--kills <n>] [--only throughput|takeover] [--no-write]"

const parse = (argv: ReadonlyArray<string>) => {
  let settings = full
  let only: "throughput" | "takeover" | undefined
  let write = true
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--quick") settings = { ...quick, rounds: settings === full ? quick.rounds : settings.rounds }
    else if (arg === "--no-write") write = false
    else if (arg === "--rounds") settings = { ...settings, rounds: Math.max(1, Math.min(20, Number(argv[++i]) || 1)) }
    else if (arg === "--concurrency")
      settings = { ...settings, concurrency: Math.max(1, Math.min(50, Number(argv[++i]) || 1)) }
    else if (arg === "--days") settings = { ...settings, days: Math.max(1, Math.min(90, Number(argv[++i]) || 1)) }
    else if (arg === "--kills")
      settings = {
        ...settings,
        takeover: { ...settings.takeover, kills: Math.max(1, Math.min(20, Number(argv[++i]) || 1)) }
      }
    else if (arg === "--only") {
      const v = argv[++i]
      if (v !== "throughput" && v !== "takeover") return usage
      only = v
    } else return `unknown argument ${arg}\n${usage}`
  }
  return { settings, only, write: write && settings.mode === "full" }
}

const main = async () => {
  const argv = process.argv.slice(2)
  // `--render <results.json>`: the section again from a run's JSON (its last stdout line), nothing run.
  if (argv[0] === "--render" && argv[1] !== undefined) {
    const results = JSON.parse(Fs.readFileSync(argv[1], "utf8")) as Results
    const mdPath = Path.join(root, "docs", "benchmarks.md")
    Fs.writeFileSync(mdPath, replaceSection(Fs.readFileSync(mdPath, "utf8"), markdown(results)))
    log(`wrote its section of ${mdPath} from ${argv[1]}`)
    return
  }
  const args = parse(argv)
  if (typeof args === "string") {
    console.error(args)
    process.exitCode = 2
    return
  }
  if (!Fs.existsSync(Proc.bin)) throw new Error(`${Proc.bin} is missing: build first (npx tsc -b packages/bench)`)
  Proc.guardExit()
  const { settings } = args
  const started = performance.now()
  const loadBefore = Os.loadavg()[0]!
  log(
    `${settings.mode} run${args.only !== undefined ? ` (${args.only} only)` : ""}; starting Postgres and ${settings.orgs + 1} emulators`
  )
  const env = await setUp(settings)
  let rounds: ReadonlyArray<Round> | undefined
  let takeoverResult: Takeover | undefined
  try {
    if (args.only !== "takeover") rounds = await throughput(env, settings)
    if (args.only !== "throughput") takeoverResult = await takeover(env, settings)
  } finally {
    await tearDown(env)
  }
  const cpus = Os.cpus()
  const results: Results = {
    settings,
    command: `npm run bench:cluster${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`,
    date: new Date().toISOString(),
    machine: `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "?"}), ${(Os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${Os.type()} ${Os.release()} ${Os.arch()}`,
    loadBefore,
    loadAfter: Os.loadavg()[0]!,
    seconds: (performance.now() - started) / 1000,
    rounds,
    takeover: takeoverResult
  }
  const section = markdown(results)
  process.stdout.write(`${section}\n`)
  process.stdout.write(`${JSON.stringify(results)}\n`)
  if (args.write) {
    const mdPath = Path.join(root, "docs", "benchmarks.md")
    Fs.writeFileSync(mdPath, replaceSection(Fs.readFileSync(mdPath, "utf8"), section))
    log(`wrote its section of ${mdPath}`)
  }
  const inexact = (rounds ?? []).some((x) => !x.exact) || (takeoverResult !== undefined && !takeoverResult.exact)
  if (inexact) {
    console.error("bench:cluster: a sink did not hold exactly the ground truth")
    process.exitCode = 1
  }
}

if (process.argv[1] !== undefined && Path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    Proc.killAll()
    console.error(`bench:cluster failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
    process.exitCode = 1
  })
}
