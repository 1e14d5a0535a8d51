import * as Headers from "@effect/platform/Headers"
import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import {
  errorFields,
  rateLimitHeaders,
  retryAfterMillis,
  toHttpError,
  type Exchange
} from "../src/internal/http/errorBody.js"

const exchange = (status: number, body: string, headers: Record<string, string> = {}): Exchange => ({
  method: "GET",
  url: "https://api.example.com/x",
  route: "GET /x",
  status,
  headers: Headers.fromInput(headers),
  body,
  correlationId: "corr-1"
})

describe("GenesysHttp errors and headers", () => {
  it("Retry-After: delta seconds, HTTP date, or nothing usable", () => {
    const now = Date.parse("2026-01-01T00:00:00Z")
    assert.strictEqual(retryAfterMillis(Headers.fromInput({ "retry-after": "7" }), now), 7000)
    assert.strictEqual(retryAfterMillis(Headers.fromInput({ "Retry-After": "0.5" }), now), 500)
    assert.strictEqual(
      retryAfterMillis(Headers.fromInput({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }), now),
      30_000
    )
    assert.isUndefined(retryAfterMillis(Headers.fromInput({ "retry-after": "soon" }), now))
    assert.isUndefined(retryAfterMillis(Headers.fromInput({ "retry-after": "-3" }), now))
    assert.isUndefined(retryAfterMillis(Headers.fromInput({}), now))
  })

  it("rate-limit headers are read only when all three are present", () => {
    assert.deepStrictEqual(
      rateLimitHeaders(
        Headers.fromInput({
          "inin-ratelimit-count": "1",
          "inin-ratelimit-allowed": "180",
          "inin-ratelimit-reset": "61"
        })
      ),
      { count: 1, allowed: 180, resetMillis: 61_000 }
    )
    assert.isUndefined(rateLimitHeaders(Headers.fromInput({ "inin-ratelimit-count": "1" })))
  })

  it("ErrorBody and OAuth error bodies map to the typed errors by status", () => {
    const body = JSON.stringify({
      message: "Rate limit exceeded",
      code: "too.many.requests",
      status: 429,
      contextId: "ctx-9",
      limit: { namespace: "analytics", key: "jobs.concurrent", value: 5 }
    })
    const limited = toHttpError(exchange(429, body), 3000)
    assert.strictEqual(limited._tag, "RateLimited")
    if (limited._tag === "RateLimited") {
      assert.strictEqual(limited.limitKey, "jobs.concurrent")
      assert.strictEqual(limited.limitValue, 5)
      assert.strictEqual(limited.retryAfterMillis, 3000)
      assert.strictEqual(limited.contextId, "ctx-9")
      assert.strictEqual(limited.correlationId, "corr-1")
    }
    const tags = [400, 401, 403, 404, 408, 409, 413, 500, 503].map((s) => toHttpError(exchange(s, "{}"))._tag)
    assert.deepStrictEqual(tags, [
      "BadRequest",
      "Unauthorized",
      "Forbidden",
      "NotFound",
      "Transport",
      "BadRequest",
      "BadRequest",
      "ServerError",
      "ServerError"
    ])
    const oauth = errorFields(JSON.stringify({ error: "invalid_client", error_description: "authentication failed" }))
    assert.strictEqual(oauth.code, "invalid_client")
    assert.strictEqual(oauth.detail, "authentication failed")
  })

  it("any body, JSON or not, maps to an error without throwing", () =>
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), fc.integer({ min: 400, max: 599 }), (body, status) => {
        const error = toHttpError(exchange(status, body))
        return error.message.length > 0 && error.message.length < 1200
      })
    ))
})
