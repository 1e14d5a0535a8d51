// Runs the examples of docs/extraction.md and docs/metrics.md against the in-process emulator.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, TestClock } from "effect"
import * as AnalyticsMetrics from "../src/AnalyticsMetrics.js"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { docExamples } from "./DocExamples.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

const DAY = 86_400_000
const day0 = Date.parse("2026-01-05T00:00:00.000Z")
const now = day0 + 3 * DAY + 10 * 3_600_000

const TestLayer = Layer.merge(
  clientLayer(
    { seed: 3, startDate: "2026-01-05", days: 3, perDay: 60, anchorMillis: now, jobs: { availabilityLagMillis: DAY } },
    { paging: { jobPageSize: 50 } }
  ),
  CheckpointStore.layerMemory
)

const inEmulatorTime = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(now)
    return yield* drive(effect.pipe(Effect.provide(TestLayer)))
  })

describe("docs/extraction.md and docs/metrics.md examples", () => {
  it("the guides show exactly the code these tests run", () => {
    const extraction = docExamples("extraction.md", import.meta.filename)
    const metrics = docExamples("metrics.md", import.meta.filename)
    const shown = [...extraction.check(3), ...metrics.check(1)]
    assert.deepStrictEqual(shown.sort(), [...extraction.regions].sort(), "every region here is shown in a guide")
    const metricsGuide = metrics.markdown
    for (const name of Object.values(AnalyticsMetrics.names)) assert.include(metricsGuide, `\`${name}\``)
  })

  it.effect("plan-and-run", () =>
    Effect.gen(function* () {
      const exit = yield* inEmulatorTime(
        Effect.gen(function* () {
          // docs:plan-and-run
          const plan = yield* Extraction.plan({
            interval: "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z",
            segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }]
          })
          yield* Effect.log(Extraction.formatPlan(plan)) // the dry run: windows, watermark
          const sink = ExtractionSink.memory()
          const report = yield* Extraction.run(plan, sink, { concurrency: 2, reconcile: true })
          yield* Effect.log(Extraction.formatReport(report))
          // /docs
          const emulator = yield* Emulator.Emulator
          const expected = yield* emulator.groundTruthSync({
            interval: "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z",
            segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }]
          })
          return { plan, report, written: sink.written.map((c) => c.conversationId), expected }
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (!Exit.isSuccess(exit)) return
      const { expected, plan, report, written } = exit.value
      assert.deepStrictEqual([...written].sort(), [...expected].sort())
      assert.isTrue(plan.windows.some((w) => w.kind === "job") && plan.windows.some((w) => w.kind === "query"))
      assert.isTrue(report.complete)
      assert.strictEqual(report.accuracy, 1)
    })
  )

  it.effect("resume", () =>
    Effect.gen(function* () {
      const exit = yield* inEmulatorTime(
        Effect.gen(function* () {
          const plan = yield* Extraction.plan({ interval: "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z" })
          const sink = ExtractionSink.memory()
          let pages = 0
          const crashing: ExtractionSink.ExtractionSink<string> = {
            ...sink,
            write: (batch) => (++pages > 2 ? Effect.fail("killed") : sink.write(batch))
          }
          yield* Effect.either(Extraction.run(plan, crashing, { checkpointKey: "nightly-2026-01-07" }))
          // docs:resume
          const store = yield* CheckpointStore.CheckpointStore
          const saved = yield* store.load("nightly-2026-01-07")
          if (Option.isSome(saved)) {
            yield* Effect.log(`resuming ${saved.value.windows.filter((w) => w.state !== "done").length} windows`)
          }
          const report = yield* Extraction.run(plan, sink, { checkpointKey: "nightly-2026-01-07" })
          // /docs
          return { report, written: sink.written.map((c) => c.conversationId) }
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (!Exit.isSuccess(exit)) return
      assert.isTrue(exit.value.report.windows.some((w) => w.resumed))
      assert.strictEqual(new Set(exit.value.written).size, exit.value.written.length)
    })
  )

  it.effect("custom-sink", () =>
    Effect.gen(function* () {
      const exit = yield* inEmulatorTime(
        Effect.gen(function* () {
          const plan = yield* Extraction.plan({ interval: "2026-01-06T00:00:00Z/2026-01-07T00:00:00Z" })
          // docs:custom-sink
          const lines: Array<string> = []
          const ndjsonInMemory: ExtractionSink.ExtractionSink = {
            open: (resumeFrom) =>
              Effect.sync(() => {
                lines.length = Option.getOrElse(resumeFrom, () => 0) as number
              }),
            write: (batch) => Effect.sync(() => void lines.push(...batch.map((c) => JSON.stringify(c)))),
            position: Effect.sync(() => lines.length),
            close: Effect.void
          }
          const report = yield* Extraction.run(plan, ndjsonInMemory)
          // /docs
          return { report, lines }
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.lines.length, exit.value.report.totals.conversations)
    })
  )

  it.effect("latency-summary", () =>
    Effect.gen(function* () {
      const exit = yield* inEmulatorTime(
        Effect.gen(function* () {
          const plan = yield* Extraction.plan({ interval: "2026-01-06T00:00:00Z/2026-01-07T00:00:00Z" })
          // docs:latency-summary
          const before = yield* AnalyticsMetrics.snapshot
          const report = yield* Extraction.run(plan, ExtractionSink.memory())
          yield* Effect.log(Extraction.formatLatency(report)) // phases and routes: count, p50, p95, p99, max
          const routes = AnalyticsMetrics.summarize(yield* AnalyticsMetrics.snapshot, before)
          // /docs
          return { report, routes }
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (!Exit.isSuccess(exit)) return
      const { report, routes } = exit.value
      assert.deepStrictEqual(
        report.phases.map((p) => p.phase),
        ["submit", "await", "firstPage", "paging", "window", "total"]
      )
      assert.isTrue(routes.some((r) => r.route.includes("/details/jobs/{jobId}/results")))
      assert.include(Extraction.formatLatency(report), "phase await")
    })
  )
})
