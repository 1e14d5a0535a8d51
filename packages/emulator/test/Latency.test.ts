import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import { parseArgs } from "../src/internal/http/cli.js"
import * as Latency from "../src/internal/http/latency.js"

const AVAILABILITY = "/api/v2/analytics/conversations/details/jobs/availability"
const spec = { medianMillis: 150, p99Millis: 600 }
const base = { seed: 3, days: 1, perDay: 20, latency: spec }

const quantile = (sorted: ReadonlyArray<number>, q: number) => sorted[Math.floor(q * (sorted.length - 1))]!

const call = (emu: Emulator.Service, method: string, url: string, headers: Record<string, string>, body = "") =>
  emu.handleRaw({ method, url, headers, body })

describe("latency sampler", () => {
  it("the normal quantile matches known values", () => {
    assert.closeTo(Latency.normalQuantile(0.5), 0, 1e-9)
    assert.closeTo(Latency.normalQuantile(0.99), Latency.Z99, 1e-8)
    assert.closeTo(Latency.normalQuantile(0.01), -Latency.Z99, 1e-8)
    assert.closeTo(Latency.normalQuantile(0.841344746), 1, 1e-6)
    assert.closeTo(Latency.normalQuantile(1e-6), -4.753424, 1e-5)
  })

  it("seeded draws have the asked median and 99th percentile", () => {
    for (const seed of [1, 7, 42]) {
      const draws = Array.from({ length: 50_000 }, (_, n) => Latency.sample(spec, seed, n)).sort((a, b) => a - b)
      assert.closeTo(quantile(draws, 0.5), 150, 150 * 0.03, `median, seed ${seed}`)
      assert.closeTo(quantile(draws, 0.99), 600, 600 * 0.06, `p99, seed ${seed}`)
      const mean = draws.reduce((s, x) => s + x, 0) / draws.length
      assert.closeTo(mean, Latency.meanMillis(spec), Latency.meanMillis(spec) * 0.03, `mean, seed ${seed}`)
      assert.isAbove(draws[0]!, 0)
    }
  })

  it("is a function of (seed, n): same seed same draws, another seed others", () => {
    const run = (seed: number) => Array.from({ length: 20 }, (_, n) => Latency.sample(spec, seed, n))
    assert.deepStrictEqual(run(5), run(5))
    assert.notDeepEqual(run(5), run(6))
    const next = Latency.sampler(spec, 5)!
    assert.deepStrictEqual(
      Array.from({ length: 20 }, () => next()),
      run(5)
    )
    assert.isUndefined(Latency.sampler(undefined, 5))
  })

  it("a p99 at or below the median is a fixed delay", () => {
    const fixed = { medianMillis: 80, p99Millis: 80 }
    assert.deepStrictEqual(
      Array.from({ length: 10 }, (_, n) => Latency.sample(fixed, 1, n)),
      Array(10).fill(80)
    )
    assert.strictEqual(Latency.sample({ medianMillis: 80, p99Millis: 10 }, 1, 3), 80)
  })

  it("options: none by default, a median of 0 is none, a missing p99 is the median", () => {
    assert.isUndefined(EmulatorOptions.resolve().latency)
    assert.isUndefined(EmulatorOptions.resolve({ latency: { medianMillis: 0, p99Millis: 10 } }).latency)
    assert.deepStrictEqual(EmulatorOptions.resolve({ latency: spec }).latency, spec)
    assert.deepStrictEqual(
      EmulatorOptions.resolve({ latency: { medianMillis: 50 } as EmulatorOptions.LatencyOptions }).latency,
      { medianMillis: 50, p99Millis: 50 }
    )
  })
})

describe("latency in the emulator", () => {
  it.effect("each request waits its draw on the Clock, in arrival order", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(base)
      const token = yield* emu.issueToken
      for (const n of [0, 1, 2]) {
        const delay = Latency.sample(spec, base.seed, n)
        const fiber = yield* Effect.fork(call(emu, "GET", AVAILABILITY, { authorization: `Bearer ${token}` }))
        yield* TestClock.adjust(`${delay - 1} millis`)
        assert.isTrue((yield* Fiber.poll(fiber))._tag === "None", `request ${n} answered before ${delay} ms`)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
      }
      // The request log records each answer at the time it was made: after its wait.
      const log = yield* emu.requests
      const t0 = log[0]!.atMillis - Latency.sample(spec, base.seed, 0)
      assert.deepStrictEqual(
        log.map((r) => r.atMillis - t0),
        [0, 1, 2].map((n) => [0, 1, 2].slice(0, n + 1).reduce((s, k) => s + Latency.sample(spec, base.seed, k), 0))
      )
    })
  )

  it.effect("the token endpoint waits too", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(base)
      const delay = Latency.sample(spec, base.seed, 0)
      const basic = Buffer.from("emulator-client:emulator-secret").toString("base64")
      const fiber = yield* Effect.fork(
        call(
          emu,
          "POST",
          "/oauth/token",
          { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
          "grant_type=client_credentials"
        )
      )
      yield* TestClock.adjust(`${delay - 1} millis`)
      assert.isTrue((yield* Fiber.poll(fiber))._tag === "None")
      yield* TestClock.adjust("1 millis")
      assert.strictEqual((yield* Fiber.join(fiber)).status, 200)
    })
  )

  it.effect("without the option answers are immediate", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...base, latency: undefined })
      const token = yield* emu.issueToken
      const r = yield* call(emu, "GET", AVAILABILITY, { authorization: `Bearer ${token}` })
      assert.strictEqual(r.status, 200)
    })
  )
})

describe("latency flags", () => {
  it("--latency-median-ms and --latency-p99-ms", () => {
    assert.deepStrictEqual(parseArgs(["--latency-median-ms", "150", "--latency-p99-ms=600"]), {
      _tag: "Ok",
      options: { latency: { medianMillis: 150, p99Millis: 600 } }
    })
    assert.deepStrictEqual(parseArgs(["--latency-median-ms", "100"]), {
      _tag: "Ok",
      options: { latency: { medianMillis: 100, p99Millis: 400 } }
    })
    assert.deepStrictEqual(parseArgs(["--latency-p99-ms", "600"]), {
      _tag: "Invalid",
      message: "--latency-p99-ms needs --latency-median-ms"
    })
    assert.deepStrictEqual(parseArgs(["--latency-median-ms", "150", "--latency-p99-ms", "100"]), {
      _tag: "Invalid",
      message: "--latency-p99-ms must be at least --latency-median-ms"
    })
    assert.strictEqual(parseArgs(["--latency-median-ms", "0"])._tag, "Invalid")
  })
})
