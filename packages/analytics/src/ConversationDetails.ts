/**
 * The conversation-detail operations: sync queries paged by page number, asynchronous jobs (submit, status,
 * Schedule-driven await, cursor-paged results, cancel, run), data availability and get-by-id. Queries are
 * validated before anything is sent; results are pull-based Streams that hold one page at a time.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Context from "effect/Context"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { AuditLog, layerNoop as auditLayerNoop } from "./AuditLog.js"
import type * as ConversationRecord from "./ConversationRecord.js"
import { GenesysConfig, layerConfig as configLayerFromEnv, type PollPolicy } from "./GenesysConfig.js"
import type { ConfigInvalid, GenesysError } from "./GenesysError.js"
import * as GenesysHttp from "./GenesysHttp.js"
import * as HttpAudit from "./internal/details/httpAudit.js"
import * as CursorPages from "./internal/details/cursorPages.js"
import * as FailureAudit from "./internal/details/failureAudit.js"
import * as JobCancel from "./internal/details/jobCancel.js"
import * as JobLimit from "./internal/details/jobLimit.js"
import * as JobRun from "./internal/details/jobRun.js"
import * as SingleFlight from "./internal/singleFlight.js"
import * as JobStatusPart from "./internal/details/jobStatus.js"
import * as JobSubmit from "./internal/details/jobSubmit.js"
import * as Lookups from "./internal/details/lookups.js"
import * as QueryPages from "./internal/details/queryPages.js"
import * as QueryValidation from "./internal/details/queryValidation.js"
import * as DetailRoutes from "./internal/details/routes.js"
import * as StatusPoll from "./internal/details/statusPoll.js"

/** Job accepted, not started. @since 0.1.0 */
export const Queued = JobStatusPart.Queued
/** Job running. @since 0.1.0 */
export const Pending = JobStatusPart.Pending
/** Job finished; results can be read until `expirationDate`. @since 0.1.0 */
export const Fulfilled = JobStatusPart.Fulfilled
/** Job failed; `errorMessage` says why. @since 0.1.0 */
export const Failed = JobStatusPart.Failed
/** Job cancelled. @since 0.1.0 */
export const Cancelled = JobStatusPart.Cancelled
/** Job results expired. @since 0.1.0 */
export const Expired = JobStatusPart.Expired

/** The six job states, tagged by `_tag` (the platform's `state`). @since 0.1.0 */
export const JobStatus = JobStatusPart.JobStatus

/** The six job states, tagged by `_tag` (the platform's `state`). @since 0.1.0 */
export type JobStatus = JobStatusPart.JobStatus

/** True while the job is QUEUED or PENDING. @since 0.1.0 */
export const isRunning: (status: JobStatus) => boolean = JobStatusPart.isRunning

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

/**
 * How much of each conversation a read checks against the schema. `full`: every field, down to each segment and
 * metric. `conversation`: the response and each conversation's own fields (id, start, end, ...), with the records
 * nested in it (participants, evaluations, surveys, resolutions) checked to be objects and otherwise passed on as
 * received: for consumers that write records on unread, about a tenth of the cost of `full`.
 *
 * @since 0.3.0
 */
export type RecordValidation = "full" | "conversation"

/**
 * When a conversation's nested records (participants, evaluations, ...) are parsed at `validation: "conversation"`.
 * `parsed` (the default): with the page. `lazy`: over a transport that gives the body's bytes, the page is read from
 * them, checked as JSON as strictly as `JSON.parse`, and each nested-record field is kept as bytes and parsed when
 * first read (an enumerable accessor; the record keeps its page's bytes until then). For consumers that read only a
 * conversation's own fields (ids, times, divisions): it costs less than parsing the page; a consumer that reads every
 * nested record pays more than with `parsed`. docs/jobs.md.
 *
 * @since 0.4.0
 */
export type NestedRecords = "parsed" | "lazy"

/**
 * The Schema a page of job results is checked with at each {@link RecordValidation} level. At `conversation` its type
 * still names the nested records, which it has not checked; with `nested: "lazy"` it reads a body's bytes first.
 *
 * @since 0.3.0
 */
export const resultsSchema: (
  validation: RecordValidation | undefined,
  nested?: NestedRecords | undefined
) => Schema.Schema<ConversationRecord.AnalyticsConversationAsyncQueryResponse> = CursorPages.resultsSchema

