/**
 * The official JS SDK (`purecloud-platform-client-v2`) as its users must drive it: the set-up and 429 handling of
 * `sdkSession.ts` (login through `setGateway`, extended responses, `Retry-After` waits) and the hand-written loops
 * of `handLoop.ts`.
 *
 * @since 0.1.0
 */
import type { ContenderInput, Outcome } from "../protocol.js"
import * as HandLoop from "./handLoop.js"
import * as SdkSession from "./sdkSession.js"

/** The job calls through the SDK's `AnalyticsApi`. @since 0.1.0 */
export const makeApi = async (endpoint: ContenderInput["endpoint"]): Promise<HandLoop.Api> => {
  const { api, call, rateLimited } = await SdkSession.login(endpoint)
  return {
    submit: async (query) =>
      (await call<{ jobId: string }>(() => api.postAnalyticsConversationsDetailsJobs(query))).jobId,
    status: (jobId) => call(() => api.getAnalyticsConversationsDetailsJob(jobId)),
    results: (jobId, pageSize, cursor) =>
      call(() =>
        api.getAnalyticsConversationsDetailsJobResults(
          jobId,
          cursor === undefined ? { pageSize } : { pageSize, cursor }
        )
      ),
    rateLimited
  }
}

/** Runs the task with the SDK and the hand-written loops. @since 0.1.0 */
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
