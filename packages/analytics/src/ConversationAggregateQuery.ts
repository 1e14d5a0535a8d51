/**
 * Schemas and types of the conversation-aggregates query bodies: the sync query (`POST …/aggregates/query`, E1,
 * `ConversationAggregationQuery`) and the job query (`POST …/aggregates/jobs`, E2, `ConversationAsyncAggregationQuery`,
 * which adds `pageSize`), their filter, views and sort, and the vocabularies (FACTS-aggregates §2 [A1][A2][A3]).
 *
 * The filter has the details' layout (`{ type, clauses, predicates }`, a clause holding only predicates) but its
 * predicate is its own: a `dimension` with `matches` / `exists` / `notExists`, no `metric` or `property` field
 * (§2.3). Names of dimensions and metrics are open (`KnownName | (string & {})`): the enums grow every few weeks
 * (§2.8), so an unknown name is a validator warning, not a type error.
 *
 * @since 0.3.0
 */
import * as Schema from "effect/Schema"
import * as ConversationQuery from "./ConversationQuery.js"
import * as Vocabulary from "./internal/aggregates/vocabulary.js"
import { openEnum } from "./internal/validator/vocabulary.js"

/** The 83 `groupBy` dimensions of .NET SDK 270.0.0 [A1]. @since 0.3.0 */
export const groupByDimensions: ReadonlyArray<GroupByDimension> = Vocabulary.groupByDimensions

/** A known `groupBy` dimension. @since 0.3.0 */
export type GroupByDimension = (typeof Vocabulary.groupByDimensions)[number]

/** The 84 predicate dimensions: the groupBy names plus `canonicalExternalContactId` [A1]. @since 0.3.0 */
export const predicateDimensions: ReadonlyArray<PredicateDimension> = Vocabulary.predicateDimensions

/** A known predicate dimension. @since 0.3.0 */
export type PredicateDimension = (typeof Vocabulary.predicateDimensions)[number]

/** The 80 metrics (also the view `target` names) [A1]. @since 0.3.0 */
export const metrics: ReadonlyArray<Metric> = Vocabulary.metrics

/** A known metric. @since 0.3.0 */
export type Metric = (typeof Vocabulary.metrics)[number]

/** The 76 metrics a topN/bottomN query can sort by [A1]. @since 0.3.0 */
export const sortMetrics: ReadonlyArray<SortMetric> = Vocabulary.sortMetrics

/** A known sort metric. @since 0.3.0 */
export type SortMetric = (typeof Vocabulary.sortMetrics)[number]

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/** `NumericRange` of an aggregate predicate: the same swagger definition as the details'. @since 0.3.0 */
export type NumericRange = ConversationQuery.NumericRange

/** Schema of `NumericRange` (the details' one). @since 0.3.0 */
export const NumericRange: Schema.Schema<NumericRange> = ConversationQuery.NumericRange

/** `ConversationAggregateQueryPredicate` (§2.3). @since 0.3.0 */
export interface AggregateQueryPredicate {
  /** "Optional type, can usually be inferred". */
  readonly type?: "dimension" | "property" | "metric"
  /** "Left hand side for dimension predicates". */
  readonly dimension?: PredicateDimension | (string & {})
  /** "Optional operator, default is matches". */
  readonly operator?: "matches" | "exists" | "notExists"
  /** "Right hand side for dimension predicates". */
  readonly value?: string
  readonly range?: NumericRange
}

/** Schema of `ConversationAggregateQueryPredicate`. @since 0.3.0 */
export const AggregateQueryPredicate: Schema.Schema<AggregateQueryPredicate> = Schema.Struct({
  type: optional(Schema.Literal("dimension", "property", "metric")),
  dimension: optional(openEnum(Vocabulary.predicateDimensions)),
  operator: optional(Schema.Literal("matches", "exists", "notExists")),
  value: optional(Schema.String),
  range: optional(NumericRange)
}).annotations({ identifier: "ConversationAggregateQueryPredicate" })

/** `ConversationAggregateQueryClause`: predicates only. @since 0.3.0 */
export interface AggregateQueryClause {
  readonly type: "and" | "or"
  readonly predicates: ReadonlyArray<AggregateQueryPredicate>
}

/** Schema of `ConversationAggregateQueryClause`. @since 0.3.0 */
export const AggregateQueryClause: Schema.Schema<AggregateQueryClause> = Schema.Struct({
  type: Schema.Literal("and", "or"),
  predicates: Schema.Array(AggregateQueryPredicate)
}).annotations({ identifier: "ConversationAggregateQueryClause" })

