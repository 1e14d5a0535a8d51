// Waiting for a job: its status polled on a Schedule (a share of the job's age, from the initial delay, capped,
// jittered or offset by a phase) while it runs, each change of state audited once, and the end state turned into the
// job's outcome.
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type { AuditLog } from "../../AuditLog.js"
import { type PollPolicy, pollDelayMillis } from "../../GenesysConfig.js"
import { type GenesysError, JobCancelled, JobExpired, JobFailed, JobTimeout } from "../../GenesysError.js"
import { type Fulfilled, isRunning, type JobStatus } from "./jobStatus.js"

/** What the poll needs: the status request, the audit log, and the configured policy that options override. */
export interface Dependencies {
  readonly jobStatus: (jobId: string) => Effect.Effect<JobStatus, GenesysError>
  readonly audit: AuditLog["Type"]
  readonly policy: PollPolicy
}

/**
 * The delays between polls of a job polled first at the initial delay (so the n-th wait starts at the initial delay
 * plus the schedule's elapsed time), each `GenesysConfig.pollDelayMillis` of the job's age: every initial delay while
 * it is young, then growing by `factor` a poll, as an exponential's does, up to the maximum (an exponential from the
 * first poll grows with the count of polls instead, and noticed long jobs a third of their age late). It stops
 * recurring once a polled status is no longer running.
 */
export const schedule = (policy: PollPolicy): Schedule.Schedule<unknown, JobStatus> => {
  const initial = firstPollMillis(policy)
  const delays = Schedule.addDelay(Schedule.elapsed, (elapsed) =>
    Duration.millis(pollDelayMillis(policy, initial + Duration.toMillis(elapsed)))
  )
  // Jitter would move a phased job's polls out of turn within a few dozen polls.
  const jittered = policy.jitter && phaseOf(policy) === undefined
  return (jittered ? Schedule.jittered(delays) : delays).pipe(Schedule.intersect(Schedule.recurWhile(isRunning)))
}

/** The policy's phase within [0, 1], or none when it sets no finite one. */
const phaseOf = (policy: PollPolicy): number | undefined =>
  policy.phase !== undefined && Number.isFinite(policy.phase) ? Math.min(Math.max(policy.phase, 0), 1) : undefined

/** The wait before the first poll: the initial delay, later by the policy's phase of it. */
export const firstPollMillis = (policy: PollPolicy): number =>
  Duration.toMillis(policy.initialDelay) * (1 + (phaseOf(policy) ?? 0))

/** The outcome of a job's last seen status: the Fulfilled status, or the error its state (or absence) means. */
export const outcome = (
  jobId: string,
  status: JobStatus | undefined,
  elapsedMillis: number,
  finished: boolean
): Effect.Effect<typeof Fulfilled.Type, JobFailed | JobCancelled | JobExpired | JobTimeout> => {
  if (!finished || status === undefined || isRunning(status)) {
    return Effect.fail(
      new JobTimeout({ jobId, elapsedMillis, ...(status !== undefined ? { lastState: status._tag } : {}) })
    )
  }
  switch (status._tag) {
    case "FULFILLED":
      return Effect.succeed(status)
    case "FAILED":
      return Effect.fail(
        new JobFailed({ jobId, ...(status.errorMessage !== undefined ? { errorMessage: status.errorMessage } : {}) })
      )
    case "CANCELLED":
      return Effect.fail(new JobCancelled({ jobId }))
    default:
      return Effect.fail(new JobExpired({ jobId }))
  }
}

/** `awaitJob`: polls until the job leaves QUEUED/PENDING or the policy's timeout passes. */
export const make =
  ({ audit, jobStatus, policy: defaults }: Dependencies) =>
  (jobId: string, options?: Partial<PollPolicy>): Effect.Effect<typeof Fulfilled.Type, GenesysError> =>
    Effect.gen(function* () {
      const policy: PollPolicy = { ...defaults, ...options }
      const last = yield* Ref.make<JobStatus | undefined>(undefined)
      // Audited on change only: a job polled fifty times while PENDING is one `job.state` event, not fifty.
      const poll = Effect.flatMap(jobStatus(jobId), (status) =>
        Effect.flatMap(Ref.getAndSet(last, status), (previous) =>
          previous?._tag === status._tag
            ? Effect.succeed(status)
            : Effect.as(audit.record({ type: "job.state", jobId, status: status._tag }), status)
        )
      )
      const start = yield* Clock.currentTimeMillis
      // A job is never done the instant it is submitted: the first poll waits the initial delay, so no request
      // (and no share of the rate limit) is spent on an answer known in advance.
      const finished = yield* Effect.timeoutOption(
        Effect.zipRight(Effect.sleep(firstPollMillis(policy)), Effect.repeat(poll, schedule(policy))),
        policy.timeout
      )
      const elapsedMillis = (yield* Clock.currentTimeMillis) - start
      return yield* outcome(jobId, yield* Ref.get(last), elapsedMillis, Option.isSome(finished))
    })
