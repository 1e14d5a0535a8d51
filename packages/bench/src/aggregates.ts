/**
 * The aggregates bench (issue 21, "Bench entry"): 90 days of conversations grouped by `queueId` at `PT30M`, with
 * `nConnected` and `tHandle`, against one emulator server under the documented rate limit (300 requests per 60 s per
 * token) with its default job model. Three contenders (ours, the official SDK, a raw `fetch` floor) each run three
 * flows (`AggregateFlow`: one sync query, sync queries over 12-hour chunks, one job), one process per run, one run at
 * a time, in an order rotated each round. Every run's answer is reduced to canonical cells and must equal the
 * emulator's ground truth (`AggregateTruth`, computed in this process from the same seed) cell for cell; requests and
 * 429s come from the emulator's request log of that run.
 *
 * @since 0.3.0
 */
import * as ChildProcess from "node:child_process"
import * as Os from "node:os"
import * as Effect from "effect/Effect"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as Server from "@effect-genesys/emulator/Server"
import type {
  AggregateBenchQuery,
  AggregateContenderInput,
  AggregateContenderName,
  AggregateFlow,
  AggregateRunResult,
  CellSummary
} from "./aggregatesProtocol.js"
import { aggregateContenders, aggregateFlows, aggregateResultPrefix, Cells, chunks } from "./aggregatesProtocol.js"
import * as EmulatorHandle from "./emulatorHandle.js"
import { distEntry } from "./entry.js"
import { isolatedHome } from "./runContender.js"
import { log, spanInterval, startDate } from "./scenarios.js"
import { describeDefaultPoll } from "./pollPolicy.js"
import { median, ratio, rotate } from "./stats.js"

/** Sizes and limits of one run. @since 0.3.0 */
export interface AggregateSettings {
  readonly mode: "full" | "quick"
  readonly seed: number
  readonly days: number
  readonly perDay: number
  readonly granularity: string
  readonly groupBy: ReadonlyArray<string>
  readonly metrics: ReadonlyArray<string>
  readonly rounds: number
  /** Chunk length of the `split` flow (public code chunks at 12 h, FACTS-aggregates [A22]). */
  readonly splitHours: number
  /** Fixed poll interval of the SDK and floor job loops (the Go SDK sample polls every 2 s, FACTS-aggregates Q9). */
  readonly pollMillis: number
  /** The emulator's per-token limit (documented default: 300 per 60 s). */
  readonly rateLimit: { readonly count: number; readonly windowSeconds: number }
  /** The emulator's job model (its defaults): QUEUED, then PENDING for run + 1 ms per matching conversation. */
  readonly jobs: { readonly queueMillis: number; readonly runMillis: number; readonly runMillisPerConversation: number }
  readonly sampleMillis: number
  readonly runTimeoutMillis: number
}

/** The published run. @since 0.3.0 */
export const full: AggregateSettings = {
  mode: "full",
  seed: 7,
  days: 90,
  perDay: 100,
  granularity: "PT30M",
  groupBy: ["queueId"],
  metrics: ["nConnected", "tHandle"],
  rounds: 3,
  splitHours: 12,
  pollMillis: 2_000,
  rateLimit: { count: 300, windowSeconds: 60 },
  jobs: { queueMillis: 1_000, runMillis: 2_000, runMillisPerConversation: 1 },
  sampleMillis: 5,
  runTimeoutMillis: 180_000
}

/** A smoke run (a week, one round): not for claims. @since 0.3.0 */
export const quick: AggregateSettings = { ...full, mode: "quick", days: 7, perDay: 50, rounds: 1 }

const credentials = { clientId: "bench-aggregates", clientSecret: "bench-aggregates-secret" } as const

