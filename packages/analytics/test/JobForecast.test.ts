import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert, describe, it } from "@effect/vitest"
import { Clock, Deferred, Duration, Effect, Exit, Fiber, Layer, Option, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as fc from "fast-check"
import { ConversationDetails } from "../src/ConversationDetails.js"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import type { PollPolicy } from "../src/GenesysConfig.js"
import * as JobStatus from "../src/internal/details/jobStatus.js"
import * as JobForecast from "../src/internal/extraction/jobForecast.js"
import { memoryAudit } from "./DetailsFixtures.js"
import * as PageSink from "../src/PageSink.js"
import { HOUR, sixDaysFromThursday } from "./ExtractionFixtures.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

describe("JobForecast.expectedMillis", () => {
  it("nothing before a job is done; the mean without sizes; in proportion to one sized job", () => {
    assert.isTrue(Option.isNone(JobForecast.expectedMillis([], 10)))
    const unsized = [
      { size: undefined, millis: 4_000 },
      { size: undefined, millis: 6_000 }
    ]
    assert.deepStrictEqual(JobForecast.expectedMillis(unsized, 10), Option.some(5_000))
    assert.deepStrictEqual(JobForecast.expectedMillis([{ size: 100, millis: 4_000 }], 150), Option.some(6_000))
    assert.deepStrictEqual(JobForecast.expectedMillis([{ size: 100, millis: 4_000 }], undefined), Option.some(4_000))
  })

  it("finds the fixed cost and the cost per conversation of jobs that have both", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000 }),
        fc.integer({ min: 0, max: 50 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 2, maxLength: 8 }),
        fc.integer({ min: 1, max: 100_000 }),
        (fixed, perConversation, sizes, size) => {
          const samples = sizes.map((n) => ({ size: n, millis: fixed + perConversation * n }))
          const expected = Option.getOrThrow(JobForecast.expectedMillis(samples, size))
          return Math.abs(expected - (fixed + perConversation * size)) <= 1e-6 * (1 + fixed + perConversation * size)
        }
      )
    )
  })
})

describe("JobForecast.awaitJob with turns", () => {
  it.effect("jobs awaited at once poll in turn: phases spread over the slots, a done job's turn taken again", () =>
    Effect.gen(function* () {
      const forecast = yield* JobForecast.make
      const phases: Array<readonly [string, number | undefined]> = []
      const gates = new Map<string, Deferred.Deferred<void>>()
      for (const jobId of ["a", "b", "c", "d", "e", "one slot", "no slots said"])
        gates.set(jobId, yield* Deferred.make<void>())
      const gate = (jobId: string) => gates.get(jobId)!
      const details = {
        awaitJob: (jobId: string, poll?: Partial<PollPolicy>) => {
          phases.push([jobId, poll?.phase])
          return Effect.as(Deferred.await(gate(jobId)), JobStatus.Fulfilled.make({ jobId }))
        },
        jobStatus: () => Effect.never
      }
      const { audit } = memoryAudit()
      const start = (jobId: string, turns: number | undefined) =>
        Effect.fork(
          JobForecast.awaitJob({ forecast, details, audit, jobId, size: undefined, submittedAt: undefined, turns })
        )
      const a = yield* start("a", 4)
      const b = yield* start("b", 4)
      const c = yield* start("c", 4)
      yield* Effect.repeatN(Effect.yieldNow(), 10)
      yield* Deferred.succeed(gate("b"), undefined)
      yield* Fiber.join(b)
      yield* start("d", 4)
      yield* start("e", 4)
      yield* start("one slot", 1)
      yield* start("no slots said", undefined)
      yield* Effect.repeatN(Effect.yieldNow(), 10)
      assert.deepStrictEqual(Object.fromEntries(phases), {
        a: 0,
        b: 0.25,
        c: 0.5,
        d: 0.25,
        e: 0.75,
        "one slot": undefined,
        "no slots said": undefined
      })
      // A job given up (its fiber interrupted) leaves its turn too.
      yield* Fiber.interrupt(a)
      yield* start("f", 4)
      yield* Effect.repeatN(Effect.yieldNow(), 10)
      assert.strictEqual(Object.fromEntries(phases).f, 0)
      yield* Fiber.interrupt(c)
    })
  )
})

