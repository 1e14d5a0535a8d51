/**
 * The backoff of idempotent requests as a `Schedule` (exponential, jittered, capped, bounded in time by
 * `retryBudget` and optionally in count by `maxRetries`; `retryPolicy.ts` steps it so that each delay is known,
 * and reported, before it is slept); and the fiber-local observer that progress output uses to show retries.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Schedule from "effect/Schedule"

/** One retry about to happen. @internal */
export interface RetryInfo {
  /** Route template of the request. */
  readonly route: string
  /** Why: an HTTP status (`"503"`), or a transport reason (`"Decode"`, `"Connection"`, `"Timeout"`). */
  readonly reason: string
  /** 1 for the first retry. */
  readonly attempt: number
  /** How long the request waits before the retry. */
  readonly delayMillis: number
  /** Time since the first failure of this request. */
  readonly elapsedMillis: number
}

/** Called before every retry's wait; its failures cannot exist and its defects are the caller's. @internal */
export type RetryObserver = (info: RetryInfo) => Effect.Effect<void>

/** The observer of the current fiber (and the fibers it forks). @internal */
export const currentRetryObserver: FiberRef.FiberRef<RetryObserver | undefined> = globalValue(
  Symbol.for("@effect-genesys/analytics/internal/httpRetry/currentRetryObserver"),
  () => FiberRef.unsafeMake<RetryObserver | undefined>(undefined)
)

/** Tells the current observer, if any. @internal */
export const notify = (info: RetryInfo): Effect.Effect<void> =>
  Effect.flatMap(FiberRef.get(currentRetryObserver), (observer) =>
    observer === undefined ? Effect.void : observer(info)
  )

/** The backoff policy: base × 2ⁿ jittered ±20 %, at most `maxDelay`, while less than `budget` has passed. @internal */
export const schedule = (policy: {
  readonly retryBaseDelay: Duration.Duration
  readonly retryMaxDelay: Duration.Duration
  readonly retryBudget: Duration.Duration
  readonly maxRetries: number
}): Schedule.Schedule<unknown> => {
  const backoff = Schedule.exponential(policy.retryBaseDelay, 2).pipe(
    Schedule.jittered,
    // The union takes the shorter delay: the cap.
    Schedule.union(Schedule.spaced(policy.retryMaxDelay)),
    Schedule.upTo(policy.retryBudget)
  )
  return Number.isFinite(policy.maxRetries) ? Schedule.intersect(backoff, Schedule.recurs(policy.maxRetries)) : backoff
}
