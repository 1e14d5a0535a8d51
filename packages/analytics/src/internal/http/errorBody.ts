/**
 * Genesys error responses (`ErrorBody`) to typed errors (and the combinator that applies it to API calls), and
 * the rate-limit headers.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type { HttpPolicy } from "../../GenesysConfig.js"
import {
  BadRequest,
  Forbidden,
  type HttpError,
  NotFound,
  RateLimited,
  ServerError,
  Transport,
  Unauthorized
} from "../../GenesysError.js"
import * as KnownSecrets from "./knownSecrets.js"

/** One finished HTTP exchange, body read. @internal */
export interface Exchange {
  readonly method: string
  /** URL without query string (cursors are not secret, but keep errors short). */
  readonly url: string
  readonly route: string
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
  /** The body's bytes as received, when the transport gave bytes (`body` is their text). */
  readonly bytes?: Uint8Array | undefined
  readonly correlationId: string | undefined
}

/** The fields of a Genesys `ErrorBody` (or an OAuth error body) the client uses. @internal */
export interface ErrorFields {
  readonly code: string | undefined
  readonly detail: string | undefined
  readonly contextId: string | undefined
  readonly limitNamespace: string | undefined
  readonly limitKey: string | undefined
  readonly limitValue: number | undefined
}

const str = (u: unknown): string | undefined => (typeof u === "string" && u !== "" ? u : undefined)

const truncate = (text: string, max = 500): string => (text.length > max ? `${text.slice(0, max)}…` : text)

/**
 * Reads an `ErrorBody` leniently: any JSON object, any missing field; OAuth `error`/`error_description` too.
 * Every field is server text, so the known secrets are scrubbed from the body first.
 *
 * @internal
 */
export const errorFields = (raw: string): ErrorFields => {
  const body = KnownSecrets.scrub(raw)
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    json = undefined
  }
  if (typeof json !== "object" || json === null) {
    return {
      code: undefined,
      detail: body.trim() === "" ? undefined : truncate(body.trim(), 200),
      contextId: undefined,
      limitNamespace: undefined,
      limitKey: undefined,
      limitValue: undefined
    }
  }
  const o = json as Record<string, unknown>
  const limit = typeof o.limit === "object" && o.limit !== null ? (o.limit as Record<string, unknown>) : {}
  return {
    code: str(o.code) ?? str(o.error),
    detail: (() => {
      const text = str(o.message) ?? str(o.error_description) ?? str(o.description)
      return text === undefined ? undefined : truncate(text)
    })(),
    contextId: str(o.contextId),
    limitNamespace: str(limit.namespace),
    limitKey: str(limit.key),
    limitValue: typeof limit.value === "number" ? limit.value : undefined
  }
}

/** Header value as a non-negative number of seconds, in milliseconds. @internal */
const secondsHeader = (headers: Headers.Headers, name: string): number | undefined =>
  Option.match(Headers.get(headers, name), {
    onNone: () => undefined,
    onSome: (value) => {
      const n = Number(value.trim())
      return value.trim() !== "" && Number.isFinite(n) && n >= 0 ? Math.round(n * 1000) : undefined
    }
  })

/** `Retry-After` in ms: delta-seconds, or an HTTP date relative to `nowMillis`. @internal */
export const retryAfterMillis = (headers: Headers.Headers, nowMillis: number): number | undefined => {
  const seconds = secondsHeader(headers, "retry-after")
  if (seconds !== undefined) return seconds
  return Option.match(Headers.get(headers, "retry-after"), {
    onNone: () => undefined,
    onSome: (value) => {
      // An HTTP date names a weekday and a month; a bare (negative) number is no date.
      if (!/[a-z]/i.test(value)) return undefined
      const at = Date.parse(value)
      return Number.isNaN(at) ? undefined : Math.max(0, at - nowMillis)
    }
  })
}

/** `inin-ratelimit-reset` in ms. @internal */
export const rateLimitResetMillis = (headers: Headers.Headers): number | undefined =>
  secondsHeader(headers, "inin-ratelimit-reset")

