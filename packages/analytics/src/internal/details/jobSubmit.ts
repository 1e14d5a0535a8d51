// Job submission: one POST, never retried on 5xx or transport failures (a retry could start a second job and
// spend the org's concurrent-jobs quota), audited as `job.submitted` with the query's hash and the latency.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type AuditLog, hashQuery } from "../../AuditLog.js"
import type * as ConversationQuery from "../../ConversationQuery.js"
import * as ConversationRecord from "../../ConversationRecord.js"
import { type HttpError, Transport } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { base, routes } from "./routes.js"

/** Submits a validated job query and returns the job id. */
export const make =
  (http: GenesysHttp.Service, audit: AuditLog["Type"]) =>
  (q: ConversationQuery.AsyncConversationQuery): Effect.Effect<string, HttpError> =>
    Effect.gen(function* () {
      const start = yield* Clock.currentTimeMillis
      const response = yield* http.json(
        HttpClientRequest.post(`${base}/details/jobs`).pipe(HttpClientRequest.bodyUnsafeJson(q)),
        ConversationRecord.AsyncQueryResponse,
        { route: routes.submitJob, idempotent: false, parseOptions: ConversationRecord.parseOptions }
      )
      const jobId = response.jobId
      if (jobId === undefined || jobId === "") {
        return yield* new Transport({
          method: "POST",
          url: `${base}/details/jobs`,
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
        route: routes.submitJob,
        latencyMillis: (yield* Clock.currentTimeMillis) - start
      })
      return jobId
    })