/** One measured run with what the emulator saw of it. @since 0.3.0 */
export interface AggregateRun extends AggregateRunResult {
  readonly round: number
  /** API requests (`/api/v2/…`) in the emulator's log for this run, 429s included; the login is not counted. */
  readonly requests: number
  /** 429 answers in the emulator's log for this run. */
  readonly tooMany: number
  /** CPU time the emulator spent during this run. */
  readonly emulatorCpuMillis: number
  /** Job flow: the job's completion − submission, on the emulator's clock. */
  readonly jobMillis?: number | undefined
  /** Job flow: first results request − the job's completion: how late the loop noticed. */
  readonly noticeMillis?: number | undefined
  /** Job flow: status requests. */
  readonly polls?: number | undefined
}

/** Everything the report states. @since 0.3.0 */
export interface AggregateResults {
  readonly settings: AggregateSettings
  readonly command: string
  readonly startedAt: string
  readonly durationMillis: number
  readonly machine: string
  readonly query: AggregateBenchQuery
  readonly conversations: number
  readonly truth: CellSummary & { readonly groups: number; readonly buckets: number; readonly responseBytes: number }
  readonly chunks: number
  readonly runs: ReadonlyArray<AggregateRun>
}

// Children still running, killed if the bench is interrupted.
const children = new Set<ChildProcess.ChildProcess>()

/** Kills every contender child still running (on SIGINT, SIGTERM or exit). @since 0.3.0 */
export const killChildren = (): void => {
  for (const child of children) child.kill("SIGKILL")
  children.clear()
}

const runContender = (input: AggregateContenderInput, timeoutMillis: number): Promise<AggregateRunResult> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(
      process.execPath,
      ["--expose-gc", distEntry("aggregatesContender.js"), JSON.stringify(input)],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, HOME: isolatedHome(), NODE_OPTIONS: "" } }
    )
    children.add(child)
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis)
    child.on("error", (error) => {
      clearTimeout(timer)
      children.delete(child)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      const line = stdout.split("\n").find((l) => l.startsWith(aggregateResultPrefix))
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(aggregateResultPrefix.length)) as AggregateRunResult)
      } else {
        reject(
          new Error(
            `${input.contender} ${input.task.flow} failed (${signal ?? `exit ${code}`}${
              signal === "SIGKILL" ? `, timeout ${timeoutMillis} ms?` : ""
            }): ${stderr.trim().slice(0, 2_000)}`
          )
        )
      }
    })
  })

const jobPath = /\/aggregates\/jobs\/([^/]+)(\/results)?$/

/**
 * When the job of a job-flow run was submitted and completed (its status, asked after the run with a token of the
 * bench's own), and when its first results request came: all on the emulator's clock.
 */
