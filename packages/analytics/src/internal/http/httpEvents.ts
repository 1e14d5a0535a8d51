/**
 * What the HTTP layer reports besides metrics: retries, rate-limit waits and re-authentication, told to an
 * optional `HttpEvents` service found in the requesting fiber's context. The HTTP layer never writes audit
 * events itself: the domain layer provides an `HttpEvents` that does (`internal/details/httpAudit.ts`).
 *
 * @internal
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"

/** A retry of a transient failure (5xx, 408, transport, unreadable body) about to wait. @since 0.2.0 */
export interface RetryEvent {
  /** Route template of the request. */
  readonly route: string
  /** An HTTP status (`"503"`) or a transport reason (`"Decode"`, `"Connection"`, `"Timeout"`). */
  readonly reason: string
  /** 1 for the first retry of the request. */
  readonly attempt: number
  /** How long the request waits before the retry. */
  readonly waitMillis: number
  /** Time since the first transient failure of this request. */
  readonly elapsedMillis: number
  /** Status of the failed response, when there was one. */
  readonly status?: number
  /** `reason: detail` of a transport or decode failure. */
  readonly detail?: string
  /** `ININ-Correlation-Id` of the failed response (present as a key whenever there was a response). */
  readonly correlationId?: string | undefined
}

/** A wait for the platform's rate limit: a 429 waited out, or proactive pacing. @since 0.2.0 */
export interface RateLimitWaitEvent {
  readonly route: string
  /** `"429"` for a 429 answer, `"pacing"` for a wait before sending. */
  readonly cause: "429" | "pacing"
  readonly waitMillis: number
  /** For 429: 1 for the first wait of the request. */
  readonly attempt?: number
  readonly correlationId?: string | undefined
}

/** A 401 on an API call: the token is dropped and the request retried once with a fresh one. @since 0.2.0 */
export interface ReauthenticateEvent {
  readonly route: string
  readonly status: 401
  readonly correlationId: string | undefined
}

/**
 * A response whose status had arrived when its request was interrupted, before its body was read: a status poll
 * whose caller stopped waiting, a run stopped by another failure, a body that did not arrive within the request's
 * timeout (its retry is reported as well); or, `bodyRead`, a status the retry policy acts on (401, 429, 408, 500,
 * 502, 503, 504) whose request was interrupted after its body was read and before its retry, wait or failure was
 * reported, or whose attempt then timed out. What the platform answered is known. @since 0.4.0
 */
export interface AbandonedEvent {
  readonly route: string
  readonly status: number
  readonly correlationId: string | undefined
  /** The body had been read: the request was interrupted before the policy reported the status. @since 0.4.0 */
  readonly bodyRead?: boolean | undefined
}

/** Listeners of the HTTP layer's events; each runs before the wait it reports. @since 0.2.0 */
export interface Service {
  readonly onRetry: (event: RetryEvent) => Effect.Effect<void>
  readonly onRateLimitWait: (event: RateLimitWaitEvent) => Effect.Effect<void>
  readonly onReauthenticate: (event: ReauthenticateEvent) => Effect.Effect<void>
  /** A response left unread when its request was interrupted (optional). @since 0.4.0 */
  readonly onAbandoned?: ((event: AbandonedEvent) => Effect.Effect<void>) | undefined
}

/** Optional listener of the HTTP layer's events, looked up in the requesting fiber's context. @since 0.2.0 */
export class HttpEvents extends Context.Tag("@effect-genesys/analytics/HttpEvents")<HttpEvents, Service>() {}

/** Tells the `HttpEvents` of the current context, if any (and if it listens to `key`). @internal */
export const report = <K extends keyof Service>(
  key: K,
  event: Parameters<NonNullable<Service[K]>>[0]
): Effect.Effect<void> =>
  Effect.flatMap(Effect.serviceOption(HttpEvents), (events) => {
    const listener = Option.isNone(events) ? undefined : events.value[key]
    return listener === undefined ? Effect.void : (listener as (e: typeof event) => Effect.Effect<void>)(event)
  })

/** Both listeners, `first` then `second`. @internal */
export const both = (first: Service, second: Service): Service => ({
  onRetry: (e) => Effect.zipRight(first.onRetry(e), second.onRetry(e)),
  onRateLimitWait: (e) => Effect.zipRight(first.onRateLimitWait(e), second.onRateLimitWait(e)),
  onReauthenticate: (e) => Effect.zipRight(first.onReauthenticate(e), second.onReauthenticate(e)),
  onAbandoned: (e) => Effect.zipRight(first.onAbandoned?.(e) ?? Effect.void, second.onAbandoned?.(e) ?? Effect.void)
})

/** Runs `effect` with `events` told too (after any listener already in its context). @internal */
export const provide = <A, E, R>(effect: Effect.Effect<A, E, R>, events: Service): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.serviceOption(HttpEvents), (outer) =>
    Effect.provideService(effect, HttpEvents, Option.isNone(outer) ? events : both(outer.value, events))
  )
