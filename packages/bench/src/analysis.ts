/**
 * From raw runs to the figures the report states: medians per contender and the ratios ours/SDK and
 * ours/floor. Every number in bench-results.json and docs/benchmarks.md comes from here.
 *
 * @since 0.1.0
 */
import { describeDefaultPoll } from "./pollPolicy.js"
import type { ContenderName, RecordedRequest } from "./protocol.js"
import * as Protocol from "./protocol.js"
import { contenders } from "./protocol.js"
import type * as Scenarios from "./scenarios.js"
import { median, ratio, round } from "./stats.js"

const MiB = 2 ** 20

/** Ours divided by the SDK and by the floor. @since 0.1.0 */
export interface Ratios {
  readonly oursToSdk: number
  readonly oursToFloor: number
}

const ratios = (byContender: Record<ContenderName, number>): Ratios => ({
  oursToSdk: round(ratio(byContender.ours, byContender.sdk)),
  oursToFloor: round(ratio(byContender.ours, byContender.floor))
})

const per = <A>(f: (c: ContenderName) => A): Record<ContenderName, A> => ({
  ours: f("ours"),
  sdk: f("sdk"),
  floor: f("floor")
})

const cpuMillis = (r: { cpuUserMillis: number; cpuSystemMillis: number }) => r.cpuUserMillis + r.cpuSystemMillis

// ---- 1 ------------------------------------------------------------------------------------------------------

/** Scenario 1 variants: the three contenders, and ours and the floor over Node's `http` client. @since 0.1.0 */
export type Variant = Scenarios.Variant

const perVariant = <A>(f: (v: Variant) => A): Record<Variant, A> => ({
  ours: f("ours"),
  "ours-node": f("ours-node"),
  sdk: f("sdk"),
  floor: f("floor"),
  "floor-node": f("floor-node")
})

/**
 * Ratios of both our variants to the SDK and to the floor over the same transport (`ours-node` to `floor-node`),
 * and of the floor over Node's `http` to the SDK: what a client over the SDK's transport that validates nothing costs.
 *
 * @since 0.1.0
 */
export interface VariantRatios {
  readonly ours: Ratios
  readonly "ours-node": Ratios
  readonly floorNodeToSdk: number
}

/** The floor that `variant` is compared with: the one over the same transport. */
const floorOf = (variant: "ours" | "ours-node"): Variant => (variant === "ours" ? "floor" : "floor-node")

const variantRatios = (x: Record<Variant, number>): VariantRatios => ({
  ours: { oursToSdk: round(ratio(x.ours, x.sdk)), oursToFloor: round(ratio(x.ours, x.floor)) },
  "ours-node": {
    oursToSdk: round(ratio(x["ours-node"], x.sdk)),
    oursToFloor: round(ratio(x["ours-node"], x["floor-node"]))
  },
  floorNodeToSdk: round(ratio(x["floor-node"], x.sdk))
})

/** Scenario 1 figures (medians over repetitions). @since 0.1.0 */
export interface Throughput {
  readonly conversations: number
  readonly pageSize: number
  readonly reps: number
  readonly wallSeconds: Record<Variant, number>
  readonly cpuSeconds: Record<Variant, number>
  readonly conversationsPerSecond: Record<Variant, number>
  readonly conversationsPerCpuSecond: Record<Variant, number>
  readonly peakRssMiB: Record<Variant, number>
  readonly emulatorCpuSeconds: Record<Variant, number>
  /** Median over repetitions of the per-repetition ratio ours / SDK and ours / floor (paired runs). */
  readonly pairedCpuRatios: Omit<VariantRatios, "floorNodeToSdk">
  readonly ratios: { readonly wall: VariantRatios; readonly cpu: VariantRatios; readonly peakRss: VariantRatios }
}