/**
 * How long a 429 asks to wait: `Retry-After`, else `inin-ratelimit-reset`, else the default. `undefined` for a
 * 429 naming a `limit` without Retry-After: a capacity limit (e.g. concurrent jobs), not a time window, so
 * waiting blindly does not help; the caller must do less at once (Extraction lowers concurrency).
 *
 * @internal
 */
export const rateLimitWaitMillis = (
  exchange: Exchange,
  nowMillis: number,
  policy: Pick<HttpPolicy, "rateLimitDefaultWait">
): number | undefined => {
  const asked = retryAfterMillis(exchange.headers, nowMillis)
  if (asked === undefined && errorFields(exchange.body).limitKey !== undefined) return undefined
  return asked ?? rateLimitResetMillis(exchange.headers) ?? Duration.toMillis(policy.rateLimitDefaultWait)
}

/** `inin-ratelimit-count`, `-allowed` and `-reset` when all three are present. @internal */
export const rateLimitHeaders = (
  headers: Headers.Headers
): { readonly count: number; readonly allowed: number; readonly resetMillis: number } | undefined => {
  const count = Number(Option.getOrUndefined(Headers.get(headers, "inin-ratelimit-count")))
  const allowed = Number(Option.getOrUndefined(Headers.get(headers, "inin-ratelimit-allowed")))
  const resetMillis = rateLimitResetMillis(headers)
  return Number.isFinite(count) && Number.isFinite(allowed) && allowed > 0 && resetMillis !== undefined
    ? { count, allowed, resetMillis }
    : undefined
}

/** The typed error for a non-2xx response of an API call. @internal */
export const toHttpError = (exchange: Exchange, retryAfter?: number): HttpError => {
  const f = errorFields(exchange.body)
  const context = {
    method: exchange.method,
    url: exchange.url,
    status: exchange.status,
    ...(exchange.correlationId !== undefined ? { correlationId: exchange.correlationId } : {}),
    ...(f.contextId !== undefined ? { contextId: f.contextId } : {}),
    ...(f.code !== undefined ? { code: f.code } : {}),
    ...(f.detail !== undefined ? { detail: f.detail } : {})
  }
  switch (exchange.status) {
    case 401:
      return new Unauthorized({ ...context, rejected: "accessToken" })
    case 403:
      return new Forbidden(context)
    case 404:
      return new NotFound(context)
    case 408:
      return new Transport({
        method: exchange.method,
        url: exchange.url,
        status: 408,
        reason: "Timeout",
        detail: f.detail ?? "the platform timed out waiting for the request",
        ...(exchange.correlationId !== undefined ? { correlationId: exchange.correlationId } : {}),
        ...(f.contextId !== undefined ? { contextId: f.contextId } : {})
      })
    case 429:
      return new RateLimited({
        ...context,
        ...(retryAfter !== undefined ? { retryAfterMillis: retryAfter } : {}),
        ...(f.limitNamespace !== undefined ? { limitNamespace: f.limitNamespace } : {}),
        ...(f.limitKey !== undefined ? { limitKey: f.limitKey } : {}),
        ...(f.limitValue !== undefined ? { limitValue: f.limitValue } : {})
      })
    default:
      return exchange.status >= 500 ? new ServerError(context) : new BadRequest(context)
  }
}

/**
 * Fails an error status (≥ 400) with its typed error; `exchangeOf` gives the response's read body.
 *
 * @internal
 */
export const failOnErrorStatus =
  <E2>(exchangeOf: (response: HttpClientResponse.HttpClientResponse) => Effect.Effect<Exchange, E2>) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | E2 | HttpError, R> =>
    HttpClient.transformResponse(
      client,
      Effect.flatMap((response) =>
        response.status >= 400
          ? Effect.flatMap(exchangeOf(response), (exchange) => Effect.fail(toHttpError(exchange)))
          : Effect.succeed(response)
      )
    )
