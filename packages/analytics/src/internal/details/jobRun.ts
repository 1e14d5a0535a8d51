// `runJob`: submit, await and stream in one. The job is a resource of the stream's scope: released by a DELETE
// unless the stream read its last page, so a failed, timed-out or abandoned run gives back its share of the
// concurrent-jobs quota.
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { AuditLog } from "../../AuditLog.js"
import type { NestedRecords, RecordValidation } from "../../ConversationDetails.js"
import type * as ConversationRecord from "../../ConversationRecord.js"
import type { PollPolicy } from "../../GenesysConfig.js"
import type { GenesysError } from "../../GenesysError.js"
import { cancelQuietly, cancelReason } from "./jobCancel.js"
import type { Fulfilled } from "./jobStatus.js"

/** The operations `runJob` is made of, each already traced and audited; `A` is what the results stream holds. */
export interface Dependencies<A = ConversationRecord.AnalyticsConversation> {
  readonly audit: AuditLog["Type"]
  readonly submitJob: (q: unknown) => Effect.Effect<string, GenesysError>
  readonly awaitJob: (
    jobId: string,
    options?: Partial<PollPolicy>
  ) => Effect.Effect<typeof Fulfilled.Type, GenesysError>
  readonly jobResults: (jobId: string, options?: ResultOptions) => Stream.Stream<A, GenesysError>
  readonly cancelJob: (jobId: string, reason?: string) => Effect.Effect<void, GenesysError>
  /** Route recorded when a cleanup cancellation times out (default: the details' cancel route). */
  readonly cancelRoute?: string | undefined
}

/** How a job's results are read: the page size, and (details jobs only) how much of each record is checked. */
export interface ResultOptions {
  readonly pageSize?: number | undefined
  readonly validation?: RecordValidation | undefined
  readonly nested?: NestedRecords | undefined
}

/** Options of `runJob`: the poll policy's overrides and how the results are read. */
export interface RunOptions extends ResultOptions {
  readonly poll?: Partial<PollPolicy> | undefined
}

/** `runJob` over the given operations. */
export const make =
  <A = ConversationRecord.AnalyticsConversation>({
    audit,
    awaitJob,
    cancelJob,
    cancelRoute,
    jobResults,
    submitJob
  }: Dependencies<A>) =>
  (input: unknown, options?: RunOptions): Stream.Stream<A, GenesysError> =>
    Stream.unwrapScoped(
      Effect.gen(function* () {
        const completed = yield* Ref.make(false)
        const jobId = yield* Effect.acquireRelease(submitJob(input), (jobId, exit) =>
          Effect.flatMap(Ref.get(completed), (done) =>
            done ? Effect.void : cancelQuietly(cancelJob, audit, jobId, cancelReason(exit), cancelRoute)
          )
        )
        yield* awaitJob(jobId, options?.poll)
        return jobResults(jobId, {
          pageSize: options?.pageSize,
          validation: options?.validation,
          nested: options?.nested
        }).pipe(Stream.concat(Stream.execute(Ref.set(completed, true))))
      })
    )
