// What the durable extraction's workflows and activities store in the journal: plans, window outcomes, cursors and
// counts, never conversation data. Every schema here must survive a JSON round trip.
import * as Schema from "effect/Schema"
import * as GenesysError from "../../GenesysError.js"

/** A planned window, as the journal stores it. @internal */
export const PlannedWindow = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("job", "query"),
  interval: Schema.String,
  startMillis: Schema.Number,
  endMillis: Schema.Number,
  provisional: Schema.Boolean
})

/** An extraction plan, as the journal stores it (filters are the validated query's JSON). @internal */
export const Plan = Schema.Struct({
  requested: Schema.String,
  interval: Schema.String,
  watermark: Schema.String,
  plannedAt: Schema.String,
  filters: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  windows: Schema.Array(PlannedWindow),
  jobs: Schema.optional(Schema.Number),
  planHash: Schema.String,
  /** Each window's estimated conversations, when the plan was made on a cluster of several runners. */
  volumes: Schema.optional(Schema.Array(Schema.Number))
})

/** The options of a run that the workflow itself needs (everything else is the runner's environment). @internal */
export const RunSettings = Schema.Struct({
  /** Windows in flight at once. */
  concurrency: Schema.Int.pipe(Schema.positive()),
  pageSize: Schema.optional(Schema.Int.pipe(Schema.positive())),
  maxResubmissions: Schema.NonNegativeInt,
  reconcile: Schema.Boolean,
  reconcileThreshold: Schema.optional(Schema.Number)
})

/** @internal */
export type RunSettings = typeof RunSettings.Type

/** Conversations per UTC day (days since the epoch, as text), for reconciliation. @internal */
export const DayCounts = Schema.Record({ key: Schema.String, value: Schema.NonNegativeInt })

/** What one window did: the report's row and the pages that make its output. @internal */
export const WindowOutcome = Schema.Struct({
  id: Schema.String,
  jobId: Schema.optional(Schema.String),
  /** The attempt whose pages are the window's output. */
  attempt: Schema.NonNegativeInt,
  pages: Schema.NonNegativeInt,
  conversations: Schema.NonNegativeInt,
  resubmissions: Schema.NonNegativeInt,
  duplicates: Schema.NonNegativeInt,
  foreign: Schema.NonNegativeInt,
  quarantined: Schema.NonNegativeInt,
  latencyMillis: Schema.NonNegativeInt,
  days: DayCounts
})

/** @internal */
export type WindowOutcome = typeof WindowOutcome.Type

/** A window's job once the platform has fulfilled it: what its pages are read from. @internal */
export const FulfilledJob = Schema.Struct({
  jobId: Schema.String,
  /** The attempt the job's pages are written under. */
  attempt: Schema.NonNegativeInt,
  /** Jobs of the window submitted before this one that ended without results. */
  resubmissions: Schema.NonNegativeInt,
  /** When the window's first job was submitted (its latency counts from there). */
  startedAt: Schema.Number
})

/** @internal */
export type FulfilledJob = typeof FulfilledJob.Type

/** What one page activity did. @internal */
export const PageOutcome = Schema.Struct({
  nextCursor: Schema.optional(Schema.String),
  written: Schema.NonNegativeInt,
  duplicates: Schema.NonNegativeInt,
  foreign: Schema.NonNegativeInt,
  quarantined: Schema.NonNegativeInt,
  days: DayCounts
})

/** @internal */
export type PageOutcome = typeof PageOutcome.Type

/**
 * The output could not be written: the sink's own failure, kept as text so the journal can store it.
 *
 * @internal
 */
export class SinkFailed extends Schema.TaggedError<SinkFailed>(
  "@effect-genesys/analytics/ExtractionWorkflow/SinkFailed"
)("SinkFailed", { message: Schema.String }) {}

/** Every failure a step may end with, as stored in the journal. @internal */
export const StepError = Schema.Union(
  GenesysError.QueryInvalid,
  GenesysError.ConfigInvalid,
  GenesysError.Unauthorized,
  GenesysError.Forbidden,
  GenesysError.BadRequest,
  GenesysError.NotFound,
  GenesysError.RateLimited,
  GenesysError.ServerError,
  GenesysError.Transport,
  GenesysError.JobFailed,
  GenesysError.JobExpired,
  GenesysError.JobCancelled,
  GenesysError.JobTimeout,
  GenesysError.PaginationStalled,
  GenesysError.PaginationLimitExceeded,
  GenesysError.PaginationIncomplete,
  GenesysError.RecordInvalid,
  GenesysError.ReconciliationFailed,
  SinkFailed
)

/** @internal */
export type StepError = typeof StepError.Type

/**
 * A window's job went bad while its pages were read (it expired, or its cursor did): the window's workflow ends with
 * this, so that its extraction submits the next job under one of its job slots and starts the window again with it.
 *
 * @internal
 */
export class NeedsNewJob extends Schema.TaggedError<NeedsNewJob>(
  "@effect-genesys/analytics/ExtractionWorkflow/NeedsNewJob"
)("NeedsNewJob", {
  /** The resubmission the next job is. */
  resubmission: Schema.NonNegativeInt,
  /** When the window's first job was submitted. */
  startedAt: Schema.Number
}) {}

/** How a window's workflow may end without an outcome. @internal */
export const WindowError = Schema.Union(StepError, NeedsNewJob)

/** Adds one page's day counts to a window's. @internal */
export const addDays = (
  into: Record<string, number>,
  from: { readonly [day: string]: number }
): Record<string, number> => {
  for (const [day, n] of Object.entries(from)) into[day] = (into[day] ?? 0) + n
  return into
}
