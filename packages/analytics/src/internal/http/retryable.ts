/**
 * The failures the retry policy may retry, kept apart from every other error while the policy runs: a
 * transport failure of an attempt, a body that could not be read as expected, and a status that asks for a
 * retry (401 on API calls, 429, 408, 5xx). Token failures, for instance, are never among them: the token
 * request has retried already. After the policy, `unwrapRetryable` turns what is left back into the public
 * errors, or into the response for a status the caller maps.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import type { HttpPolicy } from "../../GenesysConfig.js"
import type { HttpError, Transport } from "../../GenesysError.js"
import { type Exchange, rateLimitWaitMillis, toHttpError } from "./errorBody.js"
import { readExchange } from "./exchange.js"

/** What failed in an attempt. @internal */
export type Failure =
  | { readonly _tag: "Transport"; readonly error: Transport }
  | { readonly _tag: "Body"; readonly error: Transport; readonly exchange: Exchange }
  | {
      readonly _tag: "Status"
      readonly exchange: Exchange
      readonly response: HttpClientResponse.HttpClientResponse
    }

// Internal control flow between the attempt and the retry policy; never escapes `unwrapRetryable`, so it is not
// one of the public `Schema.TaggedError`s.
/** A failure the retry policy may retry. @internal */
export class Retryable extends Data.TaggedError("Retryable")<{ readonly failure: Failure }> {}

/** 408, 500, 502, 503, 504: transient statuses, retried for idempotent requests. @internal */
export const isTransientStatus = (status: number): boolean =>
  status === 408 || status === 500 || status === 502 || status === 503 || status === 504

/**
 * Turns a response whose status asks for a retry into a `Retryable` failure: 429 and the transient statuses,
 * and 401 when `reauthenticate` (API calls; the token request's 401 is its caller's to map).
 *
 * @internal
 */
export const flagRetryableStatus =
  (reauthenticate: boolean) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | Retryable | Transport, R> =>
    HttpClient.transformResponse(
      client,
      Effect.flatMap((response) => {
        const status = response.status
        const flagged = status === 429 || isTransientStatus(status) || (reauthenticate && status === 401)
        return flagged
          ? Effect.flatMap(readExchange(response), (exchange) =>
              Effect.fail(new Retryable({ failure: { _tag: "Status", exchange, response } }))
            )
          : Effect.succeed(response)
      })
    )

/**
 * After the retry policy: a transport or body failure fails with its `Transport`, a 429 with `RateLimited`
 * (naming the wait it asked for, unless it was a capacity limit), any other status gives its response back.
 *
 * @internal
 */
export const unwrapRetryable =
  (policy: HttpPolicy) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<Exclude<E, Retryable> | HttpError, R> =>
    HttpClient.transformResponse(
      client,
      (effect) =>
        Effect.catchIf(
          effect,
          (e): e is Extract<E, Retryable> => e instanceof Retryable,
          ({ failure }) => {
            if (failure._tag !== "Status") return Effect.fail(failure.error)
            if (failure.exchange.status !== 429) return Effect.succeed(failure.response)
            return Effect.flatMap(Clock.currentTimeMillis, (now) =>
              Effect.fail(toHttpError(failure.exchange, rateLimitWaitMillis(failure.exchange, now, policy)))
            )
          }
        ) as Effect.Effect<HttpClientResponse.HttpClientResponse, Exclude<E, Retryable> | HttpError, R>
    )
