// Every operation that fails leaves one `failure` audit event saying where (route, job, window) and why (HTTP
// status or error tag, message, correlation id for support cases).
import type * as Effect from "effect/Effect"
import type { AuditLog } from "../../AuditLog.js"
import type { GenesysError } from "../../GenesysError.js"

/** Where a failure happened, as recorded with it. */
export interface FailureContext {
  readonly jobId?: string
  readonly window?: string
  readonly route?: string
}

/** Records a failure in context; used with `tapError`, so the error itself goes on unchanged. */
export type AuditFailure = (context: FailureContext) => (error: GenesysError) => Effect.Effect<void>

/** The failure recorder over `audit`. */
export const make =
  (audit: AuditLog["Type"]): AuditFailure =>
  (context) =>
  (error) =>
    audit.record({
      type: "failure",
      ...context,
      status: "status" in error ? error.status : error._tag,
      detail: error.message,
      correlationId: "correlationId" in error ? error.correlationId : undefined
    })

/** The job's own outcomes (as opposed to request failures, which the request's operation audits). */
export const isJobOutcome = (error: GenesysError): boolean =>
  error._tag === "JobFailed" ||
  error._tag === "JobCancelled" ||
  error._tag === "JobExpired" ||
  error._tag === "JobTimeout"
