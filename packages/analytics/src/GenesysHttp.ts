/**
 * The HTTP policy every API call goes through: base URL, bearer token, request timeout, proactive pacing
 * from `inin-ratelimit-*`, 429 waits (`Retry-After`, else `inin-ratelimit-reset`, else a default, up to a
 * cap), exponential backoff with jitter within a time budget for idempotent requests only (unreadable bodies
 * included), one re-authentication after a 401,
 * Genesys `ErrorBody` to typed errors, and per-request metrics.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Headers from "@effect/platform/Headers"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import { AuditLog } from "./AuditLog.js"
import * as GenesysAuth from "./GenesysAuth.js"
import { GenesysConfig } from "./GenesysConfig.js"
import { type HttpError, Transport } from "./GenesysError.js"
import { type Exchange, toHttpError } from "./internal/http/errorBody.js"
import * as Pacer from "./internal/http/pacer.js"
import * as HttpPolicy from "./internal/http/sendLoop.js"
import * as HttpRetry from "./internal/http/retrySchedule.js"
import * as KnownSecrets from "./internal/http/knownSecrets.js"

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

const decoders = new WeakMap<
  object,
  (u: unknown, options?: ParseOptions) => Either.Either<unknown, ParseResult.ParseError>
>()

const decoderOf = <A, I>(schema: Schema.Schema<A, I, never>) => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(schema)
    decoders.set(schema, decode)
  }
  return decode as (u: unknown, options?: ParseOptions) => Either.Either<A, ParseResult.ParseError>
}

const shorten = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** Builds the API client. @since 0.1.0 */
export const make: Effect.Effect<
  Service,
  never,
  HttpClient.HttpClient | GenesysConfig | AuditLog | GenesysAuth.GenesysAuth
> = Effect.gen(function* () {
  const config = yield* GenesysConfig
  const audit = yield* AuditLog
  const auth = yield* GenesysAuth.GenesysAuth
  const client = yield* HttpClient.HttpClient
  const pacer = yield* Pacer.make(config.http.pacingThreshold)

  const ctx: HttpPolicy.Context = {
    client,
    policy: config.http,
    audit,
    pacer,
    authorize: (request) =>
      Effect.map(auth.token, (token) => [HttpClientRequest.bearerToken(request, token), token] as const),
    onUnauthorized: (token) => auth.invalidate(token as Redacted.Redacted<string>)
  }

  const prepare = (request: HttpClientRequest.HttpClientRequest) =>
    HttpClientRequest.prependUrl(HttpClientRequest.acceptJson(request), config.apiUrl)

  const toResponse = (exchange: Exchange): Effect.Effect<Response, HttpError> =>
    exchange.status >= 400
      ? Effect.fail(toHttpError(exchange))
      : Effect.succeed({
          status: exchange.status,
          headers: exchange.headers,
          body: exchange.body,
          correlationId: exchange.correlationId
        })

  const execute = (request: HttpClientRequest.HttpClientRequest, options: RequestOptions) =>
    Effect.flatMap(HttpPolicy.send(ctx, prepare(request), options), toResponse)

  const json = <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, never>,
    options: JsonOptions<A>
  ): Effect.Effect<A, HttpError> => {
    // Runs inside the request loop, so an unreadable body is retried like a dropped connection.
    const decode = (exchange: Exchange): Either.Either<A, Transport> => {
      const decodeFailure = (detail: string) =>
        new Transport({
          method: exchange.method,
          url: exchange.url,
          status: exchange.status,
          reason: "Decode",
          // Parse errors quote the body: server text, scrubbed like every error detail.
          detail: KnownSecrets.scrub(`${options.route}: ${detail}`),
          ...(exchange.correlationId !== undefined ? { correlationId: exchange.correlationId } : {})
        })
      // An empty body is never "no fields": read as `{}` it would mean "no cursor", i.e. the last page.
      if (exchange.body.trim() === "") return Either.left(decodeFailure("response body is empty"))
      let parsed: unknown
      try {
        parsed = JSON.parse(exchange.body)
      } catch {
        return Either.left(decodeFailure("response body is not JSON"))
      }
      const decoded = decoderOf(schema)(parsed, options.parseOptions)
      if (Either.isLeft(decoded)) {
        return Either.left(
          decodeFailure(
            `unexpected response shape: ${shorten(ParseResult.TreeFormatter.formatErrorSync(decoded.left))}`
          )
        )
      }
      const problem = options.check?.(decoded.right)
      return problem === undefined ? Either.right(decoded.right) : Either.left(decodeFailure(problem))
    }
    return Effect.flatMap(HttpPolicy.sendDecoded(ctx, prepare(request), options, decode), ([exchange, value]) =>
      exchange.status >= 400 ? Effect.fail(toHttpError(exchange)) : Effect.succeed(value as A)
    )
  }

  return GenesysHttp.of({ execute, json })
})

/** The API client; needs a token provider. @since 0.1.0 */
export const layerWithoutAuth: Layer.Layer<
  GenesysHttp,
  never,
  HttpClient.HttpClient | GenesysConfig | AuditLog | GenesysAuth.GenesysAuth
> = Layer.effect(GenesysHttp, make)

/** The API client with its token provider. @since 0.1.0 */
export const layer: Layer.Layer<GenesysHttp, never, HttpClient.HttpClient | GenesysConfig | AuditLog> =
  layerWithoutAuth.pipe(Layer.provide(GenesysAuth.layer))
