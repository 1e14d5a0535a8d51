/**
 * OAuth client credentials: `POST <login>/oauth/token` with HTTP Basic authentication and
 * `grant_type=client_credentials`. The token is cached, refreshed shortly before it expires with at most one
 * request in flight however many fibers ask (those that ask while it runs share its outcome, a failure included,
 * with what is left of its retry budget), and dropped when an API call is answered 401. It stays
 * `Redacted` from the response body to the `Authorization` header, and the client secret, the Basic credentials
 * and every token issued are registered so that error details quoting server text never show them.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import { GenesysConfig } from "./GenesysConfig.js"
import { type HttpError, Transport, Unauthorized } from "./GenesysError.js"
import { type Exchange, errorFields, toHttpError } from "./internal/http/errorBody.js"
import * as KnownSecrets from "./internal/http/knownSecrets.js"
import * as Pipeline from "./internal/http/pipeline.js"
import { withAuthorization } from "./internal/http/requestMapping.js"
import * as SingleFlight from "./internal/singleFlight.js"

/** The token provider. @since 0.1.0 */
export interface Service {
  /** A valid access token: the cached one, or a fresh one when it is missing or about to expire. */
  readonly token: Effect.Effect<Redacted.Redacted<string>, HttpError>
  /** Drops the cached token if it is `rejected` (or any token when omitted); a newer token is kept. */
  readonly invalidate: (rejected?: Redacted.Redacted<string>) => Effect.Effect<void>
}

/** The token provider. @since 0.1.0 */
export class GenesysAuth extends Context.Tag("@effect-genesys/analytics/GenesysAuth")<GenesysAuth, Service>() {}

/** The token endpoint's answer; the token is decoded straight into a `Redacted`. @since 0.1.0 */
export const TokenResponse = Schema.Struct({
  access_token: Schema.Redacted(Schema.NonEmptyString),
  token_type: Schema.optional(Schema.String),
  expires_in: Schema.Number
})

/** The route template of the token request. @since 0.1.0 */
export const tokenRoute = "POST /oauth/token"

interface Cached {
  readonly token: Redacted.Redacted<string>
  readonly refreshAtMillis: number
}

// `HttpClientRequest.basicAuth` encodes with `btoa`, which throws on characters above U+00FF: encode the UTF-8
// bytes instead (the same header for ASCII credentials, which is what Genesys issues).
const basicCredentials = (clientId: string, clientSecret: Redacted.Redacted<string>): string =>
  `Basic ${KnownSecrets.basicValue(clientId, Redacted.value(clientSecret))}`

// The decode error would quote the body, token included: say what is wrong, not what was received.
const decodeToken =
  (url: string) =>
  (exchange: Exchange): Either.Either<typeof TokenResponse.Type, Transport> => {
    const result = (() => {
      try {
        return Schema.decodeUnknownEither(TokenResponse)(JSON.parse(exchange.body))
      } catch {
        return Either.left(undefined)
      }
    })()
    return Either.mapLeft(
      result,
      () =>
        new Transport({
          method: "POST",
          url,
          status: exchange.status,
          reason: "Decode",
          detail: "token response is not JSON with a non-empty access_token and a numeric expires_in"
        })
    )
  }

/** 400 and 401 of the token endpoint: the client credentials were refused. */
const credentialsRefused = (exchange: Exchange, url: string, clientId: string): Unauthorized => {
  const f = errorFields(exchange.body)
  return new Unauthorized({
    rejected: "clientCredentials",
    status: exchange.status,
    method: "POST",
    url,
    detail: `client id ${clientId} was refused${f.detail !== undefined ? ` (${f.detail})` : ""}`,
    ...(f.code !== undefined ? { code: f.code } : {}),
    ...(exchange.correlationId !== undefined ? { correlationId: exchange.correlationId } : {})
  })
}

/** Builds the token provider. @since 0.1.0 */
export const make: Effect.Effect<Service, never, HttpClient.HttpClient | GenesysConfig> = Effect.gen(function* () {
  const config = yield* GenesysConfig
  const ref = yield* Ref.make(Option.none<Cached>())
  const url = `${config.loginUrl}/oauth/token`
  const basic = basicCredentials(config.clientId, config.clientSecret)
  KnownSecrets.registerClient(config.clientId, Redacted.value(config.clientSecret))
  // The token request goes through the same pipeline as API calls, without pacing or re-authentication.
  const deps: Pipeline.Deps = {
    client: yield* HttpClient.HttpClient,
    policy: config.http,
    pacer: undefined,
    prepare: withAuthorization(basic),
    reauthenticate: undefined
  }
  const request = HttpClientRequest.post(url).pipe(
    HttpClientRequest.acceptJson,
    HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
  )

  const fetchToken = Effect.gen(function* () {
    // A second token is harmless, so the token request counts as idempotent for retries, and an unreadable
    // token response is retried like a dropped connection.
    const [exchange, decoded] = yield* Pipeline.sendDecoded(
      deps,
      request,
      { route: tokenRoute, idempotent: true },
      decodeToken(url)
    )
    if (exchange.status === 400 || exchange.status === 401) {
      return yield* credentialsRefused(exchange, url, config.clientId)
    }
    if (exchange.status >= 300 || decoded === undefined) return yield* toHttpError(exchange)
    // Before the token is used anywhere, so that no error can ever quote it.
    KnownSecrets.register(Redacted.value(decoded.access_token))
    const now = yield* Clock.currentTimeMillis
    const lifetime = Math.max(0, decoded.expires_in * 1000)
    const margin = Math.min(Duration.toMillis(config.auth.refreshMargin), lifetime / 2)
    return { token: decoded.access_token, refreshAtMillis: now + lifetime - margin } satisfies Cached
  }).pipe(Effect.withSpan("GenesysAuth.fetchToken"))

  // One fetch at a time, shared by every caller that asks meanwhile, and so is its failure: callers queued behind a
  // failing fetch would otherwise each spend a retry budget of their own on the same broken endpoint.
  const valid = Effect.map(Effect.zip(Ref.get(ref), Clock.currentTimeMillis), ([cached, now]) =>
    Option.filter(cached, (c) => now < c.refreshAtMillis)
  )
  // The flight looks again: a caller that saw no valid token may join only after the fetch that made one has ended.
  const refresh = SingleFlight.make(() =>
    Effect.flatMap(
      valid,
      Option.match({
        onSome: Effect.succeed,
        onNone: () => Effect.tap(fetchToken, (fresh) => Ref.set(ref, Option.some(fresh)))
      })
    )
  )

  const token = Effect.flatMap(
    valid,
    Option.match({
      onSome: (cached) => Effect.succeed(cached.token),
      onNone: () => Effect.map(refresh(tokenRoute), (fresh) => fresh.token)
    })
  )

  // Redacted compares by value: the rejected token may be read back from the request that carried it.
  const invalidate = (rejected?: Redacted.Redacted<string>) =>
    Ref.update(ref, (cached) =>
      Option.isSome(cached) && (rejected === undefined || Equal.equals(cached.value.token, rejected))
        ? Option.none()
        : cached
    )

  return GenesysAuth.of({ token, invalidate })
})

/** The token provider layer. @since 0.1.0 */
export const layer: Layer.Layer<GenesysAuth, never, HttpClient.HttpClient | GenesysConfig> = Layer.effect(
  GenesysAuth,
  make
)
