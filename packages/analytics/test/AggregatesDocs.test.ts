// Runs the examples of docs/aggregates.md (the rows example over the emulator's in-process layer) and keeps its rule
// table equal to the aggregate.* entries of the validator's catalog.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import * as AggregateRecord from "../src/AggregateRecord.js"
import * as AggregateReconcile from "../src/AggregateReconcile.js"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import * as NameLookup from "../src/NameLookup.js"
import * as QueryValidator from "../src/QueryValidator.js"
import { Chunk, Effect, Either, Exit, Layer, Stream, TestClock } from "effect"
import { docExamples } from "./DocExamples.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

const guide = docExamples("aggregates.md", import.meta.filename)

describe("docs/aggregates.md", () => {
  it("the guide shows exactly the code these tests run", () => {
    assert.deepStrictEqual([...guide.check(4)].sort(), [...guide.regions].sort())
  })

  it("the rule table is the aggregate.* part of the validator's catalog", () => {
    const rows = [
      ...guide.markdown.matchAll(/^\| `([a-zA-Z0-9.]+)` \| (.*) \| (error|warning|warning \(option\)) \| (.*) \|$/gm)
    ]
    const severity = { error: "error", warning: "warning", policy: "warning (option)" } as const
    assert.deepStrictEqual(
      rows.map((m) => [m[1], m[2], m[3], m[4]]),
      Object.entries(QueryValidator.rules)
        .filter(([id]) => id.startsWith("aggregate."))
        .map(([id, spec]) => [id, spec.checks, severity[spec.severity], spec.source])
    )
  })

  it.effect("rows", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-12T00:00:00Z"))
      const exit = yield* drive(
        Effect.gen(function* () {
          const [resolved, positive] = (yield* Emulator.Emulator).dataset.catalog.wrapUpCodes
          const resolvedId = resolved!.id
          const positiveId = positive!.id
          // docs:rows
          const query = {
            interval: "2026-01-05T05:00:00.000Z/2026-01-07T05:00:00.000Z",
            granularity: "P1D",
            timeZone: "America/New_York",
            groupBy: ["wrapUpCode"],
            metrics: ["nConnected", "tHandle"],
            filter: {
              type: "or",
              predicates: [
                { dimension: "wrapUpCode", value: resolvedId },
                { dimension: "wrapUpCode", value: positiveId }
              ]
            }
          }
          const aggregates = yield* ConversationAggregates.ConversationAggregates
          const rows = yield* Stream.runCollect(aggregates.rows(query))
          const table = Chunk.toReadonlyArray(rows).map((row) => AggregateRecord.columns(row, ["wrapUpCode"]))
          // table[0]: { wrapUpCode, mediaType, bucketStart, bucketEnd, metric, kind, qualifier, max, min, count, sum, … }
          // /docs
          return { table, ids: [resolvedId, positiveId] }
        })
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) {
        const { ids, table } = exit.value
        assert.isAbove(table.length, 0)
        for (const row of table) {
          assert.include(ids, row.wrapUpCode)
          assert.include(["2026-01-05T05:00:00.000Z", "2026-01-06T05:00:00.000Z"], row.bucketStart)
          assert.include(["nConnected", "tHandle"], row.metric)
        }
      }
    }).pipe(Effect.provide(ConversationAggregates.layerWithoutHttp.pipe(Layer.provideMerge(clientLayer()))))
  )

  it.effect("by-name", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-12T00:00:00Z"))
      const exit = yield* drive(
        Effect.gen(function* () {
          // docs:by-name
          const lookup = yield* NameLookup.NameLookup
          const aggregates = yield* ConversationAggregates.ConversationAggregates
          const query = yield* lookup.resolveQuery({
            interval: "2026-01-05T05:00:00.000Z/2026-01-07T05:00:00.000Z",
            granularity: "P1D",
            timeZone: "America/New_York",
            groupBy: ["wrapUpCode"],
            metrics: ["nConnected", "tHandle"],
            filter: {
              type: "or",
              predicates: [
                { dimension: "wrapUpCode", value: "Resolved" },
                { dimension: "wrapUpCode", value: "Information Provided" }
              ]
            }
          })
          const rows = yield* Stream.runCollect(aggregates.rows(query).pipe(lookup.withNames(["wrapUpCode"])))
          const table = Chunk.toReadonlyArray(rows).map((row) =>
            NameLookup.columns(row, AggregateRecord.columns(row, ["wrapUpCode"]))
          )
          // table[0]: { wrapUpCode, wrapUpCodeName: "Information Provided", mediaType, bucketStart, bucketEnd, metric, … }
          // /docs
          return table
        })
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isSuccess(exit)) {
        const table = exit.value
        assert.isAbove(table.length, 0)
        assert.strictEqual(table[0]!.wrapUpCodeName, "Information Provided")
        for (const row of table) assert.include(["Resolved", "Information Provided"], row.wrapUpCodeName)
      }
    }).pipe(
      Effect.provide(
        Layer.mergeAll(ConversationAggregates.layerWithoutHttp, NameLookup.layerWithoutHttp).pipe(
          Layer.provideMerge(clientLayer())
        )
      )
    )
  )

  it.effect("reconcile", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-30T00:00:00Z"))
      const exit = yield* drive(
        Effect.gen(function* () {
          // docs:reconcile
          const report = yield* AggregateReconcile.reconcile({
            interval: "2026-01-05T23:00:00.000Z/2026-01-19T23:00:00.000Z",
            granularity: "P1D",
            timeZone: "Europe/Berlin",
            groupBy: ["queueId"],
            metrics: ["nConnected", "nOffered", "tHandle"]
          })
          // report.differing: 0; report.cells[0]: { group, bucketStart, metric, stat, aggregates, details, difference: 0 }
          // /docs
          return report
        }),
        { step: "10 seconds", maxSteps: 5_000 }
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isSuccess(exit)) {
        assert.strictEqual(exit.value.differing, 0)
        assert.isAbove(exit.value.cells.length, 100)
      }
    }).pipe(
      Effect.provide(
        ConversationAggregates.layerWithoutHttp.pipe(
          Layer.provideMerge(clientLayer({ startDate: "2026-01-05", days: 16, perDay: 15 }))
        )
      )
    )
  )

  it("validate", () => {
    // docs:validate
    const checked = QueryValidator.checkAggregateQuery({
      interval: "2026-10-01T04:00:00Z/2026-11-01T04:00:00Z",
      granularity: "1D",
      groupBy: ["wrapupCode"],
      metrics: ["nAnswered"]
    })
    // errors:   $.granularity aggregate.granularity → P1D
    // warnings: $.groupBy[0] vocabulary.dimension → wrapUpCode; $.metrics[0] vocabulary.metric → tAnswered
    // /docs
    assert.deepStrictEqual(
      Either.isLeft(checked.result) ? checked.result.left.issues.map((i) => [i.path, i.rule, i.suggestion]) : [],
      [["$.granularity", "aggregate.granularity", "P1D"]]
    )
    assert.deepStrictEqual(
      checked.warnings.map((w) => [w.path, w.rule, w.suggestion]),
      [
        ["$.groupBy[0]", "vocabulary.dimension", "wrapUpCode"],
        ["$.metrics[0]", "vocabulary.metric", "tAnswered"]
      ]
    )
  })
})