/** @since 0.1.0 */
export const throughput = (data: Scenarios.ThroughputData): Throughput => {
  const of = (v: Variant) => data.runs.filter((r) => r.variant === v)
  const med = (f: (r: Scenarios.MeasuredRun) => number) => perVariant((v) => median(of(v).map(f)))
  const wall = med((r) => r.wallMillis / 1000)
  const cpu = med((r) => cpuMillis(r) / 1000)
  const rss = med((r) => r.peakRssBytes / MiB)
  const rounded = (x: Record<Variant, number>, d = 2) => perVariant((v) => round(x[v], d))
  const reps = [...new Set(data.runs.map((r) => r.rep))]
  const cpuIn = (v: Variant, rep: number) => {
    const run = data.runs.find((r) => r.variant === v && r.rep === rep)
    return run === undefined ? Number.NaN : cpuMillis(run)
  }
  const paired = (v: "ours" | "ours-node"): Ratios => ({
    oursToSdk: round(median(reps.map((rep) => ratio(cpuIn(v, rep), cpuIn("sdk", rep))))),
    oursToFloor: round(median(reps.map((rep) => ratio(cpuIn(v, rep), cpuIn(floorOf(v), rep)))))
  })
  return {
    conversations: data.conversations,
    pageSize: data.pageSize,
    reps: data.reps,
    wallSeconds: rounded(wall),
    cpuSeconds: rounded(cpu),
    conversationsPerSecond: rounded(
      med((r) => r.conversations / (r.wallMillis / 1000)),
      0
    ),
    conversationsPerCpuSecond: rounded(
      med((r) => r.conversations / (cpuMillis(r) / 1000)),
      0
    ),
    peakRssMiB: rounded(rss, 1),
    emulatorCpuSeconds: rounded(med((r) => r.emulatorCpuMillis / 1000)),
    pairedCpuRatios: { ours: paired("ours"), "ours-node": paired("ours-node") },
    ratios: { wall: variantRatios(wall), cpu: variantRatios(cpu), peakRss: variantRatios(rss) }
  }
}

// ---- 2 ------------------------------------------------------------------------------------------------------

/** Scenario 2 figures. @since 0.1.0 */
export interface Memory {
  readonly pageSize: number
  readonly gcSampleMillis: number
  /** Rounds each size ran (absent from results written before scenario 2 had rounds: one). */
  readonly reps?: number | undefined
  readonly sizes: ReadonlyArray<{
    readonly conversations: number
    /** Median over the rounds. */
    readonly peakRssMiB: Record<MemoryVariant, number>
    /** Each round's peak RSS, in round order. */
    readonly peakRssRoundsMiB?: Record<MemoryVariant, ReadonlyArray<number>> | undefined
    readonly baselineRssMiB: Record<MemoryVariant, number>
    /** Highest heap in use right after a forced GC: what the flow actually retains. */
    readonly liveHeapMiB: Record<MemoryVariant, number>
    /** Median of the same samples (the highest is one moment, caught more often the longer a run samples). */
    readonly medianLiveHeapMiB: Record<MemoryVariant, number>
    readonly ratios: Ratios & {
      /** Peak RSS of ours over `NodeHttpClient` over the SDK's. */
      readonly oursNodeToSdk: number
    }
  }>
  /** Peak RSS at the largest size divided by peak RSS at the smallest, per variant (1 = flat). */
  readonly growth: Record<MemoryVariant, number>
  /** The same for the live heap after GC. */
  readonly liveHeapGrowth: Record<MemoryVariant, number>
  /** The same for the median live heap. */
  readonly medianLiveHeapGrowth: Record<MemoryVariant, number>
  /** Conversations at the largest size divided by the smallest. */
  readonly sizeFactor: number
}

/** Scenario 2 variants: the three contenders, and ours over Node's `http` client. @since 0.1.0 */
export type MemoryVariant = Protocol.MemoryVariant

const perMemoryVariant = <A>(f: (v: MemoryVariant) => A): Record<MemoryVariant, A> =>
  Object.fromEntries(Protocol.memoryVariants.map((v) => [v, f(v)])) as Record<MemoryVariant, A>

