/**
 * One attempt as a combinator: send, read the whole body, within `requestTimeout`, and record its metrics.
 * Any failure becomes a `Transport` wrapped as `Retryable`. Built with `HttpClient.transform`, so the timeout
 * and the duration cover the exchange only, not the token request or the pacing wait before it.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import { Transport } from "../../GenesysError.js"
import { readBody } from "./bodyText.js"
import { correlationIdOf, remember, responseBytes, stripQuery } from "./exchange.js"
import * as HttpEvents from "./httpEvents.js"
import { isTransientStatus, Retryable } from "./retryable.js"

const bodyLength = (request: HttpClientRequest.HttpClientRequest): number =>
  request.body._tag === "Uint8Array" ? request.body.contentLength : 0

/**
 * The system error under a platform error: the first error in the cause chain (through `cause` and an
 * `AggregateError`'s `errors`) with a string `code` (ENOTFOUND, ECONNREFUSED, ECONNRESET, CERT_HAS_EXPIRED, ...),
 * else the innermost error's message.
 *
 * @internal
 */
export const systemErrorOf = (error: unknown): { readonly code?: string; readonly message?: string } => {
  let message: string | undefined
  const seen = new Set<unknown>()
  let queue: Array<unknown> = [error]
  while (queue.length > 0) {
    const next: Array<unknown> = []
    for (const e of queue) {
      if (typeof e !== "object" || e === null || seen.has(e)) continue
      seen.add(e)
      const record = e as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
      const text = typeof record.message === "string" && record.message !== "" ? record.message : undefined
      if (typeof record.code === "string" && record.code !== "") {
        return text === undefined ? { code: record.code } : { code: record.code, message: text }
      }
      if (text !== undefined && e !== error) message = text
      if (record.cause !== undefined) next.push(record.cause)
      if (Array.isArray(record.errors)) next.push(...record.errors)
    }
    queue = next
  }
  return message === undefined ? {} : { message }
}

const transportOf = (
  request: HttpClientRequest.HttpClientRequest,
  error: HttpClientError.HttpClientError
): Transport => {
  const system = systemErrorOf(error.cause)
  const base = error._tag === "RequestError" ? error.reason : `response ${error.reason}`
  const detail =
    system.message !== undefined
      ? system.code !== undefined && !system.message.includes(system.code)
        ? `${system.code} ${system.message}`
        : system.message
      : system.code !== undefined
        ? system.code
        : base
  return new Transport({
    method: request.method,
    url: stripQuery(request.url),
    reason: error._tag === "RequestError" && error.reason !== "Transport" ? error.reason : "Connection",
    detail,
    ...(system.code !== undefined ? { code: system.code } : {}),
    ...(error._tag === "ResponseError" ? { status: error.response.status } : {})
  })
}

const timeoutOf = (request: HttpClientRequest.HttpClientRequest, timeout: Duration.Duration) => () =>
  new Transport({
    method: request.method,
    url: stripQuery(request.url),
    reason: "Timeout",
    detail: `no complete response within ${Duration.format(timeout)}`
  })

/**
 * The request being sent, set per request by `countAttempts` outside its retries: its attempts so far, and the status
 * the retry policy acts on (401, 429, 408, 500, 502, 503, 504) that arrived with its body read and has not been
 * reported yet.
 */
interface RequestState {
  count: number
  unreported: HttpEvents.AbandonedEvent | undefined
}

const currentRequest = FiberRef.unsafeMake<RequestState | undefined>(undefined)

/** The statuses whose arrival the retry policy reports (a retry, a 429 wait, a re-authentication) or fails with. */
const reportedByPolicy = (status: number): boolean => status === 401 || status === 429 || isTransientStatus(status)

/**
 * Runs `report` (an `HttpEvents` report of the status that arrived last) with that status marked reported, both at
 * once: an interrupt lands before them, and `countAttempts` reports the status as abandoned, or after. @internal
 */
export const reportingStatus = (report: Effect.Effect<void>): Effect.Effect<void> =>
  Effect.uninterruptible(
    Effect.flatMap(FiberRef.get(currentRequest), (state) => {
      if (state !== undefined) state.unreported = undefined
      return report
    })
  )

/** Reports the request's unreported status as abandoned, and marks it reported, at once. */
const reportingAbandoned = (state: RequestState): Effect.Effect<void> =>
  Effect.uninterruptible(
    Effect.suspend(() => {
      const unreported = state.unreported
      state.unreported = undefined
      return unreported === undefined ? Effect.void : HttpEvents.report("onAbandoned", unreported)
    })
  )

