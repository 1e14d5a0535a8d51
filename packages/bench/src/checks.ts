/**
 * Bench checks: bounds on wall time and heap that used to be unit tests. A unit suite runs on a shared, noisy
 * machine next to other suites, so a timed or heap-bound assertion there can fail on a correct build or pass on a
 * regressed one by luck; here each runs alone in the bench process, its figures are reported next to the bound,
 * and a failed check fails the bench run (exit 1). Every check states the unit test it replaces.
 *
 * @since 0.1.0
 */
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as GenesysAuth from "@effect-genesys/analytics/GenesysAuth"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as Generator from "@effect-genesys/emulator/Generator"
import * as GroundTruth from "@effect-genesys/emulator/GroundTruth"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Stream from "effect/Stream"
import * as TestContext from "effect/TestContext"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import type { Settings } from "./settings.js"

/** The outcome of one check. @since 0.1.0 */
export interface CheckResult {
  readonly name: string
  /** The unit test this check replaces (file and test name). */
  readonly movedFrom: string
  /** The bound, in words. */
  readonly bound: string
  /** What was measured, in words. */
  readonly measured: string
  readonly passed: boolean
}

/** Each check and the unit test it replaces, for the report when a run has no check results. @since 0.1.0 */
export const moved: ReadonlyArray<{ readonly check: string; readonly movedFrom: string }> = [
  {
    check: "a job streamed through runJob keeps heap growth far below the data streamed",
    movedFrom: "packages/analytics/test/Memory.test.ts: a 100 000-conversation job streams with bounded heap growth"
  },
  {
    check: "the emulator computes a large job's ground truth within a time bound",
    movedFrom: "packages/emulator/test/GroundTruth.test.ts: computes a 200 000-conversation job quickly"
  }
]

const MB = 1024 * 1024

// The heap figures are only meaningful after a full collection: what counts is what the stream keeps alive.
const collect = (): (() => void) => {
  setFlagsFromString("--expose-gc")
  return runInNewContext("gc") as () => void
}

const emulatorLayer = (options: { readonly days: number; readonly perDay: number }) => {
  const base = Layer.mergeAll(
    Emulator.layerHttpClient({ seed: 7, startDate: "2026-01-05", days: options.days, perDay: options.perDay }),
    // The in-process emulator's default credentials.
    GenesysConfig.layer({
      apiUrl: Emulator.baseUrl,
      loginUrl: Emulator.baseUrl,
      clientId: "emulator-client",
      clientSecret: "emulator-secret"
    }).pipe(Layer.orDie),
    // A no-op log: the audit trail is not what is measured, and keeping it would add to the heap.
    AuditLog.layerNoop
  )
  const auth = GenesysAuth.layer.pipe(Layer.provideMerge(base))
  const http = GenesysHttp.layerWithoutAuth.pipe(Layer.provideMerge(auth))
  return ConversationDetails.layerWithoutHttp.pipe(Layer.provideMerge(http))
}

/**
 * A job streamed through `runJob` holds one results page at a time: heap growth stays far below the size of the
 * data that went through it. Runs in-process against the emulator on a TestClock (job durations and polls are
 * simulated, so the time is the client's and the emulator's CPU).
 */
