/**
 * Dependable extraction of any interval: a plan that reads the data-availability watermark (jobs for settled
 * data, the sync query for the recent tail), a runner that pages windows concurrently into a sink with
 * checkpoints after every page, exact de-duplication across windows, and a completeness report.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as AnalyticsMetrics from "./AnalyticsMetrics.js"
import { AuditLog, hashQuery } from "./AuditLog.js"
import * as CheckpointStore from "./CheckpointStore.js"
import { ConversationDetails, cancelJobQuietly } from "./ConversationDetails.js"
import type * as ConversationQuery from "./ConversationQuery.js"
import type * as ConversationRecord from "./ConversationRecord.js"
import {
  type GenesysError,
  isGenesysError,
  QueryInvalid,
  QueryIssue,
  ReconciliationFailed,
  ReconciliationShortfall,
  RecordInvalid
} from "./GenesysError.js"
import { GenesysConfig } from "./GenesysConfig.js"
import * as GenesysHttp from "./GenesysHttp.js"
import * as extractionQueries from "./internal/extraction/windowQueries.js"
import * as internalPlan from "./internal/extraction/layout.js"
import * as internalReport from "./internal/extraction/report.js"
import * as RecordRequirements from "./internal/extraction/recordRequirements.js"
import { reportWarnings } from "./internal/details/queryWarnings.js"
import * as Interval from "./Interval.js"
import * as QueryValidator from "./QueryValidator.js"
import * as Webhook from "./Webhook.js"

/** A conversation as extracted: job windows carry participant attributes, query windows do not. @since 0.1.0 */
export type Conversation =
  | ConversationRecord.AnalyticsConversation
  | ConversationRecord.AnalyticsConversationWithoutAttributes

/** The filters an extraction applies to every window. @since 0.1.0 */
export type Filters = Pick<
  ConversationQuery.AsyncConversationQuery,
  "conversationFilters" | "segmentFilters" | "evaluationFilters" | "surveyFilters" | "resolutionFilters"
>

/** One unit of work: a job over settled data, or a sync query over the provisional tail. @since 0.1.0 */
export type Window = internalPlan.PlannedWindow

/** What `run` will do; print it with `formatPlan` for a dry run. @since 0.1.0 */
export interface Plan {
  /** The interval as requested. */
  readonly requested: string
  /** The interval covered: the requested one, cut at the time of planning. */
  readonly interval: string
  /** Data-availability date read when planning: jobs see conversations that ended before it. */
  readonly watermark: string
  readonly plannedAt: string
  readonly filters: Filters
  readonly windows: ReadonlyArray<Window>
  /** SHA-256 of the plan; a checkpoint resumes only the plan it was written for. */
  readonly planHash: string
}

/** How the interval is cut into windows. @since 0.1.0 */
export interface PlanOptions {
  /** Length of a job window (aligned to UTC midnight for whole days). Default 1 day. */
  readonly jobWindow?: Duration.DurationInput | undefined
  /** Length of a sync-query window in the tail. Default 1 day (the platform allows up to 7/31). */
  readonly queryWindow?: Duration.DurationInput | undefined
  /**
   * How far before the watermark the query tail starts, to catch conversations that started before it but
   * were still open (jobs only hold ended conversations). Longer than the longest conversation. Default 8 hours.
   */
  readonly settleLookback?: Duration.DurationInput | undefined
  /** Most windows a plan may have, so a mistyped interval (year 0 to 9999) is refused, not planned. Default 5000. */
  readonly maxWindows?: number | undefined
  /** Validator options for the query and its windows. Default: `GenesysConfig`'s `validator`, as `ConversationDetails` uses. */
  readonly validator?: Partial<QueryValidator.ValidatorOptions> | undefined
}

/** Where extracted conversations go, with a position saved in every checkpoint. @since 0.1.0 */
export interface Sink<E = never> {
  /** Called once: `None` for a fresh run, or the position of the last checkpoint to resume from. */
  readonly open: (resumeFrom: Option.Option<unknown>) => Effect.Effect<void, E>
  readonly write: (batch: ReadonlyArray<Conversation>) => Effect.Effect<void, E>
  /** A JSON value identifying everything written so far (for example a byte offset). */
  readonly position: Effect.Effect<unknown, E>
  /** Called once after the last window: make the output final. */
  readonly close: Effect.Effect<void, E>
}

/** Progress after each committed page, e.g. for a progress line. @since 0.1.0 */
export interface Progress {
  readonly windowsDone: number
  readonly windows: number
  readonly pages: number
  readonly conversations: number
  readonly elapsedMillis: number
}

/** A record set aside by `quarantine`, with the reason. @since 0.1.0 */
export interface QuarantinedRecord {
  readonly error: RecordInvalid
  /** The record as received. */
  readonly record: unknown
}

