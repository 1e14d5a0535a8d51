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
import * as AnalyticsMetrics from "./AnalyticsMetrics.js"
import { AuditLog, hashQuery } from "./AuditLog.js"
import * as CheckpointStore from "./CheckpointStore.js"
import { ConversationAggregates } from "./ConversationAggregates.js"
import { ConversationDetails } from "./ConversationDetails.js"
import type * as ConversationQuery from "./ConversationQuery.js"
import {
  QueryInvalid,
  QueryIssue,
  ReconciliationFailed,
  ReconciliationShortfall,
  type RecordInvalid
} from "./GenesysError.js"
import { defaultPagingPolicy, GenesysConfig } from "./GenesysConfig.js"
import * as GenesysHttp from "./GenesysHttp.js"
import type * as ExtractionSink from "./ExtractionSink.js"
import * as BalancedWindows from "./internal/extraction/balancedWindows.js"
import * as JobWindow from "./internal/extraction/jobWindow.js"
import * as internalPlan from "./internal/extraction/layout.js"
import * as Ledger from "./internal/extraction/ledger.js"
import * as JobForecast from "./internal/extraction/jobForecast.js"
import * as PhaseTimer from "./internal/extraction/phaseTimer.js"
import * as QueryWindow from "./internal/extraction/queryWindow.js"
import * as Reconcile from "./internal/extraction/reconcile.js"
import * as internalReport from "./internal/extraction/report.js"
import * as Submission from "./internal/extraction/submission.js"
import type { WindowContext } from "./internal/extraction/windowContext.js"
import * as extractionQueries from "./internal/extraction/windowQueries.js"
import * as Volumes from "./internal/extraction/volumes.js"
import { reportWarnings } from "./internal/details/queryWarnings.js"
import * as Interval from "./Interval.js"
import * as QueryValidator from "./QueryValidator.js"
import * as Webhook from "./Webhook.js"

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
  /** The org's limit on concurrent detail jobs when planning, if the limits API said: `run` keeps that many running. */
  readonly jobs?: number | undefined
  /**
   * Each window's estimated conversations, when the volume was read while planning (a `ConversationAggregates`
   * service was provided and `jobWindow` is `"auto"`): the job windows were cut to equal volume, and `run` orders
   * them by it without counting them first. Estimates only: never part of the hash, never what a run checks against.
   */
  readonly volumes?: ReadonlyArray<number> | undefined
  /** SHA-256 of the plan; a checkpoint resumes only the plan it was written for. */
  readonly planHash: string
}

/** How the interval is cut into windows. @since 0.1.0 */
export interface PlanOptions {
  /**
   * Length of a job window (aligned to UTC midnight for whole days). Default `"auto"`: with a `ConversationAggregates`
   * service, the volume over the interval is read while planning (one aggregate query, at the same time as the
   * availability date) and the settled span is cut at whole hours into windows of equal volume: one per job slot when
   * their results are a few pages (`docs/extraction.md`, "How a plan cuts job windows"), else two per slot, at most a week and
   * at least a results page each. Without that service, or when the query fails: whole days, twice as many windows
   * as jobs may run at once (one wave of jobs runs while the one before it is paged), at most a week each.
   */
  readonly jobWindow?: Duration.DurationInput | "auto" | undefined
  /**
   * The job results page size the run will use, with which `"auto"` counts the pages a volume makes. Default:
   * `GenesysConfig`'s `paging.jobPageSize` (1,000).
   */
  readonly pageSize?: number | undefined
  /**
   * Runners the windows are spread over (a cluster's; default 1): `"auto"` windows cut by volume come in a multiple of
   * this many, so that they split evenly over the runners' tokens.
   */
  readonly runners?: number | undefined
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
  /**
   * Jobs queued or running on the platform at once; twice as many windows are worked on, so that finished jobs are
   * paged while the next ones run. Default: the org's limit read when planning (`Plan.jobs`), else 2. Lowered when
   * Genesys answers 429 with a concurrency `limit`.
   */
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
  clock: {
    readonly watermarkMillis: number
    readonly nowMillis: number
    /** Jobs that may run at once (sizes `"auto"` job windows). Default 2. */
    readonly jobs?: number | undefined
    /** The volume over the interval (`"auto"` cuts job windows of equal volume by it): conversations per bucket. */
    readonly volumes?: ReadonlyArray<VolumeBucket> | undefined
    /** Job results page size, to count the pages of a volume. Default 1,000. */
    readonly pageSize?: number | undefined
  },
  options?: PlanOptions
): ReadonlyArray<Window> => {
  const fixed = fixedJobWindowMillis(options)
  const auto = fixed === undefined
  const slots = clock.jobs ?? defaultJobs
  const volumes = clock.volumes
  return internalPlan.layout({
    startMillis: interval.startMillis,
    endMillis: interval.endMillis,
    watermarkMillis: clock.watermarkMillis,
    nowMillis: clock.nowMillis,
    jobWindowMillis:
      fixed ??
      internalPlan.autoJobWindowMillis({
        startMillis: interval.startMillis,
        settledEndMillis: Math.min(clock.watermarkMillis, interval.endMillis, clock.nowMillis),
        jobs: slots
      }),
    queryWindowMillis: Duration.toMillis(options?.queryWindow ?? "1 day"),
    settleLookbackMillis: Duration.toMillis(options?.settleLookback ?? "8 hours"),
    jobCuts:
      auto && volumes !== undefined
        ? (from, to) =>
            equalVolumeCuts(from, to, volumes, {
              slots,
              pageSize: clock.pageSize ?? defaultPagingPolicy.jobPageSize,
              runners: Math.max(1, Math.floor(options?.runners ?? 1))
            })
        : undefined
  }).windows
}

