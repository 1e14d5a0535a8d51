/**
 * The HTTP policy every API call goes through: base URL, bearer token, request timeout, proactive pacing
 * from `inin-ratelimit-*`, 429 waits (`Retry-After`, else `inin-ratelimit-reset`, else a default, up to a
 * cap), exponential backoff with jitter for idempotent requests only, one re-authentication after a 401,
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
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import { AuditLog } from "./AuditLog.js"
import * as GenesysAuth from "./GenesysAuth.js"
import { GenesysConfig } from "./GenesysConfig.js"
import { type HttpError, Transport } from "./GenesysError.js"
import { toHttpError } from "./internal/httpErrors.js"
import * as Pacer from "./internal/httpPacer.js"
import * as HttpPolicy from "./internal/httpPolicy.js"

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
  /** Sends and decodes the JSON body with `schema`; a body that does not decode fails `Transport` `Decode`. */
  readonly json: <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, never>,
    options: RequestOptions & { readonly parseOptions?: ParseOptions | undefined }
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

  const execute = (request: HttpClientRequest.HttpClientRequest, options: RequestOptions) =>
    Effect.flatMap(
      HttpPolicy.send(ctx, HttpClientRequest.prependUrl(HttpClientRequest.acceptJson(request), config.apiUrl), options),
      (exchange): Effect.Effect<Response, HttpError> =>
        exchange.status >= 400
          ? Effect.fail(toHttpError(exchange))
          : Effect.succeed({
              status: exchange.status,
              headers: exchange.headers,
              body: exchange.body,
              correlationId: exchange.correlationId
            })
    )

  const json = <A, I>(
    request: HttpClientRequest.HttpClientRequest,
    schema: Schema.Schema<A, I, never>,
    options: RequestOptions & { readonly parseOptions?: ParseOptions | undefined }
  ): Effect.Effect<A, HttpError> =>
    Effect.flatMap(execute(request, options), (response) => {
      const decodeFailure = (detail: string) =>
        new Transport({
          method: request.method,
          url: request.url,
          status: response.status,
          reason: "Decode",
          detail: `${options.route}: ${detail}`,
          ...(response.correlationId !== undefined ? { correlationId: response.correlationId } : {})
        })
      let parsed: unknown
      try {
        parsed = response.body === "" ? {} : JSON.parse(response.body)
      } catch {
        return Effect.fail(decodeFailure("response body is not JSON"))
      }
      const decoded = decoderOf(schema)(parsed, options.parseOptions)
      return Either.isRight(decoded)
        ? Effect.succeed(decoded.right)
        : Effect.fail(
            decodeFailure(
              `unexpected response shape: ${shorten(ParseResult.TreeFormatter.formatErrorSync(decoded.left))}`
            )
          )
    })

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