/** `ConversationAggregateQueryFilter`: the details' filter layout over aggregate predicates. @since 0.3.0 */
export interface AggregateQueryFilter {
  readonly type: "and" | "or"
  /** "Boolean 'and/or' logic with up to two-levels of nesting". */
  readonly clauses?: ReadonlyArray<AggregateQueryClause>
  readonly predicates?: ReadonlyArray<AggregateQueryPredicate>
}

/** Schema of `ConversationAggregateQueryFilter`. @since 0.3.0 */
export const AggregateQueryFilter: Schema.Schema<AggregateQueryFilter> = Schema.Struct({
  type: Schema.Literal("and", "or"),
  clauses: optional(Schema.Array(AggregateQueryClause)),
  predicates: optional(Schema.Array(AggregateQueryPredicate))
}).annotations({ identifier: "ConversationAggregateQueryFilter" })

/** `ConversationAggregationView`: a derived, range-bound metric (§2.4 [A7]). @since 0.3.0 */
export interface AggregationView {
  readonly target: Metric | (string & {})
  readonly name: string
  readonly function: "rangeBound"
  readonly range?: { readonly gte?: number; readonly lt?: number }
}

/** Schema of `ConversationAggregationView`. @since 0.3.0 */
export const AggregationView: Schema.Schema<AggregationView> = Schema.Struct({
  target: openEnum(Vocabulary.metrics),
  name: Schema.String,
  function: Schema.Literal("rangeBound"),
  range: optional(
    Schema.Struct({ gte: optional(Schema.Number), lt: optional(Schema.Number) }).annotations({
      identifier: "AggregationRange"
    })
  )
}).annotations({ identifier: "ConversationAggregationView" })

/** `ConversationAggregationSort` (§2.5). @since 0.3.0 */
export interface AggregationSort {
  readonly name: SortMetric | (string & {})
  readonly function: "average" | "count" | "max" | "min" | "sum"
}

/** Schema of `ConversationAggregationSort`. @since 0.3.0 */
export const AggregationSort: Schema.Schema<AggregationSort> = Schema.Struct({
  name: openEnum(Vocabulary.sortMetrics),
  function: Schema.Literal("average", "count", "max", "min", "sum")
}).annotations({ identifier: "ConversationAggregationSort" })

/** `ConversationAggregationQuery`, the sync body (E1). `interval` and `metrics` are required [A1]. @since 0.3.0 */
export interface AggregateQuery {
  /** ISO-8601 interval `start/end`. */
  readonly interval: string
  /** ISO-8601 duration of one bucket; default: the whole interval. */
  readonly granularity?: string
  /** IANA zone in which buckets are computed (DST-aware); default UTC. */
  readonly timeZone?: string
  readonly groupBy?: ReadonlyArray<GroupByDimension | (string & {})>
  readonly filter?: AggregateQueryFilter
  readonly metrics: ReadonlyArray<Metric | (string & {})>
  readonly flattenMultivaluedDimensions?: boolean
  readonly views?: ReadonlyArray<AggregationView>
  readonly alternateTimeDimension?: "eventTime"
  readonly queryType?: "bottomN" | "groupBy" | "topN"
  readonly sortMetric?: AggregationSort
  readonly limit?: number
}

const queryFields = {
  interval: Schema.String,
  granularity: optional(Schema.String),
  timeZone: optional(Schema.String),
  groupBy: optional(Schema.Array(openEnum(Vocabulary.groupByDimensions))),
  filter: optional(AggregateQueryFilter),
  metrics: Schema.Array(openEnum(Vocabulary.metrics)),
  flattenMultivaluedDimensions: optional(Schema.Boolean),
  views: optional(Schema.Array(AggregationView)),
  alternateTimeDimension: optional(Schema.Literal("eventTime")),
  queryType: optional(Schema.Literal("bottomN", "groupBy", "topN")),
  sortMetric: optional(AggregationSort),
  limit: optional(Schema.Int)
}

/** Schema of `ConversationAggregationQuery`. @since 0.3.0 */
export const AggregateQuery: Schema.Schema<AggregateQuery> = Schema.Struct(queryFields).annotations({
  identifier: "ConversationAggregationQuery"
})

/** `ConversationAsyncAggregationQuery`, the job body (E2): the sync fields plus `pageSize`. @since 0.3.0 */
export interface AsyncAggregateQuery extends AggregateQuery {
  /** Results per page of the job's results (E4 has no page-size parameter); no documented bounds. */
  readonly pageSize?: number
}

/** Schema of `ConversationAsyncAggregationQuery`. @since 0.3.0 */
export const AsyncAggregateQuery: Schema.Schema<AsyncAggregateQuery> = Schema.Struct({
  ...queryFields,
  pageSize: optional(Schema.Int)
}).annotations({ identifier: "ConversationAsyncAggregationQuery" })