/** The job window's length when the options fix one; `undefined` for `"auto"`. */
const fixedJobWindowMillis = (options: PlanOptions | undefined): number | undefined =>
  options?.jobWindow === undefined || options.jobWindow === "auto" ? undefined : Duration.toMillis(options.jobWindow)

/** Conversations started in a span of time, as one aggregate bucket counts them. @since 0.3.0 */
export interface VolumeBucket {
  readonly startMillis: number
  readonly endMillis: number
  readonly count: number
}

/** The settled span cut into windows of equal estimated volume, or `null` when the buckets hold nothing there. */
const equalVolumeCuts = (
  from: number,
  to: number,
  buckets: ReadonlyArray<VolumeBucket>,
  sizing: { readonly slots: number; readonly pageSize: number; readonly runners: number }
): ReadonlyArray<[number, number]> | null => {
  const { pageSize, runners, slots } = sizing
  const estimated = Volumes.estimate([{ startMillis: from, endMillis: to }], buckets)[0] ?? 0
  const count = BalancedWindows.windowCount({
    spanMillis: to - from,
    slots,
    waves: BalancedWindows.wavesFor(estimated, pageSize),
    maxWindowMillis: internalPlan.maxAutoWindowMillis
  })
  // A window holds at least a page of results (fewer jobs for a small volume); the count splits evenly over runners
  // when there are pages enough for that.
  const pages = Math.max(1, Math.ceil(estimated / pageSize))
  const atMostPages = Math.min(count, pages)
  const overRunners = Math.ceil(atMostPages / runners) * runners
  return BalancedWindows.cuts({
    from,
    to,
    count: overRunners <= pages ? overRunners : atMostPages,
    buckets,
    // Edges on the buckets' own grid: a cut inside a bucket would rest on a guess of how its count spreads.
    gridMillis: Math.min(
      Interval.DAY_MILLIS,
      Math.max(Volumes.hourMillis, ...buckets.map((b) => b.endMillis - b.startMillis))
    ),
    maxWindowMillis: internalPlan.maxAutoWindowMillis
  })
}

const configuredValidator = Effect.map(Effect.serviceOption(GenesysConfig), (config) =>
  Option.isSome(config) ? config.value.validator : undefined
)