describe("JobForecast.watch", () => {
  const done = (submitted: number, millis: number) => ({
    submissionDate: new Date(submitted).toISOString(),
    completionDate: new Date(submitted + millis).toISOString()
  })

  it.effect(
    "polls at 1, 1.02 and 1.1 of the expected time; tries already due make one poll, again after each job done",
    () =>
      Effect.gen(function* () {
        const forecast = yield* JobForecast.make
        const polls: Array<number> = []
        const poll = Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.sync(() => polls.push(now)))
        const fiber = yield* Effect.fork(
          forecast.watch({ size: undefined, submittedAt: 0, poll: Effect.as(poll, "PENDING"), running: () => true })
        )
        yield* TestClock.adjust(10_000)
        assert.deepStrictEqual(polls, [], "no forecast before a job is done")
        // A job of 1 s done: every try of a job submitted at 0 is due, one poll.
        yield* forecast.record(undefined, done(0, 1_000))
        yield* TestClock.adjust(0)
        assert.deepStrictEqual(polls, [10_000])
        // Another job, of 30 s: the mean is 15.5 s, so tries at 15.5 s, 15.81 s and 17.05 s.
        yield* forecast.record(undefined, done(0, 30_000))
        yield* TestClock.adjust(10_000)
        assert.deepStrictEqual(polls, [10_000, 15_500, 15_810, 17_050])
        yield* Fiber.interrupt(fiber)
      })
  )
})

// Six one-day windows, two job slots: jobs take 3 s plus 20 ms a conversation, so they differ by size.
const { anchorMillis, days, emulator, interval: sixDays } = sixDaysFromThursday(20)
// A poll schedule that notices a job late (every `age` apart: a job done at 5 s is seen at 8 s).
const lazyPolls = {
  initialDelay: Duration.seconds(1),
  factor: 2,
  maxDelay: Duration.seconds(30),
  jitter: false
}

/** Each job of the run, in the order it was first polled: its status requests (the emulator's log) and its dates. */
const jobsOfTheRun = Effect.gen(function* () {
  const requests = yield* Effect.flatMap(Emulator.Emulator, (e) => e.requests)
  const jobPath = /\/details\/jobs\/([0-9a-f-]{36})$/
  const ids = [...new Set(requests.flatMap((r) => jobPath.exec(r.path)?.[1] ?? []))]
  const details = yield* ConversationDetails
  return yield* Effect.forEach(ids, (jobId) =>
    Effect.map(details.jobStatus(jobId), (status) => {
      const { completionDate, submissionDate } = status as { completionDate?: string; submissionDate?: string }
      return {
        jobId,
        polls: requests.filter((r) => jobPath.exec(r.path)?.[1] === jobId).map((r) => r.atMillis),
        submittedAt: Date.parse(submissionDate ?? ""),
        completedAt: Date.parse(completionDate ?? "")
      }
    })
  )
})

/** How long after its end each job of the run was first polled, in the order they were submitted. */
const lateness = Effect.gen(function* () {
  const jobs = yield* jobsOfTheRun
  assert.strictEqual(jobs.length, days)
  return jobs.map(({ completedAt, polls }) => {
    const seen = polls.find((at) => at >= completedAt)
    return seen === undefined ? Number.POSITIVE_INFINITY : seen - completedAt
  })
})

/** Status requests of each job sent within `millis` of its submission (the platform's `submissionDate`). */
const pollsJustAfterSubmission = (millis: number) =>
  Effect.map(jobsOfTheRun, (jobs) => ({
    jobs: jobs.length,
    early: jobs.flatMap(({ jobId, polls, submittedAt }) =>
      polls.filter((at) => at - submittedAt < millis).map((at) => `${jobId.slice(0, 8)} +${at - submittedAt} ms`)
    )
  }))

