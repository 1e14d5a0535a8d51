// A job's status: the six states as tagged Schemas, and the one request that reads them. A status without a known
// state cannot be acted on, so it is refused inside the request loop and retried like any unreadable body.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as ConversationRecord from "../../ConversationRecord.js"
import { type HttpError, Transport } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { detailJobs, type JobRoutes } from "./routes.js"

const statusFields = {
  jobId: Schema.String,
  submissionDate: Schema.optional(Schema.String),
  expirationDate: Schema.optional(Schema.String),
  completionDate: Schema.optional(Schema.String)
}

/** Job accepted, not started. */
export const Queued = Schema.TaggedStruct("QUEUED", statusFields)
/** Job running. */
export const Pending = Schema.TaggedStruct("PENDING", statusFields)
/** Job finished; results can be read until `expirationDate`. */
export const Fulfilled = Schema.TaggedStruct("FULFILLED", statusFields)
/** Job failed; `errorMessage` says why. */
export const Failed = Schema.TaggedStruct("FAILED", { ...statusFields, errorMessage: Schema.optional(Schema.String) })
/** Job cancelled. */
export const Cancelled = Schema.TaggedStruct("CANCELLED", statusFields)
/** Job results expired. */
export const Expired = Schema.TaggedStruct("EXPIRED", statusFields)

/** The six job states, tagged by `_tag` (the platform's `state`). */
export const JobStatus = Schema.Union(Queued, Pending, Fulfilled, Failed, Cancelled, Expired)

/** The six job states, tagged by `_tag` (the platform's `state`). */
export type JobStatus = typeof JobStatus.Type

/** True while the job is QUEUED or PENDING. */
export const isRunning = (status: JobStatus): boolean => status._tag === "QUEUED" || status._tag === "PENDING"

const jobStates: ReadonlySet<string> = new Set(["QUEUED", "PENDING", "FULFILLED", "FAILED", "CANCELLED", "EXPIRED"])

const unknownState = (jobId: string, state: string | undefined) =>
  `job ${jobId} reports unknown state ${JSON.stringify(state ?? null)}`

/** The `check` of the status request: a problem description for a state outside the six, else `undefined`. */
export const checkJobState =
  (jobId: string) =>
  (status: ConversationRecord.AsyncQueryStatus): string | undefined =>
    status.state !== undefined && jobStates.has(status.state) ? undefined : unknownState(jobId, status.state)

/** The platform's status as one of the six tagged states; a `Transport` `Decode` failure for any other state. */
export const fromWire = (
  jobId: string,
  status: ConversationRecord.AsyncQueryStatus,
  jobs: JobRoutes = detailJobs
): Effect.Effect<JobStatus, Transport> => {
  const fields = {
    jobId,
    ...(status.submissionDate !== undefined ? { submissionDate: status.submissionDate } : {}),
    ...(status.expirationDate !== undefined ? { expirationDate: status.expirationDate } : {}),
    ...(status.completionDate !== undefined ? { completionDate: status.completionDate } : {})
  }
  switch (status.state) {
    case "QUEUED":
      return Effect.succeed(Queued.make(fields))
    case "PENDING":
      return Effect.succeed(Pending.make(fields))
    case "FULFILLED":
      return Effect.succeed(Fulfilled.make(fields))
    case "CANCELLED":
      return Effect.succeed(Cancelled.make(fields))
    case "EXPIRED":
      return Effect.succeed(Expired.make(fields))
    case "FAILED":
      return Effect.succeed(
        Failed.make({ ...fields, ...(status.errorMessage !== undefined ? { errorMessage: status.errorMessage } : {}) })
      )
    default:
      // Unreachable through `make`: `checkJobState` refused any other state inside the request loop.
      return Effect.fail(
        new Transport({
          method: "GET",
          url: jobs.jobPath(jobId),
          reason: "Decode",
          detail: unknownState(jobId, status.state)
        })
      )
  }
}

/** Reads a job's status over `http` (a details job by default, or one of `jobs`). */
export const make =
  (http: GenesysHttp.Service, jobs: JobRoutes = detailJobs) =>
  (jobId: string): Effect.Effect<JobStatus, HttpError> =>
    Effect.flatMap(
      http.json(HttpClientRequest.get(jobs.jobPath(jobId)), ConversationRecord.AsyncQueryStatus, {
        route: jobs.jobStatus,
        idempotent: true,
        parseOptions: ConversationRecord.parseOptions,
        check: checkJobState(jobId)
      }),
      (status) => fromWire(jobId, status, jobs)
    )
