/**
 * The conversation-aggregates operations (FACTS-aggregates §1, E1–E5): the sync query, the job (submit, status,
 * Schedule-driven await, cursor pages, cancel, run) and `rows`, a Stream of tidy rows — one per group × bucket ×
 * metric. Queries are validated before anything is sent (`QueryValidator.checkAggregateQuery`). The job parts are the
 * details' own (`internal/details/`: submit, status, poll, cursor pages, cancel, run) over the aggregates routes, with
 * the same typed errors (`RateLimited`, `JobFailed`, `JobExpired`, `JobTimeout`, `PaginationStalled`, …).
 *
 * No limit on an aggregates interval is documented, so nothing is split by default. With `maxSpan` a long interval
 * becomes several requests cut on bucket boundaries in the query's time zone (a `P1D` bucket in
 * `America/New_York` is 23 or 25 hours across a DST change), and their results are stitched without counting a
 * bucket twice.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as AggregateRecord from "./AggregateRecord.js"
import { AuditLog, hashQuery } from "./AuditLog.js"
import type * as ConversationAggregateQuery from "./ConversationAggregateQuery.js"
import { GenesysConfig, type PollPolicy } from "./GenesysConfig.js"
import type { GenesysError, HttpError } from "./GenesysError.js"
import * as GenesysHttp from "./GenesysHttp.js"
import * as AggregateValidation from "./internal/aggregates/queryValidation.js"
import * as Requests from "./internal/aggregates/requests.js"
import * as ResponseReader from "./internal/aggregates/responseReader.js"
import * as AggregateRoutes from "./internal/aggregates/routes.js"
import * as Rows from "./internal/aggregates/rows.js"
import * as CursorPages from "./internal/details/cursorPages.js"
import * as FailureAudit from "./internal/details/failureAudit.js"
import * as HttpAudit from "./internal/details/httpAudit.js"
import * as JobCancel from "./internal/details/jobCancel.js"
import * as JobRun from "./internal/details/jobRun.js"
import * as SingleFlight from "./internal/singleFlight.js"
import * as JobStatusPart from "./internal/details/jobStatus.js"
import * as JobSubmit from "./internal/details/jobSubmit.js"
import * as StatusPoll from "./internal/details/statusPoll.js"
import type * as Interval from "./Interval.js"

/** The job states, as for the details jobs. @since 0.3.0 */
export type JobStatus = JobStatusPart.JobStatus

/** One page of a job's results. @since 0.3.0 */
export interface JobResultsPage {
  /** 0-based page index within this stream. */
  readonly index: number
  readonly results: ReadonlyArray<AggregateRecord.AggregateDataContainer>
  /** Cursor of the next page; absent on the last page. */
  readonly cursor?: string | undefined
}

/** Options of `jobResultPages`. E4 takes only a cursor: the page size is the job body's `pageSize`. @since 0.3.0 */
export interface JobResultsOptions {
  /** Resume after this cursor. */
  readonly cursor?: string | undefined
  /** Cursors already followed for this job: seeing one again fails `PaginationStalled`. */
  readonly seenCursors?: ReadonlyArray<string> | undefined
}

/** Options of `query` and `rows`. @since 0.3.0 */
export interface QueryOptions {
  /** Longest interval per request; longer ones are split on bucket boundaries. Default: the layer's (none). */
  readonly maxSpan?: Duration.DurationInput | undefined
}

/** Options of `rows`. @since 0.3.0 */
export interface RowsOptions extends QueryOptions {
  /** `"query"` (default): sync requests; `"job"`: one job per request, each awaited and read to its last page. */
  readonly via?: "query" | "job" | undefined
  readonly poll?: Partial<PollPolicy> | undefined
  /** The jobs' `pageSize` (E2 body), when `via` is `"job"` and the query names none. */
  readonly pageSize?: number | undefined
}

