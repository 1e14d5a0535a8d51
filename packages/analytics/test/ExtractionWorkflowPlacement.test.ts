// Placement on a cluster: an extraction of several runners counts its windows, starts the largest first and spreads
// their expected requests over the runners (each runner's token carries its windows' requests); one runner counts
// nothing. The cluster is a stand-in `Placement` over the in-memory engine: it answers which runner an id lands on.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Effect, Exit, Layer, TestClock } from "effect"
import * as Crypto from "node:crypto"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as Interval from "../src/Interval.js"
import * as PageSink from "../src/PageSink.js"
import { DAY, day0, emulatorOptions, HOUR } from "./ExtractionFixtures.js"
import { AuditRecords, clientLayer, drive, requestsTo } from "./GenesysHttpFixtures.js"

const days = 7
const week = Interval.format(day0, day0 + days * DAY)
const anchorMillis = day0 + (days + 1) * DAY + 10 * HOUR
const pageSize = 25
const lanes = Array.from({ length: 12 }, (_, i) => i)

/** Which runner an id lands on: a fixed hash of the id over `runners`. */
const landing = (runners: ReadonlyArray<string>) => (id: string) =>
  runners[Crypto.createHash("sha256").update(id).digest()[0]! % runners.length]!

const engineWith = (sink: PageSink.PageSink<unknown>, runnerOf: (id: string) => string) =>
  ExtractionWorkflow.layer.pipe(
    Layer.provideMerge(
      Layer.effect(
        ExtractionWorkflow.Environment,
        Effect.map(ExtractionWorkflow.Environment, (env) => ({
          ...env,
          placement: { runnersOf: (ids: ReadonlyArray<string>) => Effect.succeed(ids.map(runnerOf)) }
        }))
      ).pipe(Layer.provide(ExtractionWorkflow.layerEnvironment({ sink })))
    ),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )

const withWeek = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    return yield* body.pipe(
      Effect.provide(
        clientLayer(
          {
            ...emulatorOptions,
            days,
            anchorMillis,
            jobs: { ...emulatorOptions.jobs, availabilityLagMillis: 30 * HOUR }
          },
          { paging: { jobPageSize: pageSize } }
        )
      )
    )
  })

/** Runs the week's extraction on a cluster whose ids land by `runnerOf`: the runner each window ran on, and more. */
const extractOn = (runnerOf: (id: string) => string) =>
  Effect.gen(function* () {
    const plan = yield* Extraction.plan({ interval: week })
    const sink = PageSink.memory()
    const ranOn = new Map<string, string>()
    const exit = yield* Effect.gen(function* () {
      const exit = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 3 }))
      for (const window of plan.windows) {
        for (const lane of lanes) {
          const id = yield* ExtractionWorkflow.WindowWorkflow.executionId({
            org: "default",
            sink: null,
            generation: 0,
            planHash: plan.planHash,
            window,
            filters: plan.filters,
            watermark: plan.watermark,
            maxResubmissions: 2,
            lane
          })
          if ((yield* ExtractionWorkflow.WindowWorkflow.poll(id))?._tag === "Complete")
            ranOn.set(window.id, runnerOf(id))
        }
      }
      return exit
    }).pipe(Effect.provide(engineWith(sink, runnerOf)))
    const emulator = yield* Emulator.Emulator
    const sizes = new Map<string, number>()
    for (const w of plan.windows) sizes.set(w.id, (yield* emulator.groundTruthSync({ interval: w.interval })).length)
    const submitted = (yield* requestsTo("POST", "/api/v2/analytics/conversations/details/jobs")).length
    // Sync queries over a job window are its count (query windows read the tail past the watermark).
    const jobIntervals = new Set(plan.windows.filter((w) => w.kind === "job").map((w) => w.interval))
    const counts = (yield* AuditRecords).filter((e) => e.type === "query.sent" && jobIntervals.has(e.window!)).length
    const submittedIntervals = (yield* AuditRecords).filter((e) => e.type === "job.submitted").map((e) => e.window!)
    const ids = sink.written.map((c) => c.conversationId!)
    const truth = yield* emulator.groundTruthSync({ interval: week })
    return { plan, exit, ranOn, sizes, submitted, submittedIntervals, counts, ids, truth }
  })

describe("ExtractionWorkflow placement on a cluster", () => {
  it.effect("several runners: windows are counted, the largest start first, requests spread over the runners", () =>
    withWeek(
      Effect.gen(function* () {
        const runners = ["runner-1", "runner-2", "runner-3"]
        const run = yield* extractOn(landing(runners))
        assert.isTrue(Exit.isSuccess(run.exit))
        assert.deepStrictEqual([...run.ids].sort(), [...run.truth].sort())
        const jobWindows = run.plan.windows.filter((w) => w.kind === "job")
        assert.strictEqual(jobWindows.length, days)
        // One count per window, then one job each.
        assert.strictEqual(run.counts, days)
        assert.strictEqual(run.submitted, days)
        // The first jobs submitted are the largest windows (a weekend holds far fewer conversations than a weekday).
        const submittedSizes = run.submittedIntervals.map(
          (interval) => run.sizes.get(jobWindows.find((w) => w.interval === interval)!.id)!
        )
        // (The three in flight at first are submitted together, in any order.)
        assert.deepStrictEqual(
          submittedSizes.slice(0, 3).sort((a, b) => b - a),
          [...submittedSizes].sort((a, b) => b - a).slice(0, 3)
        )
        // Every runner got work, and their expected requests differ by less than the largest window's.
        const load = new Map(runners.map((r) => [r, 0]))
        for (const w of jobWindows) {
          const runner = run.ranOn.get(w.id)!
          load.set(runner, load.get(runner)! + 2 + Math.ceil(run.sizes.get(w.id)! / pageSize))
        }
        const largest = Math.max(...jobWindows.map((w) => 2 + Math.ceil(run.sizes.get(w.id)! / pageSize)))
        assert.isTrue([...load.values()].every((n) => n > 0))
        assert.isBelow(Math.max(...load.values()) - Math.min(...load.values()), largest + days)
      })
    )
  )

  it.effect("one runner: nothing is counted and windows start in the plan's order", () =>
    withWeek(
      Effect.gen(function* () {
        const run = yield* extractOn(() => "runner-1")
        assert.isTrue(Exit.isSuccess(run.exit))
        assert.deepStrictEqual([...run.ids].sort(), [...run.truth].sort())
        assert.strictEqual(run.counts, 0)
        assert.deepStrictEqual(
          run.submittedIntervals.slice(0, 3).sort(),
          run.plan.windows
            .filter((w) => w.kind === "job")
            .slice(0, 3)
            .map((w) => w.interval)
            .sort()
        )
      })
    )
  )
})
