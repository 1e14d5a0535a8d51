/**
 * A typed builder for conversation-detail queries and jobs. Drafts are immutable and pipeable; `build` resolves
 * relative intervals ("the last 7 days in Europe/Paris") with the Effect `Clock` and runs `QueryValidator`, so what it
 * returns is exactly what Genesys will accept.
 *
 * ```ts
 * const query = QueryBuilder.query(QueryBuilder.lastDays(7, "Europe/Paris")).pipe(
 *   QueryBuilder.filterSegments("and", QueryBuilder.segment.dimension("mediaType", "voice")),
 *   QueryBuilder.paging(100, 1),
 *   QueryBuilder.build
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type Pipeable, pipeArguments } from "effect/Pipeable"
import type * as Query from "./ConversationQuery.js"
import { QueryInvalid, QueryIssue } from "./GenesysError.js"
import * as Interval from "./Interval.js"
import * as QueryValidator from "./QueryValidator.js"

/** Where a draft's interval comes from; relative forms are resolved at `build` time. @since 0.1.0 */
export type IntervalSpec =
  | { readonly _tag: "Fixed"; readonly text: string }
  | { readonly _tag: "LastDays"; readonly days: number; readonly timeZone: string }
  | { readonly _tag: "Last"; readonly millis: number }
  | { readonly _tag: "CalendarDays"; readonly date: string; readonly count: number; readonly timeZone: string }

/** An interval given as ISO text, as an `Interval`, or as a relative spec. @since 0.1.0 */
export type IntervalInput = string | Interval.Interval | IntervalSpec

/** The last `days` complete calendar days before today in a time zone (default UTC). @since 0.1.0 */
export const lastDays = (days: number, timeZone = "UTC"): IntervalSpec => ({ _tag: "LastDays", days, timeZone })

/** The last `hours` hours up to now. @since 0.1.0 */
export const lastHours = (hours: number): IntervalSpec => ({ _tag: "Last", millis: hours * 3_600_000 })

/** `count` calendar days from `date` (`YYYY-MM-DD`) in a time zone (default UTC). @since 0.1.0 */
export const calendarDays = (date: string, count = 1, timeZone = "UTC"): IntervalSpec => ({
  _tag: "CalendarDays",
  date,
  count,
  timeZone
})

/** From `start` to `end` (Dates, epoch milliseconds or ISO date-times). @since 0.1.0 */
export const between = (start: Date | number | string, end: Date | number | string): IntervalSpec => {
  const text = (t: Date | number | string) =>
    typeof t === "string" ? t : Number.isFinite(+t) ? new Date(+t).toISOString() : String(t)
  return { _tag: "Fixed", text: `${text(start)}/${text(end)}` }
}

type SyncBody = Omit<Query.ConversationQuery, "interval">
type JobBody = Omit<Query.AsyncConversationQuery, "interval">

/** A sync query (`POST …/details/query`) being built. @since 0.1.0 */
export interface QueryDraft extends Pipeable {
  readonly _tag: "QueryDraft"
  readonly interval: IntervalSpec
  readonly body: SyncBody
  /** Type-level only: what `build` returns. */
  readonly "~builds"?: Query.ConversationQuery
}

/** A job query (`POST …/details/jobs`) being built. @since 0.1.0 */
export interface JobDraft extends Pipeable {
  readonly _tag: "JobDraft"
  readonly interval: IntervalSpec
  readonly body: JobBody
  /** Type-level only: what `build` returns. */
  readonly "~builds"?: Query.AsyncConversationQuery
}

/** Either kind of draft. @since 0.1.0 */
export type Draft = QueryDraft | JobDraft

const DraftProto = {
  pipe(this: Draft) {
    // biome-ignore lint/complexity/noArguments: the Effect pipe protocol
    return pipeArguments(this, arguments)
  }
}

const make = <D extends Draft>(fields: Omit<D, "pipe">): D => Object.assign(Object.create(DraftProto), fields)

const toSpec = (interval: IntervalInput): IntervalSpec =>
  typeof interval === "string"
    ? { _tag: "Fixed", text: interval }
    : "_tag" in interval
      ? interval
      : { _tag: "Fixed", text: Interval.formatInterval(interval) }

/** Starts a sync query over an interval. @since 0.1.0 */
export const query = (interval: IntervalInput): QueryDraft =>
  make<QueryDraft>({ _tag: "QueryDraft", interval: toSpec(interval), body: {} })

