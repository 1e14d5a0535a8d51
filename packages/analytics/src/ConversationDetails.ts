/**
 * The conversation-detail operations: sync queries paged by page number, asynchronous jobs (submit, status,
 * Schedule-driven await, cursor-paged results, cancel, run), data availability and get-by-id. Queries are
 * validated before anything is sent; results are pull-based Streams that hold one page at a time.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Context from "effect/Context"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AnalyticsMetrics from "./AnalyticsMetrics.js"
import { AuditLog, hashQuery } from "./AuditLog.js"
import type * as ConversationQuery from "./ConversationQuery.js"
import * as ConversationRecord from "./ConversationRecord.js"
import { GenesysConfig, type PollPolicy } from "./GenesysConfig.js"
import {
  type GenesysError,
  JobCancelled,
  JobExpired,
  JobFailed,
  JobTimeout,
  PaginationLimitExceeded,
  PaginationStalled,
  Transport
} from "./GenesysError.js"
import * as GenesysHttp from "./GenesysHttp.js"
import { reportWarnings } from "./internal/details/queryWarnings.js"
import * as QueryValidator from "./QueryValidator.js"

const statusFields = {
  jobId: Schema.String,
  submissionDate: Schema.optional(Schema.String),
  expirationDate: Schema.optional(Schema.String),
  completionDate: Schema.optional(Schema.String)
}

/** Job accepted, not started. @since 0.1.0 */
export const Queued = Schema.TaggedStruct("QUEUED", statusFields)
/** Job running. @since 0.1.0 */
export const Pending = Schema.TaggedStruct("PENDING", statusFields)
/** Job finished; results can be read until `expirationDate`. @since 0.1.0 */
export const Fulfilled = Schema.TaggedStruct("FULFILLED", statusFields)
/** Job failed; `errorMessage` says why. @since 0.1.0 */
export const Failed = Schema.TaggedStruct("FAILED", { ...statusFields, errorMessage: Schema.optional(Schema.String) })
/** Job cancelled. @since 0.1.0 */
export const Cancelled = Schema.TaggedStruct("CANCELLED", statusFields)
/** Job results expired. @since 0.1.0 */
export const Expired = Schema.TaggedStruct("EXPIRED", statusFields)

/** The six job states, tagged by `_tag` (the platform's `state`). @since 0.1.0 */
export const JobStatus = Schema.Union(Queued, Pending, Fulfilled, Failed, Cancelled, Expired)

/** The six job states, tagged by `_tag` (the platform's `state`). @since 0.1.0 */
export type JobStatus = typeof JobStatus.Type

/** True while the job is QUEUED or PENDING. @since 0.1.0 */
export const isRunning = (status: JobStatus): boolean => status._tag === "QUEUED" || status._tag === "PENDING"

/** One page of a sync query. @since 0.1.0 */
export interface QueryPage {
  readonly pageNumber: number
  readonly totalHits: number
  readonly conversations: ReadonlyArray<ConversationRecord.AnalyticsConversationWithoutAttributes>
  readonly aggregations: ReadonlyArray<ConversationRecord.AggregationResult>
}

/** One page of job results. @since 0.1.0 */
export interface JobResultsPage {
  /** 0-based page index within this stream. */
  readonly index: number
  readonly conversations: ReadonlyArray<ConversationRecord.AnalyticsConversation>
  /** Cursor of the next page; absent on the last page. */
  readonly cursor?: string | undefined
  readonly dataAvailabilityDate?: string | undefined
}

/** Options of `jobResultPages` / `jobResults`. @since 0.1.0 */
export interface JobResultsOptions {
  /** Resume after this cursor (e.g. from a checkpoint). */
  readonly cursor?: string | undefined
  /** Cursors already followed for this job (e.g. by an earlier process): seeing one again fails `PaginationStalled`. */
  readonly seenCursors?: ReadonlyArray<string> | undefined
  /** Results per page (default `GenesysConfig.paging.jobPageSize`). */
  readonly pageSize?: number | undefined
}

