import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Effect, Exit, Layer, TestClock } from "effect"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as Interval from "../src/Interval.js"
import * as PageSink from "../src/PageSink.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

const DAY = Interval.DAY_MILLIS
const HOUR = 3_600_000
const day0 = Date.parse("2026-01-05T00:00:00.000Z")
const anchorMillis = day0 + 3 * DAY + 10 * HOUR
const watermarkMillis = day0 + DAY + 4 * HOUR
const emulatorOptions: EmulatorOptions.Input = {
  seed: 11,
  startDate: "2026-01-05",
  days: 3,
  perDay: 80,
  anchorMillis,
  jobs: {
    queueMillis: 1_000,
    runMillis: 2_000,
    runMillisPerConversation: 0,
    resultsDefaultPageSize: 25,
    availabilityLagMillis: anchorMillis - watermarkMillis
  }
}
const threeDays = Interval.format(day0, day0 + 3 * DAY)

const engineWith = (sink: PageSink.PageSink<unknown>) =>
  ExtractionWorkflow.layer.pipe(
    Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )

const withEmulator = <A, E, R>(body: Effect.Effect<A, E, R>, emulator: EmulatorOptions.Input = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    return yield* body.pipe(
      Effect.provide(clientLayer({ ...emulatorOptions, ...emulator }, { paging: { jobPageSize: 25 } }))
    )
  })

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

describe("ExtractionWorkflow on the in-memory engine", () => {
  it.effect("extracts exactly the ground truth across job and query windows, with reconciliation", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const sink = PageSink.memory()
        const exit = yield* drive(
          ExtractionWorkflow.run(plan, { reconcile: true, concurrency: 2 }).pipe(Effect.provide(engineWith(sink)))
        )
        if (Exit.isFailure(exit)) console.log(Cause.pretty(exit.cause))
        assert.isTrue(Exit.isSuccess(exit))
        if (!Exit.isSuccess(exit)) return
        const report = exit.value
        const ids = sink.written.map((c) => c.conversationId!)
        assert.strictEqual(new Set(ids).size, ids.length)
        const truth = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval: threeDays }))
        assert.deepStrictEqual(sorted(ids), sorted(truth))
        assert.isTrue(report.complete)
        assert.strictEqual(report.totals.conversations, ids.length)
        assert.isTrue(report.reconciled)
        assert.strictEqual(report.windows.length, plan.windows.length)
      })
    )
  )
})
