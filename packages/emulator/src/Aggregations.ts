/**
 * Sync-query aggregations (`termFrequency`, `numericRange`) computed over every hit of a query.
 *
 * - `termFrequency` on a conversation dimension counts conversations per value; on a segment dimension it
 *   counts conversations per value too (a conversation with two segments in the same queue counts once for
 *   that queue). Buckets are sorted by count (descending) then value, and cut to `size` (default 10).
 *   `count` is the number of conversations that have the dimension at all.
 * - `numericRange` on a conversation metric buckets each conversation's metric (the sum of its session
 *   metrics) into `[gte, lt)` ranges; on `tSegmentDuration` it buckets every segment. `count` is the number of
 *   values bucketed in at least one range.
 *
 * @since 0.1.0
 */
import type * as Types from "./internal/data/types.js"
import * as Engine from "./internal/data/aggregate.js"

/** A requested aggregation, structurally (`AnalyticsQueryAggregation`). @since 0.1.0 */
export interface AggregationLike {
  readonly type?: string | undefined
  readonly dimension?: string | undefined
  readonly metric?: string | undefined
  readonly size?: number | undefined
  readonly ranges?: ReadonlyArray<{ readonly gte?: number | undefined; readonly lt?: number | undefined }> | undefined
}

/** @since 0.1.0 */
export interface AggregationResultEntry {
  readonly count: number
  readonly value?: string
  readonly gte?: number
  readonly lt?: number
}

/** @since 0.1.0 */
export interface AggregationResult {
  readonly type: "termFrequency" | "numericRange"
  readonly dimension?: string
  readonly metric?: string
  readonly count: number
  readonly results: ReadonlyArray<AggregationResultEntry>
}

/**
 * Compute the aggregations over the given conversations (all hits of a query, in any order).
 *
 * @since 0.1.0
 */
export const aggregate = (
  conversations: Iterable<Types.ConversationWithoutAttributes>,
  aggregations: ReadonlyArray<AggregationLike>
): Array<AggregationResult> => Engine.aggregate(conversations, aggregations)
