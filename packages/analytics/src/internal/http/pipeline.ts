/**
 * One request's client, composed from the combinators of this folder, innermost first:
 *
 *   platform HttpClient
 *   → timedAttempt      send + read the body within requestTimeout, per-attempt metrics (transform)
 *   → withPacing        wait for the pacer before the attempt (and its token), observe how it ended
 *   → prepare           request mapping: base URL + bearer token (API), or Basic credentials (token request)
 *   → checkBody         a 2xx body that does not read is a retryable Decode failure
 *   → flagRetryable     401 (API) / 429 / 408 / 5xx become retryable failures
 *   → retryFailures     one Schedule for re-auth, 429 waits and backoff, reporting each retry
 *   → unwrapRetryable   what is left: Transport / RateLimited failures, or the response
 *   → countAttempts     numbers the attempts of the request (the attempt spans' `genesys.attempt`); reports a
 *                       status read but not yet reported as abandoned if the request is interrupted
 *
 * `GenesysHttp` adds the ErrorBody mapping and the user's `transformClient` on top. Per-request state (retry
 * counts, the backoff) lives in the schedule, so a client is built per request and holds none.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import type { HttpPolicy } from "../../GenesysConfig.js"
import type { HttpError } from "../../GenesysError.js"
import { countAttempts, timedAttempt } from "./attempt.js"
import { type BeforeDecode, checkBody, type Decode, decodedValue } from "./decodeBody.js"
import type { Exchange } from "./errorBody.js"
import { readExchange } from "./exchange.js"
import type { Pacer } from "./pacer.js"
import { withPacing } from "./pacing.js"
import { retryFailures } from "./retryPolicy.js"
import { flagRetryableStatus, unwrapRetryable } from "./retryable.js"

/** What every request of one client shares. @internal */
export interface Deps {
  readonly client: HttpClient.HttpClient
  readonly policy: HttpPolicy
  /** The client's pacer (API calls); used only when `policy.pacing`. */
  readonly pacer: Pacer | undefined
  /** Request mapping: origin and credentials. */
  readonly prepare: <E, R>(client: HttpClient.HttpClient.With<E, R>) => HttpClient.HttpClient.With<E | HttpError, R>
  /** Present for API calls: drops the token a 401 answered (see `RetryOptions`). */
  readonly reauthenticate: ((response: HttpClientResponse.HttpClientResponse) => Effect.Effect<void>) | undefined
}

/** Per-request options. @internal */
export interface RequestOptions {
  /** Route template for metrics and events, e.g. `GET /api/v2/analytics/conversations/details/jobs/{jobId}`. */
  readonly route: string
  /** Whether a 5xx, 408 or transport failure may be retried (never for job submission). */
  readonly idempotent: boolean
  /** Sees a successful response's body bytes before they are decoded. */
  readonly beforeDecode?: BeforeDecode | undefined
}

/** The client of one request, up to and including its retries. @internal */
export const requestClient = (
  deps: Deps,
  options: RequestOptions,
  decode: Decode<unknown>
): HttpClient.HttpClient.With<HttpError> =>
  deps.client.pipe(
    timedAttempt(options.route, deps.policy.requestTimeout),
    withPacing(deps.policy.pacing ? deps.pacer : undefined, options.route),
    deps.prepare,
    checkBody(decode, options.beforeDecode),
    flagRetryableStatus(deps.reauthenticate !== undefined),
    retryFailures({ ...options, policy: deps.policy, reauthenticate: deps.reauthenticate }),
    unwrapRetryable(deps.policy),
    countAttempts
  )

/**
 * Sends until a final response: 2xx, or an error status not retried (given back with no value for the caller
 * to map). Fails with `Transport` (after retries, when allowed), `RateLimited` (wait too long or too many), or
 * the credentials' errors.
 *
 * @internal
 */
export const sendDecoded = <A>(
  deps: Deps,
  request: HttpClientRequest.HttpClientRequest,
  options: RequestOptions,
  decode: Decode<A>
): Effect.Effect<readonly [Exchange, A | undefined], HttpError> =>
  Effect.flatMap(requestClient(deps, options, decode).execute(request), (response) =>
    Effect.flatMap(readExchange(response), (exchange) =>
      exchange.status >= 400
        ? Effect.succeed<readonly [Exchange, A | undefined]>([exchange, undefined])
        : Effect.map(decodedValue(response, decode), (value): readonly [Exchange, A | undefined] => [exchange, value])
    )
  )