/** The operations. @since 0.1.0 */
export interface Service {
  /** Every conversation of a sync query, page after page until `totalHits`. */
  readonly query: (q: unknown) => Stream.Stream<ConversationRecord.AnalyticsConversationWithoutAttributes, GenesysError>
  /** The pages of a sync query, with `totalHits` and aggregations. */
  readonly queryPages: (q: unknown) => Stream.Stream<QueryPage, GenesysError>
  /** `totalHits` of a sync query, with one request of page size 1. */
  readonly queryTotalHits: (q: unknown) => Effect.Effect<number, GenesysError>
  /** Submits a job; never retried on 5xx or transport failures (a retry could start a second job). */
  readonly submitJob: (q: unknown) => Effect.Effect<string, GenesysError>
  readonly jobStatus: (jobId: string) => Effect.Effect<JobStatus, GenesysError>
  /** Polls until FULFILLED, or fails `JobFailed`, `JobCancelled`, `JobExpired`, `JobTimeout`. */
  readonly awaitJob: (
    jobId: string,
    options?: Partial<PollPolicy>
  ) => Effect.Effect<typeof Fulfilled.Type, GenesysError>
  readonly jobResultPages: (jobId: string, options?: JobResultsOptions) => Stream.Stream<JobResultsPage, GenesysError>
  readonly jobResults: (
    jobId: string,
    options?: JobResultsOptions
  ) => Stream.Stream<ConversationRecord.AnalyticsConversation, GenesysError>
  /** `DELETE`s the job; `reason` goes to the `job.cancelled` audit event. */
  readonly cancelJob: (jobId: string, reason?: string) => Effect.Effect<void, GenesysError>
  /** Submit, await and stream; the job is DELETEd if the stream fails or stops before its end. */
  readonly runJob: (
    q: unknown,
    options?: { readonly poll?: Partial<PollPolicy> | undefined; readonly pageSize?: number | undefined }
  ) => Stream.Stream<ConversationRecord.AnalyticsConversation, GenesysError>
  /** The data-lake availability date: jobs see data up to it. */
  readonly availability: () => Effect.Effect<ConversationRecord.DataAvailabilityResponse, GenesysError>
  /** One conversation by id. */
  readonly conversation: (
    conversationId: string
  ) => Effect.Effect<ConversationRecord.AnalyticsConversationWithoutAttributes, GenesysError>
}

/** The conversation-detail operations. @since 0.1.0 */
export class ConversationDetails extends Context.Tag("@effect-genesys/analytics/ConversationDetails")<
  ConversationDetails,
  Service
>() {}

const base = "/api/v2/analytics/conversations"

/** Route templates, as recorded in metrics and audit events. @since 0.1.0 */
export const routes = {
  query: `POST ${base}/details/query`,
  submitJob: `POST ${base}/details/jobs`,
  jobStatus: `GET ${base}/details/jobs/{jobId}`,
  jobResults: `GET ${base}/details/jobs/{jobId}/results`,
  cancelJob: `DELETE ${base}/details/jobs/{jobId}`,
  availability: `GET ${base}/details/jobs/availability`,
  conversation: `GET ${base}/{conversationId}/details`
} as const

const jobPath = (jobId: string) => `${base}/details/jobs/${encodeURIComponent(jobId)}`

const parseOptions = ConversationRecord.parseOptions

const jobStates: ReadonlySet<string> = new Set(["QUEUED", "PENDING", "FULFILLED", "FAILED", "CANCELLED", "EXPIRED"])

// A status without a known state cannot be acted on: refused inside the request loop, so it is retried like any
// unreadable body (a `{}` or a proxy's page answered 200) before the poll fails.
const checkJobState =
  (jobId: string) =>
  (status: ConversationRecord.AsyncQueryStatus): string | undefined =>
    status.state !== undefined && jobStates.has(status.state)
      ? undefined
      : `job ${jobId} reports unknown state ${JSON.stringify(status.state ?? null)}`