/** Starts a job query over an interval. @since 0.1.0 */
export const job = (interval: IntervalInput): JobDraft =>
  make<JobDraft>({ _tag: "JobDraft", interval: toSpec(interval), body: {} })

const update =
  <D extends Draft>(f: (body: D["body"]) => D["body"]) =>
  (draft: D): D =>
    make<D>({ _tag: draft._tag, interval: draft.interval, body: f(draft.body) } as Omit<D, "pipe">)

/** Replaces the interval. @since 0.1.0 */
export const interval =
  (input: IntervalInput) =>
  <D extends Draft>(draft: D): D =>
    make<D>({ _tag: draft._tag, interval: toSpec(input), body: draft.body } as Omit<D, "pipe">)

/** A boolean clause grouping predicates: `filter → clauses → predicates`, nothing deeper. @since 0.1.0 */
export interface Clause<P> {
  readonly type: "and" | "or"
  readonly predicates: ReadonlyArray<P>
}

/** All of the predicates must match. @since 0.1.0 */
export const allOf = <P>(first: P, ...rest: ReadonlyArray<P>): Clause<P> => ({
  type: "and",
  predicates: [first, ...rest]
})

/** At least one of the predicates must match. @since 0.1.0 */
export const anyOf = <P>(first: P, ...rest: ReadonlyArray<P>): Clause<P> => ({
  type: "or",
  predicates: [first, ...rest]
})

const isClause = <P>(item: P | Clause<P>): item is Clause<P> =>
  typeof item === "object" && item !== null && "predicates" in item

const filterOf = <P>(type: "and" | "or", items: ReadonlyArray<P | Clause<P>>) => {
  const predicates = items.filter((i): i is P => !isClause(i))
  const clauses = items.filter(isClause)
  return {
    type,
    ...(predicates.length > 0 ? { predicates } : {}),
    ...(clauses.length > 0 ? { clauses: clauses.map((c) => ({ type: c.type, predicates: c.predicates })) } : {})
  }
}

type FilterKey = "conversationFilters" | "segmentFilters" | "evaluationFilters" | "surveyFilters" | "resolutionFilters"

const addFilter =
  <P>(key: FilterKey) =>
  (type: "and" | "or", first: P | Clause<P>, ...rest: ReadonlyArray<P | Clause<P>>) =>
  <D extends Draft>(draft: D): D =>
    update<D>((body) => ({
      ...body,
      [key]: [...((body[key] as ReadonlyArray<unknown>) ?? []), filterOf(type, [first, ...rest])]
    }))(draft)

/** Adds a conversation-level filter (`conversationFilters`). @since 0.1.0 */
export const filterConversations: (
  type: "and" | "or",
  first: Query.ConversationDetailQueryPredicate | Clause<Query.ConversationDetailQueryPredicate>,
  ...rest: ReadonlyArray<Query.ConversationDetailQueryPredicate | Clause<Query.ConversationDetailQueryPredicate>>
) => <D extends Draft>(draft: D) => D = addFilter("conversationFilters")

/** Adds a segment-level filter (`segmentFilters`). @since 0.1.0 */
export const filterSegments: (
  type: "and" | "or",
  first: Query.SegmentDetailQueryPredicate | Clause<Query.SegmentDetailQueryPredicate>,
  ...rest: ReadonlyArray<Query.SegmentDetailQueryPredicate | Clause<Query.SegmentDetailQueryPredicate>>
) => <D extends Draft>(draft: D) => D = addFilter("segmentFilters")

/** Adds an evaluation filter (`evaluationFilters`). @since 0.1.0 */
export const filterEvaluations: (
  type: "and" | "or",
  first: Query.EvaluationDetailQueryPredicate | Clause<Query.EvaluationDetailQueryPredicate>,
  ...rest: ReadonlyArray<Query.EvaluationDetailQueryPredicate | Clause<Query.EvaluationDetailQueryPredicate>>
) => <D extends Draft>(draft: D) => D = addFilter("evaluationFilters")

/** Adds a survey filter (`surveyFilters`). @since 0.1.0 */
export const filterSurveys: (
  type: "and" | "or",
  first: Query.SurveyDetailQueryPredicate | Clause<Query.SurveyDetailQueryPredicate>,
  ...rest: ReadonlyArray<Query.SurveyDetailQueryPredicate | Clause<Query.SurveyDetailQueryPredicate>>
) => <D extends Draft>(draft: D) => D = addFilter("surveyFilters")