const jobTiming = async (
  url: string,
  requests: ReadonlyArray<{ readonly method: string; readonly path: string; readonly atMillis: number }>
) => {
  const status = requests.filter((r) => r.method === "GET" && jobPath.exec(r.path)?.[2] === undefined)
  const firstResults = requests.find((r) => r.method === "GET" && jobPath.exec(r.path)?.[2] !== undefined)
  const jobId = firstResults === undefined ? undefined : jobPath.exec(firstResults.path)?.[1]
  if (jobId === undefined || firstResults === undefined) return { polls: status.length }
  const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString("base64")
  const login = await fetch(`${url}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials"
  })
  const token = ((await login.json()) as { access_token: string }).access_token
  const response = await fetch(`${url}/api/v2/analytics/conversations/aggregates/jobs/${jobId}`, {
    headers: { authorization: `Bearer ${token}` }
  })
  const body = (await response.json()) as { submissionDate?: string; completionDate?: string }
  const submitted = Date.parse(body.submissionDate ?? "")
  const completed = Date.parse(body.completionDate ?? "")
  return {
    polls: status.length,
    jobMillis: completed - submitted,
    noticeMillis: firstResults.atMillis - completed
  }
}

/** The ground truth of `query`: the emulator's own answer, computed in this process from the same options. */
const groundTruth = async (options: Server.Options, query: AggregateBenchQuery) => {
  const { port: _port, host: _host, readAhead: _readAhead, ...input } = options
  const response = await Effect.runPromise(
    Effect.flatMap(Emulator.make(input), (emulator) => emulator.groundTruthAggregates(query))
  )
  const cells = new Cells()
  cells.addResults(response.results)
  const buckets = new Set<string>()
  for (const r of response.results ?? []) for (const d of r.data) buckets.add(d.interval)
  return {
    ...cells.summary(),
    groups: response.results?.length ?? 0,
    buckets: buckets.size,
    responseBytes: Buffer.byteLength(JSON.stringify(response))
  }
}

const machine = (): string => {
  const cpus = Os.cpus()
  const model = cpus[0]?.model.split(" ").slice(0, 2).join(" ") ?? "unknown CPU"
  return `${cpus.length} CPUs (${model}), ${(Os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}, ${Os.type()} ${Os.release()} ${Os.arch()}`
}

/** Runs every flow × contender for `settings.rounds` rounds and checks each answer against the truth. @since 0.3.0 */
export const run = async (settings: AggregateSettings, command: string): Promise<AggregateResults> => {
  const started = Date.now()
  const loadStart = Os.loadavg()[0]!
  const options: Server.Options = {
    seed: settings.seed,
    days: settings.days,
    perDay: settings.perDay,
    startDate: startDate(settings.days),
    anchorMillis: started,
    ...credentials,
    recordLimit: 1_000_000,
    rateLimit: settings.rateLimit,
    jobs: settings.jobs
  }
  const emulator = await EmulatorHandle.start(options)
  try {
    const query: AggregateBenchQuery = {
      interval: spanInterval(emulator),
      granularity: settings.granularity,
      groupBy: settings.groupBy,
      metrics: settings.metrics
    }
    const truth = await groundTruth(options, query)
    const chunkCount = chunks(query.interval, settings.splitHours).length
    log(
      `aggregates: ${settings.days} days, ${emulator.size} conversations, ${truth.groups} groups, ` +
        `${truth.cells} cells (${(truth.responseBytes / 2 ** 20).toFixed(1)} MiB as one response), ${settings.rounds} round(s)`
    )
    const runs: Array<AggregateRun> = []
    for (let round = 0; round < settings.rounds; round++) {
      for (const flow of aggregateFlows) {
        for (const contender of rotate(aggregateContenders, round)) {
          await emulator.clearRequests()
          const cpuBefore = await emulator.cpuMillis()
          const result = await runContender(
            {
              contender,
              endpoint: { url: emulator.url, ...credentials },
              task: { flow, query, splitHours: settings.splitHours, pollMillis: settings.pollMillis },
              sampleMillis: settings.sampleMillis
            },
            settings.runTimeoutMillis
          )
          const emulatorCpuMillis = (await emulator.cpuMillis()) - cpuBefore
          const log_ = await emulator.requests()
          const api = log_.filter((r) => r.path.startsWith("/api/"))
          if (result.cells !== truth.cells || result.duplicates !== 0 || result.digest !== truth.digest) {
            throw new Error(
              `${contender} ${flow}: ${result.cells} cells (${result.duplicates} duplicates, digest ${result.digest}), ` +
                `ground truth ${truth.cells} cells (digest ${truth.digest})`
            )
          }
          const measured: AggregateRun = {
            ...result,
            round,
            requests: api.length,
            tooMany: api.filter((r) => r.status === 429).length,
            emulatorCpuMillis,
            ...(flow === "job" ? await jobTiming(emulator.url, api) : {})
          }
          runs.push(measured)
          log(
            `  round ${round + 1} ${flow} ${contender}: ${(result.wallMillis / 1000).toFixed(2)} s wall, ` +
              `${measured.requests} requests, ${measured.tooMany} × 429, answer = truth`
          )
        }
      }
    }
    const loadEnd = Os.loadavg()[0]!
    return {
      settings,
      command,
      startedAt: new Date(started).toISOString(),
      durationMillis: Date.now() - started,
      machine: `${machine()}; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end`,
      query,
      conversations: emulator.size,
      truth,
      chunks: chunkCount,
      runs
    }
  } finally {
    await emulator.stop()
  }
}

// ---- report ----------------------------------------------------------------------------------------------------

/** Marks the section in `docs/benchmarks.md`, so that a new run replaces it. @since 0.3.0 */
export const sectionStart = "<!-- aggregates-bench:start (written by `npm run bench:aggregates`) -->"
/** @since 0.3.0 */
export const sectionEnd = "<!-- aggregates-bench:end -->"

const names: Record<AggregateContenderName, string> = {
  ours: "ours (`@effect-genesys/analytics`)",
  sdk: "official SDK (`purecloud-platform-client-v2`)",
  floor: "floor (`fetch` + `JSON.parse`)"
}

const flowTitles: Record<AggregateFlow, string> = {
  query: "one sync query",
  split: "sync queries over 12-hour chunks",
  job: "one job"
}

const fmt = (n: number, digits = 2): string =>
  Number.isFinite(n) ? String(Math.round(n * 10 ** digits) / 10 ** digits) : "—"
const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—")
const x = (n: number): string => (Number.isFinite(n) ? `${fmt(n)}×` : "—")

interface Row {
  readonly requests: number
  readonly tooMany: number
  readonly wall: number
  readonly cpu: number
  readonly emulatorCpu: number
  readonly rss: number
}

const medians = (runs: ReadonlyArray<AggregateRun>, flow: AggregateFlow, contender: AggregateContenderName): Row => {
  const of = runs.filter((r) => r.flow === flow && r.contender === contender)
  return {
    requests: median(of.map((r) => r.requests)),
    tooMany: median(of.map((r) => r.tooMany)),
    wall: median(of.map((r) => r.wallMillis / 1000)),
    cpu: median(of.map((r) => (r.cpuUserMillis + r.cpuSystemMillis) / 1000)),
    emulatorCpu: median(of.map((r) => r.emulatorCpuMillis / 1000)),
    rss: median(of.map((r) => r.peakRssBytes / 2 ** 20))
  }
}

/** The section of `docs/benchmarks.md`, markers included. @since 0.3.0 */
export const markdown = (results: AggregateResults): string => {
  const s = results.settings
  const q = results.query
  const out: Array<string> = []
  const push = (...lines: ReadonlyArray<string>) => out.push(...lines)
  const jobBound =
    (s.jobs.queueMillis + s.jobs.runMillis + s.jobs.runMillisPerConversation * results.conversations) / 1000
  push(
    sectionStart,
    "",
    `## Aggregates: ${s.days} days grouped by queue at \`${q.granularity}\``,
    "",
    `${s.days} days (**${int(results.conversations)} conversations**, ${int(s.perDay)} a day on average), one query:`,
    "",
    "```json",
    JSON.stringify({ interval: q.interval, granularity: q.granularity, groupBy: q.groupBy, metrics: q.metrics }),
    "```",
    "",
    `Its answer is ${int(results.truth.groups)} groups (each queue × its media types: the emulator adds \`mediaType\` ` +
      `to every group, FACTS-aggregates §5.5) over ${int(results.truth.buckets)} half-hour buckets with data: ` +
      `**${int(results.truth.cells)} cells** (group × bucket × metric), ${fmt(results.truth.responseBytes / 2 ** 20, 1)} MiB ` +
      "as one JSON response.",
    "",
    `One emulator server on 127.0.0.1 with the documented rate limit (**${s.rateLimit.count} requests per ` +
      `${s.rateLimit.windowSeconds} s** per token) and its default job model (${fmt(s.jobs.queueMillis / 1000)} s queued, ` +
      `then ${fmt(s.jobs.runMillis / 1000)} s + ${s.jobs.runMillisPerConversation} ms per matching conversation running: ` +
      `at most ${fmt(jobBound, 1)} s here). Each contender run is its own Node process with its own login (so its own ` +
      "rate-limit window); the runs went one at a time, flow after flow, in an order rotated each round. Three flows:",
    "",
    `- **one sync query** over the ${s.days} days (\`POST …/aggregates/query\`): ours \`rows(query)\`; the SDK ` +
      "`postAnalyticsConversationsAggregatesQuery(query)`, as its `AnalyticsApi` documentation shows it;",
    `- **sync queries over ${s.splitHours}-hour chunks** (${int(results.chunks)} requests; public code chunks at 12 h, ` +
      `FACTS-aggregates [A22], since no interval limit is documented): ours \`rows(query, { maxSpan: "${s.splitHours} hours" })\` ` +
      "(split on bucket boundaries, stitched); the SDK and the floor a loop over the chunks, one after the other, " +
      "their cells concatenated (a chunk of whole buckets cuts none);",
    '- **one job** (`POST …/aggregates/jobs`, status polls, result pages by cursor): ours `rows(query, { via: "job" })` ' +
      `(what the CLI picks for an interval over 31 days), library default poll (${describeDefaultPoll().policy}); the SDK ` +
      "`postAnalyticsConversationsAggregatesJobs`, `getAnalyticsConversationsAggregatesJob` every " +
      `${fmt(s.pollMillis / 1000)} s (as the Go SDK sample, FACTS-aggregates Q9) and ` +
      "`getAnalyticsConversationsAggregatesJobResults(jobId, { cursor })` until no cursor; the floor the same over `fetch`.",
    "",
    "Every run's answer was reduced to its cells (group, bucket start and end, metric, `count`/`sum`/`max`/`min`) and " +
      "**equals the emulator's ground truth** (`AggregateTruth`, the same seed and options, computed without HTTP) cell " +
      "for cell: same count, no bucket twice, same SHA-256 of the sorted cells — or the bench stops. Requests and 429s " +
      "are counted in the emulator's request log of each run (API requests; the login is not counted). Figures are " +
      `**medians of ${s.rounds} round(s)**; wall time runs from the login to the last cell, in the contender's process.`,
    "",
    `- Command: \`${results.command}\` (${s.mode} run, ${int(results.durationMillis / 1000)} s, ${results.startedAt})`,
    `- Machine: ${results.machine}`,
    "",
    "| flow | contender | API requests | 429 received | wall (s) | client CPU (s) | emulator CPU (s) | peak RSS (MiB) |",
    "|---|---|---:|---:|---:|---:|---:|---:|"
  )
  for (const flow of aggregateFlows) {
    for (const contender of aggregateContenders) {
      const m = medians(results.runs, flow, contender)
      push(
        `| ${flowTitles[flow]} | ${names[contender]} | ${int(m.requests)} | ${int(m.tooMany)} | ${fmt(m.wall)} | ` +
          `${fmt(m.cpu)} | ${fmt(m.emulatorCpu)} | ${fmt(m.rss, 1)} |`
      )
    }
  }
  push("", "| flow | ratio (medians) | requests | 429 | wall | client CPU |", "|---|---|---:|---:|---:|---:|")
  for (const flow of aggregateFlows) {
    const ours = medians(results.runs, flow, "ours")
    for (const other of ["sdk", "floor"] as const) {
      const o = medians(results.runs, flow, other)
      const tooMany = ours.tooMany === 0 && o.tooMany === 0 ? "none" : x(ratio(ours.tooMany, o.tooMany))
      push(
        `| ${flowTitles[flow]} | ours / ${other === "sdk" ? "SDK" : "floor"} | ${x(ratio(ours.requests, o.requests))} | ` +
          `${tooMany} | ${x(ratio(ours.wall, o.wall))} | ${x(ratio(ours.cpu, o.cpu))} |`
      )
    }
  }
  push(
    "",
    "The job flow in detail (emulator clock; *noticed after* = first results request − the job's `completionDate`):",
    "",
    "| contender | job duration (s) | noticed after (s) | status polls | wall (s) |",
    "|---|---:|---:|---:|---:|"
  )
  for (const contender of aggregateContenders) {
    const of = results.runs.filter((r) => r.flow === "job" && r.contender === contender)
    const med = (f: (r: AggregateRun) => number | undefined) => median(of.map((r) => f(r) ?? Number.NaN))
    push(
      `| ${names[contender]} | ${fmt(med((r) => r.jobMillis) / 1000)} | ${fmt(med((r) => r.noticeMillis) / 1000)} | ` +
        `${int(med((r) => r.polls))} | ${fmt(med((r) => r.wallMillis) / 1000)} |`
    )
  }
  push("", ...bounds(results), "", sectionEnd)
  return `${out.join("\n")}\n`
}

const bounds = (results: AggregateResults): ReadonlyArray<string> => {
  const s = results.settings
  const m = (flow: AggregateFlow, c: AggregateContenderName) => medians(results.runs, flow, c)
  const splitRequests = results.chunks
  return [
    "What bounds each flow:",
    "",
    "- **One sync query**: one request, so the rate limit plays no part. The wall time is the emulator computing the " +
      `answer from every conversation of the ${s.days} days (its CPU column; ${fmt(m("query", "floor").emulatorCpu)} s for the ` +
      `floor's run) and writing ${fmt(results.truth.responseBytes / 2 ** 20, 1)} MiB, then the client reading it: what ` +
      "ours adds over the floor is the client CPU column: validation of the query, Schema decoding of every group, " +
      "bucket and metric, one tidy row per cell and the audit events. The SDK and the floor parse the same body with " +
      "`JSON.parse` and do nothing else (the bench's own reduction to cells is the same for all three).",
    `- **${s.splitHours}-hour chunks**: ${int(splitRequests)} requests, one after the other. ${int(splitRequests)} is ` +
      `below ${s.rateLimit.count} per ${s.rateLimit.windowSeconds} s, so no client meets a 429 or waits for the limit ` +
      "(ours reads the `inin-ratelimit-*` headers and would pace before the limit; the hand loops would sleep out a " +
      "`Retry-After`); wall time is the sum of the round trips, each one the emulator computing its chunk. A chunk of " +
      `${Math.max(1, Math.floor((s.days * 24) / (s.rateLimit.count + 1)))} h or less would need more than ` +
      `${s.rateLimit.count} requests and then be bounded by the limit instead (at least one more window, ` +
      `${s.rateLimit.windowSeconds} s).`,
    `- **One job**: bounded by the job itself (${fmt(median(results.runs.flatMap((r) => (r.jobMillis === undefined ? [] : [r.jobMillis]))) / 1000)} s ` +
      "here, the emulator's model above) plus how late each loop notices that it finished (the detail table). The SDK " +
      `and the floor poll every ${fmt(s.pollMillis / 1000)} s, so they are at most that late; ours backs off (library ` +
      `default: ${describeDefaultPoll().policy}, so polls about ${describeDefaultPoll().times} s after the submission): ` +
      "fewer polls on long jobs, but a job that ends just after a poll waits for the next one, up to the gap then in " +
      "force. Then the result pages: the emulator's default page holds 1,000 groups, so all " +
      `${int(results.truth.groups)} come in one page. Requests = submit + polls + pages.`,
    "",
    "All three contenders return the same cells in every flow; the differences are requests (polls), wall time " +
      "(when a job is noticed) and client CPU (decoding). On the real platform the aggregates query documents no " +
      "interval, bucket or size limit (FACTS-aggregates §4): whether a 90-day `PT30M` sync query is accepted there is " +
      "unknown, which is why the chunked and job flows are measured too.",
    "",
    "`npm run bench` writes this file again from its template and does not keep this section: run " +
      "`npm run bench:aggregates` after it (about three minutes; `-- --quick` is a one-week smoke run that writes nothing)."
  ]
}
