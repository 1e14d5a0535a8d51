// The activities of one window: each is a step the journal records, run at least once, with an effect outside the
// process only inside it. Results hold ids, cursors and counts; conversations go straight to the page sink.
import * as Activity from "@effect/workflow/Activity"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ExtractionSink from "../../ExtractionSink.js"
import { isGenesysError } from "../../GenesysError.js"
import * as JobCancel from "../details/jobCancel.js"
import * as JobForecast from "../extraction/jobForecast.js"
import * as JobWindow from "../extraction/jobWindow.js"
import * as layout from "../extraction/layout.js"
import * as Ledger from "../extraction/ledger.js"
import * as Selector from "../extraction/selector.js"
import * as Submission from "../extraction/submission.js"
import * as WindowQueries from "../extraction/windowQueries.js"
import { Environment, type ExecutionRef, type StepServices } from "./environment.js"
import { JobForecasts } from "./jobForecasts.js"
import { PageOutcome, SinkFailed, StepError } from "./schemas.js"

/** What every step of a window knows: the execution, the window and the plan's filters and watermark. @internal */
export interface WindowRef {
  readonly execution: ExecutionRef
  readonly window: layout.PlannedWindow
  readonly filters: Parameters<typeof WindowQueries.windowQuery>[0]
  readonly watermarkMillis: number
  readonly pageSize: number | undefined
}

/** Any failure as a journal-storable step error: the library's own, or the sink's as text. @internal */
export const asStepError = (e: unknown): StepError =>
  isGenesysError(e) || e instanceof SinkFailed
    ? (e as StepError)
    : new SinkFailed({ message: e instanceof Error ? e.message : String(e) })

/** Runs `f` with the execution's services; every failure becomes a step error. @internal */
export const withServices = <A>(
  execution: ExecutionRef,
  f: (services: StepServices) => Effect.Effect<A, unknown>
): Effect.Effect<A, StepError, Environment> =>
  Effect.flatMap(Environment, (env) =>
    Effect.flatMap(env.resolve(execution), (services) => services.around(f(services)))
  ).pipe(Effect.mapError(asStepError))

/** The clock as a step, so a replay sees the time of the first run. @internal */
export const now = (name: string) => Activity.make({ name, success: Schema.Number, execute: Clock.currentTimeMillis })

/** Submits the window's job (with the submit-retry policy) and returns its id. @internal */
export const submit = (ref: WindowRef, attempt: number) =>
  Activity.make({
    name: `submit/${attempt}`,
    success: Schema.String,
    error: StepError,
    execute: withServices(ref.execution, (s) =>
      Effect.scoped(
        Effect.flatMap(Submission.makeConcurrency(1, s.audit), (concurrency) =>
          Submission.submitWithRetries({
            submit: s.details.submitJob(WindowQueries.windowQuery(ref.filters, ref.window, s.validator)),
            window: ref.window.interval,
            concurrency,
            audit: s.audit
          })
        )
      )
    )
  })

/**
 * Polls the job until it is fulfilled (the `Schedule` poll of `ConversationDetails.awaitJob`), and when the
 * extraction's jobs done on this runner say it should be done (`JobForecasts`). The step
 * starts right after the submission; run again after a crash, it goes by the schedule alone. @internal
 */
export const awaitJob = (ref: WindowRef, attempt: number, jobId: string, estimated: number | undefined) =>
  Activity.make({
    name: `await/${attempt}`,
    error: StepError,
    execute: Effect.gen(function* () {
      const startedAt = yield* Clock.currentTimeMillis
      const forecast = yield* Effect.flatMap(JobForecasts, (all) =>
        all.of(`${ref.execution.org}:${ref.execution.planHash}`)
      )
      return yield* withServices(ref.execution, (s) =>
        JobForecast.awaitJob({
          forecast,
          details: s.details,
          audit: s.audit,
          jobId,
          size: estimated,
          submittedAt: startedAt
        })
      ).pipe(Effect.asVoid)
    })
  })

const dayCounts = (batch: ReadonlyArray<ExtractionSink.Conversation>): Record<string, number> => {
  const days: Record<string, number> = {}
  for (const c of batch) {
    const times = layout.timesOf(c)
    if (times === undefined) continue
    const day = String(Ledger.dayOf(times.startMillis))
    days[day] = (days[day] ?? 0) + 1
  }
  return days
}

/** Selects what the window owns of a page, sets aside invalid records and writes the rest under the page's key. */
const commitPage = (
  s: StepServices,
  ref: WindowRef,
  key: { readonly attempt: number; readonly page: number; readonly jobId?: string | undefined },
  conversations: ReadonlyArray<ExtractionSink.Conversation>,
  nextCursor: string | undefined
) =>
  Effect.gen(function* () {
    const stats = { duplicates: 0, foreign: 0, quarantined: 0 }
    const selector = Selector.make({ window: ref.window, watermarkMillis: ref.watermarkMillis, stats, skip: 0 })
    const { batch, invalid } = selector.select(conversations, { page: key.page, jobId: key.jobId })
    yield* Selector.setAside({ window: ref.window, invalid, quarantine: s.quarantine, stats, audit: s.audit })
    yield* s.sink.writePage({ window: ref.window.id, attempt: key.attempt, page: key.page }, batch)
    if (s.onPage !== undefined) yield* s.onPage({ window: ref.window.id, page: key.page, written: batch.length })
    return {
      ...(nextCursor !== undefined ? { nextCursor } : {}),
      written: batch.length,
      ...stats,
      days: dayCounts(batch)
    } satisfies PageOutcome
  })

