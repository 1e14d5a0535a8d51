import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Effect, Exit, Layer, TestClock } from "effect"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as PageSink from "../src/PageSink.js"
import { DAY, sixDaysFromThursday, volumeQueryNeverAnswers } from "./ExtractionFixtures.js"
import { AuditRecords, clientLayer, drive } from "./GenesysHttpFixtures.js"

// Saturday and Sunday hold far fewer conversations than the weekdays, so six one-day windows spread two per runner
// by count leave one runner's token with much more than a third of the pages.
const { anchorMillis, days, emulator, interval: sixDays } = sixDaysFromThursday()

const runners = ["runner-a", "runner-b", "runner-c"]

/** Where a cluster of `count` runners would run each execution: a fixed hash of its id. */
const placementOver = (count: number): ExtractionWorkflow.Placement => ({
  runnersOf: (ids) =>
    Effect.succeed(ids.map((id) => runners[[...id].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 9973, 7) % count]))
})

const aggregatesRequests = Effect.map(
  Effect.flatMap(Emulator.Emulator, (e) => e.requests),
  (all) => all.filter((r) => r.path.endsWith("/aggregates/query")).length
)

/** The least that the busiest of `bins` can carry, over every assignment of `sizes` to them. */
const bestSplit = (sizes: ReadonlyArray<number>, bins: number): number => {
  let best = Number.POSITIVE_INFINITY
  const loads = Array.from({ length: bins }, () => 0)
  const assign = (i: number) => {
    if (i === sizes.length) best = Math.min(best, Math.max(...loads))
    else
      for (let b = 0; b < bins; b++) {
        loads[b]! += sizes[i]!
        if (loads[b]! < best) assign(i + 1)
        loads[b]! -= sizes[i]!
      }
  }
  assign(0)
  return best
}

/**
 * Runs the extraction on the in-memory engine with the given placement, from a plan made beforehand
 * (`ExtractionWorkflow.run`) or by the engine (`submit`, as a cluster client does); conversations per runner from the
 * audit.
 */
const extractPlaced = (placement: ExtractionWorkflow.Placement, via: "run" | "submit" = "run") =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    const sink = PageSink.memory()
    const engine = ExtractionWorkflow.layer.pipe(
      Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink, placement })),
      Layer.provideMerge(WorkflowEngine.layerMemory)
    )
    const options = { concurrency: 3, pageSize: 10 }
    const extraction =
      via === "run"
        ? Effect.flatMap(Extraction.plan({ interval: sixDays }, { jobWindow: "1 day" }), (plan) =>
            Effect.map(ExtractionWorkflow.run(plan, options), (report) => ({ report, plan }))
          )
        : Effect.map(
            ExtractionWorkflow.submit({ interval: sixDays }, { ...options, plan: { jobWindowMillis: DAY } }),
            (submitted) => ({ report: submitted._tag === "Done" ? submitted.report : undefined, plan: submitted.plan })
          )
    const ran = yield* drive(extraction.pipe(Effect.provide(engine)), { maxSteps: 400 })
    const exit = Exit.flatMap(ran, ({ report, plan }) =>
      report === undefined ? Exit.die("detached") : Exit.succeed({ ...report, plan })
    )
    assert.isTrue(Exit.isSuccess(exit))
    if (!Exit.isSuccess(exit)) return yield* Effect.dieMessage("the extraction failed")
    const truth = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval: sixDays }))
    assert.deepStrictEqual([...sink.written.map((c) => c.conversationId!)].sort(), [...truth].sort())
    const audit = yield* AuditRecords
    const runnerOf = new Map(
      audit.filter((e) => e.status === "placed").map((e) => [e.window, e.detail?.replace("runner ", "")])
    )
    const perRunner = new Map<string, number>()
    for (const w of exit.value.windows) {
      const runner = runnerOf.get(w.interval) ?? "unplaced"
      perRunner.set(runner, (perRunner.get(runner) ?? 0) + w.conversations)
    }
    const busiest = Math.max(...perRunner.values())
    const windowsPerRunner = new Map<string, number>()
    for (const runner of runnerOf.values()) windowsPerRunner.set(runner!, (windowsPerRunner.get(runner!) ?? 0) + 1)
    assert.strictEqual(exit.value.plan.windows.filter((w) => w.kind === "job").length, days)
    return {
      perRunner,
      windowsPerRunner,
      busiest,
      audit,
      sizes: exit.value.windows.map((w) => w.conversations),
      plan: exit.value.plan
    }
  })

/** The emulator and a client with both details and aggregates. */
const withCluster = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  body.pipe(Effect.provide(ConversationAggregates.layerWithoutHttp.pipe(Layer.provideMerge(clientLayer(emulator)))))

describe("ExtractionWorkflow placement on a cluster", () => {
  it.effect(
    "spreads windows by their estimated conversations, not their count: one volume query, no token over-full",
    () =>
      withCluster(
        Effect.gen(function* () {
          const placed = yield* extractPlaced(placementOver(3))
          assert.strictEqual(yield* aggregatesRequests, 1)
          assert.isTrue(placed.audit.some((e) => e.status === "sized"))
          assert.strictEqual(placed.perRunner.size, 3)
          // Within 5 % of the best split of the windows' actual sizes (the estimate is not exact). Spread by count,
          // this data puts one runner 16 % over it.
          assert.isAtMost(placed.busiest, bestSplit(placed.sizes, runners.length) * 1.05)
        })
      )
  )

  it.effect("a plan made on the cluster carries the windows' estimates: the same one query, made while planning", () =>
    withCluster(
      Effect.gen(function* () {
        const placed = yield* extractPlaced(placementOver(3), "submit")
        assert.strictEqual(yield* aggregatesRequests, 1)
        const volumes = (placed.plan as { volumes?: ReadonlyArray<number> }).volumes
        assert.strictEqual(volumes?.length, placed.plan.windows.length)
        assert.isAtMost(placed.busiest, bestSplit(placed.sizes, runners.length) * 1.05)
      })
    )
  )

  it.effect("with one runner, no volume query and every window on it", () =>
    withCluster(
      Effect.gen(function* () {
        const placed = yield* extractPlaced(placementOver(1))
        assert.strictEqual(yield* aggregatesRequests, 0)
        assert.deepStrictEqual([...placed.perRunner.keys()], ["runner-a"])
      })
    )
  )

  it.effect("a volume query with no answer in time spreads the windows by count, and the run is still exact", () =>
    withCluster(
      Effect.gen(function* () {
        yield* volumeQueryNeverAnswers
        const placed = yield* extractPlaced(placementOver(3))
        assert.isTrue(placed.audit.some((e) => e.status === "unsized" && /no answer within/.test(e.detail ?? "")))
        assert.deepStrictEqual(
          runners.map((r) => placed.windowsPerRunner.get(r)),
          [2, 2, 2],
          "two windows per runner, whatever their size"
        )
      })
    )
  )
})
