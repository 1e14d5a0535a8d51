// Planning by volume: with the org's aggregate queries, `Extraction.plan` reads the volume over the interval while
// it reads the availability date, and cuts the settled span into job windows of equal volume at whole hours.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Stream, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import * as Interval from "../src/Interval.js"
import { DAY, HOUR, volumeQueryNeverAnswers } from "./ExtractionFixtures.js"
import { AuditRecords, clientLayer, drive } from "./GenesysHttpFixtures.js"

// Seven settled days from a Monday (the weekend holds far fewer conversations): five job slots cannot take seven
// whole days evenly.
const start = Date.parse("2026-01-05T00:00:00.000Z")
const interval = Interval.format(start, start + 7 * DAY)
const anchorMillis = start + 7 * DAY + 10 * HOUR
const emulator = {
  seed: 17,
  startDate: "2026-01-05",
  days: 7,
  perDay: 120,
  anchorMillis,
  jobs: { queueMillis: 1_000, runMillis: 2_000, runMillisPerConversation: 0, availabilityLagMillis: HOUR }
}
const pageSize = 25

const client = clientLayer(emulator, { paging: { jobPageSize: pageSize } })

const withAggregates = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.zipRight(TestClock.setTime(anchorMillis), body).pipe(
    Effect.provide(
      Layer.merge(ConversationAggregates.layerWithoutHttp.pipe(Layer.provideMerge(client)), CheckpointStore.layerMemory)
    )
  )

const requests = Effect.flatMap(Emulator.Emulator, (e) => e.requests)

/** Plans and runs the week into a memory sink, with reconciliation. */
const extract = (options: Extraction.RunOptions = {}, over: string = interval) =>
  Effect.gen(function* () {
    const sink = ExtractionSink.memory()
    const ran = yield* drive(
      Effect.flatMap(Extraction.plan({ interval: over }), (plan) =>
        Effect.map(Extraction.run(plan, sink, { ...options, reconcile: true }), (report) => ({ plan, report }))
      ),
      { maxSteps: 400 }
    )
    if (!Exit.isSuccess(ran)) return yield* Effect.dieMessage(`the extraction failed: ${String(ran)}`)
    return { ...ran.value, written: sink.written }
  })

describe("Extraction.plan by volume", () => {
  it.effect(
    "cuts the week into one window per job slot of equal volume, at whole hours, with one aggregate query",
    () =>
      withAggregates(
        Effect.gen(function* () {
          // Fewer jobs at once than windows: the run orders the windows largest first by the plan's estimates.
          const { plan, report, written } = yield* extract({ concurrency: 2 })
          const jobs = plan.windows.filter((w) => w.kind === "job")
          assert.strictEqual(jobs.length, 5)
          for (const w of jobs) assert.strictEqual(w.startMillis % HOUR, 0)
          assert.isTrue(
            jobs.some((w) => w.startMillis % DAY !== 0),
            "cut inside days"
          )
          assert.strictEqual(plan.volumes?.length, plan.windows.length)

          const truth = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval }))
          assert.deepStrictEqual(written.map((c) => c.conversationId!).sort(), [...truth].sort())
          assert.isTrue(report.complete)
          // Equal work: the largest window holds at most 15 % over the mean. Whole days could not do better than
          // two of the weekdays in one window (about 40 % over).
          const sizes = report.windows.filter((w) => w.kind === "job").map((w) => w.conversations)
          const mean = sizes.reduce((a, b) => a + b, 0) / sizes.length
          assert.isAtMost(Math.max(...sizes) / mean, 1.15)

          // One aggregate query, before the first job; no count of the windows before the run (the plan has them).
          const seen = yield* requests
          const firstJob = seen.findIndex((r) => r.method === "POST" && r.path.endsWith("/details/jobs"))
          const aggregateQueries = seen.filter((r) => r.path.endsWith("/aggregates/query"))
          assert.strictEqual(aggregateQueries.length, 1)
          assert.isBelow(seen.indexOf(aggregateQueries[0]!), firstJob)
          assert.isFalse(seen.slice(0, firstJob).some((r) => r.path.endsWith("/details/query")))

          // Windows cut inside days are reconciled over the whole days they touch.
          for (const w of report.windows) assert.strictEqual(w.reconciliation?.accuracy, 1, w.interval)
          const audit = yield* AuditRecords
          assert.isTrue(audit.some((e) => e.status === "sized"))
        })
      )
  )

  it.effect(
    "an interval that starts mid-day: windows whose days reach outside it are not reconciled, the rest exactly",
    () =>
      withAggregates(
        Effect.gen(function* () {
          const midDay = Interval.format(start + 12 * HOUR, start + 7 * DAY)
          const { plan, report, written } = yield* extract({}, midDay)
          // What started from noon: the interval holds conversations by their start.
          const week = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSettled({ interval }))
          const truth = week.filter((c) => Date.parse(c.conversationStart) >= start + 12 * HOUR)
          assert.deepStrictEqual(
            written.map((c) => c.conversationId!).sort(),
            truth.map((c) => c.conversationId).sort()
          )
          const jobs = report.windows.filter((w) => w.kind === "job")
          assert.isTrue(jobs[0]!.interval.startsWith(Interval.format(start + 12 * HOUR, start + DAY).slice(0, 24)))
          assert.isUndefined(jobs[0]!.reconciliation, "its first day began before the interval")
          const reconciled = report.windows.filter((w) => w.reconciliation !== undefined)
          assert.isAtLeast(reconciled.length, 3)
          for (const w of reconciled) assert.strictEqual(w.reconciliation?.accuracy, 1, w.interval)
          assert.notStrictEqual(report.reconciled, false)
          assert.strictEqual(plan.windows.filter((w) => w.kind === "job").length, 5)
        })
      )
  )

  it.effect("a volume query with no answer in time leaves whole-day windows, audited, and the run is as exact", () =>
    withAggregates(
      Effect.gen(function* () {
        yield* volumeQueryNeverAnswers
        const { plan, report, written } = yield* extract()
        const jobs = plan.windows.filter((w) => w.kind === "job")
        assert.isTrue(jobs.every((w) => w.startMillis % DAY === 0 && w.endMillis % DAY === 0))
        assert.isUndefined(plan.volumes)
        const truth = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval }))
        assert.deepStrictEqual(written.map((c) => c.conversationId!).sort(), [...truth].sort())
        assert.isTrue(report.complete)
        const audit = yield* AuditRecords
        assert.isTrue(audit.some((e) => e.status === "unsized"))
      })
    )
  )
})

