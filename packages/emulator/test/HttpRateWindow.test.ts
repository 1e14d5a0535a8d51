import { assert, describe, it } from "@effect/vitest"
import * as RateLimit from "../src/internal/http/rateLimit.js"

const limit = { count: 2, windowSeconds: 10 }

describe("per-token rate window", () => {
  it("counts requests in a window and announces count, allowance and seconds to reset", () => {
    const window = { windowStart: 0, count: 0 }
    const first = RateLimit.admit(window, 0, limit)
    assert.deepStrictEqual(first.headers, {
      "inin-ratelimit-count": "1",
      "inin-ratelimit-allowed": "2",
      "inin-ratelimit-reset": "10"
    })
    assert.isFalse(first.exceeded)
    assert.isFalse(RateLimit.admit(window, 4_500, limit).exceeded)
    const third = RateLimit.admit(window, 9_900, limit)
    assert.isTrue(third.exceeded)
    // Rounded up and never 0: a client told to wait 0 seconds would retry at once.
    assert.strictEqual(third.resetSeconds, 1)
  })

  it("opens a new window with the first request after the last one closed", () => {
    const window = { windowStart: 0, count: 5 }
    const next = RateLimit.admit(window, 12_345, limit)
    assert.deepStrictEqual(window, { windowStart: 12_345, count: 1 })
    assert.strictEqual(next.resetSeconds, 10)
    assert.isFalse(next.exceeded)
  })

  it("429s carry Retry-After and the platform's message parameters", () => {
    const error = RateLimit.tooManyRequests(6)
    assert.strictEqual(error.status, 429)
    assert.strictEqual(error.code, "too.many.requests.retry.after")
    assert.strictEqual(error.message, "Rate limit exceeded the maximum. Retry the request in [6] seconds")
    assert.deepStrictEqual(error.messageParams, { retryAfter: "6" })
    assert.deepStrictEqual(error.headers, { "retry-after": "6" })
  })
})
