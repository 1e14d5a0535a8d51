/** The arithmetic behind the reported figures: medians, rate-limit bounds and request-log statistics. */
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as Analysis from "../src/analysis.js"
import * as Checksum from "../src/checksum.js"
import * as Stats from "../src/stats.js"

describe("stats", () => {
  it("median of odd and even counts, ignoring non-finite values", () => {
    assert.strictEqual(Stats.median([3, 1, 2]), 2)
    assert.strictEqual(Stats.median([4, 1, 3, 2]), 2.5)
    assert.strictEqual(Stats.median([1, Number.NaN, 5]), 3)
    assert.isNaN(Stats.median([]))
  })

  it("rotation puts every contender first once per cycle", () => {
    const firsts = [0, 1, 2].map((k) => Stats.rotate(["a", "b", "c"], k)[0])
    assert.deepStrictEqual(firsts, ["a", "b", "c"])
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1 }), fc.integer({ min: -50, max: 50 }), (xs, k) => {
        const r = Stats.rotate(xs, k)
        assert.deepStrictEqual([...r].sort(), [...xs].sort())
      })
    )
  })
})

describe("rate-limit arithmetic", () => {
  it("ideal span: full windows back to back", () => {
    assert.strictEqual(Analysis.idealSpanSeconds(20, 20, 5), 0)
    assert.strictEqual(Analysis.idealSpanSeconds(21, 20, 5), 5)
    assert.strictEqual(Analysis.idealSpanSeconds(100, 20, 5), 20)
  })

  it("extraction bound is the larger of the rate limit's and the job durations'", () => {
    const data = { minRequests: 150, count: 100, windowSeconds: 10, days: 30, jobMillis: 500 }
    assert.strictEqual(Analysis.boundSeconds(data, 4), 10)
    assert.strictEqual(Analysis.boundSeconds(data, 1), 15)
  })

  it("request statistics count only API calls, split successes from 429s", () => {
    const at = (atMillis: number, status: number, path = "/api/v2/x") => ({
      method: "GET",
      path,
      search: "",
      status,
      atMillis
    })
    const stats = Analysis.requestStats([at(0, 200, "/oauth/token"), at(10, 202), at(20, 429), at(1010, 200)])
    assert.deepStrictEqual(stats, { total: 3, ok: 2, rateLimited: 1, spanMillis: 1000 })
  })
})

describe("checksum", () => {
  it("does not depend on order and changes when an id is lost or duplicated", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uuid(), { minLength: 2, maxLength: 50 }), (ids) => {
        const sum = Checksum.of(ids)
        assert.strictEqual(Checksum.of([...ids].reverse()), sum)
        assert.notStrictEqual(Checksum.of(ids.slice(1)), sum)
      })
    )
  })
})

describe("memory rounds", () => {
  const MiB = 2 ** 20
  const run = (variant: string, rep: number, peakMiB: number) => ({
    variant,
    rep,
    order: 0,
    emulatorCpuMillis: 0,
    contender: "ours" as const,
    conversations: 1,
    checksum: 0,
    jobs: [],
    rateLimited: 0,
    wallMillis: 1,
    cpuUserMillis: 1,
    cpuSystemMillis: 0,
    baselineRssBytes: 50 * MiB,
    peakRssBytes: peakMiB * MiB,
    sampledPeakRssBytes: peakMiB * MiB
  })
  const size = (conversations: number, peaks: ReadonlyArray<number>) => ({
    conversations,
    // Rounds recorded out of order: the report lists them in round order.
    runs: peaks.map((p, rep) => run("ours", rep, p)).reverse()
  })

  it("growth is the median peak at the larger size over the median at the smaller; each round is kept", () => {
    const m = Analysis.memory({
      sizes: [size(100, [100, 300, 110]), size(1_000, [120, 105, 400])],
      pageSize: 10,
      gcSampleMillis: 100,
      reps: 3
    })
    assert.strictEqual(m.reps, 3)
    assert.strictEqual(m.sizes[0]!.peakRssMiB.ours, 110)
    assert.strictEqual(m.sizes[1]!.peakRssMiB.ours, 120)
    assert.deepStrictEqual(m.sizes[0]!.peakRssRoundsMiB?.ours, [100, 300, 110])
    assert.strictEqual(m.growth.ours, 1.091)
  })
})
