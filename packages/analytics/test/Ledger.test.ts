// The run's ledger (internal/extraction/ledger.ts): once a sink write has not succeeded, the output may hold part or all
// of its batch, so no later commit of the run may write or checkpoint the sink's position (a resume would write that
// batch twice). Before, another window's commit after a write that failed saved the position past the failed batch:
// `Extraction.test.ts`'s crash-at-any-page test then found a duplicate in about one run of three.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import * as Ledger from "../src/internal/extraction/ledger.js"

const window = (id: string, day: number) => ({
  id,
  kind: "job" as const,
  interval: `2026-01-0${day}T00:00:00.000Z/2026-01-0${day + 1}T00:00:00.000Z`,
  startMillis: Date.UTC(2026, 0, day),
  endMillis: Date.UTC(2026, 0, day + 1),
  provisional: false
})

const plan: Ledger.LedgerPlan = { planHash: "plan", windows: [window("a", 1), window("b", 2)] }

const conversation = (id: string) => ({
  conversationId: id,
  conversationStart: "2026-01-01T10:00:00.000Z",
  conversationEnd: "2026-01-01T10:05:00.000Z"
})

describe("Ledger", () => {
  it.effect("after a write that wrote and then failed, a later commit fails too and saves nothing", () =>
    Effect.gen(function* () {
      const store = yield* CheckpointStore.CheckpointStore
      const memory = ExtractionSink.memory()
      let failNext = false
      const sink: ExtractionSink.ExtractionSink<string, unknown> = {
        ...memory,
        write: (batch) =>
          failNext ? Effect.zipRight(memory.write(batch), Effect.fail("disk gone")) : memory.write(batch)
      }
      const ledger = yield* Ledger.make({ plan, key: "k", store, saved: Option.none(), sink, startedAt: 0 })
      const page = (n: number) => ({ state: "paging" as const, pagesDone: n, conversations: n })
      yield* ledger.commit(plan.windows[0]!, [conversation("c1")], page(1), true)
      failNext = true
      const failed = yield* Effect.exit(ledger.commit(plan.windows[0]!, [conversation("c2")], page(2), true))
      assert.isTrue(Exit.isFailure(failed))
      failNext = false
      // Another window's commit, an empty batch (a submission's state), after the failed write.
      const later = yield* Effect.exit(
        ledger.commit(plan.windows[1]!, [], { state: "submitted", jobId: "j", pagesDone: 0, conversations: 0 }, false)
      )
      assert.isTrue(Exit.isFailure(later), "no commit after a failed write")
      const saved = yield* store.load("k")
      assert.isTrue(Option.isSome(saved))
      if (Option.isSome(saved)) {
        assert.strictEqual(saved.value.sinkPosition, 1, "the position of the last commit that wrote in full")
        assert.deepStrictEqual(
          saved.value.windows.map((w) => w.state),
          ["paging", "pending"]
        )
      }
    }).pipe(Effect.provide(CheckpointStore.layerMemory))
  )
})
