// Unit tests of the parts Extraction.run is wired from (internal/extraction/): each on its own, without the emulator.
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Fiber, Option, Stream, TestClock } from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import {
  JobExpired,
  NotFound,
  PaginationStalled,
  RateLimited,
  RecordInvalid,
  ServerError
} from "../src/GenesysError.js"
import * as ReleasingPages from "../src/internal/details/releasingPages.js"
import * as JobWindow from "../src/internal/extraction/jobWindow.js"
import type { PlannedWindow } from "../src/internal/extraction/layout.js"
import * as Ledger from "../src/internal/extraction/ledger.js"
import * as PhaseTimer from "../src/internal/extraction/phaseTimer.js"
import * as Reconcile from "../src/internal/extraction/reconcile.js"
import * as Report from "../src/internal/extraction/report.js"
import * as Selector from "../src/internal/extraction/selector.js"
import * as Submission from "../src/internal/extraction/submission.js"

const DAY = 86_400_000
const day0 = Date.parse("2026-01-05T00:00:00.000Z")
const window = (i: number, kind: "job" | "query" = "job"): PlannedWindow => ({
  id: `w${i}`,
  kind,
  interval: `${new Date(day0 + i * DAY).toISOString()}/${new Date(day0 + (i + 1) * DAY).toISOString()}`,
  startMillis: day0 + i * DAY,
  endMillis: day0 + (i + 1) * DAY,
  provisional: kind === "query"
})
const plan = { planHash: "hash-1", windows: [window(0), window(1)] }
// Ended well before the watermark: owned by the job window of its start day.
const conv = (id: string, dayIndex = 0, minute = 0) =>
  ({
    conversationId: id,
    conversationStart: new Date(day0 + dayIndex * DAY + minute * 60_000).toISOString(),
    conversationEnd: new Date(day0 + dayIndex * DAY + minute * 60_000 + 30_000).toISOString()
  }) as ExtractionSink.Conversation
const watermarkMillis = day0 + 10 * DAY

// Advances the test clock until the fiber ends: a fiber forked just before may not have reached its sleep yet.
const awaitWithClock = <A, E>(fiber: Fiber.RuntimeFiber<A, E>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 120; i++) {
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return done.value
      yield* TestClock.adjust("1 second")
    }
    return yield* Fiber.await(fiber)
  })

const auditLayer = AuditLog.layerMemory({ actor: "test", region: "test" })
const auditRecords = Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.records)

describe("ledger", () => {
  it("restore: a checkpoint of the plan restores states, day counts and the sink position; another plan's nothing", () => {
    const saved: CheckpointStore.Checkpoint = {
      planHash: "hash-1",
      sinkPosition: 7,
      dayCounts: { "20458": 3 },
      // The second window is named by interval only, as checkpoints before window ids did.
      windows: [
        { id: "w0", window: window(0).interval, kind: "job", state: "done", pagesDone: 2, conversations: 3 },
        { window: window(1).interval, kind: "job", state: "paging", jobId: "j", pagesDone: 1, conversations: 1 }
      ]
    }
    const restored = Ledger.restore(plan, Option.some(saved))
    assert.strictEqual(restored.states.get("w0")!.state, "done")
    assert.strictEqual(restored.states.get("w1")!.jobId, "j")
    assert.deepStrictEqual([...restored.resumed].sort(), ["w0", "w1"])
    assert.strictEqual(restored.dayCounts.get(20458), 3)
    assert.deepStrictEqual(restored.sinkPosition, Option.some(7))
    const other = Ledger.restore(plan, Option.some({ ...saved, planHash: "other" }))
    assert.strictEqual(other.states.get("w0"), Ledger.freshState)
    assert.strictEqual(other.resumed.size, 0)
    assert.isTrue(Option.isNone(other.sinkPosition))
  })

  it.effect("commit writes the batch, then saves the checkpoint with the sink's position, then reports progress", () =>
    Effect.gen(function* () {
      const store = yield* CheckpointStore.makeMemory
      const sink = ExtractionSink.memory()
      const events: Array<string> = []
      const ledger = yield* Ledger.make({
        plan,
        key: "k",
        store: {
          ...store,
          save: (key, c) =>
            Effect.zipRight(
              Effect.sync(() => events.push(`save ${c.sinkPosition}`)),
              store.save(key, c)
            )
        },
        saved: Option.none(),
        sink: {
          ...sink,
          write: (b) =>
            Effect.zipRight(
              Effect.sync(() => events.push("write")),
              sink.write(b)
            )
        },
        startedAt: 0,
        onProgress: (p) => Effect.sync(() => events.push(`progress ${p.pages}/${p.conversations}`))
      })
      const next: Ledger.WindowState = { state: "paging", pagesDone: 1, conversations: 2 }
      yield* ledger.commit(window(0), [conv("a", 0), conv("b", 1)], next, true)
      yield* ledger.commit(window(0), [], { ...next, state: "done" }, false)
      assert.deepStrictEqual(events, ["write", "save 2", "progress 1/2", "save 2"])
      assert.strictEqual(ledger.state("w0").state, "done")
      assert.strictEqual(ledger.extractedIn(day0, day0 + DAY), 1)
      assert.strictEqual(ledger.extractedIn(day0, day0 + 2 * DAY), 2)
      const saved = yield* store.load("k")
      assert.isTrue(Option.isSome(saved))
      if (Option.isSome(saved)) {
        assert.strictEqual(saved.value.windows[0]!.state, "done")
        assert.strictEqual(saved.value.windows[1]!.state, "pending")
      }
    })
  )
})

