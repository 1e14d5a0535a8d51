// Cancelling a job. `make` is the plain DELETE, audited as `job.cancelled`; `cancelQuietly` is the cleanup form
// used when whatever held the job stops early: best effort, never in the way of what ends.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type { AuditLog } from "../../AuditLog.js"
import type { GenesysError, HttpError } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { detailJobs, type JobRoutes } from "./routes.js"

/** How long a best-effort cancellation may take before it is given up. */
export const cancelDeadline: Duration.Duration = Duration.seconds(5)

/** Why a job is being cancelled, from the exit of what used it, for the audit log. */
export const cancelReason = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? "stopped before the last page"
    : Exit.isInterrupted(exit)
      ? "interrupted"
      : Option.match(Cause.failureOption(exit.cause), {
          onNone: () => "defect",
          onSome: (e) => `failed: ${Predicate.hasProperty(e, "_tag") ? String(e._tag) : "error"}`
        })

/** `cancelJob`: DELETEs the job; `reason` becomes the `detail` of the `job.cancelled` audit event. */
export const make =
  (http: GenesysHttp.Service, audit: AuditLog["Type"], jobs: JobRoutes = detailJobs) =>
  (jobId: string, reason?: string): Effect.Effect<void, HttpError> =>
    Effect.gen(function* () {
      yield* http.execute(HttpClientRequest.del(jobs.jobPath(jobId)), { route: jobs.cancelJob, idempotent: true })
      yield* audit.record({
        type: "job.cancelled",
        jobId,
        route: jobs.cancelJob,
        ...(reason !== undefined ? { detail: reason } : {})
      })
    })

/**
 * Cancellation as cleanup: bounded by `cancelDeadline`, protected from the interruption that triggered it, failures
 * swallowed (audited as `failure` by `cancel`, or here when the deadline passes).
 */
export const cancelQuietly = (
  cancel: (jobId: string, reason?: string) => Effect.Effect<void, GenesysError>,
  audit: AuditLog["Type"],
  jobId: string,
  reason: string,
  route: string = detailJobs.cancelJob
): Effect.Effect<void> =>
  // The DELETE runs in a fiber of its own: the fiber asking may already be interrupted, and an interruptible region
  // of an interrupted fiber would end before sending anything.
  Effect.fork(Effect.interruptible(Effect.timeoutOption(cancel(jobId, reason), cancelDeadline))).pipe(
    Effect.flatMap(Fiber.join),
    Effect.flatMap((done) =>
      Option.isSome(done)
        ? Effect.void
        : audit.record({
            type: "failure",
            jobId,
            route,
            status: "Timeout",
            detail: `cancelling job ${jobId} (${reason}) did not finish within ${Duration.format(cancelDeadline)}; given up`
          })
    ),
    Effect.catchAllCause(() => Effect.void),
    Effect.uninterruptible
  )