const configuredPageSize = Effect.map(Effect.serviceOption(GenesysConfig), (config) =>
  Option.isSome(config) ? config.value.paging.jobPageSize : defaultPagingPolicy.jobPageSize
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
  // The validator has checked the interval already; a parse failure here is still a typed failure, never a throw.
  const interval = yield* Effect.mapError(Interval.parse(validated.interval), (e) =>
    invalid("$.interval", e.rule, e.message, validated.interval)
  )
  // Refused before any request: a mistyped interval must not cost a token or an availability call.
  const maxWindows = options?.maxWindows ?? 5000
  const smallestWindow = Math.min(
    fixedJobWindowMillis(options) ?? Interval.DAY_MILLIS,
    Duration.toMillis(options?.queryWindow ?? "1 day")
  )
  const planningStarted = yield* Clock.currentTimeMillis
  const atMost = Math.ceil((Math.min(interval.endMillis, planningStarted) - interval.startMillis) / smallestWindow) + 2
  if (atMost > maxWindows) {
    return yield* invalid(
      "$.interval",
      "extraction.windows",
      `the interval needs about ${atMost} windows; an extraction plans at most ${maxWindows} (raise maxWindows or the window sizes)`,
      validated.interval
    )
  }
  const auto = fixedJobWindowMillis(options) === undefined
  const aggregates = Option.getOrUndefined(yield* Effect.serviceOption(ConversationAggregates))
  const volumeSpan = { startMillis: interval.startMillis, endMillis: Math.min(interval.endMillis, planningStarted) }
  // The reads at once: no round trip more before the first job.
  const [availability, jobs, volumeAnswer] = yield* Effect.all(
    [
      details.availability(),
      details.jobConcurrencyLimit(),
      auto ? Volumes.volumeBuckets({ aggregates, audit }, volumeSpan) : Effect.succeed(null)
    ],
    { concurrency: 3 }
  )
  // A volume of nothing weighs nothing: the windows are cut by time and counted as before.
  const volumes = volumeAnswer?.some((b) => b.count > 0) ? volumeAnswer : null
  const watermarkMillis =
    availability.dataAvailabilityDate === undefined ? Number.NaN : Date.parse(availability.dataAvailabilityDate)
  const nowMillis = yield* Clock.currentTimeMillis
  // Without a watermark nothing is known to be settled: everything goes through the sync query.
  const watermark = Number.isNaN(watermarkMillis) ? interval.startMillis : watermarkMillis
  const pageSize = options?.pageSize ?? (yield* configuredPageSize)
  const windows = layout(
    interval,
    { watermarkMillis: watermark, nowMillis, jobs, ...(volumes !== null ? { volumes, pageSize } : {}) },
    options
  )
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
    windows,
    ...(jobs !== undefined ? { jobs } : {})
  }
  const planHash = yield* hashQuery(body)
  const estimates = volumes === null ? undefined : yield* Volumes.sized(audit, windows, volumes)
  yield* reportWarnings(audit, checked.warnings, { window: covered })
  yield* audit.record({
    type: "extraction.planned",
    window: covered,
    queryHash: yield* hashQuery(filters),
    counts: {
      jobWindows: windows.filter((w) => w.kind === "job").length,
      queryWindows: windows.filter((w) => w.kind === "query").length
    },
    detail: `watermark ${body.watermark}; ${jobs === undefined ? "the org's concurrent-jobs limit is unknown" : `the org allows ${jobs} concurrent jobs`}`
  })
  return { ...body, ...(estimates !== undefined ? { volumes: estimates } : {}), planHash } satisfies Plan
})

/** A printable table of a plan (the dry run). @since 0.1.0 */
export const formatPlan = (p: Plan): string => {
  const lines = [
    `interval   ${p.interval}${p.requested !== p.interval ? ` (requested ${p.requested})` : ""}`,
    `watermark  ${p.watermark}`,
    `jobs       ${p.jobs === undefined ? `${defaultJobs} at once (the org's limit is unknown)` : `${p.jobs} at once (the org's limit)`}`,
    `windows    ${p.windows.length} (${p.windows.filter((w) => w.kind === "job").length} jobs, ${p.windows.filter((w) => w.kind === "query").length} sync queries)`,
    ""
  ]
  p.windows.forEach((w, i) => {
    const estimate = p.volumes?.[i]
    lines.push(
      `${w.id}  ${w.kind.padEnd(5)}  ${w.interval}${w.provisional ? "  provisional" : ""}` +
        (estimate !== undefined ? `  ~${Math.round(estimate)} conversations` : "")
    )
  })
  return lines.join("\n")
}

/** Jobs kept running at once when neither the caller nor the org's limits say. @since 0.3.0 */
export const defaultJobs = 2

/**
 * A job window's size for `Submission.largestFirst`: the sync query's `totalHits` over it (one request) times the share
 * of its days it covers, or a failure without a request when Genesys would refuse that sync query (a window longer
 * than the sync query allows).
 */
