// Sending one webhook event in isolation: a scripted receiver, the TestClock for backoff and attempt timeouts.
import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Redacted, Schedule, TestClock } from "effect"
import * as Delivery from "../src/internal/webhook/delivery.js"
import * as PendingEvent from "../src/internal/webhook/pendingEvent.js"
import * as wire from "../src/internal/webhook/wire.js"

const secret = "whsec-test-0123456789"
const url = new URL("https://hooks.example.com/genesys")

/** A receiver answering the n-th attempt with `steps[n - 1]` (the last one repeats). */
const receiver = (...steps: ReadonlyArray<number | "transport" | "never">) => {
  const seen: Array<{ readonly attempt: string; readonly id: string; readonly at: number }> = []
  const client = HttpClient.make((request) =>
    Effect.flatMap(TestClock.currentTimeMillis, (at) => {
      seen.push({ attempt: request.headers[wire.HEADER_ATTEMPT]!, id: request.headers[wire.HEADER_ID]!, at })
      const step = steps[Math.min(seen.length, steps.length) - 1]!
      if (step === "never") return Effect.never
      if (step === "transport") return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport" }))
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: step })))
    })
  )
  return { client, seen }
}

// Fixed delays (1 s, 2 s, 4 s ...) so the test can say when each attempt happens.
const policy: Delivery.Policy = {
  attemptTimeout: Duration.seconds(10),
  maxAttempts: 4,
  backoff: Schedule.exponential("1 second")
}

const send = (client: HttpClient.HttpClient, attempts: { n: number }) =>
  Delivery.make({
    client,
    url,
    secret,
    policy,
    onAttempt: Effect.sync(() => void attempts.n++)
  })(PendingEvent.make({ type: "job.fulfilled", jobId: "job-1" }, [], 0))

/** Lets promise callbacks (WebCrypto signing) run. */
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

// Signing is asynchronous, so the clock moves in small steps with promises settled in between, until sending ends.
const run = (client: HttpClient.HttpClient) =>
  Effect.gen(function* () {
    const attempts = { n: 0 }
    const fiber = yield* Effect.fork(send(client, attempts))
    for (let step = 0; step < 1000 && fiber.unsafePoll() === null; step++) {
      yield* settle
      yield* TestClock.adjust("100 millis")
    }
    return { outcome: yield* Fiber.join(fiber), attempts: attempts.n }
  })

/** The gaps between consecutive attempts, in ms. */
const gaps = (seen: ReadonlyArray<{ readonly at: number }>) => seen.slice(1).map((s, i) => s.at - seen[i]!.at)

describe("webhook delivery", () => {
  it.effect("a 2xx on the first attempt is delivered, with one attempt counted", () =>
    Effect.gen(function* () {
      const r = receiver(204)
      const { outcome, attempts } = yield* run(r.client)
      assert.deepStrictEqual(outcome, { _tag: "Delivered" })
      assert.strictEqual(attempts, 1)
      assert.deepStrictEqual(
        r.seen.map((s) => s.attempt),
        ["1"]
      )
    })
  )

  it.effect("5xx, 429 and transport failures are retried on the backoff with the same id and a rising attempt", () =>
    Effect.gen(function* () {
      const r = receiver(503, 429, "transport", 200)
      const { outcome, attempts } = yield* run(r.client)
      assert.deepStrictEqual(outcome, { _tag: "Delivered" })
      assert.strictEqual(attempts, 4)
      assert.deepStrictEqual(
        r.seen.map((s) => s.attempt),
        ["1", "2", "3", "4"]
      )
      // Backoff of 1 s, 2 s, 4 s (each within one clock step).
      gaps(r.seen).forEach((gap, i) => {
        assert.closeTo(gap, 1_000 * 2 ** i, 100)
      })
      assert.strictEqual(new Set(r.seen.map((s) => s.id)).size, 1)
    })
  )

  it.effect("a 4xx refusal is final at once", () =>
    Effect.gen(function* () {
      const r = receiver(400, 200)
      const { outcome } = yield* run(r.client)
      assert.deepStrictEqual(outcome, { _tag: "Failed", attempts: 1, reason: "HTTP 400" })
      assert.strictEqual(r.seen.length, 1)
    })
  )

  it.effect("retries stop at maxAttempts with the last failure as the reason", () =>
    Effect.gen(function* () {
      const r = receiver(500, 500, 500, 502)
      const { outcome } = yield* run(r.client)
      assert.deepStrictEqual(outcome, { _tag: "Failed", attempts: 4, reason: "HTTP 502" })
    })
  )

  it.effect("an attempt that never answers is cut off at the attempt timeout and retried", () =>
    Effect.gen(function* () {
      const r = receiver("never", 204)
      const { outcome } = yield* run(r.client)
      assert.deepStrictEqual(outcome, { _tag: "Delivered" })
      // 10 s attempt timeout, then the first backoff of 1 s.
      assert.strictEqual(r.seen.length, 2)
      assert.closeTo(gaps(r.seen)[0]!, 11_000, 200)
    })
  )

  it("status classes and the default policy", () => {
    assert.isTrue(Delivery.isSuccess(204))
    assert.isFalse(Delivery.isSuccess(301))
    for (const status of [408, 429, 500, 503]) assert.isTrue(Delivery.isRetryable(status), String(status))
    for (const status of [400, 401, 404]) assert.isFalse(Delivery.isRetryable(status), String(status))
    const defaults = Delivery.policy({ url: url.href, secret: Redacted.make(secret) })
    assert.deepStrictEqual([Duration.toMillis(defaults.attemptTimeout), defaults.maxAttempts], [10_000, 6])
    assert.strictEqual(Delivery.policy({ url: url.href, secret: Redacted.make(secret), maxAttempts: 0 }).maxAttempts, 1)
  })
})