/** The operations. @since 0.3.0 */
export interface Service {
  /** One sync query (E1), or, past `maxSpan`, several stitched into one response (one container per group). */
  readonly query: (
    q: unknown,
    options?: QueryOptions
  ) => Effect.Effect<AggregateRecord.AggregateQueryResponse, GenesysError>
  /** Submits a job (E2); never retried on 5xx or transport failures. */
  readonly submitJob: (q: unknown) => Effect.Effect<string, GenesysError>
  /**
   * The job's state. A call made while a status request of the same job is in flight shares that request: its answer
   * (which may be one round trip older than the call), its failure, and its retries, which are reported to the retry
   * observer of the call that sent it.
   */
  readonly jobStatus: (jobId: string) => Effect.Effect<JobStatus, GenesysError>
  /** Polls (E3) until FULFILLED, or fails `JobFailed`, `JobCancelled`, `JobExpired`, `JobTimeout`. */
  readonly awaitJob: (
    jobId: string,
    options?: Partial<PollPolicy>
  ) => Effect.Effect<typeof JobStatusPart.Fulfilled.Type, GenesysError>
  /** The result pages (E4), cursor after cursor until none. */
  readonly jobResultPages: (jobId: string, options?: JobResultsOptions) => Stream.Stream<JobResultsPage, GenesysError>
  readonly jobResults: (
    jobId: string,
    options?: JobResultsOptions
  ) => Stream.Stream<AggregateRecord.AggregateDataContainer, GenesysError>
  /** `DELETE`s the job (E5). */
  readonly cancelJob: (jobId: string, reason?: string) => Effect.Effect<void, GenesysError>
  /** Submit, await and stream; the job is DELETEd if the stream fails or stops before its end. */
  readonly runJob: (
    q: unknown,
    options?: { readonly poll?: Partial<PollPolicy> | undefined; readonly pageSize?: number | undefined }
  ) => Stream.Stream<AggregateRecord.AggregateDataContainer, GenesysError>
  /** Tidy rows: one per group × bucket × metric (or view); absent metrics have no row. */
  readonly rows: (q: unknown, options?: RowsOptions) => Stream.Stream<AggregateRecord.AggregateRow, GenesysError>
}

/** The conversation-aggregates operations. @since 0.3.0 */
export class ConversationAggregates extends Context.Tag("@effect-genesys/analytics/ConversationAggregates")<
  ConversationAggregates,
  Service
>() {}

/** Route templates, as recorded in metrics and audit events. @since 0.3.0 */
export const routes = AggregateRoutes.routes

/** Options of `makeWith` / `layerWith`. @since 0.3.0 */
export interface Options {
  /** Longest interval per request (default none: no aggregates limit is documented, FACTS-aggregates §4). */
  readonly maxSpan?: Duration.DurationInput | undefined
}

const spanMillis = (span: Duration.DurationInput | undefined): number | undefined =>
  span === undefined ? undefined : Duration.toMillis(Duration.decode(span))

// A results page's records for the cursor trail's repeated-page check: a group and its first bucket stand for it.
const trailRecords = (results: ReadonlyArray<AggregateRecord.AggregateDataContainer>) =>
  results.map((container) => ({
    conversationId: `${Rows.groupKey(container.group)}${container.data?.[0]?.interval ?? ""}`
  }))

