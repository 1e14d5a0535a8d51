/**
 * Scenario 6 (realistic latency): its figures, the physical bound and its section of `docs/benchmarks.md`, written
 * between its own markers so that `npm run bench -- --only 6` replaces it alone.
 *
 * @since 0.4.0
 */
import { idealSpanSeconds, requestStats } from "./analysis.js"
import type { ContenderName, RecordedRequest } from "./protocol.js"
import type * as Scenarios from "./scenarios.js"
import { median, ratio, round } from "./stats.js"

/** Start marker of the section. @since 0.4.0 */
export const sectionBegin = "<!-- bench:latency:begin -->"
/** End marker of the section. @since 0.4.0 */
export const sectionEnd = "<!-- bench:latency:end -->"

/** The log-normal's mean, `median · e^(σ²/2)` with σ = ln(p99 / median) / z₀.₉₉. @since 0.4.0 */
export const meanLatencyMillis = (latency: { readonly medianMillis: number; readonly p99Millis: number }): number => {
  const sigma = Math.max(0, Math.log(latency.p99Millis / latency.medianMillis)) / 2.3263478740408408
  return latency.medianMillis * Math.exp((sigma * sigma) / 2)
}

/**
 * The least wall time any client can expect. Every conversation must come out of a job; jobs take
 * `queue + run + perConversation · n` and at most `maxConcurrent` are QUEUED or PENDING at once, so the last job
 * finishes no sooner than `queue + run + perConversation · ⌈N / maxConcurrent⌉` after the first submission (the
 * total job time over the slots, reached with `maxConcurrent` equal jobs at once). Around it a client spends at
 * least a login, a submission, one status request that sees FULFILLED and the last job's pages one after the
 * other (a cursor chain), each a round trip of the mean latency. The rate limit adds nothing unless the requests
 * of that plan do not fit in one window; when they do not, the bound is the larger of the two.
 *
 * @since 0.4.0
 */
export interface Bound {
  readonly seconds: number
  /** `queue + run + perConversation · ⌈N / maxConcurrent⌉`. */
  readonly jobSeconds: number
  /** Mean latency × (login + submit + status + pages of one job). */
  readonly latencySeconds: number
  /** Least span of `requests` under the rate limit (fixed windows): 0 when they fit in one window. */
  readonly rateSeconds: number
  readonly jobs: number
  readonly conversationsPerJob: number
  readonly pagesPerJob: number
  /** API requests of that plan: per job a submission, one status and its pages. */
  readonly requests: number
}

/** The bound of `data` (see `Bound`). @since 0.4.0 */
export const bound = (
  data: Pick<Scenarios.LatencyData, "conversations" | "jobs" | "latency" | "pageSize" | "count" | "windowSeconds">
): Bound => {
  const jobs = data.jobs.maxConcurrent
  const conversationsPerJob = Math.ceil(data.conversations / jobs)
  const pagesPerJob = Math.max(1, Math.ceil(conversationsPerJob / data.pageSize))
  const jobSeconds =
    (data.jobs.queueMillis + data.jobs.runMillis + data.jobs.runMillisPerConversation * conversationsPerJob) / 1000
  const latencySeconds = (meanLatencyMillis(data.latency) * (3 + pagesPerJob)) / 1000
  const requests = jobs * (2 + pagesPerJob)
  const rateSeconds = idealSpanSeconds(requests, data.count, data.windowSeconds)
  return {
    seconds: round(Math.max(jobSeconds + latencySeconds, rateSeconds), 2),
    jobSeconds: round(jobSeconds, 2),
    latencySeconds: round(latencySeconds, 2),
    rateSeconds: round(rateSeconds, 2),
    jobs,
    conversationsPerJob,
    pagesPerJob,
    requests
  }
}

/** One variant's figures, medians over rounds unless named otherwise. @since 0.4.0 */
export interface VariantFigures {
  readonly variant: Scenarios.LatencyVariant["variant"]
  readonly contender: ContenderName
  /** Equal jobs its hand loop submits at once (0 for ours: the library plans). */
  readonly jobs: number
  readonly wallSeconds: number
  /** Every round's wall time, in round order. */
  readonly roundWallSeconds: ReadonlyArray<number>
  readonly cpuSeconds: number
  /** CPU its emulator process used over the run (building and serving its pages). */
  readonly emulatorCpuSeconds: number
  readonly ratioToBound: number
  /** Successful API requests, from its emulator's request log. */
  readonly okRequests: number
  /** 429 answers in its emulator's request log: median and most in one round. */
  readonly rateLimited: number
  readonly rateLimitedMax: number
  /** Jobs submitted (202 answers to `POST …/details/jobs`). */
  readonly submitted: number
  /** Results pages served (200 answers to `GET …/details/jobs/{id}/results`). */
  readonly pages?: number | undefined
  /** Its emulator's CPU per results page served, in milliseconds: the work of building one (median of rounds). */
  readonly emulatorCpuPerPageMillis?: number | undefined
  /** Ours: windows planned and windows in flight at once (first, last). */
  readonly plan?:
    | { readonly windows: number; readonly concurrency: number; readonly finalConcurrency: number }
    | undefined
}