/** Options of `run`. @since 0.1.0 */
export interface RunOptions<E = never> {
  /** Windows in flight at once. Default 2; lowered when Genesys answers 429 with a concurrency `limit`. */
  readonly concurrency?: number | undefined
  /** Compare each day-aligned window with the sync query's `totalHits`. Default false. */
  readonly reconcile?: boolean | undefined
  /** Job results page size (default from `GenesysConfig`). */
  readonly pageSize?: number | undefined
  /** Checkpoint key. Default: the plan hash. */
  readonly checkpointKey?: string | undefined
  /** How often a window's job may be submitted again after it expired, failed or was cancelled. Default 2. */
  readonly maxResubmissions?: number | undefined
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void>) | undefined
  /**
   * Where records that lack what the extraction relies on (`RecordInvalid`) go instead of failing the run: each is
   * passed here, counted in the report (`quarantined`) and not written to the sink. Default: none, the run fails
   * with `RecordInvalid`. After a resume, a record set aside before the crash may be passed again.
   */
  readonly quarantine?: ((entry: QuarantinedRecord) => Effect.Effect<void, E>) | undefined
  /**
   * Lowest accepted reconciliation accuracy (extracted / expected) of a window. Default 1: every reconciled window
   * must hold at least as many conversations as the sync query counts. See `Report.reconciled`.
   */
  readonly reconcileThreshold?: number | undefined
  /** Told before every HTTP retry or 429 wait (route, reason, attempt, delay), e.g. for a progress line. */
  readonly onRetry?: ((info: GenesysHttp.RetryInfo) => Effect.Effect<void>) | undefined
}

/** Reconciliation of one window against the sync query. @since 0.1.0 */
export interface Reconciliation {
  /** `totalHits` of the sync query over the window (start-day semantics). */
  readonly expected: number
  /** Conversations extracted that started in the window, whichever window emitted them. */
  readonly extracted: number
  /** extracted / expected (1 when both are 0). */
  readonly accuracy: number
}

/** What one window did. @since 0.1.0 */
export interface WindowReport {
  readonly id: string
  readonly kind: Window["kind"]
  readonly interval: string
  readonly provisional: boolean
  readonly jobId?: string | undefined
  readonly conversations: number
  readonly pages: number
  readonly resubmissions: number
  /** Conversations returned twice within the window and dropped. */
  readonly duplicates: number
  /** Conversations returned by Genesys that another window owns (job lifetime overlap, start-day matching). */
  readonly foreign: number
  /** Records set aside by the `quarantine` option (lacking an id, a start, ...). */
  readonly quarantined: number
  readonly latencyMillis: number
  /** True when this run continued the window from a checkpoint. */
  readonly resumed: boolean
  readonly reconciliation?: Reconciliation | undefined
}

/** The completeness report that ends a run. @since 0.1.0 */
export interface Report {
  readonly interval: string
  readonly watermark: string
  /** Start of the provisional part (sync-query data that Genesys may still change), if any. */
  readonly provisionalFrom?: string | undefined
  readonly windows: ReadonlyArray<WindowReport>
  readonly totals: {
    readonly conversations: number
    readonly pages: number
    readonly requests: number
    readonly retries: number
    readonly rateLimited: number
    readonly duplicates: number
    readonly resubmissions: number
    readonly quarantined: number
  }
  readonly phases: ReadonlyArray<internalReport.PhaseSummary>
  readonly routes: ReadonlyArray<AnalyticsMetrics.RouteSummary>
  /** Every window reached its end. */
  readonly complete: boolean
  /** Windows in flight at once: as asked, and after any lowering for Genesys concurrency limits. */
  readonly concurrency: { readonly initial: number; readonly final: number }
  /** Lowest reconciliation accuracy, when reconciliation ran. */
  readonly accuracy?: number | undefined
  /** The threshold reconciliation was held to, when it ran. */
  readonly reconcileThreshold?: number | undefined
  /**
   * When reconciliation ran: true if every reconciled window reached `reconcileThreshold`. False means the output
   * cannot be called exact: `requireReconciled` turns it into a `ReconciliationFailed` failure.
   */
  readonly reconciled?: boolean | undefined
  /** Hash of the audit chain's head: the sealing record that ends the run. */
  readonly auditHead: string
}

const dayOf = (millis: number) => Math.floor(millis / Interval.DAY_MILLIS)

const invalid = (path: string, rule: string, message: string, value?: unknown) =>
  new QueryInvalid({ issues: [new QueryIssue({ path, rule, message, ...(value !== undefined ? { value } : {}) })] })

/**
 * The pure part of planning: windows for an interval given the watermark and now. Exposed for tests and
 * for tools that want to show what a plan would look like.
 *
 * @since 0.1.0
 */
export const layout = (
  interval: Interval.Interval,
  clock: { readonly watermarkMillis: number; readonly nowMillis: number },
  options?: PlanOptions
): ReadonlyArray<Window> =>
  internalPlan.layout({
    startMillis: interval.startMillis,
    endMillis: interval.endMillis,
    watermarkMillis: clock.watermarkMillis,
    nowMillis: clock.nowMillis,
    jobWindowMillis: Duration.toMillis(options?.jobWindow ?? "1 day"),
    queryWindowMillis: Duration.toMillis(options?.queryWindow ?? "1 day"),
    settleLookbackMillis: Duration.toMillis(options?.settleLookback ?? "8 hours")
  }).windows

