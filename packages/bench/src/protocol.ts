/**
 * What the orchestrator, the emulator child and the contender children send each other. Everything here is
 * plain JSON so that it crosses process boundaries unchanged.
 *
 * @since 0.1.0
 */

/** The three contenders. @since 0.1.0 */
export type ContenderName = "ours" | "sdk" | "floor"

/** Every contender, in the order of the first repetition. @since 0.1.0 */
export const contenders: ReadonlyArray<ContenderName> = ["ours", "sdk", "floor"]

/** Scenario 2's variants: the three contenders, and ours over Node's `http` as well. @since 0.1.0 */
export type MemoryVariant = ContenderName | "ours-node"

/** The variants of scenario 2, in the order of its tables. @since 0.1.0 */
export const memoryVariants: ReadonlyArray<MemoryVariant> = ["ours", "ours-node", "sdk", "floor"]

/** How to reach the emulator and log in. @since 0.1.0 */
export interface Endpoint {
  readonly url: string
  readonly clientId: string
  readonly clientSecret: string
}

/** One job over `interval`, every result page read (scenarios 1, 2 and 3). @since 0.1.0 */
export interface JobTask {
  readonly kind: "job"
  readonly interval: string
  readonly pageSize: number
  /** Poll interval of the hand-written SDK and floor loops. */
  readonly pollMillis: number
}

/** Jobs submitted at once, each awaited and its first page read (scenario 4). @since 0.1.0 */
export interface CompletionTask {
  readonly kind: "completion"
  readonly intervals: ReadonlyArray<string>
  readonly pageSize: number
  /** Poll interval of the hand-written SDK and floor loops. */
  readonly pollMillis: number
}

/** Day windows over `interval`, `concurrency` at a time, de-duplicated (scenario 5). @since 0.1.0 */
export interface ExtractionTask {
  readonly kind: "extraction"
  readonly interval: string
  readonly concurrency: number
  readonly pageSize: number
  /** Poll interval of the hand-written SDK and floor loops. */
  readonly pollMillis: number
}

/**
 * The whole interval under realistic latency (scenario 6). Ours runs `Extraction.plan` and `Extraction.run` with
 * the library's defaults (its planner decides windows, page size and how many run at once; `jobs` and `pageSize`
 * are ignored); the hand-written loops submit `jobs` equal windows at once (1: the single job of the SDK's
 * documentation) and read pages of `pageSize`.
 *
 * @since 0.4.0
 */
export interface LatencyTask {
  readonly kind: "latency"
  readonly interval: string
  readonly jobs: number
  readonly pageSize: number
  /** Poll interval of the hand-written SDK and floor loops. */
  readonly pollMillis: number
}

/** What a contender child is asked to do. @since 0.1.0 */
export type Task = JobTask | CompletionTask | ExtractionTask | LatencyTask

/** The argument of a contender child. @since 0.1.0 */
export interface ContenderInput {
  readonly contender: ContenderName
  readonly endpoint: Endpoint
  readonly task: Task
  /** RSS sampling period in milliseconds. */
  readonly sampleMillis: number
  /** When set, force a GC this often and sample the heap left in use (the memory scenario). */
  readonly gcSampleMillis?: number | undefined
  /** HTTP client under our library and the floor (ignored by the SDK): `fetch` (default) or Node's `http`. */
  readonly transport?: "fetch" | "node" | undefined
}

/** A job as its contender saw it finish. @since 0.1.0 */
export interface JobSeen {
  readonly jobId: string
  readonly submissionDate: string | undefined
  readonly completionDate: string | undefined
  /** Ours: the conversations its window wrote (the job's results, less what other windows own). */
  readonly conversations?: number | undefined
}

/** What a flow returns, before measurement is added. @since 0.1.0 */
export interface Outcome {
  readonly conversations: number
  /** Order-independent checksum of the conversation ids (see `checksum.ts`). */
  readonly checksum: number
  readonly jobs: ReadonlyArray<JobSeen>
  /** 429 answers the contender saw. */
  readonly rateLimited: number
  /** Ours in scenarios 5 and 6: the windows its plan had and how many it ran at once (first and last). */
  readonly plan?:
    | { readonly windows: number; readonly concurrency: number; readonly finalConcurrency: number }
    | undefined
}

/** One contender run, measured inside its own process. @since 0.1.0 */
export interface RunResult extends Outcome {
  readonly contender: ContenderName
  readonly wallMillis: number
  readonly cpuUserMillis: number
  readonly cpuSystemMillis: number
  /** RSS after imports and a forced GC, before the flow. */
  readonly baselineRssBytes: number
  /** Kernel high-water mark of RSS (`VmHWM`), or the sampled peak where /proc is missing. */
  readonly peakRssBytes: number
  /** Highest RSS seen by the sampler (a cross-check of `peakRssBytes`). */
  readonly sampledPeakRssBytes: number
  /** Highest heap in use right after a forced GC (only with `gcSampleMillis`): memory actually retained. */
  readonly peakLiveHeapBytes?: number | undefined
  /** Median of the same samples: what the flow retains at a typical moment, not at the rarest one sampled. */
  readonly medianLiveHeapBytes?: number | undefined
}

/** Prefix of the one stdout line that carries a contender's `RunResult`. @since 0.1.0 */
export const resultPrefix = "BENCH-RESULT "

/** One request as the emulator recorded it. @since 0.1.0 */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly search: string
  readonly status: number
  readonly atMillis: number
}

/** Count and checksum of a set of conversation ids. @since 0.1.0 */
export interface Truth {
  readonly count: number
  readonly checksum: number
}
