/**
 * The official JS SDK (`purecloud-platform-client-v2`) on the conversation aggregates endpoints, as its
 * `AnalyticsApi` documentation shows them: `postAnalyticsConversationsAggregatesQuery(body)`, or
 * `postAnalyticsConversationsAggregatesJobs(body)`, `getAnalyticsConversationsAggregatesJob(jobId)` and
 * `getAnalyticsConversationsAggregatesJobResults(jobId, { cursor })`. Login and the 429 handling (extended responses,
 * `Retry-After`; the SDK never retries) are those of the details contender (`sdk.ts`); the loops are
 * `aggregatesHandLoop.ts`.
 *
 * @since 0.3.0
 */
import platformClient from "purecloud-platform-client-v2"
import type { AggregateContenderInput, AggregateOutcome } from "../aggregatesProtocol.js"
import * as AggregatesHandLoop from "./aggregatesHandLoop.js"
import * as HandLoop from "./handLoop.js"

interface Extended<A> {
  readonly status: number
  readonly headers: Record<string, string | undefined>
  readonly body: A
}

const isExtendedError = (e: unknown): e is Extended<unknown> =>
  typeof e === "object" && e !== null && "status" in e && "headers" in e

/** The aggregates calls through the SDK's `AnalyticsApi`. @since 0.3.0 */
export const makeApi = async (endpoint: AggregateContenderInput["endpoint"]): Promise<AggregatesHandLoop.Api> => {
  const client = platformClient.ApiClient.instance
  const url = new URL(endpoint.url)
  client.config.live_reload_config = false
  client.setGateway({ host: url.hostname, protocol: "http", port: Number(url.port) })
  await client.loginClientCredentialsGrant(endpoint.clientId, endpoint.clientSecret)
  client.setReturnExtendedResponses(true)
  const api = new platformClient.AnalyticsApi()
  let rateLimited = 0
  const call = async <A>(send: () => Promise<unknown>): Promise<A> => {
    for (let attempt = 0; attempt <= HandLoop.limits.maxRateLimitRetries; attempt++) {
      try {
        return ((await send()) as Extended<A>).body
      } catch (error) {
        if (isExtendedError(error) && error.status === 429) {
          rateLimited++
          await HandLoop.sleep(HandLoop.retryAfterMillis(error.headers["retry-after"]))
          continue
        }
        throw isExtendedError(error) ? new Error(`SDK call failed: ${error.status}`) : error
      }
    }
    throw new Error(`still 429 after ${HandLoop.limits.maxRateLimitRetries} waits`)
  }
  return {
    query: (body) =>
      call(() =>
        api.postAnalyticsConversationsAggregatesQuery(body as platformClient.Models.ConversationAggregationQuery)
      ),
    submit: async (body) =>
      (
        await call<{ jobId: string }>(() =>
          api.postAnalyticsConversationsAggregatesJobs(body as platformClient.Models.ConversationAsyncAggregationQuery)
        )
      ).jobId,
    status: (jobId) => call(() => api.getAnalyticsConversationsAggregatesJob(jobId)),
    results: (jobId, cursor) =>
      call(() => api.getAnalyticsConversationsAggregatesJobResults(jobId, cursor === undefined ? {} : { cursor })),
    rateLimited: () => rateLimited
  }
}

/** Runs the task with the SDK and the hand-written loops. @since 0.3.0 */
export const run = async (input: AggregateContenderInput): Promise<AggregateOutcome> =>
  AggregatesHandLoop.run(await makeApi(input.endpoint), input.task)
