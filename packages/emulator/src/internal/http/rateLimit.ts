/**
 * The per-token rate limit (FACTS §4): a fixed window that opens with the first request after the previous
 * one closed, announced on every API response by the `inin-ratelimit-*` headers.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { type ApiError, apiError } from "./wire.js"

/** A token's current window; mutated in place by `admit`. */
export interface Window {
  windowStart: number
  count: number
}

/** What `admit` decided for one request. */
export interface Admission {
  /** The `inin-ratelimit-*` headers of the response, whatever it is. */
  readonly headers: Record<string, string>
  /** Seconds until the window closes (at least 1): the `Retry-After` of a 429. */
  readonly resetSeconds: number
  /** The request is over the window's budget. */
  readonly exceeded: boolean
}

/** Count one request at `t` against `window`, opening a new window when the last one has closed. */
export const admit = (window: Window, t: number, limit: EmulatorOptions["rateLimit"]): Admission => {
  const windowMillis = limit.windowSeconds * 1000
  if (t >= window.windowStart + windowMillis) {
    window.windowStart = t
    window.count = 0
  }
  window.count++
  const resetSeconds = Math.max(1, Math.ceil((window.windowStart + windowMillis - t) / 1000))
  return {
    headers: {
      "inin-ratelimit-count": String(window.count),
      "inin-ratelimit-allowed": String(limit.count),
      "inin-ratelimit-reset": String(resetSeconds)
    },
    resetSeconds,
    exceeded: window.count > limit.count
  }
}

/** The platform's 429 for a request over the limit (or hit by a `rateLimit` fault). */
export const tooManyRequests = (retryAfter: number): ApiError =>
  apiError(
    429,
    "too.many.requests.retry.after",
    `Rate limit exceeded the maximum. Retry the request in [${retryAfter}] seconds`,
    {
      messageWithParams: "Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds",
      messageParams: { retryAfter: String(retryAfter) },
      headers: { "retry-after": String(retryAfter) }
    }
  )
