import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Effect, Exit, Layer, TestClock } from "effect"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as PageSink from "../src/PageSink.js"
import { docExamples } from "./DocExamples.js"
import { anchorMillis, emulatorOptions, threeDays, watermarkMillis } from "./ExtractionFixtures.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

const engineWith = (sink: PageSink.PageSink<unknown>) =>
  ExtractionWorkflow.layer.pipe(
    Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )

const withEmulator = <A, E, R>(body: Effect.Effect<A, E, R>, emulator: EmulatorOptions.Input = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    return yield* body.pipe(
      Effect.provide(clientLayer({ ...emulatorOptions, ...emulator }, { paging: { jobPageSize: 25 } }))
    )
  })

const sorted = (ids: ReadonlyArray<string>) => [...ids].sort()

describe("ExtractionWorkflow on the in-memory engine", () => {
  it.effect("extracts exactly the ground truth across job and query windows, with reconciliation", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const sink = PageSink.memory()
        const exit = yield* drive(
          ExtractionWorkflow.run(plan, { reconcile: true, concurrency: 2 }).pipe(Effect.provide(engineWith(sink)))
        )
        if (Exit.isFailure(exit)) console.log(Cause.pretty(exit.cause))
        assert.isTrue(Exit.isSuccess(exit))
        if (!Exit.isSuccess(exit)) return
        const report = exit.value
        const ids = sink.written.map((c) => c.conversationId!)
        assert.strictEqual(new Set(ids).size, ids.length)
        const truth = yield* Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval: threeDays }))
        assert.deepStrictEqual(sorted(ids), sorted(truth))
        assert.isTrue(report.complete)
        assert.strictEqual(report.totals.conversations, ids.length)
        assert.isTrue(report.reconciled)
        assert.strictEqual(report.windows.length, plan.windows.length)
      })
    )
  )

  const jobPosts = Effect.map(
    Effect.flatMap(Emulator.Emulator, (e) => e.requests),
    (all) => all.filter((r) => r.method === "POST" && r.path.endsWith("/details/jobs")).length
  )
  const truthIds = Effect.flatMap(Emulator.Emulator, (e) => e.groundTruthSync({ interval: threeDays }))
  // The first job expires once its first page has been read.
  const expireFirstJobAfterOnePage = Effect.flatMap(Emulator.Emulator, (e) =>
    e.setFaults({
      script: [
        {
          method: "POST",
          path: "/api/v2/analytics/conversations/details/jobs",
          nth: 1,
          fault: { kind: "expireJob", afterPages: 1 }
        }
      ]
    })
  )

  it.effect("a job that expires while paging is submitted again and its window read again, exactly", () =>
    withEmulator(
      Effect.gen(function* () {
        yield* expireFirstJobAfterOnePage
        const plan = yield* Extraction.plan({ interval: threeDays })
        const sink = PageSink.memory()
        const exit = yield* drive(
          ExtractionWorkflow.run(plan, { concurrency: 1 }).pipe(Effect.provide(engineWith(sink)))
        )
        assert.isTrue(Exit.isSuccess(exit))
        if (!Exit.isSuccess(exit)) return
        assert.strictEqual(exit.value.totals.resubmissions, 1)
        assert.deepStrictEqual(sorted(sink.written.map((c) => c.conversationId!)), sorted(yield* truthIds))
      })
    )
  )

  /** Job submissions, in order, with where each job's status polls and result pages end in the request log. */
  const jobTimeline = Effect.map(
    Effect.flatMap(Emulator.Emulator, (e) => e.requests),
    (requests) => {
      const posts = requests.flatMap((r, i) => (r.method === "POST" && r.path.endsWith("/details/jobs") ? [i] : []))
      const jobOf = (path: string) => /\/details\/jobs\/([0-9a-f-]{36})/.exec(path)?.[1]
      // Jobs in the order they were submitted (each is polled right after its submission).
      const jobs = [...new Set(requests.flatMap((r) => jobOf(r.path) ?? []))]
      const last = (predicate: (path: string) => boolean) =>
        requests.reduce((found, r, i) => (predicate(r.path) ? i : found), -1)
      return {
        posts,
        jobs,
        pages: (job: string) => requests.filter((r) => r.path.endsWith(`/jobs/${job}/results`)).length,
        lastPoll: (job: string) => last((path) => path.endsWith(`/jobs/${job}`)),
        lastPage: (job: string) => last((path) => path.endsWith(`/jobs/${job}/results`))
      }
    }
  )

  /** With one job slot, each job is submitted only once the one before it was fulfilled (its last status poll). */
  const oneJobAtATime = (t: Effect.Effect.Success<typeof jobTimeline>) => {
    assert.strictEqual(t.jobs.length, t.posts.length)
    for (let k = 1; k < t.jobs.length; k++) assert.isAbove(t.posts[k]!, t.lastPoll(t.jobs[k - 1]!))
  }

  /** The three days' plan, run into `sink` with one job slot. */
  const runWithOneSlot = (sink: PageSink.PageSink<unknown>) =>
    Effect.gen(function* () {
      const plan = yield* yield* drive(Extraction.plan({ interval: threeDays }))
      const exit = yield* drive(
        ExtractionWorkflow.run(plan, { concurrency: 1 }).pipe(Effect.provide(engineWith(sink))),
        { maxSteps: 300 }
      )
      return { plan, exit }
    })

  // Every request takes 100 ms of the test's clock, so that reading a job's pages takes time.
  const slowRequests = { latency: { medianMillis: 100, p99Millis: 100 } }

  it.effect("a window gives its job slot back when its job is fulfilled: the next job runs while it is paged", () =>
    withEmulator(
      Effect.gen(function* () {
        const sink = PageSink.memory()
        const { exit, plan } = yield* runWithOneSlot(sink)
        assert.isAtLeast(plan.windows.filter((w) => w.kind === "job").length, 2)
        assert.isTrue(Exit.isSuccess(exit))
        const t = yield* jobTimeline
        assert.isAtLeast(t.pages(t.jobs[0]!), 2)
        oneJobAtATime(t)
        // The second job is not held back until the first window's pages are read: it runs while they are.
        assert.isBelow(t.posts[1]!, t.lastPage(t.jobs[0]!))
        assert.deepStrictEqual(sorted(sink.written.map((c) => c.conversationId!)), sorted(yield* truthIds))
      }),
      slowRequests
    )
  )

  it.effect("a job that expires while read is submitted again under a job slot, not beside the running one", () =>
    withEmulator(
      Effect.gen(function* () {
        yield* expireFirstJobAfterOnePage
        const sink = PageSink.memory()
        const { exit } = yield* runWithOneSlot(sink)
        assert.isTrue(Exit.isSuccess(exit))
        if (!Exit.isSuccess(exit)) return
        assert.strictEqual(exit.value.totals.resubmissions, 1)
        assert.strictEqual(exit.value.windows[0]!.resubmissions, 1)
        const t = yield* jobTimeline
        // The first window's second job waited for the slot that the second window's job held.
        assert.isAtLeast(t.jobs.length, 3)
        oneJobAtATime(t)
        assert.deepStrictEqual(sorted(sink.written.map((c) => c.conversationId!)), sorted(yield* truthIds))
        const ids = sink.written.map((c) => c.conversationId!)
        assert.strictEqual(new Set(ids).size, ids.length)
      }),
      slowRequests
    )
  )

  it.effect("the next run of a failed plan keeps a window that finished on its second job", () =>
    withEmulator(
      Effect.gen(function* () {
        yield* expireFirstJobAfterOnePage
        const plan = yield* yield* drive(Extraction.plan({ interval: threeDays }))
        const memory = PageSink.memory()
        // The first finalize fails, after every window has finished: the run fails with all its windows done.
        let finalizes = 0
        const sink: PageSink.PageSink<unknown> = {
          writePage: memory.writePage,
          finalize: (windows) =>
            finalizes++ === 0
              ? Effect.fail(new ExtractionWorkflow.SinkFailed({ message: "disk full" }))
              : memory.finalize(windows)
        }
        yield* Effect.gen(function* () {
          const first = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 1 }), { maxSteps: 300 })
          assert.isTrue(Exit.isFailure(first))
          const posts = yield* jobPosts
          const second = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 1 }), { maxSteps: 300 })
          assert.isTrue(Exit.isSuccess(second))
          if (!Exit.isSuccess(second)) return
          // Every window, the one that finished on its second job too, is taken as it was: no job is submitted.
          assert.strictEqual(yield* jobPosts, posts)
          assert.isTrue(second.value.windows.every((w) => w.resumed))
          assert.strictEqual(second.value.totals.resubmissions, 1)
          assert.deepStrictEqual(sorted(memory.written.map((c) => c.conversationId!)), sorted(yield* truthIds))
        }).pipe(Effect.provide(engineWith(sink)))
      }),
      slowRequests
    )
  )

  it.effect("a failed run fails typed; the next run of the plan keeps the windows that finished", () =>
    withEmulator(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        // The second window's job fails on all three attempts (maxResubmissions 2).
        yield* emulator.setFaults({
          script: [
            {
              method: "POST",
              path: "/api/v2/analytics/conversations/details/jobs",
              nth: 2,
              times: 3,
              fault: { kind: "failJob" }
            }
          ]
        })
        const plan = yield* Extraction.plan({ interval: threeDays })
        const sink = PageSink.memory()
        const engine = engineWith(sink)
        yield* Effect.gen(function* () {
          const first = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 1 }))
          assert.isTrue(Exit.isFailure(first))
          if (Exit.isFailure(first)) assert.include(Cause.pretty(first.cause), "JobFailed")
          assert.strictEqual(yield* jobPosts, 4)
          const second = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 1 }))
          assert.isTrue(Exit.isSuccess(second))
          // Only the failed window's job is submitted again.
          assert.strictEqual(yield* jobPosts, 5)
          if (Exit.isSuccess(second)) {
            assert.isTrue(second.value.windows[0]!.resumed)
            assert.isFalse(second.value.windows[1]!.resumed)
          }
          const ids = sink.written.map((c) => c.conversationId!)
          assert.strictEqual(new Set(ids).size, ids.length)
          assert.deepStrictEqual(sorted(ids), sorted(yield* truthIds))
          // A third call returns the completed run's report without a request.
          const third = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 1 }))
          assert.isTrue(Exit.isSuccess(third))
          assert.strictEqual(yield* jobPosts, 5)
        }).pipe(Effect.provide(engine))
      })
    )
  )

  it.effect("submit plans on the runner; detached, the execution is followed by its id to the same report", () =>
    withEmulator(
      Effect.gen(function* () {
        const sink = PageSink.memory()
        yield* Effect.gen(function* () {
          // `onPlan` is told the plan once, before the run submits a job.
          const told: Array<{ readonly planHash: string; readonly jobsBefore: number }> = []
          const emulator = yield* Emulator.Emulator
          const onPlan = (p: Extraction.Plan) =>
            Effect.map(Effect.provideService(jobPosts, Emulator.Emulator, emulator), (jobsBefore) => {
              told.push({ planHash: p.planHash, jobsBefore })
            })
          const started = yield* drive(ExtractionWorkflow.submit({ interval: threeDays }, { detach: true, onPlan }))
          assert.isTrue(Exit.isSuccess(started))
          if (!Exit.isSuccess(started) || started.value._tag !== "Started") return assert.fail("not started")
          const { id, plan } = started.value
          assert.deepStrictEqual(told, [{ planHash: plan.planHash, jobsBefore: 0 }])
          // Planned on the runner, inside the driven clock: the watermark is read a few (test) seconds in.
          assert.isAtLeast(Date.parse(plan.watermark), watermarkMillis)
          assert.isBelow(Date.parse(plan.watermark), watermarkMillis + 60_000)
          const unknown = yield* ExtractionWorkflow.status("no-such-execution")
          assert.strictEqual(unknown._tag, "Unknown")
          // Submitting the same query again waits for the same execution instead of starting another.
          const done = yield* drive(ExtractionWorkflow.submit({ interval: threeDays }))
          assert.isTrue(Exit.isSuccess(done))
          if (!Exit.isSuccess(done) || done.value._tag !== "Done") return assert.fail("not done")
          const status = yield* ExtractionWorkflow.status(id)
          assert.strictEqual(status._tag, "Succeeded")
          if (status._tag === "Succeeded") assert.deepStrictEqual(status.report, done.value.report)
          assert.deepStrictEqual(sorted(sink.written.map((c) => c.conversationId!)), sorted(yield* truthIds))
          assert.strictEqual(yield* jobPosts, plan.windows.filter((w) => w.kind === "job").length)
        }).pipe(Effect.provide(engineWith(sink)))
      })
    )
  )

  it.effect("submit: a plan slower than the submitter's early reads is followed to its end, and made once", () =>
    withEmulator(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        // The plan reads the availability date: 5 s, past the 3 s of early reads.
        yield* emulator.setFaults({
          script: [
            {
              method: "GET",
              path: "/api/v2/analytics/conversations/details/jobs/availability",
              nth: 1,
              fault: { kind: "slow", delayMillis: 5_000 }
            }
          ]
        })
        const started = yield* drive(ExtractionWorkflow.submit({ interval: threeDays }, { detach: true })).pipe(
          Effect.provide(engineWith(PageSink.memory()))
        )
        assert.isTrue(Exit.isSuccess(started))
        if (!Exit.isSuccess(started) || started.value._tag !== "Started") return assert.fail("not started")
        assert.isAtLeast(Date.parse(started.value.plan.watermark), watermarkMillis)
        const availability = (yield* emulator.requests).filter((r) => r.path.endsWith("/details/jobs/availability"))
        assert.strictEqual(availability.length, 1)
      })
    )
  )

  it.effect("docs/cluster.md: the library example runs as written", () =>
    withEmulator(
      Effect.gen(function* () {
        const plan = yield* Extraction.plan({ interval: threeDays })
        const exit = yield* drive(
          Effect.gen(function* () {
            // docs:workflow-run
            const sink = PageSink.memory()
            const engine = ExtractionWorkflow.layer.pipe(
              Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
              Layer.provideMerge(WorkflowEngine.layerMemory)
            )
            const report = yield* ExtractionWorkflow.run(plan, { concurrency: 2 }).pipe(Effect.provide(engine))
            // /docs
            return { report, sink }
          })
        )
        assert.isTrue(Exit.isSuccess(exit))
        if (Exit.isSuccess(exit))
          assert.strictEqual(exit.value.sink.written.length, exit.value.report.totals.conversations)
        assert.deepStrictEqual(docExamples("cluster.md", import.meta.filename).check(1), ["workflow-run"])
      })
    )
  )
})