/** Reads one page of job results from `cursor` and commits it. @internal */
export const jobPage = (
  ref: WindowRef,
  page: { readonly attempt: number; readonly number: number; readonly jobId: string },
  cursor: string | undefined,
  seenCursors: ReadonlyArray<string>
) =>
  Activity.make({
    name: `page/${page.attempt}/${page.number}`,
    success: PageOutcome,
    error: StepError,
    execute: withServices(ref.execution, (s) =>
      Effect.gen(function* () {
        const first = yield* Stream.runHead(
          s.details.jobResultPages(page.jobId, {
            cursor,
            seenCursors,
            pageSize: ref.pageSize,
            validation: s.sink.validation
          })
        )
        const results = Option.getOrElse(first, () => ({ conversations: [], cursor: undefined }))
        return yield* commitPage(
          s,
          ref,
          { attempt: page.attempt, page: page.number, jobId: page.jobId },
          results.conversations,
          results.cursor
        )
      })
    )
  })

/** What a query window's one step did. @internal */
export const QueryOutcome = Schema.Struct({
  attempt: Schema.NonNegativeInt,
  pages: Schema.NonNegativeInt,
  written: Schema.NonNegativeInt,
  duplicates: Schema.NonNegativeInt,
  foreign: Schema.NonNegativeInt,
  quarantined: Schema.NonNegativeInt,
  days: Schema.Record({ key: Schema.String, value: Schema.NonNegativeInt })
})

/**
 * Reads a sync-query window in one step. Provisional data moves between runs, so a step run again writes under a
 * new attempt (its start time) rather than mixing pages of two reads.
 *
 * @internal
 */
export const queryWindow = (ref: WindowRef, generation: number) =>
  Activity.make({
    name: "query",
    success: QueryOutcome,
    error: StepError,
    execute: withServices(ref.execution, (s) =>
      Effect.gen(function* () {
        const attempt = (Math.floor(yield* Clock.currentTimeMillis) % 1_000_000_000) * 1000 + generation
        const total = { pages: 0, written: 0, duplicates: 0, foreign: 0, quarantined: 0 }
        const days: Record<string, number> = {}
        yield* Stream.runForEach(
          s.details.queryPages(WindowQueries.windowQuery(ref.filters, ref.window, s.validator)),
          (page) =>
            Effect.map(
              commitPage(s, ref, { attempt, page: total.pages + 1 }, page.conversations, undefined),
              (outcome) => {
                total.pages += 1
                total.written += outcome.written
                total.duplicates += outcome.duplicates
                total.foreign += outcome.foreign
                total.quarantined += outcome.quarantined
                for (const [day, n] of Object.entries(outcome.days)) days[day] = (days[day] ?? 0) + n
              }
            )
        )
        return { attempt, ...total, days }
      })
    )
  })

/** Gives a job back after a failed attempt (unless it is gone), best effort. @internal */
export const cancel = (ref: WindowRef, attempt: number, jobId: string, error: StepError) =>
  Activity.make({
    name: `cancel/${attempt}`,
    execute: Effect.catchAll(
      withServices(ref.execution, (s) =>
        JobWindow.jobIsGone(error)
          ? Effect.void
          : JobCancel.cancelQuietly(s.details.cancelJob, s.audit, jobId, `failed: ${error._tag}`)
      ),
      () => Effect.void
    )
  })

/** Audits a resubmission, or the window's failure (with its webhook) when it is not restartable. @internal */
export const recordFailure = (
  ref: WindowRef,
  attempt: number,
  jobId: string,
  error: StepError,
  resubmit: boolean,
  written: number
) =>
  Activity.make({
    name: `failure/${attempt}`,
    execute: Effect.catchAll(
      withServices(ref.execution, (s) =>
        resubmit
          ? s.audit.record({
              type: "job.resubmitted",
              jobId,
              window: ref.window.interval,
              status: error._tag,
              detail: `job ${error._tag}; submitting the window again (${written} conversations of this attempt are replaced by the next)`
            })
          : s.notify({
              type: "job.failed",
              jobId,
              window: ref.window.interval,
              status: error._tag,
              detail: error.message
            })
      ),
      () => Effect.void
    )
  })

/** Audits a finished window and announces its job; returns the window's latency. @internal */
export const windowDone = (
  ref: WindowRef,
  startedAt: number,
  outcome: {
    readonly jobId?: string | undefined
    readonly pages: number
    readonly conversations: number
    readonly duplicates: number
    readonly foreign: number
    readonly quarantined: number
  }
) =>
  Activity.make({
    name: "done",
    success: Schema.Number,
    error: StepError,
    execute: withServices(ref.execution, (s) =>
      Effect.gen(function* () {
        const latencyMillis = Math.max(0, Math.round((yield* Clock.currentTimeMillis) - startedAt))
        if (outcome.jobId !== undefined) {
          yield* s.notify({
            type: "job.fulfilled",
            jobId: outcome.jobId,
            window: ref.window.interval,
            status: "FULFILLED"
          })
        }
        yield* s.audit.record({
          type: "extraction.window",
          window: ref.window.interval,
          jobId: outcome.jobId,
          status: "done",
          latencyMillis,
          counts: {
            conversations: outcome.conversations,
            pages: outcome.pages,
            duplicates: outcome.duplicates,
            foreign: outcome.foreign,
            quarantined: outcome.quarantined
          }
        })
        if (s.onWindowDone !== undefined) yield* s.onWindowDone(ref.window.id)
        return latencyMillis
      })
    )
  })
