// awaitJob's poll in isolation: a scripted status sequence on the TestClock, no HTTP.
import { assert, describe, it } from "@effect/vitest"
import { Clock, Duration, Effect, Exit, Fiber, Option, Cause, Schedule, TestClock } from "effect"
import { defaultPollPolicy, type PollPolicy, pollDelayMillis } from "../src/GenesysConfig.js"
import { ServerError } from "../src/GenesysError.js"
import * as JobStatus from "../src/internal/details/jobStatus.js"
import * as StatusPoll from "../src/internal/details/statusPoll.js"
import { memoryAudit } from "./DetailsFixtures.js"

const policy: PollPolicy = {
  initialDelay: Duration.seconds(1),
  factor: 2,
  maxDelay: Duration.seconds(4),
  jitter: false,
  timeout: Duration.minutes(1)
}

type State = JobStatus.JobStatus["_tag"]

/** A job whose status walks through `states` (the last one repeats), remembering when each poll happened. */
const scripted = (states: ReadonlyArray<State>, errorMessage?: string) => {
  const polledAt: Array<number> = []
  const jobStatus = (jobId: string) =>
    Effect.map(Clock.currentTimeMillis, (now): JobStatus.JobStatus => {
      const state = states[Math.min(polledAt.length, states.length - 1)]!
      polledAt.push(now)
      return state === "FAILED"
        ? JobStatus.Failed.make({ jobId, ...(errorMessage !== undefined ? { errorMessage } : {}) })
        : ({ _tag: state, jobId } as JobStatus.JobStatus)
    })
  return { jobStatus, polledAt }
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>) =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const run = (states: ReadonlyArray<State>, advance: Duration.DurationInput, errorMessage?: string) =>
  Effect.gen(function* () {
    const job = scripted(states, errorMessage)
    const { audit, events } = memoryAudit()
    const awaitJob = StatusPoll.make({ jobStatus: job.jobStatus, audit, policy })
    const fiber = yield* Effect.fork(awaitJob("job-1"))
    yield* TestClock.adjust(advance)
    const exit = yield* Fiber.await(fiber)
    return { exit, polledAt: job.polledAt, events }
  })

