/**
 * The six scenarios. Throughput runs one contender process at a time against one emulator process, in an
 * order that rotates across repetitions; memory runs the contenders at the same time against one emulator, so
 * that it generates each conversation once (RSS is per process, and time is not what it measures).
 * Latency- and rate-bound ones (rate limit, completion detection, planned extraction, realistic latency) give every
 * contender its own emulator process with identical options and run the contenders at the same time: each has its
 * own token, rate window and job quota, and the emulator's request log then belongs to one contender.
 *
 * @since 0.1.0
 */
import * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import type * as Server from "@effect-genesys/emulator/Server"
import * as Emulator from "./emulatorHandle.js"
import * as Latency from "./latency.js"
import type { ContenderName, Endpoint, RecordedRequest, RunResult, Task, Truth } from "./protocol.js"
import { contenders, memoryVariants } from "./protocol.js"
import { runContender } from "./runContender.js"
import type { Settings } from "./settings.js"
import { rotate } from "./stats.js"

const DAY = 86_400_000

const credentials = { clientId: "bench-client", clientSecret: "bench-secret" } as const

/** Progress lines go to stderr; stdout stays free for the summary. @since 0.1.0 */
export const log = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`)
}

/** A dataset that ended more than a day before now, so every conversation is settled and visible to jobs. @since 0.1.0 */
export const startDate = (days: number, nowMillis: number = Date.now()): string =>
  new Date(Math.floor(nowMillis / DAY) * DAY - (days + 1) * DAY).toISOString().slice(0, 10)

/** The whole span of a dataset as an interval. @since 0.1.0 */
export const spanInterval = (emulator: { spanStartMillis: number; spanEndMillis: number }): string =>
  `${new Date(emulator.spanStartMillis).toISOString()}/${new Date(emulator.spanEndMillis).toISOString()}`

const emulatorOptions = (
  settings: Settings,
  days: number,
  perDay: number,
  extra: Partial<Server.Options> = {}
): Server.Options => ({
  seed: settings.seed,
  days,
  perDay,
  startDate: startDate(days),
  ...credentials,
  recordLimit: 1_000_000,
  ...extra,
  jobs: { queueMillis: 100, runMillis: 400, runMillisPerConversation: 0, ...extra.jobs }
})

/**
 * Scenarios 1 and 2 measure CPU and memory, not pacing (scenario 3 does): the rate limit is lifted above any
 * request count they reach, and the emulator keeps serialised conversations in memory.
 */
const cpuBoundOptions = (settings: Settings): Partial<Server.Options> => ({
  rateLimit: { count: 1_000_000, windowSeconds: 60 },
  cacheBytes: settings.emulatorCacheBytes
})

const endpoint = (url: string): Endpoint => ({ url, ...credentials })

const check = (what: string, result: RunResult, truth: Truth) => {
  if (result.conversations !== truth.count || (truth.checksum !== 0 && result.checksum !== truth.checksum)) {
    throw new Error(
      `${what}: ${result.contender} returned ${result.conversations} conversations (checksum ${result.checksum}), ` +
        `ground truth ${truth.count} (checksum ${truth.checksum})`
    )
  }
}

/** A contender, or ours or the floor over Node's `http` client (scenario 1 only). @since 0.1.0 */
export type Variant = ContenderName | "ours-node" | "floor-node"

/** The variants of scenario 1. @since 0.1.0 */
export const throughputVariants: ReadonlyArray<Variant> = ["ours", "ours-node", "sdk", "floor", "floor-node"]

const overNodeHttp = (variant: Variant): boolean => variant === "ours-node" || variant === "floor-node"

/** One measured contender run with the emulator's CPU over the same span. @since 0.1.0 */
export interface MeasuredRun extends RunResult {
  readonly variant: string
  readonly rep: number
  readonly order: number
  readonly emulatorCpuMillis: number
}

const sequentialRun = async (
  settings: Settings,
  emulator: Emulator.EmulatorHandle,
  variant: Variant,
  task: Task,
  cpuProfileDir?: string,
  gcSampleMillis?: number
): Promise<{ result: RunResult; emulatorCpuMillis: number }> => {
  const before = await emulator.cpuMillis()
  const contender: ContenderName = variant === "ours-node" ? "ours" : variant === "floor-node" ? "floor" : variant
  const result = await runContender(
    {
      contender,
      endpoint: endpoint(emulator.url),
      task,
      sampleMillis: settings.sampleMillis,
      ...(gcSampleMillis === undefined ? {} : { gcSampleMillis }),
      ...(overNodeHttp(variant) ? { transport: "node" as const } : {})
    },
    { timeoutMillis: settings.runTimeoutMillis, cpuProfileDir }
  )
  const emulatorCpuMillis = (await emulator.cpuMillis()) - before
  return { result, emulatorCpuMillis }
}

const withEmulator = async <A>(options: Server.Options, use: (e: Emulator.EmulatorHandle) => Promise<A>) => {
  const emulator = await Emulator.start(options)
  try {
    return await use(emulator)
  } finally {
    await emulator.stop()
  }
}

// ---- 1. throughput ---------------------------------------------------------------------------------------

/** Scenario 1 raw data. @since 0.1.0 */
export interface ThroughputData {
  readonly conversations: number
  readonly pageSize: number
  readonly reps: number
  readonly runs: ReadonlyArray<MeasuredRun>
  /** Directories of the CPU profiles of one extra run of ours and of the floor, when profiling. */
  readonly profileDirs?: { readonly ours: string; readonly floor: string } | undefined
}

/** Scenario 1: one job over the whole dataset, every page to a null sink, contenders one at a time. @since 0.1.0 */
export const throughput = (
  settings: Settings,
  profileDirs?: { readonly ours: string; readonly floor: string }
): Promise<ThroughputData> => {
  const s = settings.throughput
  return withEmulator(emulatorOptions(settings, s.days, s.perDay, cpuBoundOptions(settings)), async (emulator) => {
    const interval = spanInterval(emulator)
    const truth = await emulator.truthJob(interval)
    const task: Task = { kind: "job", interval, pageSize: s.pageSize, pollMillis: settings.pollMillis }
    log(`throughput: ${truth.count} conversations, ${s.reps} repetitions`)
    if (s.warmUp) {
      const { result } = await sequentialRun(settings, emulator, "floor", task)
      check("warm-up", result, truth)
      log(`  warm-up (floor, unmeasured): ${(result.wallMillis / 1000).toFixed(2)} s wall`)
    }
    const runs: Array<MeasuredRun> = []
    for (let rep = 0; rep < s.reps; rep++) {
      const order = rotate(throughputVariants, rep)
      for (const [i, variant] of order.entries()) {
        const { result, emulatorCpuMillis } = await sequentialRun(settings, emulator, variant, task)
        check("throughput", result, truth)
        runs.push({ ...result, variant, rep, order: i, emulatorCpuMillis })
        log(
          `  rep ${rep + 1} ${variant}: ${(result.wallMillis / 1000).toFixed(2)} s wall, ` +
            `${((result.cpuUserMillis + result.cpuSystemMillis) / 1000).toFixed(2)} s CPU`
        )
      }
    }
    if (profileDirs !== undefined) {
      log("throughput: one extra run of ours and of the floor under --cpu-prof")
      for (const variant of ["ours", "floor"] as const) {
        const { result } = await sequentialRun(settings, emulator, variant, task, profileDirs[variant])
        check("profiled run", result, truth)
      }
    }
    return { conversations: truth.count, pageSize: s.pageSize, reps: s.reps, runs, profileDirs }
  })
}

// ---- 2. memory --------------------------------------------------------------------------------------------

/**
 * Scenario 2 raw data: one run per contender, size and round. The contenders of a size ran together, so each run's
 * `emulatorCpuMillis` covers the others' requests too.
 *
 * @since 0.1.0
 */
export interface MemoryData {
  readonly sizes: ReadonlyArray<{ readonly conversations: number; readonly runs: ReadonlyArray<MeasuredRun> }>
  readonly pageSize: number
  readonly gcSampleMillis: number
  /** Rounds: each size ran once per round, the sizes in turn. */
  readonly reps: number
}

/**
 * Scenario 2: the same flow at two dataset sizes, the contenders at the same time; peak RSS per contender. Each round
 * runs every size, so a change in the machine's load over the run meets the sizes alike.
 *
 * @since 0.1.0
 */
export const memory = async (settings: Settings): Promise<MemoryData> => {
  const s = settings.memory
  const sizes = s.perDay.map(() => ({ conversations: 0, runs: [] as Array<MeasuredRun> }))
  for (let rep = 0; rep < s.reps; rep++) {
    for (const [k, perDay] of s.perDay.entries()) {
      const options = emulatorOptions(settings, s.days, perDay, cpuBoundOptions(settings))
      await withEmulator(options, async (emulator) => {
        const interval = spanInterval(emulator)
        const truth = await emulator.truthJob(interval)
        log(
          `memory (round ${rep + 1}/${s.reps}): ${truth.count} conversations, the ${memoryVariants.length} variants at the same time`
        )
        const task: Task = { kind: "job", interval, pageSize: s.pageSize, pollMillis: settings.pollMillis }
        const runs = await Promise.all(
          memoryVariants.map(async (variant, i): Promise<MeasuredRun> => {
            const { result, emulatorCpuMillis } = await sequentialRun(
              settings,
              emulator,
              variant,
              task,
              undefined,
              s.gcSampleMillis
            )
            check("memory", result, truth)
            log(
              `  ${variant}: peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ` +
                `live heap ${((result.peakLiveHeapBytes ?? 0) / 2 ** 20).toFixed(0)} MiB, ` +
                `${(result.wallMillis / 1000).toFixed(0)} s`
            )
            return { ...result, variant, rep, order: i, emulatorCpuMillis }
          })
        )
        const before = sizes[k]!
        // The emulator is seeded: every round of a size must serve the same dataset.
        if (rep > 0 && before.conversations !== truth.count) {
          throw new Error(
            `memory: round ${rep + 1} served ${truth.count} conversations, round 1 ${before.conversations}`
          )
        }
        sizes[k] = { conversations: truth.count, runs: [...before.runs, ...runs] }
      })
    }
  }
  return { sizes, pageSize: s.pageSize, gcSampleMillis: s.gcSampleMillis, reps: s.reps }
}

// ---- concurrent groups ------------------------------------------------------------------------------------

/** A contender run in a concurrent group, with its own emulator's request log. @since 0.1.0 */
export interface GroupRun extends MeasuredRun {
  readonly variant: string
  readonly requests: ReadonlyArray<RecordedRequest>
}

interface GroupMember {
  readonly contender: ContenderName
  readonly variant: string
  readonly task: Task
}

/**
 * Runs every member at once, each against its own emulator built from `options`; `truth` checks each
 * result. Emulators are started (and stopped) around the group, so every member meets a fresh org.
 */
const group = async (
  settings: Settings,
  options: Server.Options,
  rep: number,
  members: ReadonlyArray<GroupMember>,
  truth: ((emulator: Emulator.EmulatorHandle, member: GroupMember) => Promise<Truth | undefined>) | undefined
): Promise<ReadonlyArray<GroupRun>> => {
  const emulators = await Promise.all(members.map(() => Emulator.start(options)))
  try {
    const truths = await Promise.all(
      members.map((m, i) => (truth === undefined ? Promise.resolve(undefined) : truth(emulators[i]!, m)))
    )
    const results = await Promise.all(
      members.map(async (m, i) => {
        const emulator = emulators[i]!
        const { result, emulatorCpuMillis } = await sequentialRun(settings, emulator, m.contender, m.task)
        const t = truths[i]
        if (t !== undefined) check(m.variant, result, t)
        const requests = await emulator.requests()
        return { ...result, rep, order: i, emulatorCpuMillis, variant: m.variant, requests } satisfies GroupRun
      })
    )
    return results
  } finally {
    await Promise.all(emulators.map((e) => e.stop()))
  }
}

// ---- 3. rate-limit efficiency -----------------------------------------------------------------------------

/** Scenario 3 raw data. @since 0.1.0 */
export interface RateLimitData {
  readonly count: number
  readonly windowSeconds: number
  readonly pageSize: number
  readonly conversations: number
  readonly runs: ReadonlyArray<GroupRun>
}

/** Scenario 3: one job read in small pages under a tight rate limit; each contender has its own org. @since 0.1.0 */
export const rateLimit = async (settings: Settings): Promise<RateLimitData> => {
  const s = settings.rateLimit
  const options = emulatorOptions(settings, 1, s.perDay, {
    rateLimit: { count: s.count, windowSeconds: s.windowSeconds }
  })
  const probe = await Emulator.start(options)
  const interval = spanInterval(probe)
  const truth = await probe.truthJob(interval)
  await probe.stop()
  log(
    `rate limit: ${s.count} requests per ${s.windowSeconds} s, ${truth.count} conversations in pages of ${s.pageSize}`
  )
  const task: Task = { kind: "job", interval, pageSize: s.pageSize, pollMillis: settings.pollMillis }
  const runs: Array<GroupRun> = []
  for (let rep = 0; rep < s.reps; rep++) {
    const members = rotate(contenders, rep).map((contender) => ({ contender, variant: contender, task }))
    runs.push(...(await group(settings, options, rep, members, async () => truth)))
    log(`  rep ${rep + 1} done`)
  }
  return { count: s.count, windowSeconds: s.windowSeconds, pageSize: s.pageSize, conversations: truth.count, runs }
}

// ---- 4. completion detection ------------------------------------------------------------------------------

/** Scenario 4 raw data. @since 0.1.0 */
export interface CompletionData {
  readonly jobDays: ReadonlyArray<number>
  /** Conversations each job window returns (its duration is queue + run + 1 ms each). */
  readonly jobSizes: ReadonlyArray<number>
  readonly queueMillis: number
  readonly runMillis: number
  readonly sdkPollMillis: number
  readonly floorPollMillis: number
  readonly runs: ReadonlyArray<GroupRun>
}

/** Scenario 4: jobs of known duration submitted together; when each contender notices completion. @since 0.1.0 */
export const completion = async (settings: Settings): Promise<CompletionData> => {
  const s = settings.completion
  const days = Math.max(...s.jobDays)
  const options = emulatorOptions(settings, days, s.perDay, {
    jobs: { queueMillis: s.queueMillis, runMillis: s.runMillis, runMillisPerConversation: 1, maxConcurrent: 20 }
  })
  const probe = await Emulator.start(options)
  const intervals = s.jobDays.map(
    (d) => `${new Date(probe.spanStartMillis).toISOString()}/${new Date(probe.spanStartMillis + d * DAY).toISOString()}`
  )
  const jobSizes = await Promise.all(intervals.map((i) => probe.truthJob(i).then((t) => t.count)))
  await probe.stop()
  log(
    `completion: jobs of ${jobSizes.map((n) => `${((s.queueMillis + s.runMillis + n) / 1000).toFixed(1)} s`).join(", ")}`
  )
  const pollOf = (c: ContenderName) => (c === "sdk" ? s.sdkPollMillis : s.floorPollMillis)
  const runs: Array<GroupRun> = []
  for (let rep = 0; rep < s.reps; rep++) {
    const members = rotate(contenders, rep).map((contender) => ({
      contender,
      variant: contender,
      task: { kind: "completion", intervals, pageSize: 100, pollMillis: pollOf(contender) } satisfies Task
    }))
    runs.push(...(await group(settings, options, rep, members, undefined)))
    log(`  rep ${rep + 1} done`)
  }
  return {
    jobDays: s.jobDays,
    jobSizes,
    queueMillis: s.queueMillis,
    runMillis: s.runMillis,
    sdkPollMillis: s.sdkPollMillis,
    floorPollMillis: s.floorPollMillis,
    runs
  }
}

// ---- 5. planned extraction --------------------------------------------------------------------------------

/** Scenario 5 raw data. @since 0.1.0 */
export interface ExtractionData {
  readonly days: number
  readonly conversations: number
  readonly pageSize: number
  readonly concurrency: number
  readonly count: number
  readonly windowSeconds: number
  readonly jobMillis: number
  /** Fewest API requests any client needs: per day window one submit, one status and its pages. */
  readonly minRequests: number
  readonly runs: ReadonlyArray<GroupRun>
}

/** Scenario 5: day windows with a concurrency limit and one at a time, under a rate limit. @since 0.1.0 */
export const extraction = async (settings: Settings): Promise<ExtractionData> => {
  const s = settings.extraction
  const options = emulatorOptions(settings, s.days, s.perDay, {
    rateLimit: { count: s.count, windowSeconds: s.windowSeconds }
  })
  const probe = await Emulator.start(options)
  const interval = spanInterval(probe)
  const truth = await probe.truthAll()
  let minRequests = 0
  for (let d = 0; d < s.days; d++) {
    const from = probe.spanStartMillis + d * DAY
    const day = await probe.truthJob(`${new Date(from).toISOString()}/${new Date(from + DAY).toISOString()}`)
    minRequests += 2 + Math.max(1, Math.ceil(day.count / s.pageSize))
  }
  await probe.stop()
  log(`extraction: ${s.days} days, ${truth.count} conversations, at least ${minRequests} requests`)
  const runs: Array<GroupRun> = []
  for (let rep = 0; rep < s.reps; rep++) {
    // Both concurrencies in one group: the runs are bound by polling and the rate limit, not by CPU.
    const members = (s.sequential ? [s.concurrency, 1] : [s.concurrency]).flatMap((concurrency) =>
      rotate(contenders, rep).map((contender) => ({
        contender,
        variant: `${contender}@${concurrency}`,
        task: {
          kind: "extraction",
          interval,
          concurrency,
          pageSize: s.pageSize,
          pollMillis: settings.pollMillis
        } satisfies Task
      }))
    )
    runs.push(...(await group(settings, options, rep, members, async () => truth)))
    log(`  rep ${rep + 1} done`)
  }
  return {
    days: s.days,
    conversations: truth.count,
    pageSize: s.pageSize,
    concurrency: s.concurrency,
    count: s.count,
    windowSeconds: s.windowSeconds,
    jobMillis: 500,
    minRequests,
    runs
  }
}

// ---- 6. realistic latency ---------------------------------------------------------------------------------

/** A scenario-6 variant: a contender and the equal jobs its hand loop submits (ours: the library's plan). @since 0.4.0 */
export interface LatencyVariant {
  readonly variant: "ours" | "sdk-loop" | "sdk-best-effort" | "floor-best-effort"
  readonly contender: ContenderName
  readonly jobs: number
}

/** Scenario 6 raw data. @since 0.4.0 */
export interface LatencyData {
  readonly days: number
  readonly perDay: number
  readonly conversations: number
  readonly pageSize: number
  readonly pollMillis: number
  readonly latency: EmulatorOptions.LatencyOptions
  readonly count: number
  readonly windowSeconds: number
  /** The emulator's job model (its defaults). */
  readonly jobs: Pick<
    EmulatorOptions.JobOptions,
    "queueMillis" | "runMillis" | "runMillisPerConversation" | "maxConcurrent"
  >
  readonly variants: ReadonlyArray<LatencyVariant>
  readonly runs: ReadonlyArray<GroupRun>
}

/**
 * Scenario 6: every conversation of the dataset under per-request latency, the documented rate limit and the
 * emulator's default job model; ours with the library's defaults, the SDK's documented single job, an SDK user's
 * split into equal jobs at once (and the floor doing the same). Each variant has its own emulator and runs alone, in an
 * order rotated each round.
 *
 * @since 0.4.0
 */
export const latency = async (settings: Settings): Promise<LatencyData> => {
  const s = settings.latency
  const { queueMillis, runMillis, runMillisPerConversation, maxConcurrent } = EmulatorOptions.defaultJobs
  const jobs = { queueMillis, runMillis, runMillisPerConversation, maxConcurrent }
  const latencyOptions = { medianMillis: s.medianMillis, p99Millis: s.p99Millis }
  const options = emulatorOptions(settings, s.days, s.perDay, {
    rateLimit: { count: s.count, windowSeconds: s.windowSeconds },
    latency: latencyOptions,
    jobs,
    // Every job's results fit, so each is built once while it runs, whatever the variant's split into jobs.
    cacheBytes: settings.emulatorCacheBytes,
    // The platform answers aggregate queries (ours plans its windows with one) from a store it keeps; so does each
    // variant's emulator, built when it starts, before the run.
    aggregateStore: true
  })
  const probe = await Emulator.start(options)
  const interval = spanInterval(probe)
  const truth = await probe.truthAll()
  const oneJob = await probe.truthJob(interval)
  await probe.stop()
  if (oneJob.count !== truth.count || oneJob.checksum !== truth.checksum) {
    throw new Error(`latency: one job over the span holds ${oneJob.count} conversations, the dataset ${truth.count}`)
  }
  const variants: ReadonlyArray<LatencyVariant> = [
    { variant: "ours", contender: "ours", jobs: 0 },
    { variant: "sdk-loop", contender: "sdk", jobs: 1 },
    { variant: "sdk-best-effort", contender: "sdk", jobs: s.bestEffortJobs },
    ...(s.floor ? [{ variant: "floor-best-effort", contender: "floor", jobs: s.bestEffortJobs } as const] : [])
  ]
  log(
    `latency: ${s.days} days, ${truth.count} conversations, ` +
      `latency median ${s.medianMillis} ms / p99 ${s.p99Millis} ms, ${s.count} requests per ${s.windowSeconds} s, ` +
      `jobs ${queueMillis} + ${runMillis} ms + ${runMillisPerConversation} ms ` +
      `per conversation, ${maxConcurrent} at once; ${s.reps} round(s) of ${variants.map((v) => v.variant).join(", ")}`
  )
  const bound = Latency.bound({
    conversations: truth.count,
    jobs,
    latency: latencyOptions,
    pageSize: s.pageSize,
    count: s.count,
    windowSeconds: s.windowSeconds
  })
  log(
    `  bound ${bound.seconds} s: jobs ${bound.jobSeconds} s (${bound.jobs} of ${bound.conversationsPerJob} at once) ` +
      `+ round trips ${bound.latencySeconds} s; the rate limit's ${bound.rateSeconds} s`
  )
  const runs: Array<GroupRun> = []
  for (let rep = 0; rep < s.reps; rep++) {
    const members = rotate(variants, rep).map((v) => ({
      contender: v.contender,
      variant: v.variant,
      task: {
        kind: "latency",
        interval,
        jobs: v.jobs,
        pageSize: s.pageSize,
        pollMillis: settings.pollMillis
      } satisfies Task
    }))
    // One at a time: each variant alone on the machine with its emulator, as a client meets the platform. Together,
    // four clients and four emulators kept two cores nearly busy, and the scenario measured that.
    const round: Array<GroupRun> = []
    for (const [order, member] of members.entries()) {
      const [run] = await group(settings, options, rep, [member], async () => truth)
      round.push({ ...run!, order })
    }
    runs.push(...round)
    log(`  round ${rep + 1}: ${round.map((r) => `${r.variant} ${(r.wallMillis / 1000).toFixed(1)} s`).join(", ")}`)
  }
  return {
    days: s.days,
    perDay: s.perDay,
    conversations: truth.count,
    pageSize: s.pageSize,
    pollMillis: settings.pollMillis,
    latency: latencyOptions,
    count: s.count,
    windowSeconds: s.windowSeconds,
    jobs,
    variants,
    runs
  }
}