/** The first two jobs have none before them to go by: the schedule alone sees them late. The others, just after. */
const assertForecast = (late: ReadonlyArray<number>) => {
  assert.isAbove(Math.max(...late.slice(0, 2)), 500)
  // 2 % of a job of 6 s, and a clock step.
  for (const l of late.slice(2)) assert.isAtMost(l, 250)
}

const withLazyPolls = <A, E, R>(body: Effect.Effect<A, E, R>, options: EmulatorOptions.Input = emulator) =>
  Effect.zipRight(TestClock.setTime(anchorMillis), body).pipe(
    Effect.provide(Layer.merge(clientLayer(options, { poll: lazyPolls }), CheckpointStore.layerMemory))
  )

// Jobs that all take 5 s, whatever their size: the mean of those done is the forecast of the others.
const alikeJobs: EmulatorOptions.Input = {
  ...emulator,
  jobs: { queueMillis: 1_000, runMillis: 4_000, runMillisPerConversation: 0, availabilityLagMillis: HOUR }
}

const sixDailyWindows = Effect.gen(function* () {
  const plan = yield* yield* drive(Extraction.plan({ interval: sixDays }, { jobWindow: "1 day" }))
  assert.strictEqual(plan.windows.filter((w) => w.kind === "job").length, days)
  return plan
})

/** `Extraction.run` of the six daily windows, two jobs at a time, on the TestClock; it must succeed. */
const runSixDailyWindows = (maxSteps: number) =>
  Effect.gen(function* () {
    const plan = yield* sixDailyWindows
    const exit = yield* drive(Extraction.run(plan, ExtractionSink.memory(), { concurrency: 2 }), {
      step: "100 millis",
      maxSteps
    })
    assert.isTrue(Exit.isSuccess(exit))
  })

describe("an extraction polls a job when its done jobs say it is done", () => {
  it.effect("Extraction.run: jobs after the first two are seen fulfilled just after their end", () =>
    withLazyPolls(
      Effect.gen(function* () {
        yield* runSixDailyWindows(2_000)
        assertForecast(yield* lateness)
      })
    )
  )

  it.effect(
    "Extraction.run: a submission held back (a concurrency 429, then its backoff) is forecast from when the job exists",
    () =>
      withLazyPolls(
        Effect.gen(function* () {
          yield* runSixDailyWindows(4_000)
          const requests = yield* Effect.flatMap(Emulator.Emulator, (e) => e.requests)
          assert.isTrue(
            requests.some((r) => r.method === "POST" && r.status === 429),
            "a submission met the job limit"
          )
          // The schedule's first poll is a second after the job exists; a forecast timed from before a held-back
          // submission would poll it at once.
          const { early, jobs } = yield* pollsJustAfterSubmission(500)
          assert.strictEqual(jobs, days)
          assert.deepStrictEqual(early, [])
        }),
        { ...alikeJobs, jobs: { ...alikeJobs.jobs, maxConcurrent: 1 } }
      )
  )

  it.effect("ExtractionWorkflow (durable, no sizes): jobs that take alike are seen just after their end", () =>
    withLazyPolls(
      Effect.gen(function* () {
        const plan = yield* sixDailyWindows
        const engine = ExtractionWorkflow.layer.pipe(
          Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink: PageSink.memory() })),
          Layer.provideMerge(WorkflowEngine.layerMemory)
        )
        const exit = yield* drive(ExtractionWorkflow.run(plan, { concurrency: 2 }).pipe(Effect.provide(engine)), {
          step: "100 millis",
          maxSteps: 2_000
        })
        assert.isTrue(Exit.isSuccess(exit))
        assertForecast(yield* lateness)
      }),
      alikeJobs
    )
  )
})