// Wiring only, as ConversationDetails: each operation is a part (from internal/details/ over the aggregates routes,
// or internal/aggregates/) under its span, with its failures audited.
/** Builds the operations with `options`. @since 0.3.0 */
export const makeWith = (
  options: Options = {}
): Effect.Effect<Service, never, GenesysHttp.GenesysHttp | GenesysConfig | AuditLog> =>
  Effect.gen(function* () {
    const http = yield* GenesysHttp.GenesysHttp
    const config = yield* GenesysConfig
    const audit = yield* AuditLog
    const jobs = AggregateRoutes.aggregateJobs
    const failure = FailureAudit.make(audit)
    const validate = AggregateValidation.make(audit, config.validator)
    const requestsOf = <Q extends ConversationAggregateQuery.AggregateQuery>(q: Q, maxSpan?: Duration.DurationInput) =>
      Requests.requestsOf(q, spanMillis(maxSpan ?? options.maxSpan))

    const send = (
      body: ConversationAggregateQuery.AggregateQuery
    ): Effect.Effect<AggregateRecord.AggregateQueryResponse, HttpError> =>
      Effect.gen(function* () {
        yield* audit.record({
          type: "query.sent",
          route: routes.query,
          window: body.interval,
          queryHash: yield* hashQuery(body)
        })
        return yield* http.json(
          HttpClientRequest.post(`${AggregateRoutes.base}/query`).pipe(HttpClientRequest.bodyUnsafeJson(body)),
          ResponseReader.QueryResponse,
          { route: routes.query, idempotent: true, parseOptions: AggregateRecord.parseOptions }
        )
      })

    const query = Effect.fn("ConversationAggregates.query")(
      function* (input: unknown, queryOptions?: QueryOptions) {
        const requests = yield* requestsOf(yield* validate.query(input), queryOptions?.maxSpan)
        if (requests.length === 1) return yield* send(requests[0]!.body)
        const parts = yield* Effect.forEach(requests, (request) =>
          Effect.map(send(request.body), (response) => Rows.clip(response.results ?? [], request.interval))
        )
        return { results: Rows.stitch(parts) }
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.query }))
    )

    const submitOne = JobSubmit.make(http, audit, jobs)
    const submitJob = Effect.fn("ConversationAggregates.submitJob")(
      function* (input: unknown) {
        return yield* submitOne(yield* validate.asyncQuery(input))
      },
      (effect) => Effect.tapError(effect, failure({ route: routes.submitJob }))
    )
    const jobStatus = SingleFlight.make(
      Effect.fn("ConversationAggregates.jobStatus")(JobStatusPart.make(http, jobs), (effect, jobId) =>
        Effect.tapError(effect, failure({ jobId, route: routes.jobStatus }))
      )
    )
    const awaitJob = Effect.fn("ConversationAggregates.awaitJob")(
      StatusPoll.make({ jobStatus, audit, policy: config.poll }),
      (effect, jobId) =>
        Effect.tapError(effect, (error) => (FailureAudit.isJobOutcome(error) ? failure({ jobId })(error) : Effect.void))
    )
    const jobResultPages = (
      jobId: string,
      pageOptions?: JobResultsOptions
    ): Stream.Stream<JobResultsPage, GenesysError> =>
      CursorPages.cursorStream(jobId, pageOptions, (cursor, index) =>
        Effect.gen(function* () {
          const response = yield* http.json(
            HttpClientRequest.get(`${jobs.jobPath(jobId)}/results`).pipe(
              HttpClientRequest.setUrlParams(cursor !== undefined ? { cursor } : {})
            ),
            ResponseReader.ResultsPage,
            { route: routes.jobResults, idempotent: true, parseOptions: AggregateRecord.parseOptions }
          )
          const results = response.results ?? []
          const next = response.cursor === undefined || response.cursor === "" ? undefined : response.cursor
          yield* audit.record({
            type: "job.page",
            jobId,
            route: routes.jobResults,
            counts: { page: index, results: results.length }
          })
          const page: JobResultsPage = { index, results, ...(next !== undefined ? { cursor: next } : {}) }
          return { page, next, records: trailRecords(results) }
        })
      ).pipe(
        Stream.tapError(failure({ jobId, route: routes.jobResults })),
        Stream.withSpan("ConversationAggregates.jobResultPages")
      )
    const jobResults = (jobId: string, pageOptions?: JobResultsOptions) =>
      jobResultPages(jobId, pageOptions).pipe(Stream.mapConcat((page) => page.results))
    const cancelJob = Effect.fn("ConversationAggregates.cancelJob")(
      JobCancel.make(http, audit, jobs),
      (effect, jobId) => Effect.tapError(effect, failure({ jobId, route: routes.cancelJob }))
    )
    const runOne = JobRun.make<AggregateRecord.AggregateDataContainer>({
      audit,
      submitJob,
      awaitJob,
      jobResults: (jobId) => jobResults(jobId),
      cancelJob,
      cancelRoute: routes.cancelJob
    })
    // E4 has no page size: it goes in the job body.
    const withPageSize = (input: unknown, pageSize: number | undefined): unknown =>
      pageSize !== undefined &&
      typeof input === "object" &&
      input !== null &&
      ((input as { readonly pageSize?: unknown }).pageSize ?? undefined) === undefined
        ? { ...input, pageSize }
        : input
    const runJob = (input: unknown, runOptions?: JobRun.RunOptions) =>
      runOne(withPageSize(input, runOptions?.pageSize), { poll: runOptions?.poll }).pipe(
        Stream.withSpan("ConversationAggregates.runJob")
      )
    // `rows` validates once, before splitting: its jobs submit the checked bodies as they are (validating them again
    // would log and audit every warning twice).
    const submitChecked = Effect.fn("ConversationAggregates.submitJob")(
      (body: ConversationAggregateQuery.AsyncAggregateQuery) => submitOne(body),
      (effect) => Effect.tapError(effect, failure({ route: routes.submitJob }))
    )
    const runChecked = JobRun.make<AggregateRecord.AggregateDataContainer>({
      audit,
      submitJob: (body) => submitChecked(body as ConversationAggregateQuery.AsyncAggregateQuery),
      awaitJob,
      jobResults: (jobId) => jobResults(jobId),
      cancelJob,
      cancelRoute: routes.cancelJob
    })

    const rowsOf = (request: Requests.Request<ConversationAggregateQuery.AggregateQuery>, rowOptions?: RowsOptions) => {
      const results: Stream.Stream<AggregateRecord.AggregateDataContainer, GenesysError> =
        rowOptions?.via === "job"
          ? runChecked(request.body, { poll: rowOptions.poll }).pipe(Stream.withSpan("ConversationAggregates.runJob"))
          : Stream.fromIterableEffect(
              Effect.map(send(request.body), (response) => response.results ?? []).pipe(
                Effect.tapError(failure({ route: routes.query }))
              )
            )
      const interval: Interval.Interval = request.interval
      return results.pipe(Stream.mapConcat((container) => Rows.toRows([container], interval)))
    }
    const rows = (
      input: unknown,
      rowOptions?: RowsOptions
    ): Stream.Stream<AggregateRecord.AggregateRow, GenesysError> =>
      Stream.unwrap(
        Effect.gen(function* () {
          const checked =
            rowOptions?.via === "job"
              ? yield* validate.asyncQuery(withPageSize(input, rowOptions.pageSize))
              : yield* validate.query(input)
          const requests = yield* requestsOf(checked, rowOptions?.maxSpan)
          return Stream.fromIterable(requests).pipe(Stream.flatMap((request) => rowsOf(request, rowOptions)))
        }).pipe(Effect.tapError(failure({ route: rowOptions?.via === "job" ? routes.submitJob : routes.query })))
      ).pipe(Stream.withSpan("ConversationAggregates.rows"))

    return ConversationAggregates.of({
      query,
      submitJob,
      jobStatus,
      awaitJob,
      jobResultPages,
      jobResults,
      cancelJob,
      runJob,
      rows
    })
  })