const streamingHeap = (settings: Settings["checks"]["streamingHeap"]): Promise<CheckResult> => {
  const gc = collect()
  const days = 2
  const interval = "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z"
  const program = Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const details = yield* ConversationDetails.ConversationDetails
    const expected = (yield* emulator.groundTruthJob({ interval })).length
    const sampleEvery = Math.max(1, Math.floor(expected / 10))
    gc()
    const baseline = process.memoryUsage().heapUsed
    let peak = baseline
    const samples: Array<number> = []
    let count = 0
    let bytes = 0
    const started = Date.now()
    const exit = yield* Effect.exit(
      Emulator.runWithTestClock(
        details.runJob({ interval }).pipe(
          Stream.runForEach((conversation) =>
            Effect.sync(() => {
              count++
              if (count % 500 === 0) bytes += JSON.stringify(conversation).length * 500
              if (count % sampleEvery === 0 && samples.length < 10) {
                gc()
                const used = process.memoryUsage().heapUsed
                samples.push((used - baseline) / MB)
                peak = Math.max(peak, used)
              }
            })
          )
        ),
        { step: "10 seconds" }
      )
    )
    const seconds = (Date.now() - started) / 1000
    // Growth while streaming: from the first sample (a tenth of the job in) to the highest one.
    const growthMb = Math.max(...samples) - samples[0]!
    const overBaselineMb = (peak - baseline) / MB
    const dataMb = bytes / MB
    const bound = settings.heapBoundMb
    const passed =
      Exit.isSuccess(exit) &&
      count === expected &&
      samples.length === 10 &&
      overBaselineMb < bound &&
      growthMb < bound / 3 &&
      dataMb > 2 * bound
    return {
      name: `a ${count.toLocaleString("en-US")}-conversation job streams with bounded heap growth`,
      movedFrom: moved[0]!.movedFrom,
      bound: `peak over baseline < ${bound} MB; growth while streaming < ${(bound / 3).toFixed(0)} MB; data streamed > ${2 * bound} MB`,
      measured: `peak ${overBaselineMb.toFixed(1)} MB; growth ${growthMb.toFixed(1)} MB; ~${dataMb.toFixed(0)} MB of JSON; ${count} of ${expected} conversations in ${seconds.toFixed(1)} s${Exit.isSuccess(exit) ? "" : ` (the job failed: ${Cause.pretty(exit.cause).split("\n")[0]})`}`,
      passed
    }
  })
  return Effect.runPromise(
    program.pipe(
      Effect.provide(emulatorLayer({ days, perDay: settings.perDay })),
      Effect.scoped,
      Effect.provide(TestContext.TestContext),
      // The TestClock warns when a step finds a fiber still busy (here: decoding a page), which is expected and
      // would only clutter the bench output, as it is silenced in the unit suite.
      Logger.withMinimumLogLevel(LogLevel.Error)
    )
  )
}

/** The emulator's ground truth of a large job (what it filters, sorts and serves) is computed in bounded time. */
const groundTruthTime = (settings: Settings["checks"]["groundTruth"]): CheckResult => {
  const dataset = Generator.make({ seed: 3, startDate: "2026-01-05", days: 10, perDay: settings.perDay })
  const started = performance.now()
  const result = GroundTruth.job(
    dataset,
    { interval: "2026-01-05T00:00:00Z/2026-01-15T00:00:00Z" },
    { nowMillis: Date.parse("2100-01-01T00:00:00Z"), availabilityMillis: Date.parse("2026-01-14T12:00:00Z") }
  )
  const millis = performance.now() - started
  const total = 10 * settings.perDay
  return {
    name: `the emulator computes a ${total.toLocaleString("en-US")}-conversation job's ground truth quickly`,
    movedFrom: moved[1]!.movedFrom,
    bound: `< ${settings.boundMillis.toLocaleString("en-US")} ms`,
    measured: `${millis.toFixed(0)} ms for ${result.indices.length.toLocaleString("en-US")} conversations`,
    passed: millis < settings.boundMillis && result.indices.length > 0.9 * total
  }
}

/** Runs every check, one after the other, in this process. @since 0.1.0 */
export const run = async (settings: Settings, log: (line: string) => void): Promise<ReadonlyArray<CheckResult>> => {
  const results: Array<CheckResult> = []
  for (const check of [
    () => streamingHeap(settings.checks.streamingHeap),
    () => groundTruthTime(settings.checks.groundTruth)
  ]) {
    const result = await check()
    log(`check ${result.passed ? "passed" : "FAILED"}: ${result.name}: ${result.measured} (bound ${result.bound})`)
    results.push(result)
  }
  return results
}
