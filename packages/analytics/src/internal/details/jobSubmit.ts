// Job submission: one POST, never retried on 5xx or transport failures (a retry could start a second job and
// spend the org's concurrent-jobs quota), audited as `job.submitted` with the query's hash and the latency.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type AuditLog, hashQuery } from "../../AuditLog.js"
import * as ConversationRecord from "../../ConversationRecord.js"
import { type HttpError, Transport } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { detailJobs, type JobRoutes } from "./routes.js"

/** Submits a validated job query (details by default, or the jobs of `jobs`) and returns the job id. */
export const make =
  (http: GenesysHttp.Service, audit: AuditLog["Type"], jobs: JobRoutes = detailJobs) =>
  (q: { readonly interval: string }): Effect.Effect<string, HttpError> =>
    Effect.gen(function* () {
      const start = yield* Clock.currentTimeMillis
      const response = yield* http.json(
        HttpClientRequest.post(jobs.submitPath).pipe(HttpClientRequest.bodyUnsafeJson(q)),
        ConversationRecord.AsyncQueryResponse,
        { route: jobs.submitJob, idempotent: false, parseOptions: ConversationRecord.parseOptions }
      )
      const jobId = response.jobId
      if (jobId === undefined || jobId === "") {
        return yield* new Transport({
          method: "POST",
          url: jobs.submitPath,
          reason: "Decode",
          detail: "job submission answered without a jobId"
        })
      }
      yield* Effect.annotateCurrentSpan("jobId", jobId)
      yield* audit.record({
        type: "job.submitted",
        jobId,
        window: q.interval,
        queryHash: yield* hashQuery(q),
        route: jobs.submitJob,
        latencyMillis: (yield* Clock.currentTimeMillis) - start
      })
      return jobId
    })