/** @since 0.1.0 */
export const memory = (data: Scenarios.MemoryData): Memory => {
  const sizes = data.sizes.map((s) => {
    const of = (v: MemoryVariant) => s.runs.filter((r) => r.variant === v)
    const peak = perMemoryVariant((v) => median(of(v).map((r) => r.peakRssBytes / MiB)))
    const base = perMemoryVariant((v) => median(of(v).map((r) => r.baselineRssBytes / MiB)))
    const live = perMemoryVariant((v) => median(of(v).map((r) => (r.peakLiveHeapBytes ?? Number.NaN) / MiB)))
    const typical = perMemoryVariant((v) => median(of(v).map((r) => (r.medianLiveHeapBytes ?? Number.NaN) / MiB)))
    return {
      conversations: s.conversations,
      peakRssMiB: perMemoryVariant((c) => round(peak[c], 1)),
      peakRssRoundsMiB: perMemoryVariant((c) =>
        [...of(c)].sort((a, b) => a.rep - b.rep).map((r) => round(r.peakRssBytes / MiB, 1))
      ),
      baselineRssMiB: perMemoryVariant((c) => round(base[c], 1)),
      liveHeapMiB: perMemoryVariant((c) => round(live[c], 1)),
      medianLiveHeapMiB: perMemoryVariant((c) => round(typical[c], 1)),
      ratios: { ...ratios(peak), oursNodeToSdk: round(ratio(peak["ours-node"], peak.sdk)) }
    }
  })
  const first = sizes[0]
  const last = sizes[sizes.length - 1]
  return {
    pageSize: data.pageSize,
    gcSampleMillis: data.gcSampleMillis,
    reps: data.reps,
    sizes,
    growth: perMemoryVariant((c) =>
      round(ratio(last?.peakRssMiB[c] ?? Number.NaN, first?.peakRssMiB[c] ?? Number.NaN))
    ),
    liveHeapGrowth: perMemoryVariant((c) =>
      round(ratio(last?.liveHeapMiB[c] ?? Number.NaN, first?.liveHeapMiB[c] ?? Number.NaN))
    ),
    medianLiveHeapGrowth: perMemoryVariant((c) =>
      round(ratio(last?.medianLiveHeapMiB[c] ?? Number.NaN, first?.medianLiveHeapMiB[c] ?? Number.NaN))
    ),
    sizeFactor: round(ratio(last?.conversations ?? Number.NaN, first?.conversations ?? Number.NaN), 2)
  }
}

// ---- request logs -------------------------------------------------------------------------------------------

const api = (requests: ReadonlyArray<RecordedRequest>) => requests.filter((r) => r.path.startsWith("/api/v2/"))

/** Request counts and span of one run's API requests. @since 0.1.0 */
export const requestStats = (requests: ReadonlyArray<RecordedRequest>) => {
  const calls = api(requests)
  const ok = calls.filter((r) => r.status > 0 && r.status < 400).length
  const rateLimited = calls.filter((r) => r.status === 429).length
  const first = calls.reduce((m, r) => Math.min(m, r.atMillis), Number.POSITIVE_INFINITY)
  const last = calls.reduce((m, r) => Math.max(m, r.atMillis), Number.NEGATIVE_INFINITY)
  return { total: calls.length, ok, rateLimited, spanMillis: calls.length === 0 ? 0 : last - first }
}

// ---- 3 ------------------------------------------------------------------------------------------------------

/** Scenario 3 figures (medians over repetitions). @since 0.1.0 */
export interface RateLimit {
  readonly count: number
  readonly windowSeconds: number
  readonly pageSize: number
  readonly conversations: number
  readonly reps: number
  readonly okRequests: Record<ContenderName, number>
  readonly rateLimited: Record<ContenderName, number>
  readonly spanSeconds: Record<ContenderName, number>
  /**
   * Successful requests per second, over the time from the first request to one window after the last (the
   * windows used), as a share of count / window. A perfect client reaches `idealShare`.
   */
  readonly shareOfLimit: Record<ContenderName, number>
  /** The share of a perfect client with the same number of successful requests (1 when it fills every window). */
  readonly idealShare: Record<ContenderName, number>
  /** Least possible span for the same successful requests divided by the span achieved (1 = perfect). */
  readonly efficiency: Record<ContenderName, number>
  readonly wallSeconds: Record<ContenderName, number>
  readonly ratios: { readonly wall: Ratios; readonly shareOfLimit: Ratios }
}

