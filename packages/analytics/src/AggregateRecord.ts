/**
 * Schemas of what the aggregates endpoints return (FACTS-aggregates §3 [A2][A3]): the sync response, the job
 * results page (with its `cursor`), the job submission and status, and the statistical summaries. Decoding follows
 * the details records: unknown fields are kept, enum-like names are open, and a JSON `null` is an absent field.
 *
 * A `group` holds only the dimensions that have a value (partial groups, §5.5), and may carry `mediaType` although
 * it was not asked for; a metric without data in a bucket is omitted, not zero (§3.3).
 *
 * @since 0.3.0
 */
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"

/** Options for decoding: keep fields this library does not know. @since 0.3.0 */
export const parseOptions: AST.ParseOptions = { onExcessProperty: "preserve" }

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true, nullable: true })

const record = <Fields extends Schema.Struct.Fields>(identifier: string, fields: Fields) =>
  Schema.Struct(fields).annotations({ identifier, parseOptions })

/** `StatisticalSummary`: every field optional; which appear depends on the metric family (§3.3). @since 0.3.0 */
export const StatisticalSummary = record("StatisticalSummary", {
  max: optional(Schema.Number),
  min: optional(Schema.Number),
  count: optional(Schema.Number),
  countNegative: optional(Schema.Number),
  countPositive: optional(Schema.Number),
  sum: optional(Schema.Number),
  current: optional(Schema.Number),
  ratio: optional(Schema.Number),
  numerator: optional(Schema.Number),
  denominator: optional(Schema.Number),
  target: optional(Schema.Number),
  p95: optional(Schema.Number),
  p99: optional(Schema.Number),
  calculatedMetricValue: optional(Schema.Number)
})

/** `StatisticalSummary`. @since 0.3.0 */
export type StatisticalSummary = typeof StatisticalSummary.Type

/** The names of the `StatisticalSummary` fields, in the model's order. @since 0.3.0 */
export const statNames = [
  "max",
  "min",
  "count",
  "countNegative",
  "countPositive",
  "sum",
  "current",
  "ratio",
  "numerator",
  "denominator",
  "target",
  "p95",
  "p99",
  "calculatedMetricValue"
] as const

/** `AggregateMetricData`. @since 0.3.0 */
export const AggregateMetricData = record("AggregateMetricData", {
  metric: optional(Schema.String),
  qualifier: optional(Schema.String),
  stats: optional(StatisticalSummary)
})

/** `AggregateMetricData`. @since 0.3.0 */
export type AggregateMetricData = typeof AggregateMetricData.Type

/** `AggregateViewData`. @since 0.3.0 */
export const AggregateViewData = record("AggregateViewData", {
  name: optional(Schema.String),
  stats: optional(StatisticalSummary)
})

/** `AggregateViewData`. @since 0.3.0 */
export type AggregateViewData = typeof AggregateViewData.Type

/** `StatisticalResponse`: one bucket (`interval` is `start/end`, UTC in public samples). @since 0.3.0 */
export const StatisticalResponse = record("StatisticalResponse", {
  interval: optional(Schema.String),
  metrics: optional(Schema.Array(AggregateMetricData)),
  views: optional(Schema.Array(AggregateViewData))
})

/** `StatisticalResponse`. @since 0.3.0 */
export type StatisticalResponse = typeof StatisticalResponse.Type

/** `ConversationAggregateDataContainer`: one group (a map dimension → value) and its buckets. @since 0.3.0 */
export const AggregateDataContainer = record("ConversationAggregateDataContainer", {
  group: optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  data: optional(Schema.Array(StatisticalResponse))
})

/** `ConversationAggregateDataContainer`. @since 0.3.0 */
export type AggregateDataContainer = typeof AggregateDataContainer.Type

/** `ConversationAggregateQueryResponse` (E1). @since 0.3.0 */
export const AggregateQueryResponse = record("ConversationAggregateQueryResponse", {
  results: optional(Schema.Array(AggregateDataContainer))
})

/** `ConversationAggregateQueryResponse` (E1). @since 0.3.0 */
export type AggregateQueryResponse = typeof AggregateQueryResponse.Type

/** `ConversationAsyncAggregateQueryResponse` (E4): a results page; no `cursor` (or an empty one) on the last. @since 0.3.0 */
export const AsyncAggregateQueryResponse = record("ConversationAsyncAggregateQueryResponse", {
  results: optional(Schema.Array(AggregateDataContainer)),
  cursor: optional(Schema.String)
})

/** `ConversationAsyncAggregateQueryResponse` (E4). @since 0.3.0 */
export type AsyncAggregateQueryResponse = typeof AsyncAggregateQueryResponse.Type

/** `AsyncQueryResponse` (E2): the job id. @since 0.3.0 */
export const AsyncQueryResponse = record("AsyncQueryResponse", { jobId: optional(Schema.String) })

/** `AsyncQueryStatus` (E3): the six states are those of the details jobs. @since 0.3.0 */
export const AsyncQueryStatus = record("AsyncQueryStatus", {
  state: optional(Schema.String),
  errorMessage: optional(Schema.String),
  expirationDate: optional(Schema.String),
  submissionDate: optional(Schema.String),
  completionDate: optional(Schema.String)
})

/**
 * One tidy row: one group × bucket × metric (or view). `group` holds the dimensions the platform gave for this
 * group (partial groups keep only theirs); `columns` spreads them beside the stats.
 *
 * @since 0.3.0
 */
export interface AggregateRow {
  readonly group: { readonly [dimension: string]: string }
  /** Bucket start and end, ISO-8601 UTC. */
  readonly bucketStart: string
  readonly bucketEnd: string
  /** The metric name, or the view's name when `kind` is `"view"`. */
  readonly metric: string
  readonly kind: "metric" | "view"
  readonly qualifier?: string
  /** Every stat the platform sent, as sent (absent stats stay absent). */
  readonly stats: StatisticalSummary
}

/** A flat row: one column per dimension, then the bucket, metric, qualifier and every stat. @since 0.3.0 */
export type AggregateColumns = { readonly [column: string]: string | number | undefined }

/**
 * A row as flat columns: each of `dimensions` (e.g. the query's `groupBy`, plus any other the group carries, such
 * as the implicit `mediaType`) is a column, `undefined` where the group lacks it; then `bucketStart`, `bucketEnd`,
 * `metric`, `kind`, `qualifier` and each stat name.
 *
 * @since 0.3.0
 */
export const columns = (row: AggregateRow, dimensions: ReadonlyArray<string> = []): AggregateColumns => {
  const out: Record<string, string | number | undefined> = {}
  for (const dimension of dimensions) out[dimension] = row.group[dimension]
  for (const [dimension, value] of Object.entries(row.group)) out[dimension] = value
  out.bucketStart = row.bucketStart
  out.bucketEnd = row.bucketEnd
  out.metric = row.metric
  out.kind = row.kind
  out.qualifier = row.qualifier
  for (const stat of statNames) out[stat] = row.stats[stat]
  return out
}
