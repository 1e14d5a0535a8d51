import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { cancelJobQuietly } from "../../ConversationDetails.js"
import { type GenesysError, isGenesysError } from "../../GenesysError.js"
import * as JobForecast from "./jobForecast.js"
import type { WindowState } from "./ledger.js"
import * as Selector from "./selector.js"
import * as submission from "./submission.js"
import type { Window, WindowContext } from "./windowContext.js"
import * as windowQueries from "./windowQueries.js"

/**
 * A window's job can be submitted again when it ended without results, or when its cursor went bad: a repeated
 * cursor, or one the platform refused (400 while paging).
 *
 * @internal
 */
export const isRestartable = (e: unknown, paging: boolean): e is GenesysError =>
  isGenesysError(e) &&
  (e._tag === "JobExpired" ||
    e._tag === "JobFailed" ||
    e._tag === "JobCancelled" ||
    e._tag === "NotFound" ||
    e._tag === "PaginationStalled" ||
    (paging && e._tag === "BadRequest"))

/** The job no longer exists or holds nothing: cancelling it again is a wasted request. @internal */
export const jobIsGone = (e: unknown): boolean =>
  isGenesysError(e) &&
  (e._tag === "JobExpired" || e._tag === "JobFailed" || e._tag === "JobCancelled" || e._tag === "NotFound")

/** The tag and message of a failure, for audit events and webhooks; a non-Genesys failure is the sink's. @internal */
export const describe = (e: unknown): { readonly tag: string; readonly message: string } =>
  isGenesysError(e)
    ? { tag: e._tag, message: e.message }
    : { tag: "SinkError", message: e instanceof Error ? e.message : String(e) }

/**
 * Rows of the current job to skip when the window starts: those an earlier attempt wrote but had not yet skipped, or,
 * when the last page was committed without the window ending, everything the window wrote (the job is read again).
 *
 * @internal
 */
export const initialSkip = (state: WindowState): number =>
  state.state === "paging" && state.cursor === undefined ? state.conversations : (state.pendingSkip ?? 0)

/** The window's progress while it runs, and the job it holds (cancelled on interruption). */
interface Cell {
  state: WindowState
  skip: number
  liveJob: string | undefined
  paging: boolean
}

/** Submits a job for the window and checkpoints it as `submitted`; from then on everything it wrote is skipped. */
const submit = <E>(ctx: WindowContext<E>, window: Window, cell: Cell) =>
  Effect.gen(function* () {
    const job = submission.submitWithRetries({
      submit: ctx.details.submitJob(windowQueries.windowQuery(ctx.filters, window, ctx.validator)),
      window: window.interval,
      concurrency: ctx.concurrency,
      audit: ctx.audit
    })
    // No interruption between the answer and `liveJob`: a job whose id we hold is never leaked.
    const jobId = yield* Effect.uninterruptibleMask((restore) =>
      Effect.tap(restore(ctx.timer.timed("submit", job)), (id) =>
        Effect.sync(() => {
          cell.liveJob = id
        })
      )
    )
    cell.skip = cell.state.conversations
    cell.state = {
      ...cell.state,
      state: "submitted",
      jobId,
      cursor: undefined,
      seenCursors: [],
      seenIds: undefined,
      pendingSkip: cell.skip
    }
    yield* ctx.ledger.commit(window, [], cell.state, false)
  })

/**
 * Submits the window's job unless the checkpoint holds one, and awaits it, holding one of the run's job slots: the
 * platform limits jobs that are queued or running, not jobs whose results are being read.
 */
const awaitOwnJob = <E>(ctx: WindowContext<E>, window: Window, cell: Cell) =>
  ctx.concurrency.withPermit(
    Effect.gen(function* () {
      // A job resumed from a checkpoint has no submission time of this run to forecast from. A new one is timed from the
      // submission's answer, not from before it: the pacer (and a concurrency 429's backoff) may hold the request for
      // seconds, and a forecast timed from before that would poll the job as soon as it is submitted.
      const resumed = cell.state.jobId !== undefined
      if (!resumed) yield* submit(ctx, window, cell)
      const submittedAt = resumed ? undefined : yield* Clock.currentTimeMillis
      const jobId = cell.state.jobId!
      cell.liveJob = jobId
      cell.paging = false
      const awaited = JobForecast.awaitJob({
        forecast: ctx.forecast,
        details: ctx.details,
        audit: ctx.audit,
        jobId,
        size: ctx.sizeOf(window),
        submittedAt,
        turns: ctx.concurrency.initial
      })
      const fulfilled = yield* Effect.either(ctx.timer.timed("await", awaited))
      return { jobId, fulfilled }
    })
  )