// The plan stands on the watermark: without one, settled data would silently go through the sync query.
const checkAvailability = (a: ConversationRecord.DataAvailabilityResponse): string | undefined =>
  a.dataAvailabilityDate !== undefined && !Number.isNaN(Date.parse(a.dataAvailabilityDate))
    ? undefined
    : `dataAvailabilityDate is ${a.dataAvailabilityDate === undefined ? "missing" : `not a date: ${JSON.stringify(a.dataAvailabilityDate).slice(0, 60)}`}`

/** How long a best-effort cancellation (`cancelJobQuietly`) may take before it is given up. @since 0.1.0 */
export const cancelDeadline: Duration.Duration = Duration.seconds(5)

/** Why a job is being cancelled, from the exit of what used it, for the audit log. @internal */
export const cancelReason = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? "stopped before the last page"
    : Exit.isInterrupted(exit)
      ? "interrupted"
      : Option.match(Cause.failureOption(exit.cause), {
          onNone: () => "defect",
          onSome: (e) => `failed: ${Predicate.hasProperty(e, "_tag") ? String(e._tag) : "error"}`
        })

// Best effort, never in the way of what ends: bounded by `cancelDeadline`, protected from the interruption that
// triggered it, and failures swallowed — audited as `failure` by `cancelJob`, or here when the deadline passes.
// The DELETE runs in a fiber of its own: the fiber asking may already be interrupted, and an interruptible region
// of an interrupted fiber would end before sending anything.
const cancelQuietly = (
  cancel: (jobId: string, reason?: string) => Effect.Effect<void, GenesysError>,
  audit: AuditLog["Type"],
  jobId: string,
  reason: string
): Effect.Effect<void> =>
  Effect.fork(Effect.interruptible(Effect.timeoutOption(cancel(jobId, reason), cancelDeadline))).pipe(
    Effect.flatMap(Fiber.join),
    Effect.flatMap((done) =>
      Option.isSome(done)
        ? Effect.void
        : audit.record({
            type: "failure",
            jobId,
            route: routes.cancelJob,
            status: "Timeout",
            detail: `cancelling job ${jobId} (${reason}) did not finish within ${Duration.format(cancelDeadline)}; given up`
          })
    ),
    Effect.catchAllCause(() => Effect.void),
    Effect.uninterruptible
  )

/**
 * Cancels a job as cleanup: `DELETE` bounded by `cancelDeadline` (5 s), not interruptible, failures swallowed and
 * audited. Succeeds with `job.cancelled` (its `detail` is `reason`) in the audit log when the platform accepted.
 *
 * @since 0.1.0
 */
export const cancelJobQuietly = (
  jobId: string,
  reason: string
): Effect.Effect<void, never, ConversationDetails | AuditLog> =>
  Effect.flatMap(ConversationDetails, (details) =>
    Effect.flatMap(AuditLog, (audit) => cancelQuietly(details.cancelJob, audit, jobId, reason))
  )

