/**
 * The raw floor's transport, shared by the details and aggregates floors: a client-credentials login over `fetch`,
 * then JSON calls with the bearer token, each waiting out a 429 for its `Retry-After` (without which no client
 * finishes under a rate limit) and counting it. No validation, no pacing, no other retry.
 *
 * @since 0.4.0
 */
import type { Endpoint } from "../protocol.js"
import * as HandLoop from "./handLoop.js"

/** A logged-in `fetch` client. @since 0.4.0 */
export interface Session {
  /** `method path` with an optional JSON body; the parsed answer (undefined when empty); throws on any error. */
  readonly call: (method: string, path: string, body?: unknown) => Promise<any>
  /** 429 answers seen so far. */
  readonly rateLimited: () => number
}

/** Logs in at `endpoint` and returns the session. @since 0.4.0 */
export const login = async (endpoint: Endpoint): Promise<Session> => {
  const basic = Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString("base64")
  const response = await fetch(`${endpoint.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials"
  })
  if (!response.ok) throw new Error(`login failed: ${response.status}`)
  const token = (JSON.parse(await response.text()) as { access_token: string }).access_token
  let rateLimited = 0
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    for (let attempt = 0; attempt <= HandLoop.limits.maxRateLimitRetries; attempt++) {
      const response = await fetch(`${endpoint.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) })
      })
      const text = await response.text()
      if (response.status === 429) {
        rateLimited++
        await HandLoop.sleep(HandLoop.retryAfterMillis(response.headers.get("retry-after")))
        continue
      }
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 200)}`)
      return text === "" ? undefined : JSON.parse(text)
    }
    throw new Error(`${method} ${path}: still 429 after ${HandLoop.limits.maxRateLimitRetries} waits`)
  }
  return { call, rateLimited: () => rateLimited }
}
