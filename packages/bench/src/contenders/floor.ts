/**
 * The raw floor: `fetch` and `JSON.parse`, no validation, no pacing, no retries beyond waiting out a 429
 * (without which no client finishes under a rate limit). It bounds what any client can do over the same
 * loopback connection.
 *
 * @since 0.1.0
 */
import type { ContenderInput, Outcome } from "../protocol.js"
import * as HandLoop from "./handLoop.js"

const base = "/api/v2/analytics/conversations/details/jobs"

/** The job calls over `fetch`. @since 0.1.0 */
export const makeApi = async (endpoint: ContenderInput["endpoint"]): Promise<HandLoop.Api> => {
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
    submit: async (query) => (await call("POST", base, query)).jobId as string,
    status: (jobId) => call("GET", `${base}/${encodeURIComponent(jobId)}`),
    results: (jobId, pageSize, cursor) =>
      call(
        "GET",
        `${base}/${encodeURIComponent(jobId)}/results?pageSize=${pageSize}${
          cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`
        }`
      ),
    rateLimited: () => rateLimited
  }
}

/** Runs the task with the hand-written loops over `fetch`. @since 0.1.0 */
export const run = async (input: ContenderInput): Promise<Outcome> => {
  const api = await makeApi(input.endpoint)
  switch (input.task.kind) {
    case "job":
      return HandLoop.runJob(api, input.task)
    case "completion":
      return HandLoop.runCompletion(api, input.task)
    case "extraction":
      return HandLoop.runExtraction(api, input.task)
    case "latency":
      return HandLoop.runLatency(api, input.task)
  }
}
