/**
 * The HTTP policy every API call goes through, built from `HttpClient` combinators over the provided
 * `HttpClient` (see `internal/http/pipeline.ts`): base URL and bearer token as request mapping, request timeout
 * and per-request metrics, proactive pacing from `inin-ratelimit-*`, 429 waits (`Retry-After`, else
 * `inin-ratelimit-reset`, else a default, up to a cap), exponential backoff with jitter within a time budget
 * for idempotent requests only (unreadable bodies included), one re-authentication after a 401, Genesys
 * `ErrorBody` to typed errors; then the user's `transformClient`. Retries, rate-limit waits and
 * re-authentication are reported to the optional `HttpEvents` service (the audit log's records come from it).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Headers from "@effect/platform/Headers"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import * as GenesysAuth from "./GenesysAuth.js"
import { GenesysConfig } from "./GenesysConfig.js"
import type { HttpError } from "./GenesysError.js"
import { type Decode, decodedValue, jsonBody, preparationOf } from "./internal/http/decodeBody.js"
import { failOnErrorStatus } from "./internal/http/errorBody.js"
import { readExchange } from "./internal/http/exchange.js"
import * as HttpEvents_ from "./internal/http/httpEvents.js"
import * as Pacer from "./internal/http/pacer.js"
import * as Pipeline from "./internal/http/pipeline.js"
import { bearerTokenOf, withBaseUrl, withBearerToken } from "./internal/http/requestMapping.js"
import * as HttpRetry from "./internal/http/retrySchedule.js"

/** Per-request options. @since 0.1.0 */
export interface RequestOptions {
  /** Route template for metrics and audit, e.g. `GET /api/v2/analytics/conversations/details/jobs/{jobId}`. */
  readonly route: string
  /**
   * Whether a 5xx, 408 or transport failure may be retried. `false` for job submission, whose retry could
   * create a second job. (A 429 is always waited out and retried: the platform did not act on the request.)
   */
  readonly idempotent: boolean
}

/** Options of `json`. @since 0.1.0 */
export interface JsonOptions<A> extends RequestOptions {
  readonly parseOptions?: ParseOptions | undefined
  /** What the caller relies on beyond the Schema: a problem description, or `undefined` when the value is usable. */
  readonly check?: ((value: A) => string | undefined) | undefined
  /**
   * Sees each successful response's body bytes (where the transport gives them) before they are decoded, e.g. to
   * send the next page's request while this page is checked. The bytes are the ones then decoded: it must not change
   * them. A failure or defect of it fails the request. They may be a view of a larger buffer (a small body shares
   * Node's buffer pool): read them through `byteOffset` and `byteLength`, and copy what is kept. A body of 1 MiB or
   * more may sit in a buffer that serves a later body once this one is read (`docs/jobs.md`, "Page buffers used
   * again"): a view kept of it is then detached and reads as empty.
   *
   * @since 0.4.0
   */
  readonly beforeDecode?: ((bytes: Uint8Array) => Effect.Effect<void>) | undefined
}

/** One retry about to happen: route, reason (status or transport reason), attempt, delay. @since 0.1.0 */
export type RetryInfo = HttpRetry.RetryInfo

/**
 * Runs `effect` with `observer` told about every retry and 429 wait of its requests (and those of the fibers it
 * forks) before the wait starts, e.g. to show "retrying in 4 s (503, attempt 3)" in progress output.
 *
 * @since 0.1.0
 */
export const withRetryObserver: {
  (
    observer: (info: RetryInfo) => Effect.Effect<void>
  ): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, observer: (info: RetryInfo) => Effect.Effect<void>): Effect.Effect<A, E, R>
} = dual(2, <A, E, R>(effect: Effect.Effect<A, E, R>, observer: (info: RetryInfo) => Effect.Effect<void>) =>
  Effect.locally(effect, HttpRetry.currentRetryObserver, observer)
)

/** A successful (2xx/3xx) response with its body read. @since 0.1.0 */
export interface Response {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
  /** `ININ-Correlation-Id` of the response, for support cases. */
  readonly correlationId: string | undefined
}

/** The API client. @since 0.1.0 */
export interface Service {
  /** Sends `request` (URL relative to the configured API origin) under the policy. */
  readonly execute: (
    request: HttpClientRequest.HttpClientRequest,
    options: RequestOptions
  ) => Effect.Effect<Response, HttpError>
  /**
   * Sends and decodes the JSON body with `schema`. A body that is empty, not JSON, does not decode or fails
   * `check` is a `Transport` `Decode` failure, retried (within the retry budget) when the request is idempotent.
   */
  readonly json: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, never>,
    options: JsonOptions<A>
  ) => Effect.Effect<A, HttpError>
}

/** The API client. @since 0.1.0 */
export class GenesysHttp extends Context.Tag("@effect-genesys/analytics/GenesysHttp")<GenesysHttp, Service>() {}

/** Listener of retries, rate-limit waits and re-authentication; optional, found in the caller's context. @since 0.2.0 */
export const HttpEvents = HttpEvents_.HttpEvents

/** Listener of retries, rate-limit waits and re-authentication. @since 0.2.0 */
export type HttpEvents = HttpEvents_.HttpEvents

