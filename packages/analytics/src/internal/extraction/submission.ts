import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type * as AuditLog from "../../AuditLog.js"
import type { GenesysError } from "../../GenesysError.js"
import * as Interval from "../../Interval.js"

/**
 * Windows worked on at once for `jobs` job slots: as many again as there are slots, so that the windows whose jobs are
 * done are paged while the next jobs run. Pages in memory stay bounded by this number.
 *
 * @internal
 */
export const windowsInFlight = (jobs: number): number => 2 * jobs

/** Windows in flight: a semaphore that Genesys's concurrent-jobs limit can lower, never below 1. @internal */
export interface Concurrency {
  readonly initial: number
  readonly withPermit: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Takes one permit for the rest of the run (in the run's scope) and audits it; a no-op at 1. */
  readonly lower: Effect.Effect<void, never, Scope.Scope>
  readonly current: Effect.Effect<number>
}

/** @internal */
export const makeConcurrency = (initial: number, audit: AuditLog.Service): Effect.Effect<Concurrency> =>
  Effect.gen(function* () {
    const limiter = yield* Effect.makeSemaphore(initial)
    const limit = yield* Ref.make(initial)
    const lower = Effect.flatMap(
      Ref.modify(limit, (n) => (n > 1 ? [true, n - 1] : [false, n])),
      (lowered) =>
        lowered
          ? Effect.zipRight(
              Effect.forkScoped(limiter.take(1)),
              audit.record({
                type: "extraction.window",
                status: "concurrency.lowered",
                detail: "Genesys refused a job with a concurrency limit"
              })
            )
          : Effect.void
    )
    return { initial, withPermit: limiter.withPermits(1), lower, current: Ref.get(limit) }
  })

const maxSubmitRetries = 3
const maxLimitWaits = 20

/**
 * Submits a window's job. The HTTP layer never retries a job POST on 5xx or a lost connection (the job may exist).
 * Here the window is the unit of idempotency: another job for it is harmless to the output, since the window keeps
 * only what it owns and skips what it wrote; the cost is a job that may expire unused, which the audit log records.
 * A 429 naming a concurrency `limit` lowers the run's concurrency, then waits and submits again.
 *
 * @internal
 */
export const submitWithRetries = <R>(options: {
  readonly submit: Effect.Effect<string, GenesysError, R>
  readonly window: string
  readonly concurrency: Concurrency
  readonly audit: AuditLog.Service
}): Effect.Effect<string, GenesysError, R | Scope.Scope> => {
  const attempt = (n: number): Effect.Effect<string, GenesysError, R | Scope.Scope> =>
    Effect.catchAll(options.submit, (e) => {
      if (e._tag === "RateLimited" && e.limitKey !== undefined && n < maxLimitWaits) {
        return options.concurrency.lower.pipe(
          Effect.zipRight(Effect.sleep(Duration.millis(e.retryAfterMillis ?? 5_000))),
          Effect.zipRight(attempt(n + 1))
        )
      }
      if ((e._tag === "ServerError" || e._tag === "Transport") && n < maxSubmitRetries) {
        return options.audit
          .record({
            type: "http.retry",
            window: options.window,
            route: "POST /api/v2/analytics/conversations/details/jobs",
            status: e._tag,
            attempt: n + 1,
            waitMillis: 1000 * 2 ** n,
            detail: `job submission failed (${e.message}); submitting again: the lost request may have created a job that will expire unused`
          })
          .pipe(Effect.zipRight(Effect.sleep(Duration.seconds(2 ** n))), Effect.zipRight(attempt(n + 1)))
      }
      return Effect.fail(e)
    })
  return attempt(0)
}

/**
 * The share of the whole UTC days a window touches that the window covers. The sync query counts the conversations
 * of every day its interval touches (FACTS §2.1, §2.3), so a window ending mid-day (the last one, at the watermark)
 * is sized by its count times this share, not by its last day whole. @internal
 */
export const coveredShare = (window: { readonly startMillis: number; readonly endMillis: number }): number => {
  const from = Math.floor(window.startMillis / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  const to = Math.ceil(window.endMillis / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  return to > from ? (window.endMillis - window.startMillis) / (to - from) : 1
}

/** Longest wait for the windows' sizes before the run starts in the plan's order. @internal */
export const sizingTimeout = Duration.seconds(10)

/**
 * Most windows a run counts: each count is a sync query, so this many take at most about an eighth of a token's
 * 300 requests a minute. A run with more windows has many rounds of jobs, where the order of the last round matters
 * little, and starts at once in the plan's order.
 *
 * @internal
 */
export const maxSizedWindows = 40

/**
 * The order in which a run's windows take job slots: the largest jobs first, when there are more windows to submit
 * than slots (the longest-processing-time rule). A slot freed by a short job then takes the next largest, and the
 * last jobs to finish are the smallest, so their pages, read after every other job is done, are few (equal days are
 * not equal work: an org's weekends hold far fewer conversations than its weekdays). Windows that hold a job already
 * (resumed from a checkpoint) keep their place ahead of the others; windows that are not jobs keep theirs after them.
 *
 * `size` estimates a window (the sync query's `totalHits` times its {@link coveredShare}). More than
 * {@link maxSizedWindows} windows, a failed count, or counts slower than {@link sizingTimeout} leave the plan's order,
 * which is as correct: the order never changes what a run writes, only when.
 *
 * @internal
 */
export const largestFirst = <W extends { readonly kind: string }, E, R>(options: {
  readonly windows: ReadonlyArray<W>
  readonly slots: number
  /** The window holds a job or is done: it is neither counted nor moved. */
  readonly started: (window: W) => boolean
  readonly size: (window: W) => Effect.Effect<number, E, R>
}): Effect.Effect<ReadonlyArray<W>, never, R> => {
  const fresh = options.windows.filter((w) => w.kind === "job" && !options.started(w))
  if (fresh.length <= options.slots || fresh.length > maxSizedWindows) return Effect.succeed(options.windows)
  return Effect.forEach(fresh, (w) => Effect.map(options.size(w), (n) => [w, n] as const), {
    concurrency: 2 * options.slots
  }).pipe(
    Effect.timeoutOption(sizingTimeout),
    Effect.option,
    Effect.map((sized) => {
      const sizes = Option.flatten(sized)
      if (Option.isNone(sizes)) return options.windows
      // A stable sort: windows of equal size keep the plan's order.
      const bySize = [...sizes.value].sort((a, b) => b[1] - a[1]).map(([w]) => w)
      const moved = new Set<W>(fresh)
      return [
        ...options.windows.filter((w) => w.kind === "job" && !moved.has(w)),
        ...bySize,
        ...options.windows.filter((w) => w.kind !== "job")
      ]
    }),
    Effect.withSpan("Extraction.sizeWindows", { attributes: { windows: fresh.length } })
  )
}