/** Builds the operations. @since 0.1.0 */
export const make: Effect.Effect<Service, never, GenesysHttp.GenesysHttp | GenesysConfig | AuditLog> = Effect.gen(
  function* () {
    const http = yield* GenesysHttp.GenesysHttp
    const config = yield* GenesysConfig
    const audit = yield* AuditLog

    const failure =
      (fields: { readonly jobId?: string; readonly window?: string; readonly route?: string }) =>
      (error: GenesysError) =>
        audit.record({
          type: "failure",
          ...fields,
          status: "status" in error ? error.status : error._tag,
          detail: error.message,
          correlationId: "correlationId" in error ? error.correlationId : undefined
        })

    // Warnings go to the log and the audit log once per query; a query built pre-checked (an extraction window)
    // returns at once with none.
    const validated = <A>(check: () => QueryValidator.Check<A>, route: string) =>
      Effect.suspend(() => {
        const checked = check()
        return Effect.zipRight(reportWarnings(audit, checked.warnings, { route }), checked.result)
      })
    const validateQuery = (q: unknown) => validated(() => QueryValidator.checkQuery(q, config.validator), routes.query)
    const validateAsyncQuery = (q: unknown) =>
      validated(() => QueryValidator.checkAsyncQuery(q, config.validator), routes.submitJob)

    const fetchQueryPage = (q: ConversationQuery.ConversationQuery, pageSize: number, pageNumber: number) =>
      http.json(
        HttpClientRequest.post(`${base}/details/query`).pipe(
          HttpClientRequest.bodyUnsafeJson({ ...q, paging: { pageSize, pageNumber } })
        ),
        ConversationRecord.AnalyticsConversationQueryResponse,
        { route: routes.query, idempotent: true, parseOptions }
      )

    const queryPages = (input: unknown): Stream.Stream<QueryPage, GenesysError> =>
      Stream.unwrap(
        Effect.gen(function* () {
          const q = yield* validateQuery(input)
          const pageSize = q.paging?.pageSize ?? config.paging.queryPageSize
          const firstPage = q.paging?.pageNumber ?? 1
          const maxResults = config.paging.maxResults
          const queryHash = yield* hashQuery(q)
          yield* audit.record({ type: "query.sent", route: routes.query, window: q.interval, queryHash })
          return Stream.paginateEffect(firstPage, (pageNumber) =>
            Effect.gen(function* () {
              const response = yield* fetchQueryPage(q, pageSize, pageNumber)
              const totalHits = response.totalHits ?? 0
              if (pageNumber === firstPage && totalHits > maxResults) {
                return yield* new PaginationLimitExceeded({ interval: q.interval, totalHits, maxResults })
              }
              const conversations = response.conversations ?? []
              yield* AnalyticsMetrics.recordConversations("query", conversations.length)
              yield* audit.record({
                type: "query.page",
                route: routes.query,
                window: q.interval,
                queryHash,
                counts: { pageNumber, conversations: conversations.length, totalHits }
              })
              const more = conversations.length > 0 && pageNumber * pageSize < Math.min(totalHits, maxResults)
              const page: QueryPage = {
                pageNumber,
                totalHits,
                conversations,
                aggregations: response.aggregations ?? []
              }
              return [page, more ? Option.some(pageNumber + 1) : Option.none()] as const
            })
          )
        })
      ).pipe(Stream.tapError(failure({ route: routes.query })), Stream.withSpan("ConversationDetails.queryPages"))

    const query = (input: unknown) =>
      queryPages(input).pipe(
        Stream.mapConcat((page) => page.conversations),
        Stream.withSpan("ConversationDetails.query")
      )

    const queryTotalHits = Effect.fn("ConversationDetails.queryTotalHits")(
      function* (input: unknown) {
        const q = yield* validateQuery(input)
        const response = yield* fetchQueryPage(q, 1, 1)
        return response.totalHits ?? 0
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.query }))
    )

    const submitJob = Effect.fn("ConversationDetails.submitJob")(
      function* (input: unknown) {
        const q = yield* validateAsyncQuery(input)
        const start = yield* Clock.currentTimeMillis
        const response = yield* http.json(
          HttpClientRequest.post(`${base}/details/jobs`).pipe(HttpClientRequest.bodyUnsafeJson(q)),
          ConversationRecord.AsyncQueryResponse,
          { route: routes.submitJob, idempotent: false, parseOptions }
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
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.submitJob }))
    )

    const jobStatus = Effect.fn("ConversationDetails.jobStatus")(
      function* (jobId: string) {
        const status = yield* http.json(HttpClientRequest.get(jobPath(jobId)), ConversationRecord.AsyncQueryStatus, {
          route: routes.jobStatus,
          idempotent: true,
          parseOptions,
          check: checkJobState(jobId)
        })
        const fields = {
          jobId,
          ...(status.submissionDate !== undefined ? { submissionDate: status.submissionDate } : {}),
          ...(status.expirationDate !== undefined ? { expirationDate: status.expirationDate } : {}),
          ...(status.completionDate !== undefined ? { completionDate: status.completionDate } : {})
        }
        switch (status.state) {
          case "QUEUED":
            return Queued.make(fields)
          case "PENDING":
            return Pending.make(fields)
          case "FULFILLED":
            return Fulfilled.make(fields)
          case "CANCELLED":
            return Cancelled.make(fields)
          case "EXPIRED":
            return Expired.make(fields)
          case "FAILED":
            return Failed.make({
              ...fields,
              ...(status.errorMessage !== undefined ? { errorMessage: status.errorMessage } : {})
            })
          default:
            // Unreachable: `checkJobState` refused any other state inside the request loop.
            return yield* new Transport({
              method: "GET",
              url: jobPath(jobId),
              reason: "Decode",
              detail: `job ${jobId} reports unknown state ${JSON.stringify(status.state ?? null)}`
            })
        }
      },
      (effect, jobId) => Effect.tapError(effect, failure({ jobId, route: routes.jobStatus }))
    )

    const awaitJob = Effect.fn("ConversationDetails.awaitJob")(
      function* (jobId: string, options?: Partial<PollPolicy>) {
        const policy: PollPolicy = { ...config.poll, ...options }
        const last = yield* Ref.make<JobStatus | undefined>(undefined)
        const poll = Effect.flatMap(jobStatus(jobId), (status) =>
          Effect.flatMap(Ref.getAndSet(last, status), (previous) =>
            previous?._tag === status._tag
              ? Effect.succeed(status)
              : Effect.as(audit.record({ type: "job.state", jobId, status: status._tag }), status)
          )
        )
        const delays = Schedule.exponential(policy.initialDelay, policy.factor).pipe(
          Schedule.union(Schedule.spaced(policy.maxDelay))
        )
        const schedule = (policy.jitter ? Schedule.jittered(delays) : delays).pipe(
          Schedule.intersect(Schedule.recurWhile(isRunning))
        )
        const start = yield* Clock.currentTimeMillis
        // A job is never done the instant it is submitted: the first poll waits the initial delay, so no request
        // (and no share of the rate limit) is spent on an answer known in advance.
        const finished = yield* Effect.timeoutOption(
          Effect.zipRight(Effect.sleep(policy.initialDelay), Effect.repeat(poll, schedule)),
          policy.timeout
        )
        const status = yield* Ref.get(last)
        if (Option.isNone(finished) || status === undefined || isRunning(status)) {
          return yield* new JobTimeout({
            jobId,
            elapsedMillis: (yield* Clock.currentTimeMillis) - start,
            ...(status !== undefined ? { lastState: status._tag } : {})
          })
        }
        switch (status._tag) {
          case "FULFILLED":
            return status
          case "FAILED":
            return yield* new JobFailed({
              jobId,
              ...(status.errorMessage !== undefined ? { errorMessage: status.errorMessage } : {})
            })
          case "CANCELLED":
            return yield* new JobCancelled({ jobId })
          default:
            return yield* new JobExpired({ jobId })
        }
      },
      // Request failures are audited by jobStatus; here only the job's own outcome.
      (effect, jobId) =>
        Effect.tapError(effect, (error) =>
          error._tag === "JobFailed" ||
          error._tag === "JobCancelled" ||
          error._tag === "JobExpired" ||
          error._tag === "JobTimeout"
            ? failure({ jobId })(error)
            : Effect.void
        )
    )

    const jobResultPages = (jobId: string, options?: JobResultsOptions): Stream.Stream<JobResultsPage, GenesysError> =>
      Stream.suspend(() => {
        const seen = new Set<string>(options?.seenCursors)
        if (options?.cursor !== undefined) seen.add(options.cursor)
        const pageSize = options?.pageSize ?? config.paging.jobPageSize
        return Stream.paginateEffect({ cursor: options?.cursor, index: 0 }, ({ cursor, index }) =>
          Effect.gen(function* () {
            const request = HttpClientRequest.get(`${jobPath(jobId)}/results`).pipe(
              HttpClientRequest.setUrlParams({ pageSize, ...(cursor !== undefined ? { cursor } : {}) })
            )
            const response = yield* http.json(request, ConversationRecord.AnalyticsConversationAsyncQueryResponse, {
              route: routes.jobResults,
              idempotent: true,
              parseOptions
            })
            const conversations = response.conversations ?? []
            const next = response.cursor === undefined || response.cursor === "" ? undefined : response.cursor
            yield* AnalyticsMetrics.recordConversations("job", conversations.length)
            yield* audit.record({
              type: "job.page",
              jobId,
              route: routes.jobResults,
              counts: { page: index, conversations: conversations.length }
            })
            if (next !== undefined) {
              if (seen.has(next)) {
                return yield* new PaginationStalled({ jobId, cursor: next, pagesRead: index + 1 })
              }
              seen.add(next)
            }
            const page: JobResultsPage = {
              index,
              conversations,
              ...(next !== undefined ? { cursor: next } : {}),
              ...(response.dataAvailabilityDate !== undefined
                ? { dataAvailabilityDate: response.dataAvailabilityDate }
                : {})
            }
            return [page, next === undefined ? Option.none() : Option.some({ cursor: next, index: index + 1 })] as const
          })
        )
      }).pipe(
        Stream.tapError(failure({ jobId, route: routes.jobResults })),
        Stream.withSpan("ConversationDetails.jobResultPages")
      )

    const jobResults = (jobId: string, options?: JobResultsOptions) =>
      jobResultPages(jobId, options).pipe(Stream.mapConcat((page) => page.conversations))

    const cancelJob = Effect.fn("ConversationDetails.cancelJob")(
      function* (jobId: string, reason?: string) {
        yield* http.execute(HttpClientRequest.del(jobPath(jobId)), { route: routes.cancelJob, idempotent: true })
        yield* audit.record({
          type: "job.cancelled",
          jobId,
          route: routes.cancelJob,
          ...(reason !== undefined ? { detail: reason } : {})
        })
      },
      (effect, jobId) => Effect.tapError(effect, failure({ jobId, route: routes.cancelJob }))
    )

    const runJob = (
      input: unknown,
      options?: { readonly poll?: Partial<PollPolicy> | undefined; readonly pageSize?: number | undefined }
    ): Stream.Stream<ConversationRecord.AnalyticsConversation, GenesysError> =>
      Stream.unwrapScoped(
        Effect.gen(function* () {
          const completed = yield* Ref.make(false)
          const jobId = yield* Effect.acquireRelease(submitJob(input), (jobId, exit) =>
            Effect.flatMap(Ref.get(completed), (done) =>
              done ? Effect.void : cancelQuietly(cancelJob, audit, jobId, cancelReason(exit))
            )
          )
          yield* awaitJob(jobId, options?.poll)
          return jobResults(jobId, { pageSize: options?.pageSize }).pipe(
            Stream.concat(Stream.execute(Ref.set(completed, true)))
          )
        })
      ).pipe(Stream.withSpan("ConversationDetails.runJob"))

    const availability = Effect.fn("ConversationDetails.availability")(
      function* () {
        return yield* http.json(
          HttpClientRequest.get(`${base}/details/jobs/availability`),
          ConversationRecord.DataAvailabilityResponse,
          { route: routes.availability, idempotent: true, parseOptions, check: checkAvailability }
        )
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.availability }))
    )

    const conversation = Effect.fn("ConversationDetails.conversation")(
      function* (conversationId: string) {
        return yield* http.json(
          HttpClientRequest.get(`${base}/${encodeURIComponent(conversationId)}/details`),
          ConversationRecord.AnalyticsConversationWithoutAttributes,
          { route: routes.conversation, idempotent: true, parseOptions }
        )
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.conversation }))
    )

    return ConversationDetails.of({
      query,
      queryPages,
      queryTotalHits,
      submitJob,
      jobStatus,
      awaitJob,
      jobResultPages,
      jobResults,
      cancelJob,
      runJob,
      availability,
      conversation
    })
  }
)

/** The operations over a given `GenesysHttp`. @since 0.1.0 */
export const layerWithoutHttp: Layer.Layer<
  ConversationDetails,
  never,
  GenesysHttp.GenesysHttp | GenesysConfig | AuditLog
> = Layer.effect(ConversationDetails, make)

/** The operations with their HTTP client and token provider. @since 0.1.0 */
export const layer: Layer.Layer<ConversationDetails, never, HttpClient.HttpClient | GenesysConfig | AuditLog> =
  layerWithoutHttp.pipe(Layer.provide(GenesysHttp.layer))
