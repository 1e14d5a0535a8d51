// The body of one window's workflow: replayed from the top after a restart, it must take the same path for the same
// journal, so every decision below depends only on step results.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as JobWindow from "../extraction/jobWindow.js"
import { addDays, type StepError, type WindowOutcome } from "./schemas.js"
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

/** A job window: submit, await, pages; a job that ended without results or whose cursor went bad is submitted again. */
const jobWindow = (ref: Steps.WindowRef, generation: number, maxResubmissions: number, startedAt: number) =>
  Effect.gen(function* () {
    for (let g = 0; ; g++) {
      const attempt = attemptBase(generation) + g
      const jobId = yield* Steps.submit(ref, attempt)
      const awaited = yield* Effect.either(Steps.awaitJob(ref, attempt, jobId))
      const read: Either.Either<Tally, StepError> = Either.isRight(awaited)
        ? yield* Effect.either(readJob(ref, attempt, jobId))
        : Either.left(awaited.left)
      if (Either.isRight(read)) {
        const tally = read.right
        const latencyMillis = yield* Steps.windowDone(ref, startedAt, { jobId, ...tally })
        return { id: ref.window.id, jobId, attempt, resubmissions: g, latencyMillis, ...tally } as WindowOutcome
      }
      const error: StepError = read.left
      const paging = Either.isRight(awaited)
      const resubmit = JobWindow.isRestartable(error, paging) && g < maxResubmissions
      yield* Steps.cancel(ref, attempt, jobId, error)
      yield* Steps.recordFailure(ref, attempt, jobId, error, resubmit, 0)
      if (!resubmit) return yield* Effect.fail(error)
    }
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

/** Runs one window to its outcome, or fails with the step error that ended it. @internal */
export const run = (
  ref: Steps.WindowRef,
  options: { readonly generation: number; readonly maxResubmissions: number }
) =>
  Effect.gen(function* () {
    const startedAt = yield* Steps.now("start")
    return yield* ref.window.kind === "job"
      ? jobWindow(ref, options.generation, options.maxResubmissions, startedAt)
      : queryWindow(ref, options.generation, startedAt)
  })