/**
 * Numbers the attempts of each request sent through `client` (the outermost combinator, so that its retries run
 * inside): `timedAttempt` reads the count for its span. A request interrupted after a status the retry policy acts on
 * arrived, and before the policy reported it, reports it as abandoned: what the platform answered stays known.
 *
 * @internal
 */
export const countAttempts = <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E, R> =>
  // `transformResponse`, not `transform`: the request (and its token) is prepared again by each retry inside.
  HttpClient.transformResponse(client, (effect) =>
    Effect.suspend(() => {
      const state: RequestState = { count: 0, unreported: undefined }
      // `onExit`, not `onInterrupt`: a cause that holds a failure as well as the interrupt (the interrupt landing as a
      // failure unwinds) skips the operation's own failure record just the same.
      return Effect.locally(effect, currentRequest, state).pipe(
        Effect.onExit((exit) =>
          Exit.isFailure(exit) && Cause.isInterrupted(exit.cause) ? reportingAbandoned(state) : Effect.void
        )
      )
    })
  )

/**
 * Sends, reads the body within `timeout`, records the request's metrics under `route`. Each attempt is a client span
 * named after the route (`GET /api/v2/…/{jobId}`: method and URL template) with `genesys.route`, `genesys.attempt`
 * (1 for the first send, counting every retry of the same request) and `http.response.status_code`, or `error.type`
 * for a transport failure; the platform's own `http.client` span is its child.
 *
 * @internal
 */
export const timedAttempt =
  (route: string, timeout: Duration.Duration) =>
  <R>(
    client: HttpClient.HttpClient.With<HttpClientError.HttpClientError, R>
  ): HttpClient.HttpClient.With<Retryable, R> =>
    // `transform` keeps the inner client's error type for its preprocessing; the platform client's preprocessing
    // cannot fail, so every failure left is the attempt's `Retryable`.
    HttpClient.transform(client, (effect, request) =>
      Effect.flatMap(FiberRef.get(currentRequest), (state) => {
        const attempt = state === undefined ? 1 : ++state.count
        return Effect.gen(function* () {
          const start = yield* Clock.currentTimeMillis
          const result = yield* effect.pipe(
            Effect.flatMap((response) => {
              const arrived = { route, status: response.status, correlationId: correlationIdOf(response.headers) }
              return Effect.map(readBody(response), (body) => {
                // From here until the retry policy reports it, `countAttempts` reports the status if interrupted.
                if (state !== undefined && reportedByPolicy(response.status)) {
                  state.unreported = { ...arrived, bodyRead: true }
                }
                return { response, body }
              }).pipe(
                // What the platform answered is known: an interrupted read must not leave it out of the audit.
                Effect.onInterrupt(() => {
                  if (state !== undefined) state.unreported = undefined
                  return HttpEvents.report("onAbandoned", arrived)
                })
              )
            }),
            Effect.mapError((e) => transportOf(request, e)),
            Effect.timeoutFail({ duration: timeout, onTimeout: timeoutOf(request, timeout) }),
            Effect.either
          )
          const durationMillis = (yield* Clock.currentTimeMillis) - start
          const bytesSent = bodyLength(request)
          if (Either.isLeft(result)) {
            // The timeout won the race after the body was read: the policy will report a timeout, not this status. (The
            // cell holds no earlier attempt's status: the policy reported each before its retry.)
            if (state !== undefined) yield* reportingAbandoned(state)
            yield* AnalyticsMetrics.recordRequest({
              route,
              status: "error",
              durationMillis,
              bytesReceived: 0,
              bytesSent
            })
            yield* Effect.annotateCurrentSpan("error.type", result.left.reason)
            return yield* new Retryable({ failure: { _tag: "Transport", error: result.left } })
          }
          const { body, response } = result.right
          yield* AnalyticsMetrics.recordRequest({
            route,
            status: response.status,
            durationMillis,
            bytesReceived: responseBytes(response.headers, body),
            bytesSent
          })
          remember(request, response, body, route)
          yield* Effect.annotateCurrentSpan("http.response.status_code", response.status)
          return response
        }).pipe(
          Effect.withSpan(route, {
            kind: "client",
            attributes: {
              "genesys.route": route,
              "genesys.attempt": attempt,
              "http.request.method": request.method,
              "url.template": route.slice(route.indexOf(" ") + 1)
            }
          })
        )
      })
    ) as HttpClient.HttpClient.With<Retryable, R>
