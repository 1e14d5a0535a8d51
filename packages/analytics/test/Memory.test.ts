// A 100 000-conversation job streamed through runJob must run in bounded memory: the stream holds one
// results page at a time, so heap growth stays far below the size of the data that went through it.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

setFlagsFromString("--expose-gc")
const gc: () => void = runInNewContext("gc")

const MB = 1024 * 1024
/** Bound on heap growth while streaming (the data streamed is several hundred MB of JSON). */
const HEAP_BOUND_MB = 150

describe("Memory", () => {
  it.effect(
    "a 100 000-conversation job streams with bounded heap growth",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const details = yield* ConversationDetails.ConversationDetails
        const interval = "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z"
        const expected = (yield* emulator.groundTruthJob({ interval })).length
        assert.isAtLeast(expected, 100_000)
        gc()
        const baseline = process.memoryUsage().heapUsed
        let peak = baseline
        const samples: Array<number> = []
        let count = 0
        let bytes = 0
        const started = Date.now()
        const exit = yield* drive(
          details.runJob({ interval }).pipe(
            Stream.runForEach((conversation) =>
              Effect.sync(() => {
                count++
                if (count % 500 === 0) bytes += JSON.stringify(conversation).length * 500
                if (count % 10_000 === 0) {
                  // Collect first: what counts is what the stream keeps alive, not garbage awaiting collection.
                  gc()
                  const used = process.memoryUsage().heapUsed
                  samples.push(Math.round((used - baseline) / MB))
                  peak = Math.max(peak, used)
                }
              })
            )
          ),
          { step: "10 seconds" }
        )
        const seconds = (Date.now() - started) / 1000
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(count, expected)
        // Growth while streaming: from the first sample (10 000 conversations in) to the highest one.
        const growthMb = Math.max(...samples) - samples[0]!
        const overBaselineMb = (peak - baseline) / MB
        console.log(
          `memory: ${count} conversations (~${Math.round(bytes / MB)} MB of JSON) in ${seconds.toFixed(1)} s; heap growth while streaming ${growthMb.toFixed(1)} MB, peak over pre-stream baseline ${overBaselineMb.toFixed(1)} MB (bound ${HEAP_BOUND_MB} MB); baseline ${Math.round(baseline / MB)} MB; samples ${samples.join(",")} MB`
        )
        assert.strictEqual(samples.length, 10)
        assert.isBelow(overBaselineMb, HEAP_BOUND_MB)
        assert.isBelow(growthMb, HEAP_BOUND_MB / 3, "the heap must not grow with the data streamed")
        assert.isAbove(bytes / MB, 2 * HEAP_BOUND_MB, "the data streamed is larger than the bound")
      }).pipe(Effect.provide(clientLayer({ days: 2, perDay: 50_100 }))),
    // Most of the time is the emulator generating and serialising 100 000 conversations.
    240_000
  )
})
