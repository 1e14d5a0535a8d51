/**
 * The official JS SDK (`purecloud-platform-client-v2`) as its users must drive it: login through
 * `setGateway` (the only way to reach a non-Genesys host, FACTS §7), extended responses so that a 429's
 * `Retry-After` can be read (the SDK itself never retries), and the hand-written loops of `handLoop.ts`.
 * The parent starts this process with an empty `HOME`, so no developer SDK config file is read.
 *
 * @since 0.1.0
 */
import platformClient from "purecloud-platform-client-v2"
import type { ContenderInput, Outcome } from "../protocol.js"
import * as HandLoop from "./handLoop.js"

interface Extended<A> {
  readonly status: number
  readonly headers: Record<string, string | undefined>
  readonly body: A
}

const isExtendedError = (e: unknown): e is Extended<unknown> =>
  typeof e === "object" && e !== null && "status" in e && "headers" in e

/** The job calls through the SDK's `AnalyticsApi`. @since 0.1.0 */
export const makeApi = async (endpoint: ContenderInput["endpoint"]): Promise<HandLoop.Api> => {
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
    rateLimited: () => rateLimited
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
