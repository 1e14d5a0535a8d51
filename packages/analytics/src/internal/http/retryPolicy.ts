/**
 * The retry policy of a request as one `Schedule` over its `Retryable` failures, applied with `HttpClient.retry`
 * semantics (`transformResponse` + `Effect.retry`), so that one schedule state spans the whole request:
 * - 401 (API calls): drop the rejected token, retry at once, once per request;
 * - 429: wait `Retry-After` (else `inin-ratelimit-reset`, else the default) up to `rateLimitMaxWait`, at most
 *   `rateLimitMaxRetries` times; safe for every request, job submission included (the platform did not act);
 * - transient failures (5xx, 408, transport, unreadable body) of idempotent requests: the backoff schedule,
 *   a 5xx's `Retry-After` honoured within the 429 cap.
 * Each retry is reported (metrics, `HttpEvents`, the retry observer) before its wait starts.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleInterval from "effect/ScheduleInterval"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import type { HttpPolicy } from "../../GenesysConfig.js"
import { reportingStatus } from "./attempt.js"
import { rateLimitWaitMillis, retryAfterMillis } from "./errorBody.js"
import * as HttpEvents from "./httpEvents.js"
import * as HttpRetry from "./retrySchedule.js"
import { type Failure, Retryable } from "./retryable.js"

/** What the policy needs to know about the request. @internal */
export interface RetryOptions {
  readonly policy: HttpPolicy
  readonly route: string
  /** Whether transient failures may be retried (never for job submission). */
  readonly idempotent: boolean
  /** Present for API calls: drops the token a 401 answered, so that the one retry gets a fresh one. */
  readonly reauthenticate: ((response: HttpClientResponse.HttpClientResponse) => Effect.Effect<void>) | undefined
}

interface State {
  readonly backoff: unknown
  /** When the first transient failure was seen: the retry budget and `elapsedMillis` count from it. */
  readonly startedAt: number | undefined
  readonly retries: number
  readonly rateLimitWaits: number
  readonly reauthenticated: boolean
}

type Step = Effect.Effect<readonly [State, number | undefined, ScheduleDecision.ScheduleDecision]>

const stop = (state: State): Step => Effect.succeed([state, undefined, ScheduleDecision.done] as const)

const retryIn = (state: State, now: number, waitMillis: number): Step =>
  Effect.succeed([state, waitMillis, ScheduleDecision.continueWith(ScheduleInterval.after(now + waitMillis))] as const)

const reauthenticate = (
  options: RetryOptions,
  failure: Extract<Failure, { _tag: "Status" }>,
  state: State,
  now: number
): Step => {
  if (options.reauthenticate === undefined || state.reauthenticated) return stop(state)
  return Effect.zipRight(
    Effect.all([
      options.reauthenticate(failure.response),
      AnalyticsMetrics.recordRetry(options.route, "401"),
      reportingStatus(
        HttpEvents.report("onReauthenticate", {
          route: options.route,
          status: 401,
          correlationId: failure.exchange.correlationId
        })
      )
    ]),
    retryIn({ ...state, reauthenticated: true }, now, 0)
  )
}

const waitOutRateLimit = (
  options: RetryOptions,
  failure: Extract<Failure, { _tag: "Status" }>,
  state: State,
  now: number
): Step => {
  const wait = rateLimitWaitMillis(failure.exchange, now, options.policy)
  const { rateLimitMaxRetries, rateLimitMaxWait } = options.policy
  // Past the cap or the count, `unwrapRetryable` fails `RateLimited` (an operation records it as a `failure`).
  if (wait === undefined || wait > Duration.toMillis(rateLimitMaxWait) || state.rateLimitWaits >= rateLimitMaxRetries) {
    return stop(state)
  }
  const attempt = state.rateLimitWaits + 1
  const route = options.route
  return Effect.zipRight(
    Effect.all([
      AnalyticsMetrics.recordRateLimitWait("429", wait),
      reportingStatus(
        HttpEvents.report("onRateLimitWait", {
          route,
          cause: "429",
          attempt,
          waitMillis: wait,
          correlationId: failure.exchange.correlationId
        })
      ),
      HttpRetry.notify({ route, reason: "429", attempt, delayMillis: wait, elapsedMillis: 0 })
    ]),
    retryIn({ ...state, rateLimitWaits: attempt }, now, wait)
  )
}

/** Reason and audit fields of a transient failure, as reported since the first release. */
const describe = (failure: Failure, now: number) => {
  switch (failure._tag) {
    case "Transport":
      return {
        reason: failure.error.reason,
        asked: undefined,
        fields: { detail: `${failure.error.reason}: ${failure.error.detail}` }
      }
    case "Body":
      return {
        reason: failure.error.reason,
        asked: undefined,
        fields: {
          status: failure.exchange.status,
          detail: `${failure.error.reason}: ${failure.error.detail}`,
          correlationId: failure.exchange.correlationId
        }
      }
    case "Status":
      return {
        reason: String(failure.exchange.status),
        asked: retryAfterMillis(failure.exchange.headers, now),
        fields: { status: failure.exchange.status, correlationId: failure.exchange.correlationId }
      }
  }
}

const backOff = (
  options: RetryOptions,
  backoff: Schedule.Schedule<unknown>,
  failure: Failure,
  state: State,
  now: number
): Step => {
  if (!options.idempotent) return stop(state)
  return Effect.flatMap(backoff.step(now, undefined, state.backoff), ([backoffState, , decision]) => {
    const next: State = { ...state, backoff: backoffState, startedAt: state.startedAt ?? now }
    if (ScheduleDecision.isDone(decision)) return stop(next)
    const delay = Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
    const { reason, asked, fields } = describe(failure, now)
    // A Retry-After on a 5xx is honoured, within the 429 cap.
    const wait =
      asked === undefined ? delay : Math.min(Math.max(asked, delay), Duration.toMillis(options.policy.rateLimitMaxWait))
    const attempt = state.retries + 1
    const elapsedMillis = now - (next.startedAt ?? now)
    const route = options.route
    return Effect.zipRight(
      Effect.all([
        AnalyticsMetrics.recordRetry(route, reason),
        reportingStatus(
          HttpEvents.report("onRetry", { route, reason, attempt, waitMillis: wait, elapsedMillis, ...fields })
        ),
        HttpRetry.notify({ route, reason, attempt, delayMillis: wait, elapsedMillis })
      ]),
      retryIn({ ...next, retries: attempt }, now, wait)
    )
  })
}

/** The request's retry schedule: its output is the wait before the retry. @internal */
export const schedule = (options: RetryOptions): Schedule.Schedule<number | undefined, unknown> => {
  const backoff = HttpRetry.schedule(options.policy)
  const initial: State = {
    backoff: backoff.initial,
    startedAt: undefined,
    retries: 0,
    rateLimitWaits: 0,
    reauthenticated: false
  }
  return Schedule.makeWithState(initial, (now, input, state): Step => {
    if (!(input instanceof Retryable)) return stop(state)
    const failure = input.failure
    if (failure._tag === "Status" && failure.exchange.status === 401)
      return reauthenticate(options, failure, state, now)
    if (failure._tag === "Status" && failure.exchange.status === 429)
      return waitOutRateLimit(options, failure, state, now)
    return backOff(options, backoff, failure, state, now)
  })
}

/** Retries the client's `Retryable` failures on the request's schedule. @internal */
export const retryFailures =
  (options: RetryOptions) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E, R> =>
    HttpClient.retry(client, schedule(options))
