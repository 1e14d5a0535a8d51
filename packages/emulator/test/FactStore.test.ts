// The aggregate store answers exactly as the fold over freshly generated conversations does.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fc from "fast-check"
import * as AggregateTruth from "../src/AggregateTruth.js"
import * as Emulator from "../src/Emulator.js"
import * as Generator from "../src/Generator.js"
import * as Engine from "../src/internal/data/aggregates.js"
import * as FactStore from "../src/internal/data/factStore.js"
import { parseArgs } from "../src/internal/http/cli.js"
import { call } from "./EmulatorCall.js"

const DAY = 86_400_000
const dataset = Generator.make({ seed: 5, startDate: "2026-01-05", days: 3, perDay: 60 })
const store = FactStore.build(dataset)
const start = Date.parse("2026-01-05T00:00:00.000Z")
const metrics = ["nOffered", "nOutbound", "nConnected", "tHandle", "tTalk", "tAcd", "nTransferred"]

describe("FactStore", () => {
  it("holds every fact of every conversation", () => {
    let facts = 0
    for (let i = 0; i < dataset.size; i++) {
      facts += Engine.factsOf(
        dataset,
        i,
        Number.NEGATIVE_INFINITY,
        Number.POSITIVE_INFINITY,
        Number.POSITIVE_INFINITY
      ).length
    }
    assert.strictEqual(store.offsets[dataset.size], facts)
    assert.isAbove(facts, 5 * dataset.size)
  })

  it("answers every query without a filter, grouped by nothing or mediaType, as the conversations do", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -12, max: 3 * 24 + 12 }),
        fc.integer({ min: 1, max: 4 * 24 }),
        fc.constantFrom(undefined, "PT1H", "PT30M", "P1D", "P1W"),
        fc.constantFrom<ReadonlyArray<string>>([], ["mediaType"]),
        fc.subarray(metrics, { minLength: 1 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 4 * 24 }),
        (fromHour, hours, granularity, groupBy, wanted, implicitMediaType, flatten, nowHour) => {
          const from = start + fromHour * 3_600_000
          const query = {
            interval: `${new Date(from).toISOString()}/${new Date(from + hours * 3_600_000).toISOString()}`,
            metrics: wanted,
            groupBy,
            ...(granularity !== undefined ? { granularity } : {}),
            ...(flatten ? { flattenMultivaluedDimensions: true } : {})
          }
          const plan = AggregateTruth.plan(query, { nowMillis: start + nowHour * 3_600_000, implicitMediaType })!
          assert.deepStrictEqual(Engine.compute(dataset, plan, store), Engine.compute(dataset, plan))
        }
      ),
      { numRuns: 60 }
    )
  })

  it("leaves a query it does not hold (a filter, another dimension) to the conversations", () => {
    const nowMillis = start + 4 * DAY
    const byQueue = AggregateTruth.plan(
      { interval: "2026-01-05T00:00:00.000Z/2026-01-08T00:00:00.000Z", metrics: ["nOffered"], groupBy: ["queueId"] },
      { nowMillis }
    )!
    const filtered = AggregateTruth.plan(
      {
        interval: "2026-01-05T00:00:00.000Z/2026-01-08T00:00:00.000Z",
        metrics: ["nOffered"],
        filter: { type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }
      },
      { nowMillis }
    )!
    for (const plan of [byQueue, filtered]) {
      const answer = Engine.compute(dataset, plan, store)
      assert.deepStrictEqual(answer, Engine.compute(dataset, plan))
      assert.isAbove(answer.results.length, 0)
    }
  })

  it.effect("an emulator with the store answers the volume query an extraction plans with byte for byte", () =>
    Effect.gen(function* () {
      const options = { seed: 5, startDate: "2026-01-05", days: 3, perDay: 60 }
      const body = {
        interval: "2026-01-05T00:00:00.000Z/2026-01-08T00:00:00.000Z",
        granularity: "PT1H",
        metrics: ["nOffered", "nOutbound"]
      }
      const answers = yield* Effect.forEach([false, true], (aggregateStore) =>
        Effect.gen(function* () {
          const emu = yield* Emulator.make({ ...options, aggregateStore })
          const token = yield* emu.issueToken
          return yield* call(emu, "POST", "/api/v2/analytics/conversations/aggregates/query", token, body)
        })
      )
      assert.strictEqual(answers[0]!.status, 200)
      assert.deepStrictEqual(answers[1], answers[0])
    })
  )

  it("the bin's --aggregate-store sets the option", () => {
    const parsed = parseArgs(["--port", "0", "--aggregate-store"])
    assert.strictEqual(parsed._tag, "Ok")
    if (parsed._tag === "Ok") assert.isTrue(parsed.options.aggregateStore)
    assert.strictEqual(parseArgs(["--port", "0", "--aggregate-store=yes"])._tag, "Invalid")
  })
})