const windowSize = <E>(ctx: WindowContext<E>, window: Window): Effect.Effect<number, unknown> => {
  const body = { interval: window.interval, ...ctx.filters }
  return Either.isLeft(QueryValidator.checkQuery(body, ctx.validator).result)
    ? Effect.fail("unsized" as const)
    : Effect.map(
        ctx.details.queryTotalHits(QueryValidator.markChecked(body, "sync", ctx.validator)),
        (hits) => hits * Submission.coveredShare(window)
      )
}

/** The services a run uses, read once. */
const runServices = Effect.gen(function* () {
  return {
    details: yield* ConversationDetails,
    validator: yield* configuredValidator,
    audit: yield* AuditLog,
    store: yield* CheckpointStore.CheckpointStore,
    webhook: yield* Effect.serviceOption(Webhook.Webhook)
  }
})

type RunServices = Effect.Effect.Success<typeof runServices>

/** Loads the checkpoint into a ledger, opens the sink where the checkpoint left it and audits the start. */
const startRun = <E>(
  plan: Plan,
  sink: ExtractionSink.ExtractionSink<E, unknown>,
  services: RunServices,
  options?: RunOptions<E>
) =>
  Effect.gen(function* () {
    const startedAt = yield* Clock.currentTimeMillis
    const key = options?.checkpointKey ?? plan.planHash
    const saved = yield* services.store.load(key)
    const ledger = yield* Ledger.make({
      plan,
      key,
      store: services.store,
      saved,
      sink,
      startedAt,
      onProgress: options?.onProgress
    })
    yield* sink.open(ledger.sinkPosition)
    yield* services.audit.record({
      type: "extraction.started",
      window: plan.interval,
      queryHash: plan.planHash,
      counts: { windows: plan.windows.length, resumedWindows: ledger.resumed.size }
    })
    return { ledger, startedAt }
  })

/** Runs one window, then marks it done, checkpoints and audits it. */
const runWindow = <E>(ctx: WindowContext<E>, window: Window) =>
  Effect.gen(function* () {
    if (ctx.ledger.state(window.id).state === "done") return
    const t0 = yield* Clock.currentTimeMillis
    const last = yield* window.kind === "job" ? JobWindow.run(ctx, window) : QueryWindow.run(ctx, window)
    const latency = (yield* Clock.currentTimeMillis) - t0
    ctx.timer.sample("window", latency)
    const stats = ctx.ledger.stats(window.id)
    stats.latencyMillis = latency
    yield* ctx.ledger.commit(window, [], { ...last, state: "done", seenIds: undefined }, false)
    yield* ctx.audit.record({
      type: "extraction.window",
      window: window.interval,
      jobId: last.jobId,
      status: "done",
      latencyMillis: latency,
      counts: {
        conversations: last.conversations,
        pages: last.pagesDone,
        duplicates: stats.duplicates,
        foreign: stats.foreign,
        quarantined: stats.quarantined
      }
    })
  })

/** After the windows: reconciles, audits the completion, seals the run, notifies and assembles the report. */
const finishRun = <E>(
  plan: Plan,
  ctx: WindowContext<E>,
  run: { readonly startedAt: number; readonly metricsBefore: AnalyticsMetrics.Snapshot },
  options?: RunOptions<E>
) =>
  Effect.gen(function* () {
    const reconciliations = options?.reconcile
      ? yield* Reconcile.reconcile({
          ...ctx,
          windows: plan.windows,
          settled: Reconcile.settledOf(plan),
          extractedIn: ctx.ledger.extractedIn
        })
      : new Map<string, Reconciliation>()
    const finishedAt = yield* Clock.currentTimeMillis
    ctx.timer.sample("total", finishedAt - run.startedAt)
    const metricsAfter = yield* AnalyticsMetrics.snapshot
    const routes = AnalyticsMetrics.summarize(metricsAfter, run.metricsBefore)
    const windows = plan.windows.map((w) =>
      internalReport.windowReport(w, {
        state: ctx.ledger.state(w.id),
        stats: ctx.ledger.stats(w.id),
        resumed: ctx.ledger.resumed.has(w.id),
        reconciliation: reconciliations.get(w.id)
      })
    )
    const counts = internalReport.counts(windows)
    const latencyMillis = finishedAt - run.startedAt
    yield* ctx.audit.record({
      type: "extraction.completed",
      window: plan.interval,
      queryHash: plan.planHash,
      latencyMillis,
      counts
    })
    // The run ends with the sealing record, so the announced head covers the whole run.
    const auditHead = yield* ctx.audit.seal(counts)
    yield* ctx.notify({ type: "extraction.completed", window: plan.interval, counts, auditHead, status: "completed" })
    return internalReport.assemble({
      plan,
      windows,
      complete: plan.windows.every((w) => ctx.ledger.state(w.id).state === "done"),
      requests: routes.reduce((n, r) => n + r.count, 0),
      retries: metricsAfter.retries - run.metricsBefore.retries,
      rateLimited: metricsAfter.rateLimited - run.metricsBefore.rateLimited,
      phases: internalReport.summarizePhases(ctx.timer.samples),
      routes,
      concurrency: { initial: ctx.concurrency.initial, final: yield* ctx.concurrency.current },
      reconcileThreshold: options?.reconcile ? (options.reconcileThreshold ?? 1) : undefined,
      auditHead
    })
  })

