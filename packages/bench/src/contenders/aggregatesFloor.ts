/**
 * The raw floor of the aggregates bench: `fetch` and `JSON.parse`, no validation, no pacing, no retries beyond
 * waiting out a 429, and the same hand-written loops as the SDK (`aggregatesHandLoop.ts`).
 *
 * @since 0.3.0
 */
import type { AggregateContenderInput, AggregateOutcome } from "../aggregatesProtocol.js"
import * as AggregatesHandLoop from "./aggregatesHandLoop.js"
import * as FetchSession from "./fetchSession.js"

const base = "/api/v2/analytics/conversations/aggregates"

/** The aggregates calls over `fetch`. @since 0.3.0 */
export const makeApi = async (endpoint: AggregateContenderInput["endpoint"]): Promise<AggregatesHandLoop.Api> => {
  const { call, rateLimited } = await FetchSession.login(endpoint)
  return {
    query: (body) => call("POST", `${base}/query`, body),
    submit: async (body) => (await call("POST", `${base}/jobs`, body)).jobId as string,
    status: (jobId) => call("GET", `${base}/jobs/${encodeURIComponent(jobId)}`),
    results: (jobId, cursor) =>
      call(
        "GET",
        `${base}/jobs/${encodeURIComponent(jobId)}/results${cursor === undefined ? "" : `?cursor=${encodeURIComponent(cursor)}`}`
      ),
    rateLimited
  }
}

/** Runs the task with the hand-written loops over `fetch`. @since 0.3.0 */
export const run = async (input: AggregateContenderInput): Promise<AggregateOutcome> =>
  AggregatesHandLoop.run(await makeApi(input.endpoint), input.task)
