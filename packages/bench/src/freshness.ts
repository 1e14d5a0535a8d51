/**
 * `npm run bench:freshness [-- --advances n --speed n --step-seconds s --job-seconds s --per-day n --no-write]`:
 * how soon a continuous sync has a newly settled span in its database. A live emulator server runs in a child process
 * (`freshnessEmulator.ts`) at `--speed` (default 10×); the `genesys-analytics sync` command (a process, defaults but
 * `--from`) writes to SQLite. For each of `--advances` availability advances after the back-fill:
 *
 * - **freshness**: from the advance's announcement (the emulator's own subscriber to the availability topic, stamped
 *   with the wall clock) to the sync's `sync cycle … settled until D` line with D at or past it (printed once the
 *   cycle's pages are written and the settled point is stored); wall time;
 * - **job duration**: the emulator's submit→FULFILLED time of a job (queue + run, set by `--job-seconds` in wall time,
 *   the emulated durations being `speed` times longer), and the wait the sync saw (submit → its first results page);
 * - **requests per cycle** by kind, from the emulator's request log over the measured cycles.
 *
 * Every duration is given in wall-clock seconds: emulated durations are `speed` times the wall ones. The CLI reads the
 * real clock, so the org's "now" starts two hours before it: the sync stays correct while the emulated watermark is
 * behind the real time, which bounds a run to about (2 h + lag) / (speed − 1) (checked before starting).
 *
 * Writes its section of `docs/benchmarks.md` (between the `bench:freshness` markers) unless `--no-write`.
 *
 * @since 0.4.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { Message } from "./freshnessEmulator.js"
import * as Sections from "./sections.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const root = Path.resolve(here, "..", "..", "..")
const cliBin = Path.resolve(here, "..", "..", "cli", "bin", "genesys-analytics.js")
const HOUR = 3_600_000

/** The bench's settings (wall-clock seconds unless said). @since 0.4.0 */
export interface Settings {
  readonly advances: number
  readonly speed: number
  readonly stepSeconds: number
  readonly jobSeconds: number
  readonly perDay: number
  readonly write: boolean
}

// The step is longer than a cycle (about 4 s here), as in Genesys (hourly steps, jobs of minutes): an advance does not
// wait for the cycle of the one before.
const defaults: Settings = { advances: 12, speed: 10, stepSeconds: 8, jobSeconds: 3, perDay: 3_000, write: true }

const usage =
  "usage: bench:freshness [--advances n] [--speed n] [--step-seconds s] [--job-seconds s] [--per-day n] [--no-write]"

/** Parses the arguments, or returns the usage message. @since 0.4.0 */
export const parse = (argv: ReadonlyArray<string>): Settings | string => {
  let settings = { ...defaults }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--no-write") {
      settings = { ...settings, write: false }
      continue
    }
    const keys: Record<string, keyof Settings> = {
      "--advances": "advances",
      "--speed": "speed",
      "--step-seconds": "stepSeconds",
      "--job-seconds": "jobSeconds",
      "--per-day": "perDay"
    }
    const key = keys[arg]
    const value = Number(argv[++i])
    if (key === undefined || !(value > 0)) return `bad argument ${arg}\n${usage}`
    settings = { ...settings, [key]: value }
  }
  const lagSeconds = 2 * settings.stepSeconds
  const runSeconds = (settings.advances + 4) * settings.stepSeconds + 30
  if ((settings.speed - 1) * runSeconds > 2 * 3600 + lagSeconds * settings.speed) {
    return `at ${settings.speed}× a run of about ${runSeconds} s would overtake the real clock (see the header of freshness.ts)`
  }
  return settings
}

/** A percentile of a sorted-or-not list (nearest rank). @since 0.4.0 */
export const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
}

/** The kind of an API request, for the requests-per-cycle table. @since 0.4.0 */
export const kindOf = (method: string, path: string): string => {
  if (path === "/oauth/token") return "token"
  if (path.startsWith("/api/v2/notifications/")) return "notifications"
  const details = "/api/v2/analytics/conversations/details"
  if (path === `${details}/jobs/availability`) return "availability"
  if (method === "POST" && path === `${details}/jobs`) return "submit"
  if (method === "POST" && path === `${details}/query`) return "sync query"
  if (path.startsWith(`${details}/jobs/`) && path.endsWith("/results")) return "results page"
  if (method === "GET" && path.startsWith(`${details}/jobs/`)) return "status poll"
  return "other"
}

