import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"

const AVAILABILITY = "/api/v2/analytics/conversations/details/jobs/availability"

const get = (emu: Emulator.Service, token: string) =>
  Effect.map(
    emu.handleRaw({ method: "GET", url: AVAILABILITY, headers: { authorization: `Bearer ${token}` }, body: "" }),
    (raw) => ({ status: raw.status, headers: raw.headers, body: JSON.parse(raw.body ?? "null") })
  )

describe("per-token rate limit", () => {
  it.effect("every API response carries inin-ratelimit-count/-allowed/-reset", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10 })
      const token = yield* emu.issueToken
      const first = yield* get(emu, token)
      assert.strictEqual(first.headers["inin-ratelimit-count"], "1")
      assert.strictEqual(first.headers["inin-ratelimit-allowed"], "300")
      assert.strictEqual(first.headers["inin-ratelimit-reset"], "60")
      yield* TestClock.adjust("15 seconds")
      const second = yield* get(emu, token)
      assert.strictEqual(second.headers["inin-ratelimit-count"], "2")
      assert.strictEqual(second.headers["inin-ratelimit-reset"], "45")
    })
  )

  it.effect(
    "past the budget: 429 too.many.requests.retry.after with Retry-After in seconds; the window then resets",
    () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.make({ days: 1, perDay: 10, rateLimit: { count: 3, windowSeconds: 10 } })
        const token = yield* emu.issueToken
        for (let i = 0; i < 3; i++) assert.strictEqual((yield* get(emu, token)).status, 200)
        yield* TestClock.adjust("4 seconds")
        const limited = yield* get(emu, token)
        assert.strictEqual(limited.status, 429)
        assert.strictEqual(limited.headers["retry-after"], "6")
        assert.strictEqual(limited.headers["inin-ratelimit-count"], "4")
        assert.strictEqual(limited.headers["inin-ratelimit-allowed"], "3")
        assert.strictEqual(limited.body.code, "too.many.requests.retry.after")
        assert.strictEqual(limited.body.status, 429)
        assert.strictEqual(limited.body.message, "Rate limit exceeded the maximum. Retry the request in [6] seconds")
        assert.strictEqual(limited.body.contextId, limited.headers["inin-correlation-id"])
        yield* TestClock.adjust("6 seconds")
        const again = yield* get(emu, token)
        assert.strictEqual(again.status, 200)
        assert.strictEqual(again.headers["inin-ratelimit-count"], "1")
      })
  )

  it.effect("budgets are per token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10, rateLimit: { count: 1, windowSeconds: 60 } })
      const a = yield* emu.issueToken
      const b = yield* emu.issueToken
      assert.strictEqual((yield* get(emu, a)).status, 200)
      assert.strictEqual((yield* get(emu, a)).status, 429)
      assert.strictEqual((yield* get(emu, b)).status, 200)
    })
  )
})