describe("selector", () => {
  it("checks records, drops foreign rows and repeats, then skips what an earlier attempt wrote", () => {
    const stats = { duplicates: 0, foreign: 0 }
    const selector = Selector.make({ window: window(0), watermarkMillis, stats, skip: 1 })
    const { batch, invalid } = selector.select(
      [
        conv("a"),
        conv("b"),
        conv("a"),
        conv("other-day", 1),
        { conversationStart: conv("x").conversationStart } as ExtractionSink.Conversation,
        conv("c")
      ],
      { page: 3, jobId: "job-1" }
    )
    assert.deepStrictEqual(
      batch.map((c) => c.conversationId),
      ["b", "c"]
    )
    assert.deepStrictEqual(stats, { duplicates: 1, foreign: 1 })
    assert.strictEqual(invalid.length, 1)
    assert.strictEqual(invalid[0]!.error._tag, "RecordInvalid")
    assert.strictEqual(invalid[0]!.error.field, "conversationId")
    assert.strictEqual(invalid[0]!.error.page, 3)
    assert.strictEqual(invalid[0]!.error.jobId, "job-1")
    assert.strictEqual(selector.remainingSkip(), 0)
    assert.deepStrictEqual([...selector.seenIds()].sort(), ["a", "b", "c"])
  })

  it("ids seen before a resume are still repeats", () => {
    const stats = { duplicates: 0, foreign: 0 }
    const selector = Selector.make({ window: window(0), watermarkMillis, stats, skip: 0, seen: ["a"] })
    assert.deepStrictEqual(
      selector.select([conv("a"), conv("b")], { page: 1 }).batch.map((c) => c.conversationId),
      ["b"]
    )
    assert.strictEqual(stats.duplicates, 1)
  })

  it.effect("setAside fails with the first RecordInvalid without quarantine; with it, passes, counts and audits", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog.AuditLog
      const error = new RecordInvalid({
        field: "conversationId",
        detail: "missing",
        window: window(0).interval,
        page: 1
      })
      const invalid = [{ error, record: {} }]
      const stats = { quarantined: 0 }
      const failed = yield* Effect.exit(
        Selector.setAside({ window: window(0), invalid, quarantine: undefined, stats, audit })
      )
      assert.deepStrictEqual(failed, Exit.fail(error))
      const passed: Array<unknown> = []
      yield* Selector.setAside({
        window: window(0),
        invalid,
        quarantine: (entry) => Effect.sync(() => passed.push(entry.record)),
        stats,
        audit
      })
      assert.strictEqual(passed.length, 1)
      assert.strictEqual(stats.quarantined, 1)
      const records = yield* auditRecords
      assert.isTrue(records.some((r) => r.type === "extraction.window" && r.status === "quarantined"))
    }).pipe(Effect.provide(auditLayer))
  )
})

