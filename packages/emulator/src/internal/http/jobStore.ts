/**
 * Submitted jobs and their state machine (FACTS §3.3): QUEUED → PENDING → FULFILLED or FAILED, then
 * EXPIRED after the results TTL (or after N pages under an `expireJob` fault); CANCELLED from any live
 * state. A job stores its instants, not its state, so the state at any time is a pure function of it.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { Salt, uuid } from "./ids.js"

/** The six job states. */
export type JobState = "QUEUED" | "PENDING" | "FAILED" | "CANCELLED" | "FULFILLED" | "EXPIRED"

/** A submitted job; the last three fields change as it is cancelled and read. */
export interface Job {
  readonly id: string
  readonly submittedAt: number
  readonly queuedUntil: number
  readonly completedAt: number
  readonly availabilityMillis: number
  /** The conversations of the answer (a details job pages them; an aggregates job runs longer with more). */
  readonly indices: ReadonlyArray<number>
  /** What an aggregates job pages (its results); `undefined` for a details job. */
  readonly payload: ReadonlyArray<unknown> | undefined
  readonly failMessage: string | undefined
  /** Pages after which the job expires (expireJob fault). */
  readonly expireAfterPages: number | undefined
  cancelledAt: number | undefined
  expiredAt: number | undefined
  pagesServed: number
}

/** What a submission decides about a new job. */
export interface Submission {
  readonly t: number
  readonly availabilityMillis: number
  readonly indices: ReadonlyArray<number>
  readonly payload?: ReadonlyArray<unknown> | undefined
  readonly failMessage: string | undefined
  readonly expireAfterPages: number | undefined
}

/** The jobs of one emulated org. */
export interface JobStore {
  /** Store a new job submitted at `submission.t`; its id. */
  readonly create: (submission: Submission) => string
  readonly get: (jobId: string) => Job | undefined
  /** The state of `job` at `t`. */
  readonly stateAt: (job: Job, t: number) => JobState
  /** QUEUED or PENDING jobs at `t` (the concurrency limit counts these). */
  readonly activeCount: (t: number) => number
  /** Cancel a live or fulfilled job; other states are left as they are (the platform answers 204 anyway). */
  readonly cancel: (job: Job, t: number) => void
  /** Count one results page served at `t`; an `expireJob` fault expires the job after its N-th page. */
  readonly pageServed: (job: Job, t: number) => void
}

/** QUEUED or PENDING: not finished yet. */
export const isLive = (state: JobState): boolean => state === "QUEUED" || state === "PENDING"

/** The state of `job` at `t`, given how long results are kept. */
export const stateAt = (job: Job, t: number, resultTtlMillis: number): JobState => {
  if (job.cancelledAt !== undefined) return "CANCELLED"
  if (t < job.queuedUntil) return "QUEUED"
  if (t < job.completedAt) return "PENDING"
  if (job.failMessage !== undefined) return "FAILED"
  if (job.expiredAt !== undefined && t >= job.expiredAt) return "EXPIRED"
  if (t >= job.completedAt + resultTtlMillis) return "EXPIRED"
  return "FULFILLED"
}

/**
 * An empty store; job ids are deterministic from the seed, the submission count and `salt` (one store per job
 * kind: details and aggregates jobs have separate ids, states and concurrency counts).
 */
export const make = (options: EmulatorOptions, salt: number = Salt.job): JobStore => {
  const jobs = new Map<string, Job>()
  let counter = 0
  const state = (job: Job, t: number) => stateAt(job, t, options.jobs.resultTtlMillis)

  const create = (s: Submission): string => {
    counter++
    const id = uuid(options.seed, counter, salt)
    const queuedUntil = s.t + options.jobs.queueMillis
    // Run time grows with the result size, as a real job's does.
    const completedAt =
      queuedUntil + options.jobs.runMillis + Math.round(options.jobs.runMillisPerConversation * s.indices.length)
    jobs.set(id, {
      id,
      submittedAt: s.t,
      queuedUntil,
      completedAt,
      availabilityMillis: s.availabilityMillis,
      indices: s.indices,
      payload: s.payload,
      failMessage: s.failMessage,
      expireAfterPages: s.expireAfterPages,
      cancelledAt: undefined,
      expiredAt: s.expireAfterPages === 0 ? completedAt : undefined,
      pagesServed: 0
    })
    return id
  }

  const activeCount = (t: number) => {
    let n = 0
    for (const job of jobs.values()) if (isLive(state(job, t))) n++
    return n
  }

  const cancel = (job: Job, t: number) => {
    const s = state(job, t)
    if (isLive(s) || s === "FULFILLED") job.cancelledAt = t
  }

  const pageServed = (job: Job, t: number) => {
    job.pagesServed++
    if (job.expireAfterPages !== undefined && job.pagesServed >= job.expireAfterPages && job.expiredAt === undefined) {
      job.expiredAt = t
    }
  }

  return { create, get: (jobId) => jobs.get(jobId), stateAt: state, activeCount, cancel, pageServed }
}
