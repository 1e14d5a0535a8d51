/**
 * The OAuth client-credentials grant (FACTS §2) and the bearer tokens it issues: who may call the API,
 * until when, and each token's rate-limit window (the platform counts requests per token).
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { Salt, uuid } from "./ids.js"
import type { Window } from "./rateLimit.js"
import { type ApiError, apiError, json, type RawRequest, type RawResponse } from "./wire.js"

/** An issued token; `revoked` and its window change in place. */
export interface TokenInfo extends Window {
  readonly expiresAt: number
  revoked: boolean
}

/** The tokens of one emulated org. */
export interface TokenStore {
  /** A new valid token issued at `t`. */
  readonly issue: (t: number) => string
  /** `POST /oauth/token`: a token for the configured client, or the OAuth error a real org answers. */
  readonly endpoint: (request: RawRequest, t: number) => RawResponse
  /**
   * The token of an `Authorization: Bearer` header at `t`, or the 401 for it. `revoke` (a `revokeToken`
   * fault) revokes a known token first, so this very request is the first to fail.
   */
  readonly authenticate: (authorization: string | undefined, t: number, revoke: boolean) => TokenInfo | ApiError
  /** Revoke every token issued so far. */
  readonly revokeAll: () => void
}

/** `[clientId, secret]` of a `Basic` authorization header, or `undefined` when it is not one. */
export const basicCredentials = (header: string | undefined): readonly [string, string] | undefined => {
  if (header === undefined) return undefined
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (m === null) return undefined
  let decoded: string
  try {
    // The credentials are UTF-8 bytes (RFC 7617 charset=UTF-8); ASCII decodes the same either way.
    const binary = atob(m[1]!.replace(/-/g, "+").replace(/_/g, "/"))
    decoded = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
  const i = decoded.indexOf(":")
  return i < 0 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)]
}

/** The token of an `Authorization: Bearer` header, or `undefined` when there is none. */
export const bearerToken = (authorization: string | undefined): string | undefined =>
  authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]

// The login service answers RFC 6749 errors, with the Genesys `description` beside the standard field.
const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, description, error_description: description })

/** An empty store issuing deterministic tokens from the seed. */
export const make = (options: EmulatorOptions): TokenStore => {
  const tokens = new Map<string, TokenInfo>()
  let counter = 0

  const issue = (t: number): string => {
    counter++
    // Two UUIDs without dashes: as long and as opaque as a real access token.
    const token = `${uuid(options.seed, counter, Salt.token)}${uuid(options.seed, counter, Salt.token + 1)}`.replace(
      /-/g,
      ""
    )
    tokens.set(token, { expiresAt: t + options.tokenTtlSeconds * 1000, revoked: false, windowStart: t, count: 0 })
    return token
  }

  const endpoint = (request: RawRequest, t: number): RawResponse => {
    const credentials = basicCredentials(request.headers.authorization)
    if (credentials === undefined || credentials[0] !== options.clientId || credentials[1] !== options.clientSecret) {
      return oauthError(options.badCredentialsStatus, "invalid_client", "authentication failed")
    }
    const grant = new URLSearchParams(request.body).get("grant_type")
    if (grant === null || grant === "") return oauthError(400, "invalid_request", "grant_type is required")
    if (grant !== "client_credentials") {
      return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grant}`)
    }
    // Live mode at speed N: the token lives tokenTtlSeconds of emulated time, which is N times shorter for the client.
    const expiresIn = Math.max(1, Math.floor(options.tokenTtlSeconds / (options.live?.speed ?? 1)))
    return json(200, { access_token: issue(t), token_type: "bearer", expires_in: expiresIn })
  }

  const authenticate = (authorization: string | undefined, t: number, revoke: boolean): TokenInfo | ApiError => {
    const bearer = bearerToken(authorization)
    if (bearer === undefined) {
      return apiError(
        401,
        "authentication.required",
        "No authentication bearer token specified in authorization header."
      )
    }
    const info = tokens.get(bearer)
    if (info !== undefined && revoke) info.revoked = true
    if (info === undefined || info.revoked || t >= info.expiresAt) {
      return apiError(401, "bad.credentials", "Invalid login credentials.")
    }
    return info
  }

  const revokeAll = () => {
    for (const info of tokens.values()) info.revoked = true
  }

  return { issue, endpoint, authenticate, revokeAll }
}
