/**
 * The official JS SDK (`purecloud-platform-client-v2`) on the conversation aggregates endpoints, as its
 * `AnalyticsApi` documentation shows them: `postAnalyticsConversationsAggregatesQuery(body)`, or
 * `postAnalyticsConversationsAggregatesJobs(body)`, `getAnalyticsConversationsAggregatesJob(jobId)` and
 * `getAnalyticsConversationsAggregatesJobResults(jobId, { cursor })`. Login and the 429 handling (extended responses,
 * `Retry-After`; the SDK never retries) are the details contender's (`sdkSession.ts`); the loops are
 * `aggregatesHandLoop.ts`.
 *
 * @since 0.3.0
 */
import type platformClient from "purecloud-platform-client-v2"
import type { AggregateContenderInput, AggregateOutcome } from "../aggregatesProtocol.js"
import * as AggregatesHandLoop from "./aggregatesHandLoop.js"
import * as SdkSession from "./sdkSession.js"

/** The aggregates calls through the SDK's `AnalyticsApi`. @since 0.3.0 */
export const makeApi = async (endpoint: AggregateContenderInput["endpoint"]): Promise<AggregatesHandLoop.Api> => {
  const { api, call, rateLimited } = await SdkSession.login(endpoint)
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
    rateLimited
  }
}

/** Runs the task with the SDK and the hand-written loops. @since 0.3.0 */
export const run = async (input: AggregateContenderInput): Promise<AggregateOutcome> =>
  AggregatesHandLoop.run(await makeApi(input.endpoint), input.task)
