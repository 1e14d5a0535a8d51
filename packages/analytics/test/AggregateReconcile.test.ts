// AggregateReconcile over the emulator's in-process layer: 14 days of aggregates (grouped by queue, and by wrap-up
// code, daily in a time zone) equal the counts recomputed from a details job, cell by cell; a changed number is found.
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Stream, TestClock } from "effect"
import * as AggregateReconcile from "../src/AggregateReconcile.js"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

const layer = ConversationAggregates.layerWithoutHttp.pipe(
  Layer.provideMerge(clientLayer({ seed: 11, startDate: "2026-01-05", days: 17, perDay: 25 }))
)

// Berlin midnights, 2026-01-06 to 2026-01-20: the day before gives the details' look-back conversations.
const interval = "2026-01-05T23:00:00.000Z/2026-01-19T23:00:00.000Z"

const reconciled = (groupBy: string, via: "query" | "job") =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-01-30T00:00:00Z"))
    const query = {
      interval,
      granularity: "P1D",
      timeZone: "Europe/Berlin",
      groupBy: [groupBy],
      metrics: ["nConnected", "nOffered", "tHandle", "oServiceLevel"]
    }
    const exit = yield* drive(AggregateReconcile.reconcile(query, { via }), { step: "10 seconds", maxSteps: 5_000 })
    assert.isTrue(Exit.isSuccess(exit), String(exit))
    if (Exit.isFailure(exit)) return
    const report = exit.value
    assert.strictEqual(report.differing, 0, JSON.stringify(report.cells.filter((c) => c.difference !== 0)))
    assert.deepStrictEqual(report.metrics, ["nConnected", "nOffered", "tHandle"])
    assert.deepStrictEqual(report.skipped, ["oServiceLevel"])
    assert.strictEqual(report.detailsInterval, "2026-01-04T23:00:00.000Z/2026-01-19T23:00:00.000Z")
    assert.isAbove(report.conversations, 300)
    // Every day of the 14 has cells, for several groups, with real numbers on both sides.
    assert.strictEqual(new Set(report.cells.map((c) => c.bucketStart)).size, 14)
    assert.isAbove(new Set(report.cells.map((c) => c.group[groupBy])).size, 3)
    assert.isTrue(report.cells.every((c) => c.aggregates === c.details && c.aggregates > 0))
  }).pipe(Effect.provide(layer))

describe("AggregateReconcile over the emulator", () => {
  it.effect("14 days grouped by queueId: aggregates − details = 0 in every cell", () => reconciled("queueId", "query"))
  it.effect("14 days grouped by wrapUpCode, aggregates from a job: 0 in every cell", () =>
    reconciled("wrapUpCode", "job")
  )

  it.effect("a changed aggregate number, or one missing, is a difference", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.parse("2026-01-30T00:00:00Z"))
      const query = {
        interval: "2026-01-06T00:00:00.000Z/2026-01-08T00:00:00.000Z",
        granularity: "P1D",
        groupBy: ["queueId"],
        metrics: ["nConnected"]
      }
      const exit = yield* drive(
        Effect.gen(function* () {
          const aggregates = yield* ConversationAggregates.ConversationAggregates
          const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(aggregates.rows(query)))
          const changed = rows.map((r, i) => (i === 0 ? { ...r, stats: { count: (r.stats.count ?? 0) + 2 } } : r))
          return {
            changed: yield* AggregateReconcile.reconcileRows(query, changed),
            dropped: yield* AggregateReconcile.reconcileRows(query, rows.slice(1)),
            first: rows[0]!
          }
        }),
        { step: "10 seconds", maxSteps: 5_000 }
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isFailure(exit)) return
      const { changed, dropped, first } = exit.value
      assert.strictEqual(changed.differing, 1)
      const cell = changed.cells.find((c) => c.difference !== 0)!
      assert.deepStrictEqual(
        [cell.group, cell.bucketStart, cell.metric, cell.difference],
        [first.group, first.bucketStart, "nConnected", 2]
      )
      assert.strictEqual(dropped.differing, 1)
      const missing = dropped.cells.find((c) => c.difference !== 0)!
      assert.deepStrictEqual([missing.aggregates, missing.details], [0, first.stats.count])
    }).pipe(Effect.provide(layer))
  )
})