/** Options of `jobResultPages` / `jobResults`. @since 0.1.0 */
export interface JobResultsOptions {
  /** Resume after this cursor (e.g. from a checkpoint). */
  readonly cursor?: string | undefined
  /** Cursors already followed for this job (e.g. by an earlier process): seeing one again fails `PaginationStalled`. */
  readonly seenCursors?: ReadonlyArray<string> | undefined
  /** Results per page (default `GenesysConfig.paging.jobPageSize`). */
  readonly pageSize?: number | undefined
  /** What each page's conversations are checked for (default `full`). */
  readonly validation?: RecordValidation | undefined
  /** At `validation: "conversation"`, when nested records are parsed (default `parsed`). */
  readonly nested?: NestedRecords | undefined
  /**
   * Request the next page as soon as a page's bytes arrive, before it is read (default false): reading the page and the
   * consumer's work on it overlap the next round trip, and up to three pages are in memory instead of one.
   */
  readonly readAhead?: boolean | undefined
}

/**
 * The operations. Their streams hold one page at a time: an empty chunk follows each page, so code that works on
 * chunks (`Stream.mapChunks`, `Sink.forEachChunk`) sees one chunk without elements per page.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Every conversation of a sync query, page after page until `totalHits`. */
  readonly query: (q: unknown) => Stream.Stream<ConversationRecord.AnalyticsConversationWithoutAttributes, GenesysError>
  /** The pages of a sync query, with `totalHits` and aggregations. */
  readonly queryPages: (q: unknown) => Stream.Stream<QueryPage, GenesysError>
  /** `totalHits` of a sync query, with one request of page size 1. */
  readonly queryTotalHits: (q: unknown) => Effect.Effect<number, GenesysError>
  /** Submits a job; never retried on 5xx or transport failures (a retry could start a second job). */
  readonly submitJob: (q: unknown) => Effect.Effect<string, GenesysError>
  /**
   * The job's state. A call made while a status request of the same job is in flight shares that request: its answer
   * (which may be one round trip older than the call), its failure, and its retries, which are reported to the retry
   * observer of the call that sent it.
   */
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
    options?: {
      readonly poll?: Partial<PollPolicy> | undefined
      readonly pageSize?: number | undefined
      readonly validation?: RecordValidation | undefined
      readonly nested?: NestedRecords | undefined
    }
  ) => Stream.Stream<ConversationRecord.AnalyticsConversation, GenesysError>
  /** The data-lake availability date: jobs see data up to it. */
  readonly availability: () => Effect.Effect<ConversationRecord.DataAvailabilityResponse, GenesysError>
  /**
   * The org's limit on concurrent detail jobs, from the limits API, or `undefined` when the API does not say (it is
   * refused, lacks the limit or is slow): extraction runs that many jobs at once.
   */
  readonly jobConcurrencyLimit: () => Effect.Effect<number | undefined>
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

/** Route templates, as recorded in metrics and audit events. @since 0.1.0 */
export const routes = DetailRoutes.routes

/** How long a best-effort cancellation (`cancelJobQuietly`) may take before it is given up. @since 0.1.0 */
export const cancelDeadline: Duration.Duration = JobCancel.cancelDeadline

/** Why a job is being cancelled, from the exit of what used it, for the audit log. @internal */
export const cancelReason: (exit: Exit.Exit<unknown, unknown>) => string = JobCancel.cancelReason

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
    Effect.flatMap(AuditLog, (audit) => JobCancel.cancelQuietly(details.cancelJob, audit, jobId, reason))
  )

