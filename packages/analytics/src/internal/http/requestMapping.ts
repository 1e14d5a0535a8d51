/**
 * Request mapping combinators: the API origin, JSON `Accept`, and credentials (a bearer token per attempt, or
 * the Basic credentials of the token request). Preprocessing runs again on every retry, so each attempt asks
 * for the token anew: after a 401 has dropped it, the retry carries a fresh one.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type { HttpError } from "../../GenesysError.js"

/** Prefixes relative URLs with the API origin and asks for JSON. @internal */
export const withBaseUrl =
  (apiUrl: string) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E, R> =>
    HttpClient.mapRequest(client, (request) =>
      HttpClientRequest.prependUrl(HttpClientRequest.acceptJson(request), apiUrl)
    )

/** Adds `Authorization: Bearer <token>`, the token asked for per attempt. @internal */
export const withBearerToken =
  (token: Effect.Effect<Redacted.Redacted<string>, HttpError>) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | HttpError, R> =>
    HttpClient.mapRequestEffect(client, (request) =>
      Effect.map(token, (t) => HttpClientRequest.bearerToken(request, t))
    )

/** Adds a ready-made `Authorization` header (the token request's Basic credentials). @internal */
export const withAuthorization =
  (value: string) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E, R> =>
    HttpClient.mapRequest(client, HttpClientRequest.setHeader("authorization", value))

/**
 * The bearer token a response answered, read back from its request, so that a 401 drops exactly that token
 * (a newer one fetched meanwhile by another fiber is kept). `undefined` when the request carried none.
 *
 * @internal
 */
export const bearerTokenOf = (
  response: HttpClientResponse.HttpClientResponse
): Redacted.Redacted<string> | undefined => {
  const header = response.request.headers.authorization
  return header?.startsWith("Bearer ") ? Redacted.make(header.slice("Bearer ".length)) : undefined
}
