/**
 * The bench harness on a tiny dataset: every contender process (ours over fetch and over Node http, the
 * official SDK, the raw floor over fetch and over Node http) extracts exactly the emulator's ground truth — count and id checksum — in the
 * throughput flow and in the planned extraction, and the report renders from the figures. Children run the
 * built `dist` entries (`npm test` builds first).
 */
import { assert, describe, it } from "@effect/vitest"
import * as Analysis from "../src/analysis.js"
import * as Latency from "../src/latency.js"
import * as Report from "../src/report.js"
import { cleanup } from "../src/runContender.js"
import * as Scenarios from "../src/scenarios.js"
import * as Settings from "../src/settings.js"

const tiny: Settings.Settings = {
  ...Settings.quick,
  throughput: { reps: 1, days: 1, perDay: 150, pageSize: 40, warmUp: false },
  extraction: {
    reps: 1,
    days: 2,
    perDay: 60,
    pageSize: 25,
    concurrency: 2,
    sequential: false,
    count: 1000,
    windowSeconds: 1
  },
  latency: {
    reps: 1,
    days: 1,
    perDay: 60,
    pageSize: 25,
    medianMillis: 5,
    p99Millis: 20,
    count: 300,
    windowSeconds: 60,
    bestEffortJobs: 2,
    floor: true
  },
  runTimeoutMillis: 30_000
}

describe("bench harness", () => {
  it("every throughput contender returns the emulator's ground truth", { timeout: 120_000 }, async () => {
    try {
      const data = await Scenarios.throughput(tiny)
      assert.isAbove(data.conversations, 50)
      assert.deepStrictEqual(data.runs.map((r) => r.variant).sort(), [...Scenarios.throughputVariants].sort())
      const checksums = new Set(data.runs.map((r) => r.checksum))
      assert.strictEqual(checksums.size, 1)
      for (const run of data.runs) {
        assert.strictEqual(run.conversations, data.conversations)
        assert.isAbove(run.cpuUserMillis, 0)
        assert.isAbove(run.peakRssBytes, run.baselineRssBytes / 2)
      }
      const figures = Analysis.throughput(data)
      assert.isAbove(figures.cpuSeconds.ours, 0)
      const md = Report.markdown({
        command: "test",
        mode: "quick",
        generatedAt: new Date(0).toISOString(),
        durationSeconds: 0,
        scenarioSeconds: {},
        machine: {
          nproc: 2,
          cpuModel: "test",
          memoryGiB: 1,
          node: process.version,
          platform: "test",
          loadAverage: { start: 0, end: 0 }
        },
        throughput: figures
      })
      assert.include(md, `**${data.conversations.toLocaleString("en-US")} conversations**`)
      // Ours over Node's `http` is compared with the floor over the same transport, which is also set beside the SDK.
      assert.isTrue(Number.isFinite(figures.ratios.cpu.floorNodeToSdk))
      assert.include(md, "| ours over `NodeHttpClient` / floor over Node's `http` (`http.request` + `JSON.parse`) |")
      assert.include(md, "| floor over Node's `http` (`http.request` + `JSON.parse`) / SDK |")
    } finally {
      cleanup()
    }
  })

  it("planned extraction: each contender's day windows de-duplicate to the ground truth", {
    timeout: 120_000
  }, async () => {
    try {
      // `extraction` checks count and checksum of every run against the dataset and throws on a mismatch.
      const data = await Scenarios.extraction(tiny)
      assert.strictEqual(data.runs.length, 3)
      for (const run of data.runs) assert.strictEqual(run.conversations, data.conversations)
      const figures = Analysis.extraction(data)
      assert.strictEqual(figures.variants.length, 3)
      for (const v of figures.variants) assert.isAtLeast(v.okRequests, data.days * 3)
    } finally {
      cleanup()
    }
  })

  it("realistic latency: every variant returns the dataset under latency and the default job model", {
    timeout: 120_000
  }, async () => {
    try {
      // `latency` checks count and checksum of every run against the dataset and throws on a mismatch.
      const data = await Scenarios.latency(tiny)
      assert.deepStrictEqual(data.runs.map((r) => r.variant).sort(), [
        "floor-best-effort",
        "ours",
        "sdk-best-effort",
        "sdk-loop"
      ])
      const figures = Latency.figures(data, {
        command: "test",
        mode: "quick",
        generatedAt: new Date(0).toISOString(),
        loadAverage: { start: 0, end: 0 }
      })
      const of = (v: string) => figures.variants.find((x) => x.variant === v)!
      assert.strictEqual(of("sdk-loop").submitted, 1)
      assert.strictEqual(of("sdk-best-effort").submitted, 2)
      assert.isAtLeast(of("ours").plan?.windows ?? 0, 1)
      // No run finishes before the bound: one job takes 3 s at least.
      for (const v of figures.variants) assert.isAbove(v.wallSeconds, figures.bound.jobSeconds)
      assert.include(Latency.section(figures), "**Bound:")
    } finally {
      cleanup()
    }
  })
})