const configuredValidator = Effect.map(Effect.serviceOption(GenesysConfig), (config) =>
  Option.isSome(config) ? config.value.validator : undefined
)

const pickFilters = (q: ConversationQuery.AsyncConversationQuery): Filters => ({
  ...(q.conversationFilters !== undefined ? { conversationFilters: q.conversationFilters } : {}),
  ...(q.segmentFilters !== undefined ? { segmentFilters: q.segmentFilters } : {}),
  ...(q.evaluationFilters !== undefined ? { evaluationFilters: q.evaluationFilters } : {}),
  ...(q.surveyFilters !== undefined ? { surveyFilters: q.surveyFilters } : {}),
  ...(q.resolutionFilters !== undefined ? { resolutionFilters: q.resolutionFilters } : {})
})

/**
 * Plans an extraction of `query` (an `AsyncConversationQuery`: `interval` plus filters) by reading the
 * data-availability date. `limit`, `order` and `orderBy` are not allowed: the runner sets its own order.
 *
 * @since 0.1.0
 */
export const plan = Effect.fn("Extraction.plan")(function* (query: unknown, options?: PlanOptions) {
  const details = yield* ConversationDetails
  const audit = yield* AuditLog
  const validator = options?.validator ?? (yield* configuredValidator)
  const checked = QueryValidator.checkAsyncQuery(query, validator)
  const validated = yield* checked.result
  if (validated.limit !== undefined) {
    return yield* invalid("$.limit", "extraction.limit", "an extraction reads every conversation; remove limit")
  }
  const interval = Either.getOrThrow(Interval.parse(validated.interval))
  // Refused before any request: a mistyped interval must not cost a token or an availability call.
  const maxWindows = options?.maxWindows ?? 5000
  const smallestWindow = Math.min(
    Duration.toMillis(options?.jobWindow ?? "1 day"),
    Duration.toMillis(options?.queryWindow ?? "1 day")
  )
  const atMost =
    Math.ceil((Math.min(interval.endMillis, yield* Clock.currentTimeMillis) - interval.startMillis) / smallestWindow) +
    2
  if (atMost > maxWindows) {
    return yield* invalid(
      "$.interval",
      "extraction.windows",
      `the interval needs about ${atMost} windows; an extraction plans at most ${maxWindows} (raise maxWindows or the window sizes)`,
      validated.interval
    )
  }
  const availability = yield* details.availability()
  const watermarkMillis =
    availability.dataAvailabilityDate === undefined ? Number.NaN : Date.parse(availability.dataAvailabilityDate)
  const nowMillis = yield* Clock.currentTimeMillis
  // Without a watermark nothing is known to be settled: everything goes through the sync query.
  const watermark = Number.isNaN(watermarkMillis) ? interval.startMillis : watermarkMillis
  const windows = layout(interval, { watermarkMillis: watermark, nowMillis }, options)
  yield* extractionQueries.checkQueryWindows(pickFilters(validated), windows, validator)
  const covered = Interval.format(
    interval.startMillis,
    Math.max(interval.startMillis + 1, Math.min(interval.endMillis, nowMillis))
  )
  const filters = pickFilters(validated)
  const body = {
    requested: validated.interval,
    interval: covered,
    watermark: new Date(watermark).toISOString(),
    plannedAt: new Date(nowMillis).toISOString(),
    filters,
    windows
  }
  const planHash = yield* hashQuery(body)
  yield* reportWarnings(audit, checked.warnings, { window: covered })
  yield* audit.record({
    type: "extraction.planned",
    window: covered,
    queryHash: yield* hashQuery(filters),
    counts: {
      jobWindows: windows.filter((w) => w.kind === "job").length,
      queryWindows: windows.filter((w) => w.kind === "query").length
    },
    detail: `watermark ${body.watermark}`
  })
  return { ...body, planHash } satisfies Plan
})

/** A printable table of a plan (the dry run). @since 0.1.0 */
export const formatPlan = (p: Plan): string => {
  const lines = [
    `interval   ${p.interval}${p.requested !== p.interval ? ` (requested ${p.requested})` : ""}`,
    `watermark  ${p.watermark}`,
    `windows    ${p.windows.length} (${p.windows.filter((w) => w.kind === "job").length} jobs, ${p.windows.filter((w) => w.kind === "query").length} sync queries)`,
    ""
  ]
  for (const w of p.windows) {
    lines.push(`${w.id}  ${w.kind.padEnd(5)}  ${w.interval}${w.provisional ? "  provisional" : ""}`)
  }
  return lines.join("\n")
}

