/**
 * The exact answer the emulator gives to a query or job, computed from the generator and the filter engine
 * without HTTP, so tests can assert that nothing was lost or duplicated.
 *
 * Visibility: a conversation is complete and visible once its `conversationEnd` is at or before "now"; the
 * generator never emits in-progress conversations. Jobs additionally see only conversations that ended at or
 * before the data-availability instant.
 *
 * @since 0.1.0
 */
import type * as Aggregations from "./Aggregations.js"
import type * as FilterEngine from "./FilterEngine.js"
import type * as Generator from "./Generator.js"
import * as Engine from "./internal/data/truth.js"

/** The fields of a sync `ConversationQuery` ground truth needs, structurally. @since 0.1.0 */
export interface QueryLike extends FilterEngine.FiltersLike {
  readonly interval: string
  readonly order?: string | undefined
  readonly orderBy?: string | undefined
  readonly aggregations?: ReadonlyArray<Aggregations.AggregationLike> | undefined
}

/** The fields of an `AsyncConversationQuery` ground truth needs, structurally. @since 0.1.0 */
export interface AsyncQueryLike extends FilterEngine.FiltersLike {
  readonly interval: string
  readonly order?: string | undefined
  readonly orderBy?: string | undefined
  readonly limit?: number | undefined
  readonly startOfDayIntervalMatching?: boolean | undefined
}

/** @since 0.1.0 */
export interface SyncOptions {
  /** Emulator "now": conversations ending after it are not visible yet. */
  readonly nowMillis: number
  readonly match?: Partial<FilterEngine.MatchOptions> | undefined
  /**
   * Also return conversations that started by `nowMillis` and have not ended (live mode: the dataset's
   * `conversation(i)` is then expected to give their open form). Default false.
   */
  readonly includeOpen?: boolean | undefined
}

/** @since 0.1.0 */
export interface SyncResult {
  readonly totalHits: number
  /** All hits, ordered as the API pages them (page n = slice((n-1)*size, n*size)). */
  readonly indices: ReadonlyArray<number>
  /** Present when the query asked for aggregations. */
  readonly aggregations?: ReadonlyArray<Aggregations.AggregationResult>
}

/**
 * How `startOfDayIntervalMatching: true` narrows a job (UNCERTAIN in FACTS):
 * - `"overlapFromStartOfDay"` (default, the swagger's wording): lifetime overlap AND started at or after UTC
 *   midnight of the interval's start day;
 * - `"startDay"`: the sync query's rule (started on a UTC day the interval touches).
 *
 * @since 0.1.0
 */
export type StartOfDayMode = "overlapFromStartOfDay" | "startDay"

/** @since 0.1.0 */
export interface JobOptions {
  readonly nowMillis: number
  /** Data-availability instant: conversations that ended after it are not in job results. */
  readonly availabilityMillis: number
  readonly startOfDayMode?: StartOfDayMode | undefined
  /** Defaults to `{ partialEmailMatch: true }` (jobs match partial email addresses). */
  readonly match?: Partial<FilterEngine.MatchOptions> | undefined
}

/** @since 0.1.0 */
export interface JobResult {
  /** The job's results in result order, already cut to `limit`. */
  readonly indices: ReadonlyArray<number>
}

/**
 * Parse a query interval (`start/end`, `start/duration`, `duration/end`) into epoch milliseconds; `undefined`
 * when it is not one.
 *
 * @since 0.1.0
 */
export const parseInterval = (
  interval: string
): { readonly startMillis: number; readonly endMillis: number } | undefined => Engine.parseInterval(interval)

/**
 * The sync query's hits: conversations that started on a UTC day the interval touches, filtered and ordered.
 *
 * @since 0.1.0
 */
export const syncQuery = (dataset: Generator.Dataset, query: QueryLike, options: SyncOptions): SyncResult =>
  Engine.syncQuery(dataset, query, options)

/**
 * A job's results: conversations whose lifetime overlaps the interval (or the start-of-day rule), ended by the
 * availability instant, filtered, ordered and cut to `limit`.
 *
 * @since 0.1.0
 */
export const job = (dataset: Generator.Dataset, query: AsyncQueryLike, options: JobOptions): JobResult =>
  Engine.job(dataset, query, options)

/**
 * The conversation ids of indices, in order.
 *
 * @since 0.1.0
 */
export const ids = (dataset: Generator.Dataset, indices: ReadonlyArray<number>): Array<string> =>
  indices.map((index) => dataset.conversationId(index))