describe("statusPoll", () => {
  it.effect("waits the initial delay, then polls on the exponential schedule capped at maxDelay", () =>
    Effect.gen(function* () {
      const { exit, polledAt } = yield* run(
        ["QUEUED", "PENDING", "PENDING", "PENDING", "PENDING", "FULFILLED"],
        "1 minute"
      )
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(polledAt, [1_000, 2_000, 4_000, 8_000, 12_000, 16_000])
    })
  )

  // A job done at `doneAt` (milliseconds after submission), polled by the default policy without jitter.
  const doneAtUnderDefault = (doneAt: number) =>
    Effect.gen(function* () {
      const polledAt: Array<number> = []
      const start = yield* Clock.currentTimeMillis
      const jobStatus = (jobId: string) =>
        Effect.map(Clock.currentTimeMillis, (clock): JobStatus.JobStatus => {
          const now = clock - start
          polledAt.push(now)
          return now >= doneAt ? JobStatus.Fulfilled.make({ jobId }) : JobStatus.Pending.make({ jobId })
        })
      const { audit } = memoryAudit()
      const awaitJob = StatusPoll.make({ jobStatus, audit, policy: { ...defaultPollPolicy, jitter: false } })
      const fiber = yield* Effect.fork(awaitJob("job-1"))
      yield* TestClock.adjust(Duration.millis(doneAt + 20_000))
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      return polledAt
    })

  it.effect("the default policy notices a job done at most 1 s or 15 % of its age late", () =>
    Effect.gen(function* () {
      // Jobs of an extraction's waves (3-12 s on the emulator's model) up to long ones. The exponential ×1.25 from
      // the first poll noticed a 9.3 s job at 12.26 s, 2.96 s (32 %) late, while its job slot stood idle.
      for (const doneAt of [3_100, 5_500, 9_300, 10_700, 14_200, 21_000, 45_000, 90_000, 300_000]) {
        const seen = (yield* doneAtUnderDefault(doneAt)).at(-1)!
        assert.isAtMost(seen - doneAt, Math.max(1_000, 0.15 * seen) + 1, `job done at ${doneAt} ms, seen at ${seen}`)
      }
    })
  )

  it.effect("the default policy polls every second while a job is young, then 15 % of its age apart up to 10 s", () =>
    Effect.gen(function* () {
      const polledAt = yield* doneAtUnderDefault(600_000)
      assert.deepStrictEqual(polledAt.slice(0, 8), [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_050])
      const gaps = polledAt.slice(1).map((t, i) => t - polledAt[i]!)
      assert.isTrue(gaps.every((g) => g >= 1_000 && g <= 10_000))
      // The rate budget: 22 polls in a job's first minute (12 under the exponential ×1.25), 6 a minute once the spacing
      // is at its maximum.
      assert.strictEqual(polledAt.filter((t) => t <= 60_000).length, 22)
      assert.strictEqual(polledAt.filter((t) => t > 300_000 && t <= 360_000).length, 6)
    })
  )

  // The poll times of a job running until `until` under the default policy with `phase`, from its schedule stepped
  // without a clock (phased polls are not jittered).
  const pollTimes = (phase: number, until: number) =>
    Effect.gen(function* () {
      const policy = { ...defaultPollPolicy, phase }
      const running = Array.from({ length: 200 }, () => JobStatus.Pending.make({ jobId: "job-1" }))
      const delays = yield* Schedule.run(Schedule.delays(StatusPoll.schedule(policy)), 0, running)
      const times = [StatusPoll.firstPollMillis(policy)]
      for (const delay of delays) {
        if (times.at(-1)! >= until) break
        times.push(times.at(-1)! + Duration.toMillis(delay))
      }
      return times.map(Math.round)
    })

  // When a job done at `doneAt` is first polled under the default policy (jitter on) with `phase`.
  const firstPollAfter = (doneAt: number, phase: number | undefined) =>
    Effect.gen(function* () {
      const polledAt: Array<number> = []
      const start = yield* Clock.currentTimeMillis
      const jobStatus = (jobId: string) =>
        Effect.map(Clock.currentTimeMillis, (clock): JobStatus.JobStatus => {
          polledAt.push(clock - start)
          return clock - start >= doneAt ? JobStatus.Fulfilled.make({ jobId }) : JobStatus.Pending.make({ jobId })
        })
      const { audit } = memoryAudit()
      const awaitJob = StatusPoll.make({ jobStatus, audit, policy: defaultPollPolicy })
      const fiber = yield* Effect.fork(awaitJob("job-1", phase === undefined ? undefined : { phase }))
      yield* TestClock.adjust(Duration.millis(doneAt + 20_000))
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      return polledAt
    })

  it.effect("a phased job's first poll waits its phase of the initial delay more, and its polls are not jittered", () =>
    Effect.gen(function* () {
      const polledAt = (yield* firstPollAfter(12_000, 0.4)).map(Math.round)
      // Every second while young, then 15 % of the age counted from submission (7,400 × 0.15 = 1,110), not from a
      // first poll at the initial delay.
      assert.deepStrictEqual(polledAt, [1_400, 2_400, 3_400, 4_400, 5_400, 6_400, 7_400, 8_510, 9_787, 11_254, 12_943])
      assert.deepStrictEqual((yield* firstPollAfter(12_000, 0.4)).map(Math.round), polledAt)
      assert.deepStrictEqual(polledAt, yield* pollTimes(0.4, 12_000))
    })
  )

  it.effect("five jobs phased 0, 0.2, …, 0.8 notice one done at any time within a quarter of a poll interval", () =>
    Effect.gen(function* () {
      const jobs = yield* Effect.forEach([0, 0.2, 0.4, 0.6, 0.8], (phase) => pollTimes(phase, 420_000))
      const lateness = (polls: ReadonlyArray<number>, doneAt: number) => polls.find((t) => t >= doneAt)! - doneAt
      // Jobs in step (the same phase) are as late as one alone: up to a whole interval.
      let worstInStep = 0
      for (let doneAt = 2_000; doneAt < 400_000; doneAt += 97) {
        const interval = pollDelayMillis(defaultPollPolicy, doneAt)
        const late = Math.min(...jobs.map((polls) => lateness(polls, doneAt)))
        assert.isAtMost(late, 0.25 * interval, `done at ${doneAt} ms, first seen ${late} ms late`)
        worstInStep = Math.max(worstInStep, lateness(jobs[0]!, doneAt) / interval)
      }
      assert.isAbove(worstInStep, 0.9)
    })
  )

  it.effect("audits each change of state once, not each poll", () =>
    Effect.gen(function* () {
      const { events } = yield* run(["QUEUED", "QUEUED", "PENDING", "PENDING", "PENDING", "FULFILLED"], "1 minute")
      assert.deepStrictEqual(
        events.map((e) => [e.type, e.jobId, e.status]),
        [
          ["job.state", "job-1", "QUEUED"],
          ["job.state", "job-1", "PENDING"],
          ["job.state", "job-1", "FULFILLED"]
        ]
      )
    })
  )

  it.effect("the end state decides the outcome: Fulfilled status, JobFailed, JobCancelled, JobExpired", () =>
    Effect.gen(function* () {
      const fulfilled = yield* run(["PENDING", "FULFILLED"], "10 seconds")
      assert.deepStrictEqual(Exit.isSuccess(fulfilled.exit) ? fulfilled.exit.value : undefined, {
        _tag: "FULFILLED",
        jobId: "job-1"
      })
      const failed = failureOf((yield* run(["FAILED"], "10 seconds", "disk full")).exit)
      assert.strictEqual(failed?._tag, "JobFailed")
      assert.strictEqual(failed?._tag === "JobFailed" ? failed.errorMessage : undefined, "disk full")
      const cancelled = failureOf((yield* run(["CANCELLED"], "10 seconds")).exit)
      assert.strictEqual(cancelled?._tag, "JobCancelled")
      assert.strictEqual(cancelled?._tag === "JobCancelled" ? cancelled.jobId : undefined, "job-1")
      const expired = failureOf((yield* run(["PENDING", "EXPIRED"], "10 seconds")).exit)
      assert.strictEqual(expired?._tag, "JobExpired")
      assert.strictEqual(expired?._tag === "JobExpired" ? expired.jobId : undefined, "job-1")
    })
  )

  it.effect("a job still running at the timeout fails JobTimeout with its last state and the time waited", () =>
    Effect.gen(function* () {
      const { exit, polledAt } = yield* run(["QUEUED", "PENDING"], "2 minutes")
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "JobTimeout")
      if (error?._tag === "JobTimeout") {
        assert.strictEqual(error.jobId, "job-1")
        assert.strictEqual(error.lastState, "PENDING")
        assert.strictEqual(error.elapsedMillis, 60_000)
      }
      assert.isTrue(polledAt.every((t) => t <= 60_000))
    })
  )

  it.effect("a timeout before the first poll has no last state", () =>
    Effect.gen(function* () {
      const job = scripted(["PENDING"])
      const { audit } = memoryAudit()
      const awaitJob = StatusPoll.make({ jobStatus: job.jobStatus, audit, policy })
      const fiber = yield* Effect.fork(awaitJob("job-1", { timeout: Duration.millis(500) }))
      yield* TestClock.adjust("1 second")
      const error = failureOf(yield* Fiber.await(fiber))
      assert.strictEqual(error?._tag, "JobTimeout")
      assert.strictEqual(error?._tag === "JobTimeout" ? error.lastState : "", undefined)
      assert.deepStrictEqual(job.polledAt, [])
    })
  )

  it.effect("a failing status request ends the poll with that error", () =>
    Effect.gen(function* () {
      const { audit } = memoryAudit()
      const failing = new ServerError({ status: 503, method: "GET", url: "/jobs/job-1" })
      const awaitJob = StatusPoll.make({ jobStatus: () => Effect.fail(failing), audit, policy })
      const fiber = yield* Effect.fork(awaitJob("job-1"))
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(failureOf(yield* Fiber.await(fiber)), failing)
    })
  )

  it("isRunning holds for QUEUED and PENDING only", () => {
    assert.isTrue(JobStatus.isRunning(JobStatus.Queued.make({ jobId: "j" })))
    assert.isTrue(JobStatus.isRunning(JobStatus.Pending.make({ jobId: "j" })))
    assert.isFalse(JobStatus.isRunning(JobStatus.Fulfilled.make({ jobId: "j" })))
  })
})