/** Adds a resolution filter (`resolutionFilters`). @since 0.1.0 */
export const filterResolutions: (
  type: "and" | "or",
  first: Query.ResolutionDetailQueryPredicate | Clause<Query.ResolutionDetailQueryPredicate>,
  ...rest: ReadonlyArray<Query.ResolutionDetailQueryPredicate | Clause<Query.ResolutionDetailQueryPredicate>>
) => <D extends Draft>(draft: D) => D = addFilter("resolutionFilters")

/** A numeric range; give at least one bound, at most one lower (`gt`/`gte`) and one upper (`lt`/`lte`). @since 0.1.0 */
export type Range = Query.NumericRange

const operand = (value: string | Range) => (typeof value === "string" ? { value } : { range: value })

/** Predicate helpers for one filter kind, typed with its dimension and metric names. @since 0.1.0 */
export interface Predicates<Dimension extends string, Metric extends string, P> {
  /** `dimension` matches a value (or a numeric range). */
  readonly dimension: (name: Dimension | (string & {}), value: string | Range) => P
  /** `metric` matches a range (or a value). */
  readonly metric: (name: Metric | (string & {}), value: string | Range) => P
  /** The dimension has a value. */
  readonly exists: (name: Dimension | (string & {})) => P
  /** The dimension has no value. */
  readonly notExists: (name: Dimension | (string & {})) => P
  /** An `or` clause: the dimension equals one of the values. */
  readonly oneOf: (name: Dimension | (string & {}), values: readonly [string, ...Array<string>]) => Clause<P>
}

const predicates = <Dimension extends string, Metric extends string, P>(): Predicates<Dimension, Metric, P> => ({
  dimension: (name, value) => ({ type: "dimension", dimension: name, ...operand(value) }) as P,
  metric: (name, value) => ({ type: "metric", metric: name, ...operand(value) }) as P,
  exists: (name) => ({ type: "dimension", dimension: name, operator: "exists" }) as P,
  notExists: (name) => ({ type: "dimension", dimension: name, operator: "notExists" }) as P,
  oneOf: (name, values) => ({
    type: "or",
    predicates: values.map((value) => ({ type: "dimension", dimension: name, value }) as P)
  })
})

/** Conversation-level predicates. @since 0.1.0 */
export const conversation: Predicates<
  Query.ConversationDimension,
  Query.ConversationMetric,
  Query.ConversationDetailQueryPredicate
> = predicates()

/** Segment-level predicates, plus user-defined segment properties. @since 0.1.0 */
export const segment: Predicates<Query.SegmentDimension, Query.SegmentMetric, Query.SegmentDetailQueryPredicate> & {
  /** A user-defined segment property of a given type matches a value (or a numeric range). */
  readonly property: (
    name: string,
    propertyType: NonNullable<Query.SegmentDetailQueryPredicate["propertyType"]>,
    value: string | Range
  ) => Query.SegmentDetailQueryPredicate
} = {
  ...predicates<Query.SegmentDimension, Query.SegmentMetric, Query.SegmentDetailQueryPredicate>(),
  property: (name, propertyType, value) => ({ type: "property", property: name, propertyType, ...operand(value) })
}

/** Evaluation predicates. @since 0.1.0 */
export const evaluation: Predicates<
  Query.EvaluationDimension,
  Query.EvaluationMetric,
  Query.EvaluationDetailQueryPredicate
> = predicates()

/** Survey predicates. @since 0.1.0 */
export const survey: Predicates<Query.SurveyDimension, Query.SurveyMetric, Query.SurveyDetailQueryPredicate> =
  predicates()

/** Resolution predicates (metric only). @since 0.1.0 */
export const resolution: {
  readonly metric: (
    name: Query.ResolutionMetric | (string & {}),
    value: string | Range
  ) => Query.ResolutionDetailQueryPredicate
} = { metric: (name, value) => ({ type: "metric", metric: name, ...operand(value) }) }

/** Sort order and key. @since 0.1.0 */
export const orderBy =
  (
    field: NonNullable<Query.ConversationQuery["orderBy"]>,
    order: NonNullable<Query.ConversationQuery["order"]> = "asc"
  ) =>
  <D extends Draft>(draft: D): D =>
    update<D>((body) => ({ ...body, orderBy: field, order }))(draft)

/** Page size (1–100 by default) and page number (from 1) of a sync query. @since 0.1.0 */
export const paging =
  (pageSize: number, pageNumber = 1) =>
  (draft: QueryDraft): QueryDraft =>
    update<QueryDraft>((body) => ({ ...body, paging: { pageSize, pageNumber } }))(draft)