/** The least time from the first to the last of `n` requests under `count` per fixed window. @since 0.1.0 */
export const idealSpanSeconds = (n: number, count: number, windowSeconds: number): number =>
  Math.max(0, Math.ceil(n / count) - 1) * windowSeconds

/** @since 0.1.0 */
export const rateLimit = (data: Scenarios.RateLimitData): RateLimit => {
  const limitRate = data.count / data.windowSeconds
  const rows = data.runs.map((r) => {
    const s = requestStats(r.requests)
    const span = s.spanMillis / 1000
    const ideal = idealSpanSeconds(s.ok, data.count, data.windowSeconds)
    return {
      contender: r.contender,
      ok: s.ok,
      rateLimited: s.rateLimited,
      span,
      share: ratio(s.ok / (span + data.windowSeconds), limitRate),
      idealShare: ratio(s.ok / (ideal + data.windowSeconds), limitRate),
      efficiency: ratio(ideal, span),
      wall: r.wallMillis / 1000
    }
  })
  const med = (f: (r: (typeof rows)[number]) => number, d = 2) =>
    per((c) => round(median(rows.filter((r) => r.contender === c).map(f)), d))
  const wall = med((r) => r.wall)
  const share = med((r) => r.share)
  return {
    count: data.count,
    windowSeconds: data.windowSeconds,
    pageSize: data.pageSize,
    conversations: data.conversations,
    reps: Math.max(0, ...data.runs.map((r) => r.rep + 1)),
    okRequests: med((r) => r.ok, 0),
    rateLimited: med((r) => r.rateLimited, 0),
    spanSeconds: med((r) => r.span),
    shareOfLimit: share,
    idealShare: med((r) => r.idealShare),
    efficiency: med((r) => r.efficiency),
    wallSeconds: wall,
    ratios: { wall: ratios(wall), shareOfLimit: ratios(share) }
  }
}

// ---- 4 ------------------------------------------------------------------------------------------------------

/** Scenario 4 figures per job size (medians over repetitions). @since 0.1.0 */
export interface Completion {
  readonly queueMillis: number
  readonly runMillis: number
  readonly pollPolicy: Record<ContenderName, string>
  readonly reps: number
  readonly jobs: ReadonlyArray<{
    readonly days: number
    readonly conversations: number
    readonly durationSeconds: number
    readonly delaySeconds: Record<ContenderName, number>
    readonly statusPolls: Record<ContenderName, number>
  }>
  /** Over all job sizes: median delay and total polls per run. */
  readonly delaySeconds: Record<ContenderName, number>
  readonly pollsPerRun: Record<ContenderName, number>
}

/** @since 0.1.0 */
export const completion = (data: Scenarios.CompletionData): Completion => {
  const base = "/api/v2/analytics/conversations/details/jobs/"
  type Row = { contender: ContenderName; job: number; duration: number; delay: number; polls: number; rep: number }
  const rows: Array<Row> = []
  for (const run of data.runs) {
    run.jobs.forEach((job, index) => {
      const submitted = Date.parse(job.submissionDate ?? "")
      const completed = Date.parse(job.completionDate ?? "")
      const path = `${base}${encodeURIComponent(job.jobId)}`
      const firstResults = run.requests
        .filter((r) => r.path === `${path}/results`)
        .reduce((m, r) => Math.min(m, r.atMillis), Number.POSITIVE_INFINITY)
      const polls = run.requests.filter((r) => r.method === "GET" && r.path === path).length
      rows.push({
        contender: run.contender,
        job: index,
        duration: (completed - submitted) / 1000,
        delay: (firstResults - completed) / 1000,
        polls,
        rep: run.rep
      })
    })
  }
  const med = (f: (r: Row) => number, filter: (r: Row) => boolean, d = 2) =>
    per((c) => round(median(rows.filter((r) => r.contender === c && filter(r)).map(f)), d))
  const pollsPerRun = per((c) =>
    round(
      median(
        data.runs
          .filter((r) => r.contender === c)
          .map((run) => rows.filter((r) => r.contender === c && r.rep === run.rep).reduce((n, r) => n + r.polls, 0))
      ),
      1
    )
  )
  return {
    queueMillis: data.queueMillis,
    runMillis: data.runMillis,
    pollPolicy: {
      ours: `library default: ${describeDefaultPoll().policy}`,
      sdk: `fixed ${data.sdkPollMillis / 1000} s`,
      floor: `fixed ${data.floorPollMillis / 1000} s`
    },
    reps: Math.max(0, ...data.runs.map((r) => r.rep + 1)),
    jobs: data.jobDays.map((days, job) => ({
      days,
      conversations: data.jobSizes[job] ?? 0,
      durationSeconds: round(median(rows.filter((r) => r.job === job).map((r) => r.duration)), 2),
      delaySeconds: med(
        (r) => r.delay,
        (r) => r.job === job
      ),
      statusPolls: med(
        (r) => r.polls,
        (r) => r.job === job,
        1
      )
    })),
    delaySeconds: med(
      (r) => r.delay,
      () => true
    ),
    pollsPerRun
  }
}

