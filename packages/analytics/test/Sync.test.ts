import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Chunk, Effect, Exit, Layer, Stream, TestClock } from "effect"
import type * as ExtractionSink from "../src/ExtractionSink.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as Interval from "../src/Interval.js"
import type * as PageSink from "../src/PageSink.js"
import * as Sync from "../src/Sync.js"
import { anchorMillis, DAY, day0, emulatorOptions, HOUR } from "./ExtractionFixtures.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

/** A sink that upserts every page by conversation id at once, as the SQL page sink does. */
const upserting = () => {
  const rows = new Map<string, ExtractionSink.Conversation>()
  const sink: PageSink.PageSink = {
    writePage: (_key, batch) =>
      Effect.sync(() => {
        for (const c of batch) rows.set(c.conversationId!, c)
      }),
    finalize: () => Effect.sync(() => ({ conversations: rows.size, duplicates: 0 }))
  }
  return { rows, sink }
}

const engineWith = (sink: PageSink.PageSink<unknown>) =>
  ExtractionWorkflow.layer.pipe(
    Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )

describe("Sync on the in-memory engine", () => {
  it.effect("back-fills, then follows the availability date until everything up to `until` is settled: exact", () =>
    Effect.gen(function* () {
      const { rows, sink } = upserting()
      const store = Sync.memoryStore()
      const until = new Date(day0 + 3 * DAY).toISOString()
      const exit = yield* drive(
        Stream.runCollect(
          Sync.run({
            from: new Date(day0).toISOString(),
            until,
            // This emulator's availability date moves continuously: poll it as seldom as the tail.
            tailEvery: "6 hours",
            pollEvery: "6 hours"
          })
        ).pipe(Effect.provide(engineWith(sink)), Effect.provideService(Sync.Store, store)),
        { step: "5 minutes", maxSteps: 5_000 }
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (!Exit.isSuccess(exit)) return
      const events = Chunk.toReadonlyArray(exit.value)
      const cycles = events.filter((e) => e._tag === "CycleCompleted")
      assert.isAbove(cycles.length, 1, "a back-fill, then cycles as the availability date moved")
      assert.deepStrictEqual(events.at(-1)?._tag, "Done")
      assert.isAtLeast(Date.parse(store.current()!), Date.parse(until))
      // Each later cycle starts the restatement window (48 h) behind the settled point of the one before.
      for (let i = 1; i < cycles.length; i++) {
        const previous = cycles[i - 1]!
        if (previous._tag !== "CycleCompleted" || cycles[i]!._tag !== "CycleCompleted") continue
        const from = Date.parse((cycles[i] as { from: string }).from)
        assert.strictEqual(from, Math.max(day0, Date.parse(previous.settledUntil) - 48 * HOUR))
      }
      const truth = yield* Effect.flatMap(Emulator.Emulator, (e) =>
        e.groundTruthSync({ interval: Interval.format(day0, day0 + 3 * DAY) })
      )
      assert.deepStrictEqual([...rows.keys()].sort(), [...truth].sort())
    }).pipe(
      Effect.provide(clientLayer(emulatorOptions, { paging: { jobPageSize: 25 } })),
      // The emulator is built on the test clock: set it first.
      (body) => Effect.zipRight(TestClock.setTime(anchorMillis), body)
    )
  )
})
