/**
 * The raw floor: `fetch` (or, in scenario 1, Node's `http` module) and `JSON.parse`, no validation, no pacing, no
 * retries beyond waiting out a 429 (without which no client finishes under a rate limit; `fetchSession.ts`). It bounds
 * what any client can do over the same loopback connection and transport.
 *
 * @since 0.1.0
 */
import type { ContenderInput, Outcome } from "../protocol.js"
import * as FetchSession from "./fetchSession.js"
import * as HandLoop from "./handLoop.js"
import { nodeHttpSend } from "./nodeHttpSend.js"

const base = "/api/v2/analytics/conversations/details/jobs"

/** The job calls over `fetch`, or over `send`. @since 0.1.0 */
export const makeApi = async (
  endpoint: ContenderInput["endpoint"],
  send: FetchSession.Send = FetchSession.fetchSend
): Promise<HandLoop.Api> => {
  const { call, rateLimited } = await FetchSession.login(endpoint, send)
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
    rateLimited
  }
}

/** Runs the task with the hand-written loops over `fetch` (or Node's `http` when asked). @since 0.1.0 */
export const run = async (input: ContenderInput): Promise<Outcome> => {
  const api = await makeApi(input.endpoint, input.transport === "node" ? nodeHttpSend : FetchSession.fetchSend)
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
