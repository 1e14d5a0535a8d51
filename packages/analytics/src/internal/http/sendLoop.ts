/**
 * The request loop shared by the token request and API calls: timeout, metrics, pacing, 429 waits,
 * backoff for idempotent requests (unreadable bodies included), and one re-authentication after a 401.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import type * as AuditLog from "../../AuditLog.js"
import type { HttpPolicy } from "../../GenesysConfig.js"
import { type HttpError, Transport } from "../../GenesysError.js"
import {
  type Exchange,
  errorFields,
  rateLimitHeaders,
  rateLimitResetMillis,
  retryAfterMillis,
  toHttpError
} from "./errorBody.js"
import type { Pacer } from "./pacer.js"
import * as HttpRetry from "./retrySchedule.js"
import * as KnownSecrets from "./knownSecrets.js"

/** What the loop needs besides the request. @internal */
export interface Context {
  readonly client: HttpClient.HttpClient
  readonly policy: HttpPolicy
  readonly audit: AuditLog.Service
  readonly pacer: Pacer | undefined
  /** Adds credentials to an attempt; returns the token used, to invalidate exactly that one on 401. */
  readonly authorize: (
    request: HttpClientRequest.HttpClientRequest
  ) => Effect.Effect<readonly [HttpClientRequest.HttpClientRequest, unknown], HttpError>
  /** Present for API calls: invalidates the rejected token so that the single retry gets a fresh one. */
  readonly onUnauthorized: ((token: unknown) => Effect.Effect<void>) | undefined
}

/** Per-request options. @internal */
export interface RequestOptions {
  /** Route template for metrics and audit, e.g. `GET /api/v2/analytics/conversations/details/jobs/{jobId}`. */
  readonly route: string
  /** Whether a 5xx, 408 or transport failure may be retried (never for job submission). */
  readonly idempotent: boolean
}

const retryableStatus = (status: number) =>
  status === 408 || status === 500 || status === 502 || status === 503 || status === 504

const stripQuery = (url: string) => {
  const i = url.indexOf("?")
  return i === -1 ? url : url.slice(0, i)
}

const bodyLength = (request: HttpClientRequest.HttpClientRequest): number =>
  request.body._tag === "Uint8Array" ? request.body.contentLength : 0

const wideUnit = /[\u0080-\uffff]/g

/** UTF-8 length of `text`, without encoding it (a native scan skips the ASCII that JSON mostly is). @internal */
export const utf8Length = (text: string): number => {
  // One byte per UTF-16 unit, plus what wider characters take.
  let bytes = text.length
  wideUnit.lastIndex = 0
  while (wideUnit.exec(text) !== null) {
    const i = wideUnit.lastIndex - 1
    const code = text.charCodeAt(i)
    if (code < 0x800) {
      bytes += 1
      continue
    }
    // Three bytes, and a surrogate pair (two units) is one four-byte character; a lone surrogate becomes U+FFFD.
    bytes += 2
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) wideUnit.lastIndex++
  }
  return bytes
}

/** Bytes of a response body as sent: its `content-length` when it has one, else the UTF-8 length of its text. @internal */
export const responseBytes = (headers: Headers.Headers, body: string): number => {
  const declared = Option.getOrUndefined(Headers.get(headers, "content-length"))?.trim()
  return declared !== undefined && /^\d{1,15}$/.test(declared) ? Number(declared) : utf8Length(body)
}

const transportOf = (request: HttpClientRequest.HttpClientRequest, error: HttpClientError.HttpClientError): Transport =>
  new Transport({
    method: request.method,
    url: stripQuery(request.url),
    reason: error._tag === "RequestError" && error.reason !== "Transport" ? error.reason : "Connection",
    detail: error._tag === "RequestError" ? error.reason : `response ${error.reason}`,
    ...(error._tag === "ResponseError" ? { status: error.response.status } : {})
  })