describe("phaseTimer", () => {
  it.effect("samples timed phases and the firstPage and paging phases of a page stream", () =>
    Effect.gen(function* () {
      const timer = PhaseTimer.make()
      const fiber = yield* Effect.fork(timer.timed("submit", Effect.sleep("2 seconds")))
      yield* awaitWithClock(fiber)
      const pages: Array<number> = []
      yield* timer.forEachPage(Stream.make(1, 2, 3), 0, (page) => Effect.sync(() => pages.push(page)))
      assert.deepStrictEqual(pages, [1, 2, 3])
      assert.deepStrictEqual(timer.samples.get("submit"), [2000])
      assert.deepStrictEqual(timer.samples.get("firstPage"), [2000])
      assert.deepStrictEqual(timer.samples.get("paging"), [2000])
    })
  )
})

describe("submission", () => {
  const context = { method: "POST", url: "/jobs" }

  it.effect("concurrency is lowered one at a time, never below 1, and audited", () =>
    Effect.gen(function* () {
      const concurrency = yield* Submission.makeConcurrency(2, yield* AuditLog.AuditLog)
      yield* Effect.scoped(Effect.zipRight(concurrency.lower, concurrency.lower))
      assert.strictEqual(yield* concurrency.current, 1)
      const lowered = (yield* auditRecords).filter((r) => r.status === "concurrency.lowered")
      assert.strictEqual(lowered.length, 1)
    }).pipe(Effect.provide(auditLayer))
  )

  it.effect("a lost job POST is submitted again 3 times, each audited, then fails with the last error", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog.AuditLog
      let calls = 0
      const fiber = yield* Effect.fork(
        Effect.scoped(
          Submission.submitWithRetries({
            submit: Effect.suspend(() => {
              calls++
              return Effect.fail(new ServerError({ ...context, status: 503 }))
            }),
            window: "w",
            concurrency: yield* Submission.makeConcurrency(1, audit),
            audit
          })
        )
      )
      const exit = yield* awaitWithClock(fiber)
      assert.strictEqual(calls, 4)
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(exit, Exit.fail(new ServerError({ ...context, status: 503 })), "the last ServerError")
      const retries = (yield* auditRecords).filter((r) => r.type === "http.retry")
      assert.deepStrictEqual(
        retries.map((r) => r.attempt),
        [1, 2, 3]
      )
    }).pipe(Effect.provide(auditLayer))
  )

  it.effect("a 429 naming a concurrency limit lowers the run's concurrency, waits and submits again", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog.AuditLog
      const concurrency = yield* Submission.makeConcurrency(3, audit)
      let calls = 0
      const fiber = yield* Effect.fork(
        Effect.scoped(
          Submission.submitWithRetries({
            submit: Effect.suspend(() =>
              ++calls === 1
                ? Effect.fail(new RateLimited({ ...context, status: 429, limitKey: "jobs", retryAfterMillis: 1000 }))
                : Effect.succeed("job-1")
            ),
            window: "w",
            concurrency,
            audit
          })
        )
      )
      assert.deepStrictEqual(yield* awaitWithClock(fiber), Exit.succeed("job-1"))
      assert.strictEqual(yield* concurrency.current, 2)
    }).pipe(Effect.provide(auditLayer))
  )
})