describe("Extraction.layout by volume", () => {
  // A week, 100 conversations an hour from 08:00 to 18:00.
  const volumes = Array.from({ length: 7 * 24 }, (_, h) => ({
    startMillis: start + h * HOUR,
    endMillis: start + (h + 1) * HOUR,
    count: h % 24 >= 8 && h % 24 < 18 ? 100 : 0
  }))
  const layoutWith = (options: Extraction.PlanOptions, pageSize = 25) =>
    Extraction.layout(
      { startMillis: start, endMillis: start + 7 * DAY },
      { watermarkMillis: start + 8 * DAY, nowMillis: start + 8 * DAY, jobs: 5, volumes, pageSize },
      options
    ).filter((w) => w.kind === "job")

  it("one window per job slot for few pages, two for many, in a multiple of a cluster's runners", () => {
    assert.strictEqual(layoutWith({}, 1000).length, 5)
    assert.strictEqual(layoutWith({}, 25).length, 10)
    assert.strictEqual(layoutWith({ runners: 3 }, 1000).length, 6)
    assert.strictEqual(layoutWith({ runners: 3 }, 25).length, 12)
  })

  it("never more windows than results pages, and a fixed window length ignores the volume", () => {
    assert.strictEqual(layoutWith({}, 3000).length, 3)
    // 7,000 conversations are 2 pages of 5,000: 2 windows, not 3 for 3 runners.
    assert.strictEqual(layoutWith({ runners: 3 }, 5000).length, 2)
    assert.strictEqual(layoutWith({ jobWindow: "1 day" }, 25).length, 7)
  })
})

describe("Extraction.plan with a volume of nothing", () => {
  it.effect("an aggregate answer without rows leaves whole-day windows and no estimates", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(anchorMillis)
      const noRows = { rows: () => Stream.empty } as unknown as ConversationAggregates.Service
      const plan = yield* Extraction.plan({ interval }).pipe(
        Effect.provideService(ConversationAggregates.ConversationAggregates, noRows),
        Effect.provide(client)
      )
      assert.isUndefined(plan.volumes)
      const jobs = plan.windows.filter((w) => w.kind === "job")
      assert.isTrue(jobs.every((w) => w.startMillis % DAY === 0 && w.endMillis % DAY === 0))
    })
  )
})
