// Extraction.plan validates like ConversationDetails: with the configured validator options (GenesysConfig's
// `validator`, or PlanOptions.validator), warnings recorded once as audit events, and its sync-query tail held to the
// sync rules before anything is extracted.
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, Option, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { QueryInvalid } from "../src/GenesysError.js"
import type * as GenesysConfig from "../src/GenesysConfig.js"
import * as Interval from "../src/Interval.js"
import { AuditRecords, clientLayer, drive } from "./GenesysHttpFixtures.js"

const DAY = Interval.DAY_MILLIS
const day0 = Date.parse("2026-01-05T00:00:00.000Z")
// Twelve days after the data starts, with the watermark still at its first day: every window is a sync query.
const anchorMillis = day0 + 12 * DAY
const emulator: EmulatorOptions.Input = {
  seed: 3,
  startDate: "2026-01-05",
  days: 3,
  perDay: 10,
  anchorMillis,
  jobs: { availabilityLagMillis: 12 * DAY }
}
const tenDays = Interval.format(day0, day0 + 10 * DAY)
const oddFilter = { segmentFilters: [{ type: "and", predicates: [{ dimension: "purpose", value: "Customr" }] }] }

const planWith = (query: unknown, client: Partial<GenesysConfig.Options>, options?: Extraction.PlanOptions) =>
  Effect.gen(function* () {
    // The emulator reads the clock when it is built: set it first.
    yield* TestClock.setTime(anchorMillis)
    return yield* Effect.gen(function* () {
      const exit = yield* Effect.exit(Extraction.plan(query, options))
      const events = yield* AuditRecords
      return { exit, warnings: events.filter((e) => e.type === "query.warning") }
    }).pipe(Effect.provide(Layer.merge(clientLayer(emulator, client), CheckpointStore.layerMemory)))
  })

const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
const rulesOf = (exit: Exit.Exit<unknown, unknown>) => {
  const error = failure(exit)
  return error instanceof QueryInvalid ? error.issues.map((i) => i.rule) : [String(error)]
}

describe("Extraction.plan validation", () => {
  it.effect("uses GenesysConfig's validator options: strict refuses a query that only has warnings", () =>
    Effect.gen(function* () {
      const query = { interval: Interval.format(day0, day0 + DAY), ...oddFilter }
      const lenient = yield* planWith(query, {})
      assert.isTrue(Exit.isSuccess(lenient.exit))
      assert.deepStrictEqual(
        lenient.warnings.map((w) => w.status),
        ["vocabulary.value"]
      )
      assert.include(lenient.warnings[0]?.detail, 'did you mean "customer"')
      const strict = yield* planWith(query, { validator: { strict: true } })
      assert.deepStrictEqual(rulesOf(strict.exit), ["vocabulary.value"])
      const overridden = yield* planWith(query, { validator: { strict: true } }, { validator: {} })
      assert.isTrue(Exit.isSuccess(overridden.exit), "PlanOptions.validator wins over the configuration")
    })
  )

  it.effect("holds the sync-query tail to the sync rules: an unfiltered 10-day query window is refused", () =>
    Effect.gen(function* () {
      const unfiltered = yield* planWith({ interval: tenDays }, {}, { queryWindow: "10 days" })
      assert.deepStrictEqual(rulesOf(unfiltered.exit), ["interval.maxDays"])
      const filtered = yield* planWith(
        {
          interval: tenDays,
          segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }]
        },
        {},
        { queryWindow: "10 days" }
      )
      assert.isTrue(Exit.isSuccess(filtered.exit))
      const daily = yield* planWith({ interval: tenDays }, {})
      assert.isTrue(Exit.isSuccess(daily.exit), "one-day windows are within the unfiltered limit")
    })
  )

  it.effect("a window of a validated plan is not validated again: its warnings are reported once, not per window", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(anchorMillis)
      const logs: Array<string> = []
      const logger = Logger.make(({ logLevel, message }) => {
        if (logLevel._tag === "Warning") logs.push(String(message))
      })
      const written = yield* Effect.gen(function* () {
        const planned = yield* Extraction.plan({ interval: Interval.format(day0, day0 + 3 * DAY), ...oddFilter })
        assert.strictEqual(planned.windows.length, 3)
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(planned, sink))
        assert.isTrue(Exit.isSuccess(exit))
        const events = yield* AuditRecords
        assert.strictEqual(events.filter((e) => e.type === "query.warning").length, 1)
        return sink.written.length
      }).pipe(
        Effect.provide(Layer.merge(clientLayer(emulator), CheckpointStore.layerMemory)),
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      assert.isAtLeast(written, 0)
      assert.deepStrictEqual(
        logs.filter((l) => l.includes("Customr")).length,
        1,
        `warnings logged: ${JSON.stringify(logs)}`
      )
    })
  )
})