/** Commits the window's pages from the saved cursor, one checkpoint per page. */
const read = <E>(ctx: WindowContext<E>, window: Window, cell: Cell, jobId: string) =>
  Effect.gen(function* () {
    cell.paging = true
    const fulfilledAt = yield* Clock.currentTimeMillis
    const stats = ctx.ledger.stats(window.id)
    // Continuing the saved cursor, the ids already returned by this job are still "seen".
    const selector = Selector.make({
      window,
      watermarkMillis: ctx.watermarkMillis,
      stats,
      skip: cell.skip,
      seen: cell.state.cursor !== undefined ? cell.state.seenIds : undefined
    })
    const pages = ctx.details.jobResultPages(jobId, {
      cursor: cell.state.cursor,
      seenCursors: cell.state.seenCursors,
      pageSize: ctx.pageSize,
      validation: ctx.validation,
      nested: ctx.nested,
      // The next page's round trip overlaps this page's write and checkpoint.
      readAhead: true
    })
    yield* ctx.timer.forEachPage(pages, fulfilledAt, (page) =>
      Effect.gen(function* () {
        const state = cell.state
        const { batch, invalid } = selector.select(page.conversations, { page: state.pagesDone + 1, jobId })
        yield* Selector.setAside({ window, invalid, quarantine: ctx.quarantine, stats, audit: ctx.audit })
        cell.state = {
          state: "paging",
          jobId,
          cursor: page.cursor,
          seenCursors: page.cursor === undefined ? state.seenCursors : [...(state.seenCursors ?? []), page.cursor],
          // Only needed to continue from the cursor; after the last page a resume re-reads the job.
          seenIds: page.cursor === undefined ? undefined : selector.seenIds(),
          pagesDone: state.pagesDone + 1,
          conversations: state.conversations + batch.length,
          pendingSkip: selector.remainingSkip()
        }
        yield* ctx.ledger.commit(window, batch, cell.state, true)
      })
    )
  })

/**
 * After a failed attempt: gives the job back (unless it is gone), then either fails the window (not restartable, or
 * out of resubmissions) or audits the resubmission and clears the job so the next attempt submits again.
 */
const recover = <E, X>(ctx: WindowContext<E>, window: Window, cell: Cell, jobId: string, attempt: number, error: X) =>
  Effect.gen(function* () {
    cell.liveJob = undefined
    if (!jobIsGone(error)) yield* cancelJobQuietly(jobId, `failed: ${describe(error).tag}`)
    if (!isRestartable(error, cell.paging) || attempt >= ctx.maxResubmissions) {
      const { message, tag } = describe(error)
      yield* ctx.notify({ type: "job.failed", jobId, window: window.interval, status: tag, detail: message })
      return yield* Effect.fail(error)
    }
    ctx.ledger.stats(window.id).resubmissions += 1
    cell.state = { ...cell.state, jobId: undefined, cursor: undefined, seenCursors: [], seenIds: undefined }
    yield* ctx.audit.record({
      type: "job.resubmitted",
      jobId,
      window: window.interval,
      status: error._tag,
      detail: `job ${error._tag}; submitting the window again and skipping ${cell.state.conversations} conversations already written`
    })
  })

/**
 * Runs a job window to its end: submit (unless the checkpoint holds a job), await, page; a job that expired, failed,
 * was cancelled or whose cursor went bad is submitted again up to `maxResubmissions` times, skipping what was written.
 * The job the window holds is cancelled when the window fails or the run is interrupted, since it holds a share of
 * the small concurrent-jobs quota.
 *
 * @internal
 */
export const run = <E>(ctx: WindowContext<E>, window: Window) => {
  const initial = ctx.ledger.state(window.id)
  const cell: Cell = { state: initial, skip: initialSkip(initial), liveJob: undefined, paging: false }
  return Effect.gen(function* () {
    for (let attempt = 0; ; attempt++) {
      const { jobId, fulfilled } = yield* awaitOwnJob(ctx, window, cell)
      const outcome = Either.isLeft(fulfilled) ? fulfilled : yield* Effect.either(read(ctx, window, cell, jobId))
      if (Either.isRight(outcome)) break
      yield* recover(ctx, window, cell, jobId, attempt, outcome.left)
    }
    cell.liveJob = undefined
    yield* ctx.notify({ type: "job.fulfilled", jobId: cell.state.jobId, window: window.interval, status: "FULFILLED" })
    return cell.state
  }).pipe(
    Effect.onInterrupt(() =>
      cell.liveJob === undefined ? Effect.void : cancelJobQuietly(cell.liveJob, "interrupted")
    ),
    Effect.withSpan("Extraction.jobWindow", { attributes: { window: window.interval } })
  )
}