// Wiring only: each operation is a part from internal/details/ under its span, with its failures audited. Parts
// that use other operations (awaitJob polls jobStatus, runJob uses the job operations) get the traced ones, so
// every request keeps its own span and failure event.
/** Builds the operations. @since 0.1.0 */
export const make: Effect.Effect<Service, never, GenesysHttp.GenesysHttp | GenesysConfig | AuditLog> = Effect.gen(
  function* () {
    const http = yield* GenesysHttp.GenesysHttp
    const config = yield* GenesysConfig
    const audit = yield* AuditLog
    const routes = DetailRoutes.routes
    const failure = FailureAudit.make(audit)
    const validate = QueryValidation.make(audit, config.validator)
    const paging = QueryPages.make({ http, audit, paging: config.paging })
    const lookups = Lookups.make(http)

    const queryPages = (input: unknown): Stream.Stream<QueryPage, GenesysError> =>
      Stream.unwrap(Effect.map(validate.query(input), paging.pages)).pipe(
        Stream.tapError(failure({ route: routes.query })),
        Stream.withSpan("ConversationDetails.queryPages")
      )
    const query = (input: unknown) =>
      queryPages(input).pipe(
        Stream.mapConcat((page) => page.conversations),
        Stream.withSpan("ConversationDetails.query")
      )
    const queryTotalHits = Effect.fn("ConversationDetails.queryTotalHits")(
      function* (input: unknown) {
        return yield* paging.totalHits(yield* validate.query(input))
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.query }))
    )
    const submitOne = JobSubmit.make(http, audit)
    const submitJob = Effect.fn("ConversationDetails.submitJob")(
      function* (input: unknown) {
        return yield* submitOne(yield* validate.asyncQuery(input))
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.submitJob }))
    )
    const jobStatus = SingleFlight.make(
      Effect.fn("ConversationDetails.jobStatus")(JobStatusPart.make(http), (effect, jobId) =>
        Effect.tapError(effect, failure({ jobId, route: routes.jobStatus }))
      )
    )
    // Request failures are audited by jobStatus; here only the job's own outcome.
    const awaitJob = Effect.fn("ConversationDetails.awaitJob")(
      StatusPoll.make({ jobStatus, audit, policy: config.poll }),
      (effect, jobId) =>
        Effect.tapError(effect, (error) => (FailureAudit.isJobOutcome(error) ? failure({ jobId })(error) : Effect.void))
    )
    const resultPages = CursorPages.make({ http, audit, jobPageSize: config.paging.jobPageSize })
    const jobResultPages = (jobId: string, options?: JobResultsOptions): Stream.Stream<JobResultsPage, GenesysError> =>
      resultPages(jobId, options).pipe(
        Stream.tapError(failure({ jobId, route: routes.jobResults })),
        Stream.withSpan("ConversationDetails.jobResultPages")
      )
    const jobResults = (jobId: string, options?: JobResultsOptions) =>
      jobResultPages(jobId, options).pipe(Stream.mapConcat((page) => page.conversations))
    const cancelJob = Effect.fn("ConversationDetails.cancelJob")(JobCancel.make(http, audit), (effect, jobId) =>
      Effect.tapError(effect, failure({ jobId, route: routes.cancelJob }))
    )
    const runOne = JobRun.make({ audit, submitJob, awaitJob, jobResults, cancelJob })
    const runJob = (input: unknown, options?: JobRun.RunOptions) =>
      runOne(input, options).pipe(Stream.withSpan("ConversationDetails.runJob"))
    const availability = Effect.fn("ConversationDetails.availability")(lookups.availability, (effect) =>
      Effect.tapError(effect, failure({ route: routes.availability }))
    )
    const conversation = Effect.fn("ConversationDetails.conversation")(lookups.conversation, (effect) =>
      Effect.tapError(effect, failure({ route: routes.conversation }))
    )
    const jobConcurrencyLimit = Effect.fn("ConversationDetails.jobConcurrencyLimit")(JobLimit.make(http))
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
      jobConcurrencyLimit,
      conversation
    })
  }
)

/**
 * The operations over a given `GenesysHttp`, whose retries and rate-limit waits are recorded into the audit log.
 *
 * @since 0.1.0
 */
export const layerWithoutHttp: Layer.Layer<
  ConversationDetails,
  never,
  GenesysHttp.GenesysHttp | GenesysConfig | AuditLog
> = Layer.effect(ConversationDetails, make).pipe(Layer.provide(HttpAudit.layer))

/** The operations with their HTTP client and token provider. @since 0.1.0 */
export const layer: Layer.Layer<ConversationDetails, never, HttpClient.HttpClient | GenesysConfig | AuditLog> =
  layerWithoutHttp.pipe(Layer.provide(GenesysHttp.layer))

/**
 * The simplest wiring: `layer` with its configuration from the `GENESYS_*` variables (`GenesysConfig.layerConfig()`)
 * and no audit trail (`AuditLog.layerNoop`). It still needs an `HttpClient`: the library does not depend on Node, so
 * the application picks one — `NodeHttpClient.layerUndici` (`@effect/platform-node`) or `FetchHttpClient.layer`
 * (`@effect/platform`, any runtime with `fetch`).
 *
 * @since 0.3.0
 */
export const defaultLayer: Layer.Layer<
  ConversationDetails,
  ConfigError.ConfigError | ConfigInvalid,
  HttpClient.HttpClient
> = layer.pipe(Layer.provide([configLayerFromEnv(), auditLayerNoop]))