/** Scenario 6 figures. @since 0.4.0 */
export interface Figures {
  readonly command: string
  readonly mode: "full" | "quick"
  readonly generatedAt: string
  readonly loadAverage: { readonly start: number; readonly end: number }
  readonly days: number
  readonly perDay: number
  readonly conversations: number
  readonly pageSize: number
  readonly pollMillis: number
  readonly latency: { readonly medianMillis: number; readonly p99Millis: number; readonly meanMillis: number }
  readonly count: number
  readonly windowSeconds: number
  readonly jobModel: Scenarios.LatencyData["jobs"]
  readonly reps: number
  readonly bound: Bound
  readonly variants: ReadonlyArray<VariantFigures>
  /** Ours over each other variant and over the bound: ratio of median walls, and median of the per-round ratios. */
  readonly ratios: ReadonlyArray<{
    readonly to: string
    readonly ofMedians: number
    readonly paired: number
  }>
}

const resultPages = (requests: ReadonlyArray<RecordedRequest>) =>
  requests.filter(
    (r) =>
      r.method === "GET" &&
      r.status === 200 &&
      r.path.startsWith("/api/v2/analytics/conversations/details/jobs/") &&
      r.path.endsWith("/results")
  ).length

const submissions = (requests: ReadonlyArray<RecordedRequest>) =>
  requests.filter(
    (r) => r.method === "POST" && r.path === "/api/v2/analytics/conversations/details/jobs" && r.status === 202
  ).length

/** The figures of one scenario-6 run. @since 0.4.0 */
export const figures = (
  data: Scenarios.LatencyData,
  meta: Pick<Figures, "command" | "mode" | "generatedAt" | "loadAverage">
): Figures => {
  const b = bound(data)
  const reps = Math.max(0, ...data.runs.map((r) => r.rep + 1))
  const variants = data.variants.map((v): VariantFigures => {
    const runs = data.runs.filter((r) => r.variant === v.variant).sort((x, y) => x.rep - y.rep)
    const stats = runs.map((r) => requestStats(r.requests))
    const wall = median(runs.map((r) => r.wallMillis / 1000))
    const plan = runs.find((r) => r.plan !== undefined)?.plan
    return {
      variant: v.variant,
      contender: v.contender,
      jobs: v.jobs,
      wallSeconds: round(wall, 2),
      roundWallSeconds: runs.map((r) => round(r.wallMillis / 1000, 2)),
      cpuSeconds: round(median(runs.map((r) => (r.cpuUserMillis + r.cpuSystemMillis) / 1000)), 2),
      emulatorCpuSeconds: round(median(runs.map((r) => r.emulatorCpuMillis / 1000)), 2),
      ratioToBound: round(ratio(wall, b.seconds), 2),
      okRequests: round(median(stats.map((s) => s.ok)), 0),
      rateLimited: round(median(stats.map((s) => s.rateLimited)), 0),
      rateLimitedMax: Math.max(0, ...stats.map((s) => s.rateLimited)),
      submitted: round(median(runs.map((r) => submissions(r.requests))), 0),
      pages: round(median(runs.map((r) => resultPages(r.requests))), 0),
      emulatorCpuPerPageMillis: round(median(runs.map((r) => ratio(r.emulatorCpuMillis, resultPages(r.requests)))), 0),
      ...(plan === undefined ? {} : { plan })
    }
  })
  const wallIn = (variant: string, rep: number) =>
    (data.runs.find((r) => r.variant === variant && r.rep === rep)?.wallMillis ?? Number.NaN) / 1000
  const ours = variants.find((v) => v.variant === "ours")
  const rounds = Array.from({ length: reps }, (_, rep) => rep)
  const ratios = [
    ...variants
      .filter((v) => v.variant !== "ours")
      .map((v) => ({
        to: v.variant,
        ofMedians: round(ratio(ours?.wallSeconds ?? Number.NaN, v.wallSeconds), 2),
        paired: round(median(rounds.map((rep) => ratio(wallIn("ours", rep), wallIn(v.variant, rep)))), 2)
      })),
    {
      to: "bound",
      ofMedians: round(ratio(ours?.wallSeconds ?? Number.NaN, b.seconds), 2),
      paired: round(median(rounds.map((rep) => ratio(wallIn("ours", rep), b.seconds))), 2)
    }
  ]
  return {
    ...meta,
    days: data.days,
    perDay: data.perDay,
    conversations: data.conversations,
    pageSize: data.pageSize,
    pollMillis: data.pollMillis,
    latency: { ...data.latency, meanMillis: round(meanLatencyMillis(data.latency), 1) },
    count: data.count,
    windowSeconds: data.windowSeconds,
    jobModel: data.jobs,
    reps,
    bound: b,
    variants,
    ratios
  }
}

