/**
 * The detail-query predicate semantics (FACTS §2.2) evaluated against generated conversations.
 *
 * Rules (the ones FACTS marks UNCERTAIN are options):
 * - A filter combines its `predicates` and `clauses` with its `type` (`and`/`or`); a clause combines its
 *   `predicates` with its `type`. An empty filter matches everything.
 * - Several filters in one array are AND-ed; the arrays (conversation, segment, evaluation, survey, resolution)
 *   are AND-ed (FACTS §8 default; UNCERTAIN).
 * - `operator` defaults to `matches`: the attribute has a value equal to `value` (strings case-insensitively,
 *   booleans as `true`/`false`, numbers numerically, dates as instants) and within `range` when given; a
 *   multi-valued attribute (e.g. `divisionId`) matches when any of its values does. `exists`/`notExists` test
 *   presence and ignore `value`/`range`. A `matches` predicate with neither `value` nor `range` means `exists`.
 * - Conversation metric predicates read the SUM of the session metrics of that name over every participant and
 *   session of the conversation; the metric "exists" when at least one session emitted it.
 * - Segment predicates see the segment, its session (including the flow) and its participant. With
 *   `segmentScope: "sameSegment"` (default) a segment filter matches when ONE segment satisfies the whole filter;
 *   with `"anySegment"` each predicate may be satisfied by a different segment (UNCERTAIN in FACTS).
 * - Evaluation, survey and resolution filters match when one evaluation (survey, resolution) satisfies the
 *   whole filter.
 *
 * @since 0.1.0
 */
import type * as Types from "./internal/data/types.js"
import * as Engine from "./internal/data/filter.js"

/** A numeric range (`gt`, `gte`, `lt`, `lte`). @since 0.1.0 */
export interface RangeLike {
  readonly gt?: number | undefined
  readonly gte?: number | undefined
  readonly lt?: number | undefined
  readonly lte?: number | undefined
}

/** Any of the five predicate kinds, structurally. @since 0.1.0 */
export interface PredicateLike {
  readonly type?: string | undefined
  readonly dimension?: string | undefined
  readonly metric?: string | undefined
  readonly property?: string | undefined
  readonly propertyType?: string | undefined
  readonly operator?: string | undefined
  readonly value?: string | undefined
  readonly range?: RangeLike | undefined
}

/** @since 0.1.0 */
export interface ClauseLike {
  readonly type: string
  readonly predicates?: ReadonlyArray<PredicateLike> | undefined
}

/** @since 0.1.0 */
export interface FilterLike {
  readonly type: string
  readonly clauses?: ReadonlyArray<ClauseLike> | undefined
  readonly predicates?: ReadonlyArray<PredicateLike> | undefined
}

/** The filter part of a `ConversationQuery` or `AsyncConversationQuery`. @since 0.1.0 */
export interface FiltersLike {
  readonly conversationFilters?: ReadonlyArray<FilterLike> | undefined
  readonly segmentFilters?: ReadonlyArray<FilterLike> | undefined
  readonly evaluationFilters?: ReadonlyArray<FilterLike> | undefined
  readonly surveyFilters?: ReadonlyArray<FilterLike> | undefined
  readonly resolutionFilters?: ReadonlyArray<FilterLike> | undefined
}

/** @since 0.1.0 */
export interface MatchOptions {
  /** Whether the predicates of one segment filter must all be met by the same segment. */
  readonly segmentScope: "sameSegment" | "anySegment"
  /**
   * Jobs match partial email addresses (`name@domain.c` matches `name@domain.com`, FACTS §3.1): when true a
   * `value` containing `@` matches any address-valued attribute that starts with it.
   */
  readonly partialEmailMatch: boolean
}

/** @since 0.1.0 */
export const defaultMatchOptions: MatchOptions = { segmentScope: "sameSegment", partialEmailMatch: false }

/** Whether the query has any filter at all (empty arrays count as none). @since 0.1.0 */
export const hasFilters = (query: FiltersLike): boolean => Engine.hasFilters(query)

/**
 * Whether a conversation satisfies every filter of the query.
 *
 * @since 0.1.0
 */
export const matches = (
  conversation: Types.ConversationWithoutAttributes,
  query: FiltersLike,
  options: Partial<MatchOptions> = {}
): boolean => Engine.matches(conversation, query, { ...defaultMatchOptions, ...options })

/**
 * Compile a query's filters once into a predicate (faster when testing many conversations).
 *
 * @since 0.1.0
 */
export const compile = (
  query: FiltersLike,
  options: Partial<MatchOptions> = {}
): ((conversation: Types.ConversationWithoutAttributes) => boolean) =>
  Engine.compile(query, { ...defaultMatchOptions, ...options })

/**
 * All values a segment-level dimension takes in a conversation (one entry per segment carrying it), as
 * strings; used by aggregations.
 *
 * @since 0.1.0
 */
export const segmentDimensionValues = (
  conversation: Types.ConversationWithoutAttributes,
  dimension: string
): ReadonlyArray<string> => Engine.segmentDimensionValues(conversation, dimension)

/**
 * All values a conversation-level dimension takes (several for `divisionId`), as strings.
 *
 * @since 0.1.0
 */
export const conversationDimensionValues = (
  conversation: Types.ConversationWithoutAttributes,
  dimension: string
): ReadonlyArray<string> => Engine.conversationDimensionValues(conversation, dimension)

/**
 * The conversation-level value of a metric: the sum of the session metrics of that name, or `undefined` when
 * no session emitted it.
 *
 * @since 0.1.0
 */
export const conversationMetric = (
  conversation: Types.ConversationWithoutAttributes,
  metric: string
): number | undefined => Engine.conversationMetric(conversation, metric)