/** One attempt: send, read the body, record metrics. Fails only with `Transport`. @internal */
const attempt = (
  ctx: Context,
  request: HttpClientRequest.HttpClientRequest,
  options: RequestOptions
): Effect.Effect<Exchange, Transport> =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeMillis
    const result = yield* ctx.client.execute(request).pipe(
      Effect.flatMap((response) => Effect.map(response.text, (body) => ({ response, body }))),
      Effect.mapError((e) => transportOf(request, e)),
      Effect.timeoutFail({
        duration: ctx.policy.requestTimeout,
        onTimeout: () =>
          new Transport({
            method: request.method,
            url: stripQuery(request.url),
            reason: "Timeout",
            detail: `no complete response within ${Duration.format(ctx.policy.requestTimeout)}`
          })
      }),
      Effect.either
    )
    const end = yield* Clock.currentTimeMillis
    const sent = bodyLength(request)
    if (Either.isLeft(result)) {
      yield* AnalyticsMetrics.recordRequest({
        route: options.route,
        status: "error",
        durationMillis: end - start,
        bytesReceived: 0,
        bytesSent: sent
      })
      return yield* result.left
    }
    const { body, response } = result.right
    yield* AnalyticsMetrics.recordRequest({
      route: options.route,
      status: response.status,
      durationMillis: end - start,
      bytesReceived: responseBytes(response.headers, body),
      bytesSent: sent
    })
    return {
      method: request.method,
      url: stripQuery(request.url),
      route: options.route,
      status: response.status,
      headers: response.headers,
      body,
      // A header is server text too: a hostile server could echo a credential in it.
      correlationId: KnownSecrets.scrubOptional(
        Option.getOrUndefined(Headers.get(response.headers, "inin-correlation-id"))
      )
    }
  })

const describeFailure = (error: Transport) => `${error.reason}: ${error.detail}`

/**
 * Sends until a final response: 2xx, or an error status that is not retried here. Fails with `Transport`
 * (after retries, when allowed), `RateLimited` (wait too long or too many), or `Unauthorized` (401 after the
 * one re-authentication). Other error statuses are returned for the caller to map.
 *
 * @internal
 */
export const send = (
  ctx: Context,
  request: HttpClientRequest.HttpClientRequest,
  options: RequestOptions
): Effect.Effect<Exchange, HttpError> => Effect.map(sendDecoded(ctx, request, options, Either.right), ([e]) => e)

/**
 * `send`, where a successful response must also pass `decode` (an error status comes back undecoded): a body that does not (empty, not JSON, the wrong
 * shape) is a `Transport` `Decode` failure of the attempt, retried like a dropped connection when the request
 * is idempotent — a proxy's truncated or empty answer must never be taken for the platform's.
 *
 * @internal
 */
