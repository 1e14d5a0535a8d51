/**
 * The official SDK's set-up, shared by the details and aggregates SDK contenders: login through `setGateway` (the
 * only way to reach a non-Genesys host, FACTS §7), extended responses so that a 429's `Retry-After` can be read,
 * and a call wrapper that waits it out and counts it (the SDK itself never retries). The parent starts the process
 * with an empty `HOME`, so no developer SDK config file is read.
 *
 * @since 0.4.0
 */
import platformClient from "purecloud-platform-client-v2"
import type { Endpoint } from "../protocol.js"
import * as HandLoop from "./handLoop.js"

interface Extended<A> {
  readonly status: number
  readonly headers: Record<string, string | undefined>
  readonly body: A
}

const isExtendedError = (e: unknown): e is Extended<unknown> =>
  typeof e === "object" && e !== null && "status" in e && "headers" in e

/** A logged-in SDK. @since 0.4.0 */
export interface Session {
  /** The SDK's `AnalyticsApi`, returning extended responses. */
  readonly api: platformClient.AnalyticsApi
  /** Sends one SDK call (again after each 429's `Retry-After`) and returns the response body. */
  readonly call: <A>(send: () => Promise<unknown>) => Promise<A>
  /** 429 answers seen so far. */
  readonly rateLimited: () => number
}

/** Points the SDK at `endpoint`, logs in and returns the session. @since 0.4.0 */
export const login = async (endpoint: Endpoint): Promise<Session> => {
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
  return { api, call, rateLimited: () => rateLimited }
}