interface WindowState {
  readonly state: CheckpointStore.WindowCheckpoint["state"]
  readonly jobId?: string | undefined
  readonly cursor?: string | undefined
  readonly seenCursors?: ReadonlyArray<string> | undefined
  /** Rows of the current job still to skip: written by an earlier job of the window. */
  readonly pendingSkip?: number | undefined
  /** Ids the current job has returned so far, while more pages follow: the de-duplication state of a resume. */
  readonly seenIds?: ReadonlyArray<string> | undefined
  readonly pagesDone: number
  readonly conversations: number
}

const freshState: WindowState = { state: "pending", pagesDone: 0, conversations: 0 }

// A window's job can be submitted again when it ended without results, or when its cursor went bad: a repeated
// cursor, or one the platform refused (400 while paging).
const isRestartable = (e: unknown, paging: boolean): e is GenesysError =>
  isGenesysError(e) &&
  (e._tag === "JobExpired" ||
    e._tag === "JobFailed" ||
    e._tag === "JobCancelled" ||
    e._tag === "NotFound" ||
    e._tag === "PaginationStalled" ||
    (paging && e._tag === "BadRequest"))

// The job no longer exists or holds nothing: cancelling it again is a wasted request.
const jobIsGone = (e: unknown): boolean =>
  isGenesysError(e) &&
  (e._tag === "JobExpired" || e._tag === "JobFailed" || e._tag === "JobCancelled" || e._tag === "NotFound")

const describe = (e: unknown): { readonly tag: string; readonly message: string } =>
  isGenesysError(e)
    ? { tag: e._tag, message: e.message }
    : { tag: "SinkError", message: e instanceof Error ? e.message : String(e) }

/**
 * Runs a plan into a sink and ends with the completeness report. With a `CheckpointStore`, every page is
 * committed (sink write, then checkpoint with the sink's position), so a run restarted with the same plan
 * resumes where it stopped: unexpired jobs continue from their cursor, expired ones are submitted again and
 * the conversations already written are skipped. Nothing is emitted twice to the sink.
 *
 * @since 0.1.0
 */