describe("largestFirst", () => {
  const sizes = [300, 900, 100, 900, 500, 700]
  const windows = [...sizes.map((_, i) => window(i)), window(6, "query")]
  const sizeOf = (calls: Array<string>) => (w: PlannedWindow) =>
    Effect.sync(() => {
      calls.push(w.id)
      return sizes[Number(w.id.slice(1))]!
    })
  const ids = (ws: ReadonlyArray<PlannedWindow>) => ws.map((w) => w.id)

  it.effect("more job windows than slots: the largest first, equal sizes in plan order, sync-query windows after", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const ordered = yield* Submission.largestFirst({ windows, slots: 2, started: () => false, size: sizeOf(calls) })
      assert.deepStrictEqual(ids(ordered), ["w1", "w3", "w5", "w4", "w0", "w2", "w6"])
      assert.deepStrictEqual([...calls].sort(), ["w0", "w1", "w2", "w3", "w4", "w5"])
    })
  )

  it.effect("windows holding a job keep their place ahead and are not counted", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const started = (w: PlannedWindow) => w.id === "w2" || w.id === "w4"
      const ordered = yield* Submission.largestFirst({ windows, slots: 2, started, size: sizeOf(calls) })
      assert.deepStrictEqual(ids(ordered), ["w2", "w4", "w1", "w3", "w5", "w0", "w6"])
      assert.deepStrictEqual([...calls].sort(), ["w0", "w1", "w3", "w5"])
    })
  )

  it.effect("no more windows to submit than slots: the plan's order, nothing counted", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const ordered = yield* Submission.largestFirst({ windows, slots: 6, started: () => false, size: sizeOf(calls) })
      assert.deepStrictEqual(ids(ordered), ids(windows))
      assert.deepStrictEqual(calls, [])
    })
  )

  it("a window is sized by the share of its touched days it covers (the sync query counts whole days)", () => {
    const day = Date.parse("2026-01-08T00:00:00.000Z")
    const hour = 3_600_000
    assert.strictEqual(Submission.coveredShare({ startMillis: day, endMillis: day + 24 * hour }), 1)
    assert.strictEqual(Submission.coveredShare({ startMillis: day - 48 * hour, endMillis: day + 24 * hour }), 1)
    assert.strictEqual(Submission.coveredShare({ startMillis: day, endMillis: day + 4 * hour }), 4 / 24)
    assert.strictEqual(Submission.coveredShare({ startMillis: day + 20 * hour, endMillis: day + 28 * hour }), 8 / 48)
  })

  it.effect("more windows than a run counts: the plan's order, nothing counted (no burst of sync queries)", () =>
    Effect.gen(function* () {
      const calls: Array<string> = []
      const many = Array.from({ length: Submission.maxSizedWindows + 1 }, (_, i) => window(i))
      const ordered = yield* Submission.largestFirst({
        windows: many,
        slots: 5,
        started: () => false,
        size: (w) => Effect.sync(() => calls.push(w.id))
      })
      assert.deepStrictEqual(ids(ordered), ids(many))
      assert.deepStrictEqual(calls, [])
    })
  )

  it.effect("a failed count, or counts slower than the timeout, leave the plan's order", () =>
    Effect.gen(function* () {
      const failing = yield* Submission.largestFirst({
        windows,
        slots: 2,
        started: () => false,
        size: (w) => (w.id === "w3" ? Effect.fail("refused") : Effect.succeed(1))
      })
      assert.deepStrictEqual(ids(failing), ids(windows))
      const fiber = yield* Effect.fork(
        Submission.largestFirst({
          windows,
          slots: 2,
          started: () => false,
          size: (w) => Effect.as(Effect.sleep(w.id === "w5" ? "1 minute" : "1 second"), 1)
        })
      )
      yield* TestClock.adjust(Submission.sizingTimeout)
      const slow = yield* Fiber.join(fiber)
      assert.deepStrictEqual(ids(slow), ids(windows))
    })
  )
})

describe("jobWindow", () => {
  it("restartable failures, gone jobs and the skip a window starts with", () => {
    const expired = new JobExpired({ jobId: "j" })
    const stalled = new PaginationStalled({ jobId: "j", cursor: "c", pagesRead: 1 })
    assert.isTrue(JobWindow.isRestartable(expired, false))
    assert.isTrue(JobWindow.isRestartable(new NotFound({ method: "GET", url: "/j", status: 404 }), false))
    assert.isTrue(JobWindow.isRestartable(stalled, true))
    assert.isFalse(JobWindow.isRestartable(new ServerError({ method: "GET", url: "/j", status: 500 }), true))
    assert.isFalse(JobWindow.isRestartable("sink failed", true))
    assert.isTrue(JobWindow.jobIsGone(expired))
    assert.isFalse(JobWindow.jobIsGone(stalled))
    assert.strictEqual(JobWindow.describe(expired).tag, "JobExpired")
    assert.deepStrictEqual(JobWindow.describe(new Error("disk full")), { tag: "SinkError", message: "disk full" })
    assert.strictEqual(JobWindow.initialSkip({ state: "paging", pagesDone: 2, conversations: 9 }), 9)
    assert.strictEqual(
      JobWindow.initialSkip({ state: "paging", cursor: "c", pendingSkip: 4, pagesDone: 2, conversations: 9 }),
      4
    )
    assert.strictEqual(JobWindow.initialSkip(Ledger.freshState), 0)
  })
})

