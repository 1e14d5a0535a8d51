import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as AnalyticsMetrics from "../src/AnalyticsMetrics.js"

const route = (name: string) => `GET /test/${name}`

describe("AnalyticsMetrics", () => {
  it.effect("summarizes p50/p95/p99 per route within the histogram's resolution", () =>
    Effect.gen(function* () {
      const before = yield* AnalyticsMetrics.snapshot
      // 1..1000 ms once each: exact percentiles are 500, 950 and 990.
      for (let ms = 1; ms <= 1000; ms++) {
        yield* AnalyticsMetrics.recordRequest({
          route: route("latency"),
          status: ms % 100 === 0 ? 503 : 200,
          durationMillis: ms,
          bytesReceived: 10,
          bytesSent: 0
        })
      }
      const summary = AnalyticsMetrics.summarize(yield* AnalyticsMetrics.snapshot, before)
      const s = summary.find((r) => r.route === route("latency"))!
      assert.strictEqual(s.count, 1000)
      assert.deepStrictEqual(s.statuses, { "200": 990, "503": 10 })
      assert.closeTo(s.meanMillis, 500.5, 0.01)
      assert.closeTo(s.p50Millis, 500, 50)
      assert.closeTo(s.p95Millis, 950, 95)
      assert.closeTo(s.p99Millis, 990, 99)
      assert.strictEqual(s.maxMillis, 1000)
    })
  )

  it.effect("diffs two snapshots so a run sees only its own requests and counters", () =>
    Effect.gen(function* () {
      yield* AnalyticsMetrics.recordRequest({
        route: route("diff"),
        status: 200,
        durationMillis: 5,
        bytesReceived: 100,
        bytesSent: 0
      })
      const before = yield* AnalyticsMetrics.snapshot
      yield* AnalyticsMetrics.recordRequest({
        route: route("diff"),
        status: 429,
        durationMillis: 7,
        bytesReceived: 50,
        bytesSent: 0
      })
      yield* AnalyticsMetrics.recordRetry(route("diff"), "503")
      const after = yield* AnalyticsMetrics.snapshot
      const s = AnalyticsMetrics.summarize(after, before).find((r) => r.route === route("diff"))!
      assert.strictEqual(s.count, 1)
      assert.deepStrictEqual(s.statuses, { "429": 1 })
      assert.strictEqual(after.rateLimited - before.rateLimited, 1)
      assert.strictEqual(after.retries - before.retries, 1)
      assert.strictEqual(after.bytesReceived - before.bytesReceived, 50)
    })
  )
})