export const run = <E>(plan: Plan, sink: Sink<E>, options?: RunOptions<E>) =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails
    const validator = yield* configuredValidator
    const audit = yield* AuditLog
    const store = yield* CheckpointStore.CheckpointStore
    const webhook = yield* Effect.serviceOption(Webhook.Webhook)
    const notify = (event: Webhook.WebhookEvent) =>
      Option.match(webhook, { onNone: () => Effect.void, onSome: (w) => w.notify(event) })
    const key = options?.checkpointKey ?? plan.planHash
    const watermarkMillis = Date.parse(plan.watermark)
    const startedAt = yield* Clock.currentTimeMillis
    const metricsBefore = yield* AnalyticsMetrics.snapshot

    const saved = yield* store.load(key)
    const resumable = Option.filter(saved, (c) => c.planHash === plan.planHash)
    const states = new Map<string, WindowState>()
    const dayCounts = new Map<number, number>()
    for (const w of plan.windows) states.set(w.id, freshState)
    if (Option.isSome(resumable)) {
      for (const w of resumable.value.windows) {
        const id = w.id ?? plan.windows.find((p) => p.interval === w.window)?.id
        if (id !== undefined && states.has(id)) states.set(id, w)
      }
      for (const [day, count] of Object.entries(resumable.value.dayCounts ?? {})) dayCounts.set(Number(day), count)
    }
    const resumedIds = new Set([...states.entries()].filter(([, s]) => s.state !== "pending").map(([id]) => id))
    yield* sink.open(Option.flatMap(resumable, (c) => Option.fromNullable(c.sinkPosition)))
    yield* audit.record({
      type: "extraction.started",
      window: plan.interval,
      queryHash: plan.planHash,
      counts: { windows: plan.windows.length, resumedWindows: resumedIds.size }
    })

    const commitLock = yield* Effect.makeSemaphore(1)
    const samples = new Map<internalReport.Phase, Array<number>>()
    const sample = (phase: internalReport.Phase, millis: number) => {
      const list = samples.get(phase)
      if (list) list.push(millis)
      else samples.set(phase, [millis])
    }
    const totals = { pages: 0, conversations: 0 }
    const windowStats = new Map<
      string,
      {
        pages: number
        conversations: number
        resubmissions: number
        duplicates: number
        foreign: number
        quarantined: number
        latencyMillis: number
      }
    >()
    const statsOf = (id: string) => {
      let s = windowStats.get(id)
      if (!s) {
        s = {
          pages: 0,
          conversations: 0,
          resubmissions: 0,
          duplicates: 0,
          foreign: 0,
          quarantined: 0,
          latencyMillis: 0
        }
        windowStats.set(id, s)
      }
      return s
    }
    const windowsDone = () => [...states.values()].filter((s) => s.state === "done").length

    const saveCheckpoint = Effect.gen(function* () {
      const sinkPosition = yield* sink.position
      yield* store.save(key, {
        planHash: plan.planHash,
        sinkPosition,
        dayCounts: Object.fromEntries(dayCounts),
        windows: plan.windows.map((w) => {
          const s = states.get(w.id)!
          return { id: w.id, window: w.interval, kind: w.kind, ...s }
        })
      })
    })

    // Sink write and checkpoint happen under one lock and in this order: a crash between them leaves output
    // past the saved position, which `open` discards on resume.
    const commit = (window: Window, batch: ReadonlyArray<Conversation>, next: WindowState, page: boolean) =>
      commitLock.withPermits(1)(
        Effect.gen(function* () {
          if (batch.length > 0) yield* sink.write(batch)
          for (const c of batch) {
            const times = internalPlan.timesOf(c)
            if (times) dayCounts.set(dayOf(times.startMillis), (dayCounts.get(dayOf(times.startMillis)) ?? 0) + 1)
          }
          states.set(window.id, next)
          yield* saveCheckpoint
          if (page) {
            totals.pages += 1
            totals.conversations += batch.length
            const s = statsOf(window.id)
            s.pages += 1
            s.conversations += batch.length
            if (options?.onProgress) {
              const now = yield* Clock.currentTimeMillis
              yield* options.onProgress({
                windowsDone: windowsDone(),
                windows: plan.windows.length,
                pages: totals.pages,
                conversations: totals.conversations,
                elapsedMillis: now - startedAt
              })
            }
          }
        })
      )

    // Checks each record for what the runner relies on, keeps what this window owns, drops repeats within the
    // window, then skips what an earlier attempt of the window already wrote (results come in a fixed order, so
    // position identifies them). `seenInitially` restores the repeats check of a job continued from its cursor.
    const makeSelector = (window: Window, skipInitially: number, seenInitially?: ReadonlyArray<string>) => {
      const seen = new Set<string>(seenInitially)
      let skip = skipInitially
      const select = (
        conversations: ReadonlyArray<Conversation>,
        where: { readonly page: number; readonly jobId?: string | undefined }
      ) => {
        const out: Array<Conversation> = []
        const invalid: Array<QuarantinedRecord> = []
        const s = statsOf(window.id)
        for (const c of conversations) {
          const problem = RecordRequirements.check(c)
          if (problem !== undefined) {
            const error = new RecordInvalid({
              field: problem.field,
              detail: problem.detail,
              window: window.interval,
              page: where.page,
              ...(where.jobId !== undefined ? { jobId: where.jobId } : {}),
              ...(problem.field !== "conversationId" ? { conversationId: c.conversationId as string } : {})
            })
            invalid.push({ error, record: c })
            continue
          }
          const times = internalPlan.timesOf(c)
          if (times === undefined || !internalPlan.owns(window, watermarkMillis, times)) {
            s.foreign += 1
            continue
          }
          const id = c.conversationId as string
          if (seen.has(id)) {
            s.duplicates += 1
            continue
          }
          seen.add(id)
          if (skip > 0) {
            skip -= 1
            continue
          }
          out.push(c)
        }
        return { batch: out, invalid }
      }
      return { select, remainingSkip: () => skip, seenIds: (): ReadonlyArray<string> => [...seen] }
    }

    // A record the runner cannot rely on fails the window, or with `quarantine` is set aside and counted: never
    // dropped without a trace.
    const setAside = (window: Window, invalid: ReadonlyArray<QuarantinedRecord>) =>
      Effect.gen(function* () {
        if (invalid.length === 0) return
        const quarantine = options?.quarantine
        if (quarantine === undefined) return yield* Effect.fail(invalid[0]!.error)
        for (const entry of invalid) yield* quarantine(entry)
        statsOf(window.id).quarantined += invalid.length
        yield* audit.record({
          type: "extraction.window",
          window: window.interval,
          status: "quarantined",
          counts: { records: invalid.length },
          detail: invalid[0]!.error.message
        })
      })

    const maxSubmitRetries = 3
    const concurrency = Math.max(1, options?.concurrency ?? 2)
    const limiter = yield* Effect.makeSemaphore(concurrency)
    const effectiveLimit = yield* Ref.make(concurrency)
    const lowerLimit = Effect.flatMap(
      Ref.modify(effectiveLimit, (n) => (n > 1 ? [true, n - 1] : [false, n])),
      (lowered) =>
        lowered
          ? Effect.zipRight(
              Effect.forkScoped(limiter.take(1)),
              audit.record({
                type: "extraction.window",
                status: "concurrency.lowered",
                detail: "Genesys refused a job with a concurrency limit"
              })
            )
          : Effect.void
    )

    const timed = <A, E2, R>(phase: internalReport.Phase, effect: Effect.Effect<A, E2, R>) =>
      Effect.gen(function* () {
        const t0 = yield* Clock.currentTimeMillis
        const a = yield* effect
        sample(phase, (yield* Clock.currentTimeMillis) - t0)
        return a
      })

    // The HTTP layer never retries a job POST on 5xx or a lost connection (the job may exist). Here the window is
    // the unit of idempotency: another job for it is harmless to the output, since the window keeps only what it
    // owns and skips what it wrote; the cost is a job that may expire unused, which the audit log records.
    // Runs `f` over a window's pages, sampling the firstPage and paging phases from `since`.
    const forEachPage = <A, E2>(
      pages: Stream.Stream<A, GenesysError>,
      since: number,
      f: (page: A) => Effect.Effect<void, E2>
    ) =>
      Effect.gen(function* () {
        let first = true
        yield* Stream.runForEach(pages, (page) =>
          Effect.gen(function* () {
            if (first) {
              sample("firstPage", (yield* Clock.currentTimeMillis) - since)
              first = false
            }
            yield* f(page)
          })
        )
        sample("paging", (yield* Clock.currentTimeMillis) - since)
      })

    const submitForWindow = (window: Window) => {
      const submit = details.submitJob(extractionQueries.windowQuery(plan.filters, window, validator))
      const attempt = (n: number): Effect.Effect<string, GenesysError, Scope.Scope> =>
        Effect.catchAll(submit, (e) => {
          if (e._tag === "RateLimited" && e.limitKey !== undefined && n < 20) {
            return Effect.zipRight(
              Effect.zipRight(lowerLimit, Effect.sleep(Duration.millis(e.retryAfterMillis ?? 5_000))),
              attempt(n + 1)
            )
          }
          if ((e._tag === "ServerError" || e._tag === "Transport") && n < maxSubmitRetries) {
            return Effect.zipRight(
              audit.record({
                type: "http.retry",
                window: window.interval,
                route: "POST /api/v2/analytics/conversations/details/jobs",
                status: e._tag,
                attempt: n + 1,
                waitMillis: 1000 * 2 ** n,
                detail: `job submission failed (${e.message}); submitting again: the lost request may have created a job that will expire unused`
              }),
              Effect.zipRight(Effect.sleep(Duration.seconds(2 ** n)), attempt(n + 1))
            )
          }
          return Effect.fail(e)
        })
      return timed("submit", attempt(0))
    }

    const runJobWindow = (window: Window) => {
      // The job this window holds, from the moment its id is known until it is read to the end or known gone: it is
      // cancelled if the run is interrupted meanwhile, since it holds a share of the small concurrent-jobs quota.
      let liveJob: string | undefined
      return Effect.gen(function* () {
        const maxResubmissions = options?.maxResubmissions ?? 2
        let state = states.get(window.id)!
        // Resuming mid-job, the rows an earlier attempt wrote may not all have been skipped yet.
        let skip = state.pendingSkip ?? 0
        if (state.state === "paging" && state.cursor === undefined) {
          // The last page was committed but not the end of the window: read the job again, skipping all it wrote.
          skip = state.conversations
        }
        for (let attempt = 0; ; attempt++) {
          if (state.jobId === undefined) {
            // No interruption between the answer and `liveJob`: a job whose id we hold is never leaked.
            const jobId = yield* Effect.uninterruptibleMask((restore) =>
              Effect.tap(restore(submitForWindow(window)), (id) =>
                Effect.sync(() => {
                  liveJob = id
                })
              )
            )
            skip = state.conversations
            state = {
              ...state,
              state: "submitted",
              jobId,
              cursor: undefined,
              seenCursors: [],
              seenIds: undefined,
              pendingSkip: skip
            }
            yield* commit(window, [], state, false)
          }
          const jobId = state.jobId!
          liveJob = jobId
          let paging = false
          const outcome = yield* Effect.either(
            Effect.gen(function* () {
              yield* timed("await", details.awaitJob(jobId))
              paging = true
              const fulfilledAt = yield* Clock.currentTimeMillis
              // Continuing the saved cursor, the ids already returned by this job are still "seen".
              const { remainingSkip, seenIds, select } = makeSelector(
                window,
                skip,
                state.cursor !== undefined ? state.seenIds : undefined
              )
              yield* forEachPage(
                details.jobResultPages(jobId, {
                  cursor: state.cursor,
                  seenCursors: state.seenCursors,
                  pageSize: options?.pageSize
                }),
                fulfilledAt,
                (page) =>
                  Effect.gen(function* () {
                    const { batch, invalid } = select(page.conversations, { page: state.pagesDone + 1, jobId })
                    yield* setAside(window, invalid)
                    state = {
                      state: "paging",
                      jobId,
                      cursor: page.cursor,
                      seenCursors:
                        page.cursor === undefined ? state.seenCursors : [...(state.seenCursors ?? []), page.cursor],
                      // Only needed to continue from the cursor; after the last page a resume re-reads the job.
                      seenIds: page.cursor === undefined ? undefined : seenIds(),
                      pagesDone: state.pagesDone + 1,
                      conversations: state.conversations + batch.length,
                      pendingSkip: remainingSkip()
                    }
                    yield* commit(window, batch, state, true)
                  })
              )
            })
          )
          if (Either.isRight(outcome)) break
          const error = outcome.left
          // Given back when this run stops using it; a job that ended or vanished holds nothing.
          liveJob = undefined
          if (!jobIsGone(error)) yield* cancelJobQuietly(jobId, `failed: ${describe(error).tag}`)
          if (!isRestartable(error, paging) || attempt >= maxResubmissions) {
            const { message, tag } = describe(error)
            yield* notify({ type: "job.failed", jobId, window: window.interval, status: tag, detail: message })
            return yield* Effect.fail(error)
          }
          statsOf(window.id).resubmissions += 1
          state = { ...state, jobId: undefined, cursor: undefined, seenCursors: [], seenIds: undefined }
          yield* audit.record({
            type: "job.resubmitted",
            jobId,
            window: window.interval,
            status: error._tag,
            detail: `job ${error._tag}; submitting the window again and skipping ${state.conversations} conversations already written`
          })
        }
        liveJob = undefined
        yield* notify({ type: "job.fulfilled", jobId: state.jobId, window: window.interval, status: "FULFILLED" })
        return state
      }).pipe(
        Effect.onInterrupt(() => (liveJob === undefined ? Effect.void : cancelJobQuietly(liveJob, "interrupted")))
      )
    }

    const runQueryWindow = (window: Window) =>
      Effect.gen(function* () {
        let state = states.get(window.id)!
        // Read again from page 1 on resume, so the repeats check rebuilds itself while skipping what was written.
        const { select } = makeSelector(window, state.conversations)
        yield* forEachPage(
          details.queryPages(extractionQueries.windowQuery(plan.filters, window, validator)),
          yield* Clock.currentTimeMillis,
          (page) =>
            Effect.gen(function* () {
              const { batch, invalid } = select(page.conversations, { page: state.pagesDone + 1 })
              yield* setAside(window, invalid)
              state = {
                state: "paging",
                pagesDone: state.pagesDone + 1,
                conversations: state.conversations + batch.length
              }
              yield* commit(window, batch, state, true)
            })
        )
        return state
      })

    const runWindow = (window: Window) =>
      limiter.withPermits(1)(
        Effect.gen(function* () {
          if (states.get(window.id)!.state === "done") return
          const t0 = yield* Clock.currentTimeMillis
          const last = yield* window.kind === "job" ? runJobWindow(window) : runQueryWindow(window)
          const latency = (yield* Clock.currentTimeMillis) - t0
          sample("window", latency)
          statsOf(window.id).latencyMillis = latency
          yield* commit(window, [], { ...last, state: "done", seenIds: undefined }, false)
          const s = statsOf(window.id)
          yield* audit.record({
            type: "extraction.window",
            window: window.interval,
            jobId: last.jobId,
            status: "done",
            latencyMillis: latency,
            counts: {
              conversations: last.conversations,
              pages: last.pagesDone,
              duplicates: s.duplicates,
              foreign: s.foreign,
              quarantined: s.quarantined
            }
          })
        })
      )

    const outcome = yield* Effect.either(Effect.forEach(plan.windows, runWindow, { concurrency, discard: true }))
    if (Either.isLeft(outcome)) {
      const { message, tag } = describe(outcome.left)
      yield* audit.record({ type: "failure", window: plan.interval, status: tag, detail: message })
      return yield* Effect.fail(outcome.left)
    }
    yield* sink.close

    const reconciliations = new Map<string, Reconciliation>()
    const threshold = options?.reconcileThreshold ?? 1
    if (options?.reconcile) {
      for (const w of plan.windows) {
        if (!internalPlan.isDayAligned(w)) continue
        const expected = yield* details.queryTotalHits(
          QueryValidator.markChecked({ interval: w.interval, ...plan.filters }, "sync", validator)
        )
        let extracted = 0
        for (let d = dayOf(w.startMillis); d < dayOf(w.endMillis); d++) extracted += dayCounts.get(d) ?? 0
        reconciliations.set(w.id, {
          expected,
          extracted,
          accuracy: expected === 0 ? (extracted === 0 ? 1 : 0) : extracted / expected
        })
      }
    }

    const finishedAt = yield* Clock.currentTimeMillis
    sample("total", finishedAt - startedAt)
    const metricsAfter = yield* AnalyticsMetrics.snapshot
    const routes = AnalyticsMetrics.summarize(metricsAfter, metricsBefore)
    const windows: Array<WindowReport> = plan.windows.map((w) => {
      const state = states.get(w.id)!
      const s = statsOf(w.id)
      const reconciliation = reconciliations.get(w.id)
      return {
        id: w.id,
        kind: w.kind,
        interval: w.interval,
        provisional: w.provisional,
        ...(state.jobId !== undefined ? { jobId: state.jobId } : {}),
        conversations: state.conversations,
        pages: state.pagesDone,
        resubmissions: s.resubmissions,
        duplicates: s.duplicates,
        foreign: s.foreign,
        quarantined: s.quarantined,
        latencyMillis: s.latencyMillis,
        resumed: resumedIds.has(w.id),
        ...(reconciliation !== undefined ? { reconciliation } : {})
      }
    })
    const sum = (f: (w: WindowReport) => number) => windows.reduce((n, w) => n + f(w), 0)
    const firstProvisional = plan.windows.find((w) => w.provisional)
    const counts = {
      conversations: sum((w) => w.conversations),
      pages: sum((w) => w.pages),
      windows: windows.length
    }
    yield* audit.record({
      type: "extraction.completed",
      window: plan.interval,
      queryHash: plan.planHash,
      latencyMillis: finishedAt - startedAt,
      counts
    })
    // The run ends with the sealing record, so the announced head covers the whole run.
    const auditHead = yield* audit.seal(counts)
    yield* notify({ type: "extraction.completed", window: plan.interval, counts, auditHead, status: "completed" })
    const accuracies = [...reconciliations.values()].map((r) => r.accuracy)
    const report: Report = {
      interval: plan.interval,
      watermark: plan.watermark,
      ...(firstProvisional !== undefined
        ? { provisionalFrom: new Date(firstProvisional.startMillis).toISOString() }
        : {}),
      windows,
      totals: {
        conversations: counts.conversations,
        pages: counts.pages,
        requests: routes.reduce((n, r) => n + r.count, 0),
        retries: metricsAfter.retries - metricsBefore.retries,
        rateLimited: metricsAfter.rateLimited - metricsBefore.rateLimited,
        duplicates: sum((w) => w.duplicates),
        resubmissions: sum((w) => w.resubmissions),
        quarantined: sum((w) => w.quarantined)
      },
      phases: internalReport.summarizePhases(samples),
      routes,
      complete: windows.every((w) => states.get(w.id)!.state === "done"),
      concurrency: { initial: concurrency, final: yield* Ref.get(effectiveLimit) },
      ...(accuracies.length > 0 ? { accuracy: Math.min(...accuracies) } : {}),
      ...(options?.reconcile
        ? {
            reconcileThreshold: threshold,
            reconciled: accuracies.every((a) => a >= threshold)
          }
        : {}),
      auditHead
    }
    return report
  }).pipe(
    Effect.scoped,
    (effect) => (options?.onRetry ? GenesysHttp.withRetryObserver(effect, options.onRetry) : effect),
    Effect.withSpan("Extraction.run")
  )

