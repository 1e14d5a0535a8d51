// The body of one window's workflow: replayed from the top after a restart, it must take the same path for the same
// journal, so every decision below depends only on step results.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as JobWindow from "../extraction/jobWindow.js"
import { addDays, type FulfilledJob, NeedsNewJob, type StepError, type WindowOutcome } from "./schemas.js"
import * as Steps from "./windowSteps.js"

/** Attempts of one generation are numbered from `generation * 1000`, so page keys never repeat across generations. */
const attemptBase = (generation: number) => generation * 1000

interface Tally {
  pages: number
  conversations: number
  duplicates: number
  foreign: number
  quarantined: number
  days: Record<string, number>
}

const freshTally = (): Tally => ({ pages: 0, conversations: 0, duplicates: 0, foreign: 0, quarantined: 0, days: {} })

/** Reads one job's pages, one step per page, from the first; stops at the first failure. */
const readJob = (ref: Steps.WindowRef, attempt: number, jobId: string) =>
  Effect.gen(function* () {
    const tally = freshTally()
    const seenCursors: Array<string> = []
    let cursor: string | undefined
    for (;;) {
      const page = yield* Steps.jobPage(ref, { attempt, number: tally.pages + 1, jobId }, cursor, [...seenCursors])
      tally.pages += 1
      tally.conversations += page.written
      tally.duplicates += page.duplicates
      tally.foreign += page.foreign
      tally.quarantined += page.quarantined
      addDays(tally.days, page.days)
      if (page.nextCursor === undefined) return tally
      cursor = page.nextCursor
      seenCursors.push(cursor)
    }
  })

/** Gives the failed attempt's job back and audits the failure; fails unless the window may submit again. */
const endAttempt = (ref: Steps.WindowRef, attempt: number, jobId: string, error: StepError, resubmit: boolean) =>
  Effect.gen(function* () {
    yield* Steps.cancel(ref, attempt, jobId, error)
    yield* Steps.recordFailure(ref, attempt, jobId, error, resubmit, 0)
    if (!resubmit) return yield* Effect.fail(error)
  })

/**
 * Submits the window's job and awaits its fulfilment; a job that ended without results is submitted again, from
 * resubmission `from` on. What a window holds one of the org's job slots for.
 */
const fulfilJob = (
  ref: Steps.WindowRef,
  options: {
    readonly generation: number
    readonly maxResubmissions: number
    readonly from?: number | undefined
    /** The window's estimated conversations, for forecast polls. */
    readonly estimated?: number | undefined
  },
  startedAt: number
) =>
  Effect.gen(function* () {
    for (let g = options.from ?? 0; ; g++) {
      const attempt = attemptBase(options.generation) + g
      const jobId = yield* Steps.submit(ref, attempt)
      const awaited = yield* Effect.either(Steps.awaitJob(ref, attempt, jobId, options.estimated))
      if (Either.isRight(awaited)) return { jobId, attempt, resubmissions: g, startedAt }
      const resubmit = JobWindow.isRestartable(awaited.left, false) && g < options.maxResubmissions
      yield* endAttempt(ref, attempt, jobId, awaited.left, resubmit)
    }
  })

/**
 * A job window from its fulfilled job: its pages. A job that expires while read, or whose cursor goes bad, is cancelled
 * and handed back (`NeedsNewJob`), so that the extraction submits the next one under a job slot.
 */
const jobWindow = (ref: Steps.WindowRef, maxResubmissions: number, job: FulfilledJob) =>
  Effect.gen(function* () {
    const read = yield* Effect.either(readJob(ref, job.attempt, job.jobId))
    if (Either.isRight(read)) {
      const tally = read.right
      const latencyMillis = yield* Steps.windowDone(ref, job.startedAt, { jobId: job.jobId, ...tally })
      return {
        id: ref.window.id,
        jobId: job.jobId,
        attempt: job.attempt,
        resubmissions: job.resubmissions,
        latencyMillis,
        ...tally
      } as WindowOutcome
    }
    const resubmit = JobWindow.isRestartable(read.left, true) && job.resubmissions < maxResubmissions
    yield* endAttempt(ref, job.attempt, job.jobId, read.left, resubmit)
    return yield* Effect.fail(new NeedsNewJob({ resubmission: job.resubmissions + 1, startedAt: job.startedAt }))
  })

/** A sync-query window: one step. */
const queryWindow = (ref: Steps.WindowRef, generation: number, startedAt: number) =>
  Effect.gen(function* () {
    const q = yield* Steps.queryWindow(ref, generation)
    const tally = { pages: q.pages, conversations: q.written, duplicates: q.duplicates, foreign: q.foreign }
    const latencyMillis = yield* Steps.windowDone(ref, startedAt, { ...tally, quarantined: q.quarantined })
    return {
      id: ref.window.id,
      attempt: q.attempt,
      resubmissions: 0,
      latencyMillis,
      ...tally,
      quarantined: q.quarantined,
      days: q.days
    } as WindowOutcome
  })

/**
 * Runs one window to its outcome, or fails with the step error that ended it; a job window is given its job, fulfilled
 * under a job slot ({@link runJob}), and hands it back when it goes bad (`NeedsNewJob`).
 *
 * @internal
 */
export const run = (
  ref: Steps.WindowRef,
  options: { readonly generation: number; readonly maxResubmissions: number; readonly job?: FulfilledJob | undefined }
) =>
  Effect.gen(function* () {
    if (ref.window.kind !== "job") return yield* queryWindow(ref, options.generation, yield* Steps.now("start"))
    if (options.job === undefined) return yield* Effect.dieMessage("a job window runs with its fulfilled job")
    return yield* jobWindow(ref, options.maxResubmissions, options.job)
  })

/**
 * The job half of a job window, for a caller that holds a job slot while it runs: from resubmission `from` (0 for the
 * window's first job), counting the window's latency from `startedAt` when an earlier job of the window gave it.
 *
 * @internal
 */
export const runJob = (
  ref: Steps.WindowRef,
  options: {
    readonly generation: number
    readonly maxResubmissions: number
    readonly from?: number | undefined
    readonly startedAt?: number | undefined
    readonly estimated?: number | undefined
  }
) =>
  Effect.flatMap(
    options.startedAt === undefined ? Steps.now("start") : Effect.succeed(options.startedAt),
    (startedAt) => fulfilJob(ref, options, startedAt)
  )