const fmt = (n: number | undefined, digits = 2): string =>
  n === undefined || !Number.isFinite(n) ? "n/a" : n.toLocaleString("en-US", { maximumFractionDigits: digits })

const x = (n: number): string => (Number.isFinite(n) ? `${fmt(n)}×` : "n/a")

const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string =>
  [
    `| ${header.join(" | ")} |`,
    `|${header.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`)
  ].join("\n")

const labels: Record<string, string> = {
  ours: "ours: `Extraction.plan` + `Extraction.run`, library defaults",
  "sdk-loop": "official SDK, documented loop (one job, poll, cursor loop)",
  "sdk-best-effort": "official SDK, best effort",
  "floor-best-effort": "floor (`fetch` + `JSON.parse`), best effort",
  bound: "the bound"
}

const label = (v: { readonly variant: string; readonly jobs: number }) =>
  v.variant.endsWith("best-effort")
    ? `${labels[v.variant]} (${v.jobs} equal jobs at once)`
    : (labels[v.variant] ?? v.variant)

/** `text` as lines of at most `width` characters, broken at spaces (a paragraph of the section). */
const wrap = (text: string, width = 116): string => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === "" ? word : `${line} ${word}`
  }
  if (line !== "") lines.push(line)
  return lines.join("\n")
}

/** The command that reruns scenario 6 alone (`rounds` rounds). @since 0.4.0 */
export const rerun = (rounds?: number): string =>
  `npm run bench -- --only 6${rounds === undefined ? "" : ` --reps ${rounds}`}`