/** A termFrequency aggregation: the top `size` values of a dimension. @since 0.1.0 */
export const termFrequency = (
  dimension: Query.ConversationDimension | Query.SegmentDimension | (string & {}),
  size?: number
): Query.AnalyticsQueryAggregation => ({ type: "termFrequency", dimension, ...(size !== undefined ? { size } : {}) })

/** A numericRange aggregation: counts of a metric in ranges `[gte, lt)`. @since 0.1.0 */
export const numericRange = (
  metric: Query.ConversationMetric | (string & {}),
  ranges: readonly [Query.AggregationRange, ...Array<Query.AggregationRange>]
): Query.AnalyticsQueryAggregation => ({ type: "numericRange", metric, ranges })

/** Adds aggregations to a sync query. @since 0.1.0 */
export const aggregate =
  (...aggregations: ReadonlyArray<Query.AnalyticsQueryAggregation>) =>
  (draft: QueryDraft): QueryDraft =>
    update<QueryDraft>((body) => ({ ...body, aggregations: [...(body.aggregations ?? []), ...aggregations] }))(draft)

/** Caps the number of results of a job. @since 0.1.0 */
export const limit =
  (count: number) =>
  (draft: JobDraft): JobDraft =>
    update<JobDraft>((body) => ({ ...body, limit: count }))(draft)

/** Makes a job match conversations by start day like a sync query does. @since 0.1.0 */
export const startOfDayIntervalMatching =
  (enabled = true) =>
  (draft: JobDraft): JobDraft =>
    update<JobDraft>((body) => ({ ...body, startOfDayIntervalMatching: enabled }))(draft)

const resolve = (spec: IntervalSpec, nowMillis: number): Either.Either<string, QueryInvalid> => {
  const resolved =
    spec._tag === "Fixed"
      ? Either.right(spec.text)
      : Either.map(
          spec._tag === "LastDays"
            ? Interval.lastDays(spec.days, spec.timeZone, nowMillis)
            : spec._tag === "Last"
              ? Interval.lastMillis(spec.millis, nowMillis)
              : Interval.calendarDays(spec.date, spec.count, spec.timeZone),
          Interval.formatInterval
        )
  return Either.mapLeft(
    resolved,
    (error) =>
      new QueryInvalid({ issues: [new QueryIssue({ path: "$.interval", rule: error.rule, message: error.message })] })
  )
}

/** What a draft builds: a sync query or a job query. @since 0.1.0 */
export type Built<D extends Draft> = NonNullable<D["~builds"]>

/** A draft that builds an `A` (lets `build` infer its result inside `pipe`). @since 0.1.0 */
export interface Buildable<A> {
  readonly _tag: Draft["_tag"]
  readonly interval: IntervalSpec
  readonly body: object
  readonly "~builds"?: A
}

/** The body of a draft at a given instant, validated; pure (tests and callers with their own clock). @since 0.1.0 */
export const buildAt = <A>(
  draft: Buildable<A>,
  nowMillis: number,
  options?: Partial<QueryValidator.ValidatorOptions>
): Either.Either<A, QueryInvalid> =>
  Either.flatMap(resolve(draft.interval, nowMillis), (interval) => {
    const body = { interval, ...draft.body }
    return (
      draft._tag === "QueryDraft"
        ? QueryValidator.checkQuery(body, options).result
        : QueryValidator.checkAsyncQuery(body, options).result
    ) as Either.Either<A, QueryInvalid>
  })

/** Like `build`, with validator options (limits, unknown-name policy). @since 0.1.0 */
export const buildWith =
  (options: Partial<QueryValidator.ValidatorOptions>) =>
  <A>(draft: Buildable<A>): Effect.Effect<A, QueryInvalid> =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.flatMap(
        resolve(draft.interval, now),
        (interval) =>
          (draft._tag === "QueryDraft"
            ? QueryValidator.validateQuery({ interval, ...draft.body }, options)
            : QueryValidator.validateAsyncQuery({ interval, ...draft.body }, options)) as Effect.Effect<A, QueryInvalid>
      )
    )

/**
 * Resolves the interval with the `Clock` and validates with the default options: the query Genesys will accept, or
 * every problem.
 *
 * @since 0.1.0
 */
export const build = <A>(draft: Buildable<A>): Effect.Effect<A, QueryInvalid> => buildWith({})(draft)
