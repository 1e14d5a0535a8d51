import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Layer, Option, Stream, TestClock } from "effect"
import * as fc from "fast-check"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import * as internalPlan from "../src/internal/extraction/layout.js"
import * as Interval from "../src/Interval.js"
import { anchorMillis, DAY, day0, emulatorOptions, HOUR, threeDays, watermarkMillis } from "./ExtractionFixtures.js"
import { AuditRecords, clientLayer, drive, requestsTo } from "./GenesysHttpFixtures.js"

const withEmulator = <A, E, R>(
  body: Effect.Effect<A, E, R>,
  emulator: EmulatorOptions.Input = {},
  store: Layer.Layer<CheckpointStore.CheckpointStore> = CheckpointStore.layerMemory
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    return yield* body.pipe(
      Effect.provide(
        Layer.merge(clientLayer({ ...emulatorOptions, ...emulator }, { paging: { jobPageSize: 25 } }), store)
      )
    )
  })

const expectedIds = (filters: Extraction.Filters = {}) =>
  Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval: threeDays, ...filters }))

const idsOf = (written: ReadonlyArray<ExtractionSink.Conversation>) => written.map((c) => c.conversationId!)

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

/** The typed failure of an exit, if it failed with one. */
const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

describe("Extraction.layout", () => {
  const plan = (
    startMillis: number,
    endMillis: number,
    watermarkMillis: number,
    nowMillis: number,
    options: Extraction.PlanOptions = { jobWindow: "1 day" }
  ) => Extraction.layout({ startMillis, endMillis }, { watermarkMillis, nowMillis }, options)

  it("covers settled days with one-day jobs and the tail with sync queries from the look-back", () => {
    const windows = plan(day0, day0 + 3 * DAY, day0 + 2 * DAY + 10 * HOUR, day0 + 2 * DAY + 12 * HOUR)
    assert.deepStrictEqual(
      windows.map((w) => [w.kind, w.interval, w.provisional]),
      [
        ["job", Interval.format(day0, day0 + DAY), false],
        ["job", Interval.format(day0 + DAY, day0 + 2 * DAY), false],
        ["job", Interval.format(day0 + 2 * DAY, day0 + 2 * DAY + 10 * HOUR), false],
        ["query", Interval.format(day0 + 2 * DAY + 2 * HOUR, day0 + 2 * DAY + 12 * HOUR), true]
      ]
    )
  })

  it("is all sync queries when the whole interval is past the watermark, all jobs when long settled", () => {
    const tail = plan(day0 + 5 * DAY, day0 + 6 * DAY, day0 + 2 * DAY, day0 + 7 * DAY)
    assert.deepStrictEqual(
      tail.map((w) => w.kind),
      ["query"]
    )
    const settled = plan(day0, day0 + 2 * DAY, day0 + 5 * DAY, day0 + 6 * DAY)
    assert.deepStrictEqual(
      settled.map((w) => w.kind),
      ["job", "job"]
    )
  })

  it("auto job windows: twice as many whole-day windows as jobs, from the start's midnight, a day to a week", () => {
    const jobDays = (days: number, jobs: number, startMillis = day0) =>
      Extraction.layout(
        { startMillis, endMillis: day0 + days * DAY },
        {
          watermarkMillis: day0 + days * DAY,
          nowMillis: day0 + (days + 1) * DAY,
          jobs
        }
      )
        .filter((w) => w.kind === "job")
        .map((w) => (w.endMillis - w.startMillis) / DAY)
    assert.deepStrictEqual(jobDays(3, 5), [1, 1, 1])
    assert.deepStrictEqual(jobDays(30, 5), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    assert.deepStrictEqual(jobDays(30, 4), [4, 4, 4, 4, 4, 4, 4, 2])
    // Over a week a window: more rounds of equal windows (two of 2 × 2 here), not four weeks and a straggler.
    assert.deepStrictEqual(jobDays(30, 2), [4, 4, 4, 4, 4, 4, 4, 2])
    const year = jobDays(365, 5)
    assert.deepStrictEqual(new Set(year.slice(0, -1)), new Set([7]))
    assert.strictEqual(year.at(-1), 1)
    // A start inside a day: the first window ends where the start day's steps do.
    assert.deepStrictEqual(jobDays(30, 5, day0 + 12 * HOUR), [2.5, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    const explicit = Extraction.layout(
      { startMillis: day0, endMillis: day0 + 30 * DAY },
      { watermarkMillis: day0 + 30 * DAY, nowMillis: day0 + 31 * DAY, jobs: 5 },
      { jobWindow: "1 day" }
    )
    assert.strictEqual(explicit.filter((w) => w.kind === "job").length, 30)
  })

  it("property: auto job windows are whole UTC days that cover the settled span once, each at most a week", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400 }),
        fc.integer({ min: 1, max: 1200 }),
        fc.integer({ min: 1, max: 50 }),
        (startDay, days, jobs) => {
          const start = day0 + startDay * DAY
          const end = start + days * DAY
          const windows = Extraction.layout(
            { startMillis: start, endMillis: end },
            { watermarkMillis: end, nowMillis: end + DAY, jobs }
          ).filter((w) => w.kind === "job")
          const contiguous = windows.every((w, i) => w.startMillis === (i === 0 ? start : windows[i - 1]!.endMillis))
          const sizes = windows.map((w) => w.endMillis - w.startMillis)
          return (
            contiguous &&
            windows.at(-1)!.endMillis === end &&
            windows.every((w) => w.kind === "job" && internalPlan.isDayAligned(w)) &&
            sizes.every((size) => size >= DAY && size <= 7 * DAY) &&
            windows.length <= 2 * jobs * Math.max(1, Math.ceil(days / (14 * jobs)))
          )
        }
      ),
      { numRuns: 300 }
    )
  })

  it("property: a conversation has exactly one owner when it is reachable, none otherwise", () => {
    const lookback = 8 * HOUR
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 * DAY }),
        fc.integer({ min: HOUR, max: 10 * DAY }),
        fc.integer({ min: -2 * DAY, max: 25 * DAY }),
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 0, max: 12 * HOUR }),
        fc.boolean(),
        fc.boolean(),
        (startOffset, length, watermarkOffset, position, duration, open, auto) => {
          const start = day0 + startOffset
          const end = start + length
          const watermark = day0 + watermarkOffset
          const now = end + DAY
          const windows = plan(start, end, watermark, now, auto ? {} : undefined)
          const conversationStart = start + Math.floor(position * length)
          const times = { startMillis: conversationStart, endMillis: open ? undefined : conversationStart + duration }
          const owners = windows.filter((w) => internalPlan.owns(w, watermark, times)).length
          const settled = times.endMillis !== undefined && times.endMillis <= watermark
          const reachable = settled || conversationStart >= watermark - lookback
          return owners === (reachable ? 1 : 0)
        }
      ),
      { numRuns: 1000 }
    )
  })
})