/** One measured advance. @since 0.4.0 */
export interface Advance {
  readonly dataAvailabilityDate: string
  /** Announcement → the cycle line settling it, wall seconds. */
  readonly freshnessSeconds: number
  /** Whether a cycle was running when it was announced (it waited for that one first). */
  readonly queuedBehindCycle: boolean
}

/** What a run measured. @since 0.4.0 */
export interface Results {
  readonly settings: Settings
  readonly advances: ReadonlyArray<Advance>
  readonly cycles: number
  /** The emulator's submit→FULFILLED time, wall seconds (queue + run). */
  readonly jobSeconds: number
  /** Submit → first results page as the sync saw it, per job, wall seconds. */
  readonly jobWaits: ReadonlyArray<number>
  /** Requests per measured cycle, by kind. */
  readonly perCycle: Readonly<Record<string, number>>
  readonly cores: number
  readonly node: string
}

const log = (text: string) => process.stderr.write(`bench:freshness: ${text}\n`)

interface Line {
  readonly text: string
  readonly wallMillis: number
}

const waitFor = async (what: string, condition: () => boolean, millis: number) => {
  const deadline = Date.now() + millis
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** Runs the bench once. @since 0.4.0 */
export const run = async (settings: Settings): Promise<Results> => {
  const { speed } = settings
  const step = settings.stepSeconds * 1000 * speed
  const lag = 2 * step
  const anchor = Date.now() - 2 * HOUR
  const emulatorOptions = {
    seed: 17,
    days: 1,
    perDay: settings.perDay,
    anchorMillis: anchor,
    live: { speed, availabilityStepMillis: step, horizonDays: 1, restatementRate: 0.05 },
    // Emulated durations: `speed` times the wall-clock ones. A third of the job queued, the rest running.
    jobs: {
      availabilityLagMillis: lag,
      queueMillis: (settings.jobSeconds * 1000 * speed) / 3,
      runMillis: (2 * settings.jobSeconds * 1000 * speed) / 3,
      runMillisPerConversation: 0
    }
  }
  const emulator = ChildProcess.fork(Path.join(here, "freshnessEmulator.js"), [JSON.stringify(emulatorOptions)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const advances: Array<{ readonly date: string; readonly wallMillis: number }> = []
  let ready: Extract<Message, { type: "ready" }> | undefined
  let requests: Extract<Message, { type: "requests" }>["requests"] | undefined
  emulator.on("message", (raw) => {
    const message = raw as Message
    if (message.type === "ready") ready = message
    if (message.type === "advance")
      advances.push({ date: message.dataAvailabilityDate, wallMillis: message.wallMillis })
    if (message.type === "requests") requests = message.requests
  })
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bench-freshness-"))
  let sync: ChildProcess.ChildProcess | undefined
  try {
    await waitFor("the emulator", () => ready !== undefined, 30_000)
    const from = new Date(anchor - HOUR).toISOString()
    log(
      `emulator ${ready!.url} at ${speed}×: a ${settings.stepSeconds} s step, ${settings.jobSeconds} s jobs; sync from ${from}`
    )
    sync = ChildProcess.spawn(process.execPath, [cliBin, "sync", "--from", from, "--out", "fresh.sqlite"], {
      cwd: dir,
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GENESYS_"))),
        GENESYS_API_URL: ready!.url,
        GENESYS_CLIENT_ID: "emulator-client",
        GENESYS_CLIENT_SECRET: "emulator-secret"
      },
      stdio: ["ignore", "ignore", "pipe"]
    })
    const lines: Array<Line> = []
    let pending = ""
    sync.stderr!.on("data", (d: Buffer) => {
      pending += d.toString()
      const parts = pending.split("\n")
      pending = parts.pop()!
      for (const text of parts) lines.push({ text, wallMillis: Date.now() })
    })
    const cycleLines = () =>
      lines.flatMap((l) => {
        const m = /sync cycle (\d+): \S+, (\d+) conversations, settled until (\S+)/.exec(l.text)
        return m === null ? [] : [{ ...l, cycle: Number(m[1]), settledMillis: Date.parse(m[3]!) }]
      })
    await waitFor("the back-fill", () => cycleLines().length > 0, 120_000)
    const backFill = cycleLines()[0]!
    log(`back-fill done (${backFill.text.split(": ").slice(2).join(": ")}); measuring ${settings.advances} advances`)
    const measured = () => advances.filter((a) => a.wallMillis > backFill.wallMillis)
    await waitFor(
      `${settings.advances} advances, each settled`,
      () => {
        const list = measured()
        if (list.length < settings.advances) return false
        const last = Date.parse(list[settings.advances - 1]!.date)
        return cycleLines().some((c) => c.settledMillis >= last)
      },
      (settings.advances + 4) * settings.stepSeconds * 1000 + 60_000
    )
    emulator.send({ op: "requests" })
    await waitFor("the request log", () => requests !== undefined, 10_000)
    const cycles = cycleLines()
    const list = measured().slice(0, settings.advances)
    const out: Array<Advance> = list.map((a) => {
      const date = Date.parse(a.date)
      const done = cycles.find((c) => c.settledMillis >= date && c.wallMillis >= a.wallMillis)!
      // Cycles run one after another: a cycle line between the announcement and the settling one is a cycle that
      // was already running (planned before the advance), which this advance waited for.
      const between = cycles.filter((c) => c.wallMillis >= a.wallMillis && c.wallMillis < done.wallMillis)
      return {
        dataAvailabilityDate: a.date,
        freshnessSeconds: (done.wallMillis - a.wallMillis) / 1000,
        queuedBehindCycle: between.length > 0
      }
    })
    // The measured window: from the first measured announcement to the last settling line, in emulator time.
    const toEmulated = (wall: number) => ready!.emulatedAt + (wall - ready!.wallAt) * speed
    const windowStart = toEmulated(list[0]!.wallMillis)
    const lastDone = cycles.find((c) => c.settledMillis >= Date.parse(list.at(-1)!.date))!
    const windowEnd = toEmulated(lastDone.wallMillis)
    const inWindow = requests!.filter((r) => r.atMillis >= windowStart && r.atMillis <= windowEnd)
    const measuredCycles = cycles.filter(
      (c) => c.wallMillis >= list[0]!.wallMillis && c.wallMillis <= lastDone.wallMillis
    ).length
    const counts: Record<string, number> = {}
    for (const r of inWindow) counts[kindOf(r.method, r.path)] = (counts[kindOf(r.method, r.path)] ?? 0) + 1
    const perCycle = Object.fromEntries(
      Object.entries(counts).map(([k, n]) => [k, Math.round((n / Math.max(1, measuredCycles)) * 10) / 10])
    )
    // Per job: its submission (the last POST before the job's first status poll) to its first results page.
    const jobWaits: Array<number> = []
    const seen = new Set<string>()
    for (const [i, r] of requests!.entries()) {
      const m = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([^/]+)\/results$/.exec(r.path)
      if (m === null || seen.has(m[1]!) || r.atMillis < windowStart) continue
      seen.add(m[1]!)
      const firstPoll = requests!.findIndex((q) => q.path === `/api/v2/analytics/conversations/details/jobs/${m[1]}`)
      const submit = requests!
        .slice(0, firstPoll < 0 ? i : firstPoll)
        .reverse()
        .find((q) => kindOf(q.method, q.path) === "submit")
      if (submit !== undefined) jobWaits.push((r.atMillis - submit.atMillis) / speed / 1000)
    }
    return {
      settings,
      advances: out,
      cycles: measuredCycles,
      jobSeconds: settings.jobSeconds,
      jobWaits,
      perCycle,
      cores: Os.cpus().length,
      node: process.version
    }
  } finally {
    sync?.kill("SIGTERM")
    emulator.send({ op: "stop" })
    Fs.rmSync(dir, { recursive: true, force: true })
  }
}

const fmt = (x: number) => x.toFixed(2)

/** The markers of this bench's section in `docs/benchmarks.md`. @since 0.4.0 */
export const begin = "<!-- bench:freshness:begin -->"
/** @since 0.4.0 */
export const end = "<!-- bench:freshness:end -->"

/** The markdown section (without markers). @since 0.4.0 */
export const markdown = (r: Results): string => {
  const f = r.advances.map((a) => a.freshnessSeconds)
  const over = f.map((x) => x - r.jobSeconds)
  const goal = r.jobSeconds + 2
  const met = f.filter((x) => x <= goal).length
  const queued = r.advances.filter((a) => a.queuedBehindCycle).length
  const kinds = [
    "token",
    "availability",
    "submit",
    "status poll",
    "results page",
    "sync query",
    "notifications",
    "other"
  ]
  const s = r.settings
  return [
    "## Sync freshness",
    "",
    `\`npm run bench:freshness\` (${s.advances} advances; a live emulator at ${s.speed}× in its own process, availability steps of`,
    `${s.stepSeconds} s and jobs of ${s.jobSeconds} s in wall time; \`genesys-analytics sync\` as a process with its defaults into`,
    `SQLite; ${r.cores} cores, Node ${r.node}). Freshness is the wall time from an advance's announcement on the`,
    "notifications topic to the sync's line for the cycle that settled it (its pages written, the settled point stored).",
    "",
    "| | median | p95 |",
    "| --- | ---: | ---: |",
    `| freshness (s) | ${fmt(percentile(f, 50))} | ${fmt(percentile(f, 95))} |`,
    `| freshness − job duration (s) | ${fmt(percentile(over, 50))} | ${fmt(percentile(over, 95))} |`,
    `| job wait the sync saw, submit → first results page (s) | ${fmt(percentile(r.jobWaits, 50))} | ${fmt(percentile(r.jobWaits, 95))} |`,
    "",
    `Goal: within one job's duration plus 2 s (${fmt(goal)} s): met by ${met} of ${f.length} advances;`,
    `${queued} of ${f.length} were announced while a cycle was running and waited for it.`,
    "",
    `Requests per cycle (${r.cycles} cycles measured):`,
    "",
    `| ${kinds.join(" | ")} |`,
    `| ${kinds.map(() => "---:").join(" | ")} |`,
    `| ${kinds.map((k) => String(r.perCycle[k] ?? 0)).join(" | ")} |`,
    "",
    `Reproduce: \`npm run bench:freshness -- --advances ${s.advances} --speed ${s.speed} --step-seconds ${s.stepSeconds} --job-seconds ${s.jobSeconds}\``,
    "(`--no-write` leaves this file alone)."
  ].join("\n")
}

/** `document` with the freshness section replaced by `section` (appended when it has none). @since 0.4.0 */
export const replaceSection = (document: string, section: string): string =>
  Sections.replaceBlock(document, begin, end, `${begin}\n${section.trim()}\n${end}`)

const main = async () => {
  const settings = parse(process.argv.slice(2))
  if (typeof settings === "string") {
    console.error(settings)
    process.exitCode = 2
    return
  }
  if (!Fs.existsSync(cliBin)) throw new Error(`${cliBin} is missing: build first (npm run build)`)
  const results = await run(settings)
  const section = markdown(results)
  process.stdout.write(`${section}\n\n`)
  for (const a of results.advances) {
    log(
      `${a.dataAvailabilityDate}: ${fmt(a.freshnessSeconds)} s${a.queuedBehindCycle ? " (queued behind a cycle)" : ""}`
    )
  }
  if (settings.write) {
    const mdPath = Path.join(root, "docs", "benchmarks.md")
    Fs.writeFileSync(mdPath, replaceSection(Fs.readFileSync(mdPath, "utf8"), section))
    log(`wrote its section of ${mdPath}`)
  }
  process.stdout.write(`${JSON.stringify(results)}\n`)
}

const isMain = process.argv[1] !== undefined && Fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)
if (isMain) void main().then(() => process.exit())
