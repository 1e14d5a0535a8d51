/**
 * The raw floor's transport, shared by the details and aggregates floors: a client-credentials login, then JSON calls
 * with the bearer token, each waiting out a 429 for its `Retry-After` (without which no client finishes under a rate
 * limit) and counting it. No validation, no pacing, no other retry. The exchange itself is `fetch` by default, or any
 * other {@link Send} (Node's `http` module: `nodeHttpSend.ts`).
 *
 * @since 0.4.0
 */
import type { Endpoint } from "../protocol.js"
import * as HandLoop from "./handLoop.js"

/** A logged-in client. @since 0.4.0 */
export interface Session {
  /** `method path` with an optional JSON body; the parsed answer (undefined when empty); throws on any error. */
  readonly call: (method: string, path: string, body?: unknown) => Promise<any>
  /** 429 answers seen so far. */
  readonly rateLimited: () => number
}

/** One exchange: the status, the whole body as text and the `Retry-After` header. @since 0.5.0 */
export type Send = (
  method: string,
  url: string,
  headers: Record<string, string>,
  body: string | undefined
) => Promise<{ readonly status: number; readonly text: string; readonly retryAfter: string | null }>

/** An exchange over `fetch`. @since 0.5.0 */
export const fetchSend: Send = async (method, url, headers, body) => {
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await response.text()
  return { status: response.status, text, retryAfter: response.headers.get("retry-after") }
}

/** Logs in at `endpoint` and returns the session. @since 0.4.0 */
export const login = async (endpoint: Endpoint, send: Send = fetchSend): Promise<Session> => {
  const basic = Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString("base64")
  const answer = await send(
    "POST",
    `${endpoint.url}/oauth/token`,
    { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    "grant_type=client_credentials"
  )
  if (answer.status !== 200) throw new Error(`login failed: ${answer.status}`)
  const token = (JSON.parse(answer.text) as { access_token: string }).access_token
  let rateLimited = 0
  const call = async (method: string, path: string, body?: unknown): Promise<any> => {
    for (let attempt = 0; attempt <= HandLoop.limits.maxRateLimitRetries; attempt++) {
      const { retryAfter, status, text } = await send(
        method,
        `${endpoint.url}${path}`,
        {
          authorization: `Bearer ${token}`,
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" })
        },
        body === undefined ? undefined : JSON.stringify(body)
      )
      if (status === 429) {
        rateLimited++
        await HandLoop.sleep(HandLoop.retryAfterMillis(retryAfter))
        continue
      }
      if (status < 200 || status >= 300) throw new Error(`${method} ${path}: ${status} ${text.slice(0, 200)}`)
      return text === "" ? undefined : JSON.parse(text)
    }
    throw new Error(`${method} ${path}: still 429 after ${HandLoop.limits.maxRateLimitRetries} waits`)
  }
  return { call, rateLimited: () => rateLimited }
}