/** Builds the operations (no `maxSpan`). @since 0.3.0 */
export const make: Effect.Effect<Service, never, GenesysHttp.GenesysHttp | GenesysConfig | AuditLog> = makeWith()

/** The operations over a given `GenesysHttp`, its retries and rate-limit waits recorded in the audit log. @since 0.3.0 */
export const layerWithoutHttpWith = (
  options: Options
): Layer.Layer<ConversationAggregates, never, GenesysHttp.GenesysHttp | GenesysConfig | AuditLog> =>
  Layer.effect(ConversationAggregates, makeWith(options)).pipe(Layer.provide(HttpAudit.layer))

/** `layerWithoutHttpWith` without options. @since 0.3.0 */
export const layerWithoutHttp: Layer.Layer<
  ConversationAggregates,
  never,
  GenesysHttp.GenesysHttp | GenesysConfig | AuditLog
> = layerWithoutHttpWith({})

/** The operations with their HTTP client and token provider. @since 0.3.0 */
export const layerWith = (
  options: Options
): Layer.Layer<ConversationAggregates, never, HttpClient.HttpClient | GenesysConfig | AuditLog> =>
  layerWithoutHttpWith(options).pipe(Layer.provide(GenesysHttp.layer))

/** `layerWith` without options. @since 0.3.0 */
export const layer: Layer.Layer<ConversationAggregates, never, HttpClient.HttpClient | GenesysConfig | AuditLog> =
  layerWith({})
