/** Scenario 6's arithmetic (bound, mean latency, equal windows) and the marked sections of docs/benchmarks.md. */
import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { equalWindows } from "../src/contenders/handLoop.js"
import * as Latency from "../src/latency.js"
import * as Sections from "../src/sections.js"

const { queueMillis, runMillis, runMillisPerConversation, maxConcurrent } = EmulatorOptions.defaultJobs
const data = {
  conversations: 60_600,
  jobs: { queueMillis, runMillis, runMillisPerConversation, maxConcurrent },
  latency: { medianMillis: 150, p99Millis: 600 },
  pageSize: 1000,
  count: 300,
  windowSeconds: 60
}

describe("scenario 6 bound", () => {
  it("mean of the log-normal: median · e^(σ²/2)", () => {
    assert.closeTo(Latency.meanLatencyMillis({ medianMillis: 150, p99Millis: 600 }), 179.1, 0.1)
    assert.strictEqual(Latency.meanLatencyMillis({ medianMillis: 80, p99Millis: 80 }), 80)
  })

  it("job time over the slots plus a login, a submission, a status and one job's pages", () => {
    const b = Latency.bound(data)
    assert.strictEqual(b.jobs, 5)
    assert.strictEqual(b.conversationsPerJob, 12_120)
    assert.strictEqual(b.pagesPerJob, 13)
    assert.closeTo(b.jobSeconds, 1 + 2 + 12.12, 1e-9)
    assert.closeTo(b.latencySeconds, (Latency.meanLatencyMillis(data.latency) * 16) / 1000, 0.01)
    assert.strictEqual(b.requests, 5 * 15)
    assert.strictEqual(b.rateSeconds, 0)
    assert.closeTo(b.seconds, b.jobSeconds + b.latencySeconds, 0.01)
  })

  it("the rate limit bounds it when the plan's requests do not fit in one window", () => {
    const b = Latency.bound({ ...data, pageSize: 10, count: 50, windowSeconds: 60 })
    assert.isAbove(b.rateSeconds, b.jobSeconds + b.latencySeconds)
    assert.strictEqual(b.seconds, b.rateSeconds)
  })
})

describe("scenario 6 figures", () => {
  const results = "/api/v2/analytics/conversations/details/jobs/j1/results"
  const request = (path: string, method = "GET", status = 200) => ({ method, path, search: "", status, atMillis: 0 })
  const run = (variant: "ours" | "sdk-loop", rep: number, emulatorCpuMillis: number, pages: number) => ({
    contender: variant === "ours" ? ("ours" as const) : ("sdk" as const),
    variant,
    rep,
    order: 0,
    emulatorCpuMillis,
    conversations: 60_600,
    checksum: 1,
    jobs: [],
    rateLimited: 0,
    wallMillis: 20_000,
    cpuUserMillis: 1_000,
    cpuSystemMillis: 0,
    baselineRssBytes: 0,
    peakRssBytes: 0,
    sampledPeakRssBytes: 0,
    requests: [
      request("/api/v2/analytics/conversations/details/jobs", "POST", 202),
      request("/api/v2/analytics/conversations/details/jobs/j1"),
      request(results, "GET", 429),
      ...Array.from({ length: pages }, () => request(results))
    ]
  })

  it("counts each variant's pages and its emulator's CPU per page, and the section says the emulator builds results while jobs run", () => {
    const f = Latency.figures(
      {
        days: 30,
        perDay: 2_020,
        pollMillis: 1_000,
        ...data,
        variants: [
          { variant: "ours", contender: "ours", jobs: 0 },
          { variant: "sdk-loop", contender: "sdk", jobs: 1 }
        ],
        runs: [run("ours", 0, 6_600, 66), run("sdk-loop", 0, 6_100, 61)]
      },
      { command: "npm run bench -- --only 6", mode: "full", generatedAt: "now", loadAverage: { start: 0, end: 0 } }
    )
    assert.deepStrictEqual(
      f.variants.map((v) => [v.variant, v.pages, v.emulatorCpuPerPageMillis]),
      [
        ["ours", 66, 100],
        ["sdk-loop", 61, 100]
      ]
    )
    const text = Latency.section(f).replace(/\s+/g, " ")
    assert.include(text, "divided by the result pages it served, was a median 100 ms per page in this run")
    assert.include(text, "builds a job's results into its cache while the job runs")
    assert.include(text, "latencyAlone.js")
  })
})

describe("equal windows", () => {
  it("cut the interval into contiguous parts of equal length", () => {
    const windows = equalWindows("2026-01-01T00:00:00.000Z/2026-01-31T00:00:00.000Z", 4)
    assert.deepStrictEqual(windows, [
      "2026-01-01T00:00:00.000Z/2026-01-08T12:00:00.000Z",
      "2026-01-08T12:00:00.000Z/2026-01-16T00:00:00.000Z",
      "2026-01-16T00:00:00.000Z/2026-01-23T12:00:00.000Z",
      "2026-01-23T12:00:00.000Z/2026-01-31T00:00:00.000Z"
    ])
    assert.deepStrictEqual(equalWindows("2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z", 1), [
      "2026-01-01T00:00:00.000Z/2026-01-02T00:00:00.000Z"
    ])
  })
})

describe("marked sections", () => {
  const aggregates =
    "<!-- aggregates-bench:start (written by `npm run bench:aggregates`) -->\n## A\n<!-- aggregates-bench:end -->"
  const cluster = "<!-- bench:cluster:begin -->\n## C\n<!-- bench:cluster:end -->"
  const other = "<!-- freshness:begin -->\n## F\n<!-- freshness:end -->"
  const previous = `# Benchmarks\n\nold main part\n\n${aggregates}\n\n${cluster}\n\n${other}\n`

  it("a regenerated main part keeps every other writer's section, in order", () => {
    const md = Sections.keepMarked("# Benchmarks\n\nnew main part\n", previous)
    assert.strictEqual(md, `# Benchmarks\n\nnew main part\n\n${aggregates}\n\n${cluster}\n\n${other}\n`)
    assert.strictEqual(Sections.keepMarked("x\n", undefined), "x\n")
  })

  it("a section is replaced in place, or appended", () => {
    const block = (text: string) => `${Latency.sectionBegin}\n${text}\n${Latency.sectionEnd}\n`
    const once = Sections.replaceBlock(previous, Latency.sectionBegin, Latency.sectionEnd, block("first"))
    assert.strictEqual(once, `${previous.trimEnd()}\n\n${block("first")}`)
    const twice = Sections.replaceBlock(once, Latency.sectionBegin, Latency.sectionEnd, block("second"))
    assert.strictEqual(twice, `${previous.trimEnd()}\n\n${block("second")}`)
    assert.strictEqual(Sections.replaceBlock("", Latency.sectionBegin, Latency.sectionEnd, block("b")), block("b"))
    assert.deepStrictEqual(
      Sections.markedBlocks(twice).map((b) => b.begin),
      [
        "<!-- aggregates-bench:start (written by `npm run bench:aggregates`) -->",
        "<!-- bench:cluster:begin -->",
        "<!-- freshness:begin -->",
        Latency.sectionBegin
      ]
    )
  })
})