// ---- 5 ------------------------------------------------------------------------------------------------------

/** Scenario 5 figures per variant (medians over repetitions). @since 0.1.0 */
export interface Extraction {
  readonly days: number
  readonly conversations: number
  readonly pageSize: number
  readonly concurrency: number
  readonly count: number
  readonly windowSeconds: number
  readonly jobSeconds: number
  readonly minRequests: number
  readonly reps: number
  readonly variants: ReadonlyArray<{
    readonly contender: ContenderName
    readonly concurrency: number
    readonly wallSeconds: number
    readonly boundSeconds: number
    readonly ratioToBound: number
    readonly okRequests: number
    readonly rateLimited: number
  }>
  /** Wall time with the concurrency limit divided by one window at a time, per contender. */
  readonly speedup: Record<ContenderName, number>
  readonly ratios: { readonly concurrent: Ratios; readonly sequential: Ratios }
}

/**
 * The least wall time any client needs: the rate limit's (fixed windows) or the job durations' with
 * `concurrency` jobs at a time, whichever is longer.
 *
 * @since 0.1.0
 */
export const boundSeconds = (
  data: Pick<Scenarios.ExtractionData, "minRequests" | "count" | "windowSeconds" | "days" | "jobMillis">,
  concurrency: number
): number =>
  Math.max(
    idealSpanSeconds(data.minRequests, data.count, data.windowSeconds),
    (Math.ceil(data.days / concurrency) * data.jobMillis) / 1000
  )

/** @since 0.1.0 */
export const extraction = (data: Scenarios.ExtractionData): Extraction => {
  const concurrencies = [data.concurrency, 1].filter((k) => data.runs.some((r) => r.variant.endsWith(`@${k}`)))
  const variants = contenders.flatMap((contender) =>
    concurrencies.map((concurrency) => {
      const runs = data.runs.filter((r) => r.variant === `${contender}@${concurrency}`)
      const wall = median(runs.map((r) => r.wallMillis / 1000))
      const bound = boundSeconds(data, concurrency)
      const stats = runs.map((r) => requestStats(r.requests))
      return {
        contender,
        concurrency,
        wallSeconds: round(wall, 2),
        boundSeconds: round(bound, 2),
        ratioToBound: round(ratio(wall, bound), 2),
        okRequests: round(median(stats.map((s) => s.ok)), 0),
        rateLimited: round(median(stats.map((s) => s.rateLimited)), 0)
      }
    })
  )
  const wallOf = (c: ContenderName, k: number) =>
    variants.find((v) => v.contender === c && v.concurrency === k)?.wallSeconds ?? Number.NaN
  return {
    days: data.days,
    conversations: data.conversations,
    pageSize: data.pageSize,
    concurrency: data.concurrency,
    count: data.count,
    windowSeconds: data.windowSeconds,
    jobSeconds: data.jobMillis / 1000,
    minRequests: data.minRequests,
    reps: Math.max(0, ...data.runs.map((r) => r.rep + 1)),
    variants,
    speedup: per((c) => round(ratio(wallOf(c, 1), wallOf(c, data.concurrency)), 2)),
    ratios: {
      concurrent: ratios(per((c) => wallOf(c, data.concurrency))),
      sequential: ratios(per((c) => wallOf(c, 1)))
    }
  }
}