export const sendDecoded = <A>(
  ctx: Context,
  request: HttpClientRequest.HttpClientRequest,
  options: RequestOptions,
  decode: (exchange: Exchange) => Either.Either<A, Transport>
): Effect.Effect<readonly [Exchange, A | undefined], HttpError> =>
  Effect.gen(function* () {
    const pacer = ctx.pacer !== undefined && ctx.policy.pacing ? ctx.pacer : undefined
    const authorizedAttempt = Effect.flatMap(ctx.authorize(request), ([authorized, token]) =>
      Effect.map(Effect.either(attempt(ctx, authorized, options)), (result) => [token, result] as const)
    )
    // Every paced attempt is observed exactly once, however it ends, so the in-flight count stays exact.
    const step = Effect.uninterruptibleMask((restore) =>
      pacer === undefined
        ? Effect.map(restore(authorizedAttempt), ([token, result]) => [0, token, result] as const)
        : Effect.flatMap(restore(pacer.acquire), (waited) =>
            restore(authorizedAttempt).pipe(
              Effect.onExit((exit) =>
                pacer.observe(
                  Exit.isSuccess(exit) && Either.isRight(exit.value[1])
                    ? rateLimitHeaders(exit.value[1].right.headers)
                    : undefined
                )
              ),
              Effect.map(([token, result]) => [waited, token, result] as const)
            )
          )
    )
    // Transient failures of idempotent requests are retried on the backoff Schedule, bounded in time.
    const nextBackoff = HttpRetry.stepper(HttpRetry.schedule(ctx.policy))
    let retries = 0
    let rateLimitWaits = 0
    let reauthenticated = false
    // Decides whether a transient failure is retried: reports and sleeps, or says no.
    const retryAfterTransient = (
      reason: string,
      askedMillis: number | undefined,
      audit: Omit<AuditLog.AuditEventInput, "type" | "route" | "attempt" | "waitMillis">
    ) =>
      Effect.gen(function* () {
        if (!options.idempotent) return false
        const next = yield* nextBackoff
        if (next === undefined) return false
        // A Retry-After on a 5xx is honoured, within the 429 cap.
        const wait =
          askedMillis === undefined
            ? next.delayMillis
            : Math.min(Math.max(askedMillis, next.delayMillis), Duration.toMillis(ctx.policy.rateLimitMaxWait))
        retries++
        yield* AnalyticsMetrics.recordRetry(options.route, reason)
        yield* ctx.audit.record({
          type: "http.retry",
          route: options.route,
          attempt: retries,
          waitMillis: wait,
          ...audit
        })
        yield* HttpRetry.notify({
          route: options.route,
          reason,
          attempt: retries,
          delayMillis: wait,
          elapsedMillis: next.elapsedMillis
        })
        yield* Effect.sleep(wait)
        return true
      })
    while (true) {
      const [waited, token, result] = yield* step
      if (waited > 0) {
        yield* AnalyticsMetrics.recordRateLimitWait("pacing", waited)
        if (waited >= 1000) {
          yield* ctx.audit.record({
            type: "http.rateLimitWait",
            route: options.route,
            status: "pacing",
            waitMillis: waited
          })
        }
      }
      if (Either.isLeft(result)) {
        const error = result.left
        if (yield* retryAfterTransient(error.reason, undefined, { detail: describeFailure(error) })) continue
        return yield* error
      }
      const exchange = result.right
      if (exchange.status < 400) {
        const decoded = decode(exchange)
        if (Either.isRight(decoded)) return [exchange, decoded.right] as const
        const error = decoded.left
        const retried = yield* retryAfterTransient(error.reason, undefined, {
          status: exchange.status,
          detail: describeFailure(error),
          correlationId: exchange.correlationId
        })
        if (retried) continue
        return yield* error
      }
      if (exchange.status === 401 && ctx.onUnauthorized !== undefined) {
        if (reauthenticated) return yield* toHttpError(exchange)
        reauthenticated = true
        yield* ctx.onUnauthorized(token)
        yield* AnalyticsMetrics.recordRetry(options.route, "401")
        yield* ctx.audit.record({
          type: "http.retry",
          route: options.route,
          status: 401,
          detail: "access token rejected; retrying once with a fresh token",
          correlationId: exchange.correlationId
        })
        continue
      }
      if (exchange.status === 429) {
        // Safe for every request, job submission included: the platform rejected it without acting on it.
        const now = yield* Clock.currentTimeMillis
        const asked = retryAfterMillis(exchange.headers, now)
        // A 429 naming a `limit` without Retry-After is a capacity limit (e.g. concurrent jobs), not a time
        // window: waiting blindly does not help; the caller must do less at once (Extraction lowers concurrency).
        if (asked === undefined && errorFields(exchange.body).limitKey !== undefined) {
          return yield* toHttpError(exchange)
        }
        const wait =
          asked ?? rateLimitResetMillis(exchange.headers) ?? Duration.toMillis(ctx.policy.rateLimitDefaultWait)
        if (wait > Duration.toMillis(ctx.policy.rateLimitMaxWait) || rateLimitWaits >= ctx.policy.rateLimitMaxRetries) {
          // Recorded as a `failure` audit event by the operation that gets it.
          return yield* toHttpError(exchange, wait)
        }
        rateLimitWaits++
        yield* AnalyticsMetrics.recordRateLimitWait("429", wait)
        yield* ctx.audit.record({
          type: "http.rateLimitWait",
          route: options.route,
          status: 429,
          attempt: rateLimitWaits,
          waitMillis: wait,
          correlationId: exchange.correlationId
        })
        yield* HttpRetry.notify({
          route: options.route,
          reason: "429",
          attempt: rateLimitWaits,
          delayMillis: wait,
          elapsedMillis: 0
        })
        yield* Effect.sleep(wait)
        continue
      }
      if (retryableStatus(exchange.status)) {
        const now = yield* Clock.currentTimeMillis
        const retried = yield* retryAfterTransient(String(exchange.status), retryAfterMillis(exchange.headers, now), {
          status: exchange.status,
          correlationId: exchange.correlationId
        })
        if (retried) continue
      }
      return [exchange, undefined] as const
    }
  })
