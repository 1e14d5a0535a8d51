/**
 * Sizes, limits and repetitions of every scenario, for the full run and for `--quick`. Everything the report
 * states about its set-up comes from here.
 *
 * @since 0.1.0
 */

/** Settings of one bench run. @since 0.1.0 */
export interface Settings {
  readonly mode: "full" | "quick"
  readonly seed: number
  /** RSS sampling period inside contender processes. */
  readonly sampleMillis: number
  /** Poll interval of the SDK and floor loops where polling is not what is measured. */
  readonly pollMillis: number
  /**
   * Byte budget of the emulator's cache of serialised conversations in scenarios 1 and 2: large enough to hold
   * scenario 1's dataset, so that its measured runs meet an emulator serving from memory.
   */
  readonly emulatorCacheBytes: number
  readonly throughput: {
    readonly reps: number
    readonly days: number
    readonly perDay: number
    readonly pageSize: number
    /** One unmeasured run of the floor over the whole dataset first, so that no contender meets a cold emulator. */
    readonly warmUp: boolean
  }
  readonly memory: {
    /** Rounds: every size once per round, the sizes alternating, so that a drift of the machine's load meets both. */
    readonly reps: number
    readonly days: number
    /** Average conversations per day of each size (the dataset size is what the report states). */
    readonly perDay: ReadonlyArray<number>
    readonly pageSize: number
    /** Period of the forced GC after which the live heap is sampled (retained memory, not GC laziness). */
    readonly gcSampleMillis: number
  }
  readonly rateLimit: {
    readonly reps: number
    readonly perDay: number
    readonly pageSize: number
    readonly count: number
    readonly windowSeconds: number
  }
  readonly completion: {
    readonly reps: number
    readonly perDay: number
    /** Job windows, in whole days from the dataset start; job duration = queue + run + 1 ms per conversation. */
    readonly jobDays: ReadonlyArray<number>
    readonly queueMillis: number
    readonly runMillis: number
    /** Fixed poll interval of the SDK loop (third-party production practice, FACTS §3.2: every 3 s). */
    readonly sdkPollMillis: number
    /** Fixed poll interval of the floor loop. */
    readonly floorPollMillis: number
  }
  readonly extraction: {
    readonly reps: number
    readonly days: number
    readonly perDay: number
    readonly pageSize: number
    readonly concurrency: number
    /** Also run one window at a time (the comparison the scenario is about; off only in the harness test). */
    readonly sequential: boolean
    readonly count: number
    readonly windowSeconds: number
  }
  /**
   * Scenario 6: the whole dataset under realistic latency, the platform's documented rate limit and the emulator's
   * default job model (its `jobs` defaults: durations and concurrent jobs).
   */
  readonly latency: {
    readonly reps: number
    readonly days: number
    readonly perDay: number
    /** Results page size of the hand-written loops (ours uses the library's default). */
    readonly pageSize: number
    /** Median and 99th percentile of the emulator's per-request latency (log-normal). */
    readonly medianMillis: number
    readonly p99Millis: number
    readonly count: number
    readonly windowSeconds: number
    /** Equal windows an SDK user's best effort submits at once. */
    readonly bestEffortJobs: number
    /** Also run the floor with the best-effort split. */
    readonly floor: boolean
  }
  /** Sizes and bounds of the checks (`checks.ts`): the timing and heap bounds that used to be unit tests. */
  readonly checks: {
    readonly streamingHeap: {
      /** Conversations per day of the 2-day job streamed in-process. */
      readonly perDay: number
      /** Peak heap over the pre-stream baseline must stay below this; growth while streaming below a third of it. */
      readonly heapBoundMb: number
    }
    readonly groundTruth: {
      /** Conversations per day of the 10-day dataset whose job ground truth is computed. */
      readonly perDay: number
      readonly boundMillis: number
    }
  }
  /** Profile one extra run of ours and of the floor in the throughput scenario with `--cpu-prof`. */
  readonly profile: boolean
  /** Upper bound of any one contender run. */
  readonly runTimeoutMillis: number
}

/** The full run (about half an hour on 2 cores). @since 0.1.0 */
export const full: Settings = {
  mode: "full",
  seed: 7,
  sampleMillis: 5,
  pollMillis: 1_000,
  emulatorCacheBytes: 2 * 2 ** 30,
  throughput: { reps: 3, days: 10, perDay: 20_000, pageSize: 1_000, warmUp: true },
  memory: { reps: 3, days: 10, perDay: [10_000, 100_000], pageSize: 1_000, gcSampleMillis: 250 },
  rateLimit: { reps: 3, perDay: 2_000, pageSize: 50, count: 20, windowSeconds: 4 },
  completion: {
    reps: 3,
    perDay: 1_000,
    jobDays: [1, 3, 7],
    queueMillis: 500,
    runMillis: 500,
    sdkPollMillis: 3_000,
    floorPollMillis: 1_000
  },
  extraction: {
    reps: 3,
    days: 90,
    perDay: 100,
    pageSize: 50,
    concurrency: 4,
    sequential: true,
    count: 50,
    windowSeconds: 10
  },
  latency: {
    reps: 3,
    days: 30,
    perDay: 2_020,
    pageSize: 1_000,
    medianMillis: 150,
    p99Millis: 600,
    count: 300,
    windowSeconds: 60,
    bestEffortJobs: 4,
    floor: true
  },
  checks: {
    streamingHeap: { perDay: 50_100, heapBoundMb: 150 },
    groundTruth: { perDay: 20_000, boundMillis: 10_000 }
  },
  profile: true,
  runTimeoutMillis: 1_200_000
}

/** A smoke run of every scenario at toy sizes (about a minute). @since 0.1.0 */
export const quick: Settings = {
  mode: "quick",
  seed: 7,
  sampleMillis: 5,
  pollMillis: 1_000,
  emulatorCacheBytes: 64 * 2 ** 20,
  throughput: { reps: 1, days: 2, perDay: 600, pageSize: 1_000, warmUp: false },
  memory: { reps: 1, days: 2, perDay: [300, 1_200], pageSize: 1_000, gcSampleMillis: 100 },
  rateLimit: { reps: 1, perDay: 600, pageSize: 50, count: 5, windowSeconds: 1 },
  completion: {
    reps: 1,
    perDay: 300,
    jobDays: [1, 2],
    queueMillis: 200,
    runMillis: 200,
    sdkPollMillis: 1_000,
    floorPollMillis: 250
  },
  extraction: {
    reps: 1,
    days: 4,
    perDay: 100,
    pageSize: 100,
    concurrency: 4,
    sequential: true,
    count: 30,
    windowSeconds: 2
  },
  // The platform's latency and rate limit, over a smaller dataset.
  latency: { ...full.latency, reps: 1, days: 3, perDay: 300, pageSize: 100 },
  checks: {
    streamingHeap: { perDay: 12_000, heapBoundMb: 50 },
    groundTruth: { perDay: 20_000, boundMillis: 10_000 }
  },
  profile: false,
  runTimeoutMillis: 60_000
}