/**
 * Fails with `ReconciliationFailed` (naming every window below the threshold) when the report's reconciliation ran
 * and fell short; succeeds with the report otherwise. For callers that must not call a short output exact.
 *
 * @since 0.1.0
 */
export const requireReconciled = (report: Report): Effect.Effect<Report, ReconciliationFailed> => {
  if (report.reconciled !== false) return Effect.succeed(report)
  const threshold = report.reconcileThreshold ?? 1
  const windows = report.windows.flatMap((w) =>
    w.reconciliation !== undefined && w.reconciliation.accuracy < threshold
      ? [new ReconciliationShortfall({ window: w.interval, ...w.reconciliation })]
      : []
  )
  return Effect.fail(new ReconciliationFailed({ threshold, windows }))
}

/** A fixed-width table of the phase and route latencies of a report. @since 0.1.0 */
export const formatLatency = (report: Report): string => internalReport.latencyTable(report.phases, report.routes)

/** A short human-readable summary of a report. @since 0.1.0 */
export const formatReport = (report: Report): string => {
  const t = report.totals
  const lines = [
    `interval       ${report.interval}`,
    `watermark      ${report.watermark}${report.provisionalFrom ? ` (provisional from ${report.provisionalFrom})` : ""}`,
    `complete       ${report.complete ? "yes" : "NO"}`,
    `conversations  ${t.conversations} in ${t.pages} pages, ${report.windows.length} windows`,
    `requests       ${t.requests} (retries ${t.retries}, 429s ${t.rateLimited}, job resubmissions ${t.resubmissions})`,
    `duplicates     ${t.duplicates} dropped`
  ]
  if (t.quarantined > 0) lines.push(`quarantined    ${t.quarantined} invalid records set aside`)
  if (report.accuracy !== undefined) {
    const verdict =
      report.reconciled === false
        ? ` — BELOW the ${((report.reconcileThreshold ?? 1) * 100).toFixed(2)} % threshold`
        : ""
    lines.push(`reconciliation lowest window accuracy ${(report.accuracy * 100).toFixed(2)} %${verdict}`)
  }
  lines.push("", formatLatency(report))
  return lines.join("\n")
}

/** An in-memory sink, for tests and small extractions; `written` holds everything. @since 0.1.0 */
export const memorySink = (): Sink & { readonly written: Array<Conversation> } => {
  const written: Array<Conversation> = []
  return {
    written,
    open: (resumeFrom) =>
      Effect.sync(() => {
        const keep = Option.match(resumeFrom, { onNone: () => 0, onSome: (p) => (typeof p === "number" ? p : 0) })
        written.length = Math.min(written.length, keep)
      }),
    write: (batch) => Effect.sync(() => void written.push(...batch)),
    position: Effect.sync(() => written.length),
    close: Effect.void
  }
}