describe("reconcile and report", () => {
  it("accuracy is extracted / expected, 1 when both are 0", () => {
    assert.strictEqual(Reconcile.accuracy(0, 0), 1)
    assert.strictEqual(Reconcile.accuracy(0, 3), 0)
    assert.strictEqual(Reconcile.accuracy(4, 3), 0.75)
  })

  it("assemble sums the windows, takes the lowest accuracy and holds it to the threshold", () => {
    const progress = (conversations: number, accuracy?: number): Report.WindowProgress => ({
      state: { state: "done", pagesDone: 1, conversations },
      stats: { resubmissions: 1, duplicates: 2, foreign: 0, quarantined: 0, latencyMillis: 5 },
      resumed: false,
      ...(accuracy !== undefined ? { reconciliation: { expected: 4, extracted: 4 * accuracy, accuracy } } : {})
    })
    const windows = [
      Report.windowReport(window(0), progress(4, 1)),
      Report.windowReport(window(1, "query"), progress(3, 0.75))
    ]
    const report = Report.assemble({
      plan: { interval: "i", watermark: "w", windows: [window(0), window(1, "query")] },
      windows,
      complete: true,
      requests: 10,
      retries: 1,
      rateLimited: 0,
      phases: [],
      routes: [],
      concurrency: { initial: 2, final: 2 },
      reconcileThreshold: 0.8,
      auditHead: "head"
    })
    assert.strictEqual(report.totals.conversations, 7)
    assert.strictEqual(report.totals.duplicates, 4)
    assert.strictEqual(report.totals.resubmissions, 2)
    assert.strictEqual(report.accuracy, 0.75)
    assert.strictEqual(report.reconciled, false)
    assert.strictEqual(report.provisionalFrom, new Date(window(1).startMillis).toISOString())
    assert.deepStrictEqual(Report.counts(windows), { conversations: 7, pages: 2, windows: 2 })
  })
})

describe("ExtractionSink", () => {
  it.effect("memory keeps what was written up to a resumed position", () =>
    Effect.gen(function* () {
      const sink = ExtractionSink.memory()
      yield* sink.open(Option.none())
      yield* sink.write([conv("a"), conv("b"), conv("c")])
      yield* sink.open(Option.some(2))
      assert.deepStrictEqual(
        (yield* sink.close).map((c) => c.conversationId),
        ["a", "b"]
      )
    })
  )

  it.effect("write batches a stream, closes on success and discards, without the open batch, on failure", () =>
    Effect.gen(function* () {
      const log: Array<string> = []
      const make = Effect.sync(() => {
        const sink = ExtractionSink.memory()
        return {
          ...sink,
          write: (batch: ReadonlyArray<ExtractionSink.Conversation>) =>
            Effect.zipRight(
              Effect.sync(() => log.push(`write ${batch.length}`)),
              sink.write(batch)
            ),
          discard: Effect.sync(() => void log.push("discard"))
        }
      })
      const items = Chunk.fromIterable(["a", "b", "c", "d", "e"].map((id) => conv(id)))
      const written = yield* ExtractionSink.write(Stream.fromChunk(items).pipe(Stream.rechunk(1)), make, {
        batchSize: 2
      })
      assert.strictEqual(written.length, 5)
      assert.deepStrictEqual(log, ["write 2", "write 2", "write 1"])
      log.length = 0
      const failed = yield* Effect.exit(
        ExtractionSink.write(Stream.concat(Stream.fromChunk(items), Stream.fail("boom")), make, { batchSize: 2 })
      )
      assert.deepStrictEqual(failed, Exit.fail("boom"))
      assert.deepStrictEqual(log, ["write 2", "write 2", "discard"])
    })
  )
})

describe("ExtractionSink.toSink", () => {
  it.effect("writes one batch per non-empty chunk: the empty chunk that follows each page is not a batch", () =>
    Effect.gen(function* () {
      const sink = ExtractionSink.memory()
      const batches: Array<number> = []
      const recorded = {
        ...sink,
        write: (batch: ReadonlyArray<ExtractionSink.Conversation>) => {
          batches.push(batch.length)
          return sink.write(batch)
        }
      }
      // Two pages as paging emits them: each followed by an empty chunk.
      const pages = ReleasingPages.paginate(0, (page: number) =>
        Effect.succeed([
          page === 0 ? [conv("a"), conv("b")] : [conv("c")],
          page === 0 ? Option.some(1) : Option.none()
        ] as const)
      ).pipe(Stream.mapConcat((page) => page))
      const written = yield* Stream.run(pages, ExtractionSink.toSink(Effect.succeed(recorded)))
      assert.deepStrictEqual(batches, [2, 1])
      assert.deepStrictEqual(
        written.map((c) => c.conversationId),
        ["a", "b", "c"]
      )
    })
  )
})