/**
 * Runs a plan into a sink and ends with the completeness report. With a `CheckpointStore`, every page is
 * committed (sink write, then checkpoint with the sink's position), so a run restarted with the same plan
 * resumes where it stopped: unexpired jobs continue from their cursor, expired ones are submitted again and
 * the conversations already written are skipped. Nothing is emitted twice to the sink.
 *
 * @since 0.1.0
 */
export const run = <E>(plan: Plan, sink: ExtractionSink.ExtractionSink<E, unknown>, options?: RunOptions<E>) =>
  Effect.gen(function* () {
    const services = yield* runServices
    const metricsBefore = yield* AnalyticsMetrics.snapshot
    const { ledger, startedAt } = yield* startRun(plan, sink, services, options)
    // Estimated when planning: the windows are ordered without counting them.
    const sizes = new Map<string, number>(
      plan.volumes !== undefined && plan.volumes.length === plan.windows.length
        ? plan.windows.map((w, i) => [w.id, plan.volumes![i]!])
        : []
    )
    const ctx: WindowContext<E> = {
      ...services,
      filters: plan.filters,
      watermarkMillis: Date.parse(plan.watermark),
      ledger,
      timer: PhaseTimer.make(),
      concurrency: yield* Submission.makeConcurrency(
        Math.max(1, options?.concurrency ?? plan.jobs ?? defaultJobs),
        services.audit
      ),
      notify: (event) => Option.match(services.webhook, { onNone: () => Effect.void, onSome: (w) => w.notify(event) }),
      quarantine: options?.quarantine,
      pageSize: options?.pageSize,
      validation: sink.validation,
      nested: sink.nested,
      maxResubmissions: options?.maxResubmissions ?? 2,
      forecast: yield* JobForecast.make,
      sizeOf: (w) => sizes.get(w.id)
    }
    const windows = yield* Submission.largestFirst({
      windows: plan.windows,
      slots: ctx.concurrency.initial,
      started: (w) => ledger.state(w.id).state !== "pending",
      size: (w) => {
        const known = sizes.get(w.id)
        return known !== undefined
          ? Effect.succeed(known)
          : Effect.tap(windowSize(ctx, w), (n) => Effect.sync(() => sizes.set(w.id, n)))
      }
    })
    const outcome = yield* Effect.either(
      Effect.forEach(windows, (w) => runWindow(ctx, w), {
        concurrency: Submission.windowsInFlight(ctx.concurrency.initial),
        discard: true
      })
    )
    if (Either.isLeft(outcome)) {
      const { message, tag } = JobWindow.describe(outcome.left)
      yield* services.audit.record({ type: "failure", window: plan.interval, status: tag, detail: message })
      return yield* Effect.fail(outcome.left)
    }
    yield* sink.close
    return yield* finishRun(plan, ctx, { startedAt, metricsBefore }, options)
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
    `duplicates     ${t.duplicates} dropped`,
    `not owned      ${report.windows.reduce((n, w) => n + w.foreign, 0)} records starting outside the window that read them (another window's, or outside the interval), not written by it`
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
