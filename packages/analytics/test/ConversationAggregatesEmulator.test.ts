// End to end over the emulator's in-process layer: the grouped daily query by wrap-up code, in a time zone, from
// ConversationAggregates (sync, split by maxSpan, and as a job) equals the emulator's ground truth.
import * as AggregateTruth from "@effect-genesys/emulator/AggregateTruth"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Clock, Effect, Exit, Layer, Stream, TestClock } from "effect"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import { clientLayer, drive, requestsTo } from "./GenesysHttpFixtures.js"

const layer = (options: ConversationAggregates.Options) =>
  ConversationAggregates.layerWithoutHttpWith(options).pipe(Layer.provideMerge(clientLayer()))

const key = (group: Readonly<Record<string, string>>, bucket: string, metric: string, count?: number, sum?: number) =>
  JSON.stringify([group.wrapUpCode ?? null, group.mediaType ?? null, bucket, metric, count ?? null, sum ?? null])

const grouped = (options: ConversationAggregates.Options, via: "query" | "job", requests: number) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-01-12T00:00:00Z"))
    const exit = yield* drive(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const aggregates = yield* ConversationAggregates.ConversationAggregates
        const [resolved, informed] = emulator.dataset.catalog.wrapUpCodes
        // Wrap-up code ids for now: lookups by name come with the name lookups (issue 21, item 4).
        const query = {
          interval: "2026-01-05T05:00:00.000Z/2026-01-07T05:00:00.000Z",
          granularity: "P1D",
          timeZone: "America/New_York",
          groupBy: ["wrapUpCode"],
          metrics: ["nConnected", "tHandle"],
          filter: {
            type: "or",
            predicates: [
              { dimension: "wrapUpCode", value: resolved!.id },
              { dimension: "wrapUpCode", value: informed!.id }
            ]
          }
        }
        const rows = Chunk.toReadonlyArray(yield* Stream.runCollect(aggregates.rows(query, { via })))
        const truth = AggregateTruth.query(emulator.dataset, query, { nowMillis: yield* Clock.currentTimeMillis })
        const want = (truth.results ?? []).flatMap((result) =>
          result.data.flatMap((data) =>
            data.metrics.map((m) =>
              key(
                result.group,
                new Date(Date.parse(data.interval.split("/")[0]!)).toISOString(),
                m.metric,
                m.stats.count,
                "sum" in m.stats ? m.stats.sum : undefined
              )
            )
          )
        )
        const got = rows.map((r) => key(r.group, r.bucketStart, r.metric, r.stats.count, r.stats.sum))
        const sent = yield* requestsTo(
          "POST",
          `/api/v2/analytics/conversations/aggregates/${via === "job" ? "jobs" : "query"}`
        )
        return { got: [...got].sort(), want: [...want].sort(), ids: [resolved!.id, informed!.id], sent: sent.length }
      }),
      { step: "1 second", maxSteps: 2_000 }
    )
    assert.isTrue(Exit.isSuccess(exit), String(exit))
    if (Exit.isSuccess(exit)) {
      const { got, ids, sent, want } = exit.value
      assert.strictEqual(sent, requests)
      assert.isAbove(want.length, 0)
      assert.deepStrictEqual(got, want)
      for (const row of got) assert.include(ids, JSON.parse(row)[0])
    }
  }).pipe(Effect.provide(layer(options)))

describe("ConversationAggregates over the emulator", () => {
  it.effect("the grouped daily query by wrap-up code in America/New_York equals the ground truth", () =>
    grouped({}, "query", 1)
  )
  it.effect("split per local day (maxSpan 24 h), the stitched rows are the same", () =>
    grouped({ maxSpan: "24 hours" }, "query", 2)
  )
  it.effect("as a job (submit, poll, cursor pages), the rows are the same", () => grouped({}, "job", 1))
})
