/**
 * The raw floor of the aggregates bench: `fetch` and `JSON.parse`, no validation, no pacing, no retries beyond
 * waiting out a 429, and the same hand-written loops as the SDK (`aggregatesHandLoop.ts`).
 *
 * @since 0.3.0
 */
import type { AggregateContenderInput, AggregateOutcome } from "../aggregatesProtocol.js"
import * as AggregatesHandLoop from "./aggregatesHandLoop.js"
import * as HandLoop from "./handLoop.js"

const base = "/api/v2/analytics/conversations/aggregates"

/** The aggregates calls over `fetch`. @since 0.3.0 */
export const makeApi = async (endpoint: AggregateContenderInput["endpoint"]): Promise<AggregatesHandLoop.Api> => {
  const basic = Buffer.from(`${endpoint.clientId}:${endpoint.clientSecret}`).toString("base64")
  const login = await fetch(`${endpoint.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials"
  })
  if (!login.ok) throw new Error(`login failed: ${login.status}`)
  const token = (JSON.parse(await login.text()) as { access_token: string }).access_token
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
  return {
    query: (body) => call("POST", `${base}/query`, body),
    submit: async (body) => (await call("POST", `${base}/jobs`, body)).jobId as string,
    status: (jobId) => call("GET", `${base}/jobs/${encodeURIComponent(jobId)}`),
    results: (jobId, cursor) =>
      call(
        "GET",
        `${base}/jobs/${encodeURIComponent(jobId)}/results${cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`}`
      ),
    rateLimited: () => rateLimited
  }
}

/** Runs the task with the hand-written loops over `fetch`. @since 0.3.0 */
export const run = async (input: AggregateContenderInput): Promise<AggregateOutcome> =>
  AggregatesHandLoop.run(await makeApi(input.endpoint), input.task)