/** The section, markers included. @since 0.4.0 */
export const section = (f: Figures): string => {
  const b = f.bound
  const j = f.jobModel
  const ours = f.variants.find((v) => v.variant === "ours")
  const plan = ours?.plan
  const perPage = median(
    f.variants.flatMap((v) => (v.emulatorCpuPerPageMillis === undefined ? [] : [v.emulatorCpuPerPageMillis]))
  )
  return `${sectionBegin}
## Realistic latency (scenario 6)

<!-- Generated by packages/bench (\`${f.command}\`, ${f.generatedAt}); template in packages/bench/src/latency.ts. -->

${wrap(`Every conversation of ${f.days} days (**${fmt(f.conversations, 0)} conversations**, ${fmt(f.perDay, 0)} a day)
through the details jobs, against an emulator that delays **every request** (the token endpoint's too) by a
seeded log-normal draw — median **${fmt(f.latency.medianMillis, 0)} ms**, p99 **${fmt(f.latency.p99Millis, 0)}
ms** (mean ${fmt(f.latency.meanMillis, 0)} ms) — allows **${f.count} requests per ${f.windowSeconds} s** per
token (the documented limit) and runs jobs on its default model: QUEUED ${fmt(j.queueMillis / 1000)} s, PENDING
${fmt(j.runMillis / 1000)} s + ${fmt(j.runMillisPerConversation)} ms per conversation, at most
${j.maxConcurrent} jobs QUEUED or PENDING at once. Each variant has its own emulator process with identical
options (its own token, rate window and job slots), started for its run; the variants of a round run one after
another, each alone on the machine with its emulator, in an order rotated each round (until 2026-12-07 they ran at
the same time: four clients and four emulators kept the machine's 2 cores nearly busy, ~50 s of CPU in the
~28 s the three faster variants took in the last such run, so the scenario
measured contention for CPU rather than latency). Medians of **${f.reps} round(s)** (${f.mode} run; load average
${fmt(f.loadAverage.start)} at start, ${fmt(f.loadAverage.end)} at end). The machine is shared with other work, so a
busy machine stretches every wall time: compare the ratios of one run, and walls with the bound only on a quiet
machine. Every run returned exactly the dataset (count and id checksum
against the emulator's ground truth). Ours runs the library with no option, into a sink that counts ids and says so
(\`validation: "conversation"\`, \`nested: "lazy"\`, as in the other scenarios), with the aggregates service that its
plan reads the volume with (one aggregate query; every emulator keeps an aggregate store, built before the run,
\`docs/emulator.md\`): its planner cut the ${f.days} days by volume into
${
  plan === undefined
    ? "its windows"
    : `**${plan.windows} windows, ${plan.concurrency} at a time**${
        plan.finalConcurrency === plan.concurrency ? "" : ` (lowered to ${plan.finalConcurrency})`
      }`
},
pages of its default size. The hand-written loops read pages of ${fmt(f.pageSize, 0)} and poll every
${fmt(f.pollMillis / 1000)} s.`)}

${table(
  [
    "variant",
    "wall (s, median)",
    "rounds (s)",
    "wall / bound",
    "CPU (s)",
    "its emulator's CPU (s)",
    "jobs submitted",
    "successful requests",
    "429 (median / max)"
  ],
  f.variants.map((v) => [
    label(v),
    fmt(v.wallSeconds),
    v.roundWallSeconds.map((s) => fmt(s, 1)).join(", "),
    x(v.ratioToBound),
    fmt(v.cpuSeconds),
    fmt(v.emulatorCpuSeconds),
    fmt(v.submitted, 0),
    fmt(v.okRequests, 0),
    `${fmt(v.rateLimited, 0)} / ${fmt(v.rateLimitedMax, 0)}`
  ])
)}

${table(
  ["ours / …", "ratio of medians", "median of per-round ratios"],
  f.ratios.map((r) => [labels[r.to] ?? r.to, x(r.ofMedians), x(r.paired)])
)}

${wrap(`**Bound: ${fmt(b.seconds)} s.** Every conversation has to come out of a job, a job takes QUEUED + PENDING time
and at most ${b.jobs} run at once, so the last job cannot finish sooner than queue + run + per-conversation time
× ⌈N / ${b.jobs}⌉ = ${fmt(j.queueMillis / 1000)} + ${fmt(j.runMillis / 1000)} +
${fmt(j.runMillisPerConversation / 1000, 3)} × ${fmt(b.conversationsPerJob, 0)} = **${fmt(b.jobSeconds)}
s** after the first submission (the total job time spread over the ${b.jobs} slots, which ${b.jobs} equal jobs
at once reach). Around it any client spends at least one mean latency for each of: the login, the submission,
one status request that sees FULFILLED and the ${b.pagesPerJob} pages of ${fmt(f.pageSize, 0)} of the last job,
read one after the other because each page's cursor comes with the page before:
${fmt(f.latency.meanMillis / 1000, 3)} s × ${3 + b.pagesPerJob} = **${fmt(b.latencySeconds)} s**. The rate limit
adds nothing here: that plan needs ${fmt(b.requests, 0)} API requests,
${
  b.rateSeconds === 0
    ? `within one window of ${f.count}`
    : `${fmt(b.rateSeconds)} s of full windows of ${f.count} (the bound takes the larger)`
}.
The bound leaves out the emulator's time to build pages and the client's to read them; it is a floor, not a
target any client reaches exactly. ${
  !Number.isFinite(perPage)
    ? ""
    : `The emulator builds a job's results into its cache while the job runs, as the platform computes them before a
job is FULFILLED (\`docs/emulator.md\`), so a page costs its round trip, not the emulator's CPU at the moment it is
asked for. That CPU still shares the machine with the clients: an emulator's CPU over a run, divided by the result
pages it served, was a median ${fmt(perPage, 0)} ms per page in this run (all of its work: the token, submissions,
polls, and building each result once).`
}`)}

No CPU profile here: in this scenario ours waits on jobs and round trips, not on its own work (its CPU time is in
the table). The library's CPU profile comes from scenario 1 (\`packages/bench/src/cpuProfile.ts\`: one extra run of
ours and of the floor under \`node --cpu-prof\`, summarised by origin and hottest functions in "Profile of our
library", when \`npm run bench\` runs scenario 1 with profiling on).

Reproduce this section alone (it replaces only the text between its markers, and keeps every other section):

\`\`\`
${f.command}
\`\`\`

\`${rerun(1)}\` is a quicker single round (about three minutes; one round is not a median).
\`node packages/bench/dist/latencyAlone.js\` (after a build) runs ours alone against the same emulator and prints each
job's timeline: submission, the emulator's end, the first status that saw it FULFILLED, its pages and their spacing,
the job slots left idle, and the results' tail: from the first job seen FULFILLED to the last page, which the
polls' overshoot does not move, so compare that between two ways of reading pages. \`--variants
ours,sdk-best-effort,…\` runs several at once, \`--reps n\` more rounds.
${sectionEnd}
`
}