/** The `HttpEvents` service. @since 0.2.0 */
export type HttpEventsService = HttpEvents_.Service

/** A transient failure about to be retried. @since 0.2.0 */
export type RetryEvent = HttpEvents_.RetryEvent

/** A 429 or pacing wait. @since 0.2.0 */
export type RateLimitWaitEvent = HttpEvents_.RateLimitWaitEvent

/** A 401 answered by dropping the token and retrying once. @since 0.2.0 */
export type ReauthenticateEvent = HttpEvents_.ReauthenticateEvent

/** A response left unread when its request was interrupted. @since 0.4.0 */
export type AbandonedEvent = HttpEvents_.AbandonedEvent

/**
 * The client with `events` told about every request's retries, rate-limit waits and re-authentication (after
 * any `HttpEvents` already in the caller's context).
 *
 * @since 0.2.0
 */
export const withEvents = (service: Service, events: HttpEvents_.Service): Service =>
  GenesysHttp.of({
    execute: (request, options) => HttpEvents_.provide(service.execute(request, options), events),
    json: (request, schema, options) => HttpEvents_.provide(service.json(request, schema, options), events)
  })

/** Options of `makeWith` / `layerWith`. @since 0.2.0 */
export interface Options {
  /**
   * Applied to each request's client, outermost: after the retry policy and the `ErrorBody` mapping, so it sees
   * 2xx/3xx responses and typed `HttpError`s (e.g. add a proxy header with `HttpClient.mapRequest`, or more
   * retries with `HttpClient.retry`). Called once per request: build combinators, keep state outside.
   */
  readonly transformClient?:
    | ((client: HttpClient.HttpClient.With<HttpError>) => HttpClient.HttpClient.With<HttpError>)
    | undefined
}

/** Builds the API client with `options`. @since 0.2.0 */
export const makeWith = (
  options: Options
): Effect.Effect<Service, never, HttpClient.HttpClient | GenesysConfig | GenesysAuth.GenesysAuth> =>
  Effect.gen(function* () {
    const config = yield* GenesysConfig
    const auth = yield* GenesysAuth.GenesysAuth
    const deps: Pipeline.Deps = {
      client: yield* HttpClient.HttpClient,
      policy: config.http,
      pacer: yield* Pacer.make(config.http.pacingThreshold),
      prepare: (client) => client.pipe(withBaseUrl(config.apiUrl), withBearerToken(auth.token)),
      reauthenticate: (response) => auth.invalidate(bearerTokenOf(response))
    }
    const transformClient = options.transformClient ?? ((client) => client)
    const send = (
      request: HttpClientRequest.HttpClientRequest,
      requestOptions: Pipeline.RequestOptions,
      decode: Decode<unknown>
    ) =>
      transformClient(
        Pipeline.requestClient(deps, requestOptions, decode).pipe(failOnErrorStatus(readExchange))
      ).execute(request)

    const execute = (request: HttpClientRequest.HttpClientRequest, requestOptions: RequestOptions) =>
      Effect.flatMap(send(request, requestOptions, Either.right), (response) =>
        Effect.map(
          readExchange(response),
          (exchange): Response => ({
            status: exchange.status,
            headers: exchange.headers,
            body: exchange.body,
            correlationId: exchange.correlationId
          })
        )
      )

    const json = <A, I>(
      request: HttpClientRequest.HttpClientRequest,
      schema: Schema.Schema<A, I, never>,
      jsonOptions: JsonOptions<A>
    ): Effect.Effect<A, HttpError> => {
      // Decoded inside the request's retries, so an unreadable body is retried like a dropped connection.
      const decode = jsonBody(schema, jsonOptions)
      const prepare = preparationOf(schema)
      const caller = jsonOptions.beforeDecode
      const beforeDecode =
        prepare === undefined || caller === undefined
          ? (prepare ?? caller)
          : (bytes: Uint8Array) => Effect.zipRight(caller(bytes), prepare(bytes))
      return Effect.flatMap(send(request, { ...jsonOptions, beforeDecode }, decode), (response) =>
        decodedValue(response, decode)
      )
    }

    return GenesysHttp.of({ execute, json })
  })

/** Builds the API client. @since 0.1.0 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | GenesysConfig | GenesysAuth.GenesysAuth> =
  makeWith({})

/** The API client; needs a token provider. @since 0.1.0 */
export const layerWithoutAuth: Layer.Layer<
  GenesysHttp,
  never,
  HttpClient.HttpClient | GenesysConfig | GenesysAuth.GenesysAuth
> = Layer.effect(GenesysHttp, make)

/** The API client with its token provider. @since 0.1.0 */
export const layer: Layer.Layer<GenesysHttp, never, HttpClient.HttpClient | GenesysConfig> = layerWithoutAuth.pipe(
  Layer.provide(GenesysAuth.layer)
)

/** The API client with its token provider and `options` (e.g. `transformClient`). @since 0.2.0 */
export const layerWith = (options: Options): Layer.Layer<GenesysHttp, never, HttpClient.HttpClient | GenesysConfig> =>
  Layer.effect(GenesysHttp, makeWith(options)).pipe(Layer.provide(GenesysAuth.layer))