describe("Extraction.run against the emulator", () => {
  it.effect(
    "a sink that asks for nested: lazy gets job records whose nested records are parsed when read, the same JSON",
    () =>
      withEmulator(
        Effect.gen(function* () {
          const plan = yield* Extraction.plan({ interval: threeDays })
          const runWith = (nested: ConversationDetails.NestedRecords | undefined) =>
            Effect.gen(function* () {
              const sink = ExtractionSink.memory()
              const exit = yield* drive(
                Extraction.run(
                  plan,
                  { ...sink, validation: "conversation", nested },
                  { concurrency: 2, checkpointKey: nested ?? "parsed" }
                )
              )
              if (!Exit.isSuccess(exit)) return assert.fail(String(exit))
              const fromJobs = exit.value.windows.filter((w) => w.kind === "job").map((w) => w.conversations)
              return { written: sink.written, fromJobs: fromJobs.reduce((a, b) => a + b, 0) }
            })
          const lazy = yield* runWith("lazy")
          const parsed = yield* runWith(undefined)
          // Windows run at once, so the order of writes may differ between runs.
          const byId = (records: ReadonlyArray<ExtractionSink.Conversation>) =>
            JSON.stringify([...records].sort((a, b) => a.conversationId!.localeCompare(b.conversationId!)))
          assert.strictEqual(byId(lazy.written), byId(parsed.written))
          const lazyFields = (records: ReadonlyArray<object>) =>
            records.filter((r) => typeof Object.getOwnPropertyDescriptor(r, "participants")?.get === "function").length
          assert.isAbove(lazy.fromJobs, 0)
          assert.strictEqual(lazyFields(lazy.written), lazy.fromJobs, "every record of a job window, and only those")
          assert.strictEqual(lazyFields(parsed.written), 0)
        })
      )
  )

  it.effect("extracts exactly the ground truth across job and query windows, with reconciliation", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        assert.strictEqual(plan.watermark, new Date(watermarkMillis).toISOString())
        assert.deepStrictEqual(
          plan.windows.map((w) => [w.kind, w.interval]),
          [
            ["job", Interval.format(day0, day0 + DAY)],
            ["job", Interval.format(day0 + DAY, day0 + DAY + 4 * HOUR)],
            ["query", Interval.format(day0 + DAY - 4 * HOUR, day0 + DAY)],
            ["query", Interval.format(day0 + DAY, day0 + 2 * DAY)],
            ["query", Interval.format(day0 + 2 * DAY, day0 + 3 * DAY)]
          ]
        )
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(plan, sink, { reconcile: true, concurrency: 2 }))
        assert.isTrue(Exit.isSuccess(exit))
        if (!Exit.isSuccess(exit)) return
        const report = exit.value
        const ids = idsOf(sink.written)
        assert.strictEqual(new Set(ids).size, ids.length, "no conversation written twice")
        assert.deepStrictEqual(sorted(ids), sorted(yield* expectedIds()))
        assert.isTrue(report.complete)
        assert.strictEqual(report.totals.conversations, ids.length)
        assert.isAbove(
          report.windows.reduce((n, w) => n + w.foreign, 0),
          0,
          "lifetime overlap returned foreign rows"
        )
        assert.strictEqual(report.accuracy, 1)
        const reconciled = report.windows.filter((w) => w.reconciliation !== undefined)
        assert.deepStrictEqual(
          reconciled.map((w) => w.id),
          ["job-000", "query-003", "query-004"],
          "day-aligned windows are reconciled"
        )
        assert.isTrue(reconciled.every((w) => w.reconciliation!.accuracy === 1 && w.reconciliation!.expected > 0))
        assert.isTrue(report.phases.some((p) => p.phase === "await"))
        assert.include(Extraction.formatReport(report), "complete       yes")
        const notOwned = report.windows.reduce((n, w) => n + w.foreign, 0)
        assert.include(
          Extraction.formatReport(report),
          `not owned      ${notOwned} records starting outside the window`
        )
      })
    )
  )

  it.effect(
    "planning reads the availability date and the org's job limit at once: one round trip after the login",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(anchorMillis)
        // Every request waits exactly 1 s (a log-normal with p99 = median).
        const layer = clientLayer({ ...emulatorOptions, latency: { medianMillis: 1_000, p99Millis: 1_000 } })
        yield* Effect.gen(function* () {
          const t0 = yield* Clock.currentTimeMillis
          const exit = yield* drive(Effect.zip(Extraction.plan({ interval: threeDays }), Clock.currentTimeMillis), {
            step: "100 millis"
          })
          assert.isTrue(Exit.isSuccess(exit))
          if (!Exit.isSuccess(exit)) return
          const [plan, doneAt] = exit.value
          // The token, then availability and limits together: 2 s. One after the other takes 3 s. (The driver's
          // clock steps may land a fiber a step late on a busy machine, hence a range, not an equality.)
          assert.isAtLeast(doneAt - t0, 2_000)
          assert.isBelow(doneAt - t0, 3_000)
          assert.strictEqual(plan.jobs, 5)
        }).pipe(Effect.provide(layer))
      })
  )

  it.effect(
    "more windows than job slots: the largest windows' jobs go first, each window counted once beforehand",
    () =>
      Effect.gen(function* () {
        // A week from a Saturday, settled: the weekend's days hold fewer conversations than the weekdays after them, so
        // the plan's order (by date) is not the order of size.
        const start = Date.parse("2026-01-03T00:00:00.000Z")
        const anchor = start + 7 * DAY + 10 * HOUR
        yield* TestClock.setTime(anchor)
        const week = Interval.format(start, start + 7 * DAY)
        const layer = Layer.merge(
          clientLayer(
            {
              ...emulatorOptions,
              startDate: "2026-01-03",
              days: 7,
              anchorMillis: anchor,
              jobs: { ...emulatorOptions.jobs, availabilityLagMillis: HOUR }
            },
            { paging: { jobPageSize: 25 } }
          ),
          CheckpointStore.layerMemory
        )
        yield* Effect.gen(function* () {
          const plan = yield* Extraction.plan({ interval: week }, { jobWindow: "1 day" })
          assert.strictEqual(plan.windows.length, 7)
          const sink = ExtractionSink.memory()
          const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 2 }))
          assert.isTrue(Exit.isSuccess(exit))
          const emulator = yield* Emulator.Emulator
          const size = new Map<string, number>()
          for (const w of plan.windows)
            size.set(w.interval, (yield* emulator.groundTruthSync({ interval: w.interval })).length)
          const submitted = (yield* AuditRecords).flatMap((e) => (e.type === "job.submitted" ? [e.window!] : []))
          const bySize = [...plan.windows.map((w) => w.interval)].sort((a, b) => size.get(b)! - size.get(a)!)
          assert.notDeepEqual(
            bySize,
            plan.windows.map((w) => w.interval),
            "the test's days are not already in size order"
          )
          // Windows start in size order, two at a time: of two submissions in flight together, either may be answered
          // (and audited) first, so a window may be audited after the one started just after it, never after others.
          assert.sameMembers(submitted, bySize)
          for (let i = 0; i < submitted.length; i++)
            for (let j = i + 2; j < submitted.length; j++)
              assert.isAtLeast(size.get(submitted[i]!)!, size.get(submitted[j]!)!, `${submitted.join(", ")}`)
          assert.deepStrictEqual(new Set(submitted.slice(0, 2)), new Set(bySize.slice(0, 2)))
          assert.strictEqual((yield* requestsTo("POST", "/api/v2/analytics/conversations/details/query")).length, 7)
          // Each count is a query of the audit trail like any other.
          const audited = yield* AuditRecords
          const counted = audited.flatMap((e) => (e.type === "query.sent" ? [e.window!] : []))
          assert.deepStrictEqual(sorted(counted), sorted(plan.windows.map((w) => w.interval)))
          assert.strictEqual(audited.filter((e) => e.type === "query.page").length, 7)
          assert.deepStrictEqual(
            sorted(idsOf(sink.written)),
            sorted(yield* emulator.groundTruthSync({ interval: week }))
          )
        }).pipe(Effect.provide(layer))
      })
  )

  it.effect("applies the filters in every window", () =>
    withEmulator(
      Effect.gen(function* () {
        const filters: Extraction.Filters = {
          segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }]
        }
        const plan = yield* Extraction.plan({ interval: threeDays, ...filters })
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(plan, sink))
        assert.isTrue(Exit.isSuccess(exit))
        const expected = yield* expectedIds(filters)
        assert.isAbove(expected.length, 10)
        assert.deepStrictEqual(sorted(idsOf(sink.written)), sorted(expected))
      })
    )
  )

  it.effect("holds concurrency to its limit", () =>
    withEmulator(
      Effect.gen(function* () {
        const details = yield* ConversationDetails.ConversationDetails
        let inFlight = 0
        let peak = 0
        const counting = ConversationDetails.ConversationDetails.of({
          ...details,
          awaitJob: (jobId, options) =>
            Effect.acquireUseRelease(
              Effect.sync(() => {
                inFlight += 1
                peak = Math.max(peak, inFlight)
              }),
              () => details.awaitJob(jobId, options),
              () =>
                Effect.sync(() => {
                  inFlight -= 1
                })
            )
        })
        const plan = yield* Extraction.plan({ interval: threeDays })
        const exit = yield* drive(
          Extraction.run(plan, ExtractionSink.memory(), { concurrency: 1 }).pipe(
            Effect.provideService(ConversationDetails.ConversationDetails, counting)
          )
        )
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(peak, 1)
      })
    )
  )

  it.effect("a job slot is held from submission to fulfilment: the next job runs while a finished one is paged", () =>
    withEmulator(
      Effect.gen(function* () {
        const details = yield* ConversationDetails.ConversationDetails
        // A job is live from its submission until it is fulfilled: that is what the platform's limit counts.
        let live = 0
        let peakLive = 0
        let pagedWhileAnotherJobRan = 0
        const counting = ConversationDetails.ConversationDetails.of({
          ...details,
          submitJob: (q) =>
            Effect.zipRight(
              Effect.sync(() => {
                live += 1
                peakLive = Math.max(peakLive, live)
              }),
              details.submitJob(q)
            ),
          awaitJob: (jobId, options) =>
            Effect.ensuring(
              details.awaitJob(jobId, options),
              Effect.sync(() => {
                live -= 1
              })
            ),
          jobResultPages: (jobId, options) =>
            Stream.tap(details.jobResultPages(jobId, options), () =>
              Effect.sync(() => {
                if (live > 0) pagedWhileAnotherJobRan += 1
              })
            )
        })
        const plan = yield* Extraction.plan({ interval: threeDays }, { jobWindow: "12 hours" })
        const exit = yield* drive(
          Extraction.run(plan, ExtractionSink.memory(), { concurrency: 1 }).pipe(
            Effect.provideService(ConversationDetails.ConversationDetails, counting)
          )
        )
        assert.isTrue(Exit.isSuccess(exit))
        assert.strictEqual(peakLive, 1)
        assert.isAbove(pagedWhileAnotherJobRan, 0)
      })
    )
  )

  it.effect("plans with the org's concurrent-jobs limit and runs that many jobs: no concurrent-jobs 429", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        assert.strictEqual(plan.jobs, 2)
        assert.include(Extraction.formatPlan(plan), "2 at once (the org's limit)")
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(plan, sink))
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit)) {
          assert.deepStrictEqual(exit.value.concurrency, { initial: 2, final: 2 })
          assert.strictEqual(exit.value.totals.rateLimited, 0)
        }
        assert.deepStrictEqual(sorted(idsOf(sink.written)), sorted(yield* expectedIds()))
      }),
      { jobs: { ...emulatorOptions.jobs, maxConcurrent: 2 } }
    )
  )

  it.effect("without a readable limit (the limits API refused), plans and runs with the default of 2 jobs", () =>
    withEmulator(
      Effect.gen(function* () {
        const details = yield* ConversationDetails.ConversationDetails
        const refused = ConversationDetails.ConversationDetails.of({
          ...details,
          jobConcurrencyLimit: () => Effect.succeed(undefined)
        })
        const plan = yield* Extraction.plan({ interval: threeDays }).pipe(
          Effect.provideService(ConversationDetails.ConversationDetails, refused)
        )
        assert.isUndefined(plan.jobs)
        assert.include(Extraction.formatPlan(plan), "the org's limit is unknown")
        const exit = yield* drive(Extraction.run(plan, ExtractionSink.memory()))
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit)) assert.strictEqual(exit.value.concurrency.initial, Extraction.defaultJobs)
      })
    )
  )

  it.effect("a concurrent-jobs 429 with a limit lowers the concurrency instead of failing", () =>
    withEmulator(
      Effect.gen(function* () {
        // One-day windows: more jobs than the org allows, asked for with a concurrency above its limit.
        const plan = yield* Extraction.plan({ interval: threeDays }, { jobWindow: "1 day" })
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 3 }))
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit)) {
          assert.strictEqual(exit.value.concurrency.initial, 3)
          assert.isBelow(exit.value.concurrency.final, 3)
        }
        assert.deepStrictEqual(sorted(idsOf(sink.written)), sorted(yield* expectedIds()))
      }),
      { jobs: { ...emulatorOptions.jobs, maxConcurrent: 1 } }
    )
  )

  it.effect("resumes from the checkpoint after a crash at any page: exactly the ground truth, nothing twice", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const expected = sorted(yield* expectedIds())
        const store = yield* CheckpointStore.CheckpointStore
        let totalWrites = 0
        const counting = ExtractionSink.memory()
        yield* drive(
          Extraction.run(
            plan,
            {
              ...counting,
              write: (b) =>
                Effect.zipRight(
                  Effect.sync(() => totalWrites++),
                  counting.write(b)
                )
            },
            { checkpointKey: "count" }
          )
        )
        assert.isAbove(totalWrites, 4)
        const points = [1, Math.floor(totalWrites / 3), Math.floor((2 * totalWrites) / 3), totalWrites - 1]
        for (const crashAfter of points) {
          // Either the page never reached the sink, or it did and the process died before the checkpoint.
          for (const mode of ["before-write", "after-write"] as const) {
            const key = `crash-${crashAfter}-${mode}`
            const sink = ExtractionSink.memory()
            let writes = 0
            const crashing: ExtractionSink.ExtractionSink<string> = {
              ...sink,
              write: (batch) =>
                ++writes <= crashAfter
                  ? sink.write(batch)
                  : mode === "before-write"
                    ? Effect.fail("crash")
                    : Effect.zipRight(sink.write(batch), Effect.fail("crash"))
            }
            const first = yield* drive(Extraction.run(plan, crashing, { checkpointKey: key }))
            assert.isTrue(Exit.isFailure(first), `${key}: first run should fail`)
            assert.strictEqual(failureOf(first), "crash", `${key}: the sink's failure`)
            assert.isTrue(Option.isSome(yield* store.load(key)))
            const second = yield* drive(Extraction.run(plan, sink, { checkpointKey: key }))
            assert.isTrue(Exit.isSuccess(second), `${key}: resumed run should succeed`)
            const ids = idsOf(sink.written)
            assert.strictEqual(new Set(ids).size, ids.length, `${key}: duplicates`)
            assert.deepStrictEqual(sorted(ids), expected, `${key}: not the ground truth`)
            if (Exit.isSuccess(second)) assert.isTrue(second.value.windows.some((w) => w.resumed))
          }
        }
      })
    )
  )

  it.effect("a job that expired between runs is submitted again and what was written is skipped", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const sink = ExtractionSink.memory()
        let writes = 0
        const crashing: ExtractionSink.ExtractionSink<string> = {
          ...sink,
          write: (batch) => (++writes > 2 ? Effect.fail("crash") : sink.write(batch))
        }
        const first = yield* drive(Extraction.run(plan, crashing, { checkpointKey: "expiry", concurrency: 1 }))
        assert.isTrue(Exit.isFailure(first))
        assert.strictEqual(failureOf(first), "crash", "the sink's failure")
        yield* TestClock.adjust("25 hours")
        const second = yield* drive(Extraction.run(plan, sink, { checkpointKey: "expiry", concurrency: 1 }))
        assert.isTrue(Exit.isSuccess(second))
        if (Exit.isSuccess(second)) assert.isAbove(second.value.totals.resubmissions, 0)
        const ids = idsOf(sink.written)
        assert.strictEqual(new Set(ids).size, ids.length)
      })
    )
  )

  it.effect("a lost job submission (503, dropped connection) is submitted again by the window: exact output", () =>
    withEmulator(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const plan = yield* Extraction.plan({ interval: threeDays })
        yield* emulator.setFaults({
          script: [
            {
              method: "POST",
              path: "/api/v2/analytics/conversations/details/jobs",
              nth: 1,
              fault: { kind: "serverError", status: 503 }
            },
            { method: "POST", path: "/api/v2/analytics/conversations/details/jobs", nth: 2, fault: { kind: "drop" } }
          ]
        })
        const sink = ExtractionSink.memory()
        const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 1 }))
        assert.isTrue(Exit.isSuccess(exit))
        assert.deepStrictEqual(sorted(idsOf(sink.written)), sorted(yield* expectedIds()))
        const posts = (yield* emulator.requests).filter((r) => r.method === "POST" && r.path.endsWith("/details/jobs"))
        const jobWindows = plan.windows.filter((w) => w.kind === "job").length
        assert.strictEqual(posts.length, jobWindows + 2)
      })
    )
  )

  it.effect("a run that dies while a resubmitted job is still skipping written rows resumes without duplicates", () =>
    withEmulator(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const plan = yield* Extraction.plan({ interval: threeDays })
        // Every results request after the first cursor is refused: each new job of the window re-reads page 1
        // (already written, so skipped) and dies on page 2, until the resubmissions run out.
        yield* emulator.setFaults({
          script: [
            {
              method: "GET",
              path: "/api/v2/analytics/conversations/details/jobs/*/results",
              nth: 2,
              times: 1_000,
              fault: { kind: "staleCursor", mode: "reject" }
            }
          ]
        })
        const sink = ExtractionSink.memory()
        const first = yield* drive(Extraction.run(plan, sink, { checkpointKey: "skip", concurrency: 1 }))
        assert.isTrue(Exit.isFailure(first))
        const refused = failureOf(first)
        assert.strictEqual(refused?._tag, "BadRequest", "the refused cursor, after the resubmissions ran out")
        if (refused?._tag === "BadRequest") {
          assert.strictEqual(refused.status, 400)
          assert.strictEqual(refused.code, "bad.request")
          assert.strictEqual(refused.detail, "The cursor is no longer valid")
          assert.match(refused.url ?? "", /\/details\/jobs\/[^/]+\/results/)
        }
        yield* emulator.setFaults(undefined)
        const second = yield* drive(Extraction.run(plan, sink, { checkpointKey: "skip", concurrency: 1 }))
        assert.isTrue(Exit.isSuccess(second))
        const ids = idsOf(sink.written)
        assert.strictEqual(new Set(ids).size, ids.length, "no conversation written twice")
        assert.deepStrictEqual(sorted(ids), sorted(yield* expectedIds()))
      })
    )
  )

  it.effect("formatPlan prints every window for a dry run", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const text = Extraction.formatPlan(plan)
        for (const w of plan.windows) assert.include(text, w.interval)
        assert.include(text, "provisional")
      })
    )
  )

  it.effect("refuses an interval that would need more windows than maxWindows, before planning them", () =>
    withEmulator(
      Effect.gen(function* () {
        const error = yield* Effect.flip(Extraction.plan({ interval: "0001-01-01T00:00:00Z/2026-01-08T00:00:00Z" }))
        assert.strictEqual(error._tag, "QueryInvalid")
        if (error._tag === "QueryInvalid") assert.strictEqual(error.issues[0]!.rule, "extraction.windows")
        const plan = yield* Extraction.plan({ interval: threeDays }, { maxWindows: 10 })
        assert.isAtMost(plan.windows.length, 10)
      })
    )
  )

  it.effect("refuses a limit: an extraction reads everything", () =>
    withEmulator(
      Effect.gen(function* () {
        const error = yield* Effect.flip(Extraction.plan({ interval: threeDays, limit: 10 }))
        assert.strictEqual(error._tag, "QueryInvalid")
      })
    )
  )
})
