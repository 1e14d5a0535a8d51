/**
 * Seeded, index-addressable generator of realistic contact-center conversations. Conversation `i` is a pure
 * function of `(seed, i)`; the dataset holds no per-conversation memory.
 *
 * @since 0.1.0
 */
import * as Catalog from "./Catalog.js"
import * as Shape from "./internal/data/shape.js"
import * as Build from "./internal/data/build.js"
import type * as Types from "./internal/data/types.js"

/** A generated conversation (job-result shape: participants carry `attributes`). @since 0.1.0 */
export type Conversation = Types.Conversation
/** A generated conversation without participant attributes (sync query / get-by-id shape). @since 0.1.0 */
export type ConversationWithoutAttributes = Types.ConversationWithoutAttributes
/** @since 0.1.0 */
export type Participant = Types.Participant
/** @since 0.1.0 */
export type Session = Types.Session
/** @since 0.1.0 */
export type Segment = Types.Segment
/** @since 0.1.0 */
export type SessionMetric = Types.SessionMetric

/** Size and shape of a dataset. @since 0.1.0 */
export interface DatasetOptions {
  /** Any 32-bit integer; the same seed gives byte-identical data. */
  readonly seed: number
  /** First UTC day of the span, `YYYY-MM-DD`. */
  readonly startDate: string
  /** Number of UTC days in the span. */
  readonly days: number
  /** Average conversations per day; weekdays get more, weekends fewer. */
  readonly perDay: number
}

/** @since 0.1.0 */
export const defaultOptions: DatasetOptions = { seed: 1, startDate: "2026-01-05", days: 28, perDay: 2000 }

/** Upper bound of any conversation's duration (conversationEnd - conversationStart), in milliseconds. @since 0.1.0 */
export const maxDurationMillis: number = Shape.maxDurationMillis

/**
 * About what share of a dataset's `perDay` starts in the UTC hour of `millis` (business hours on weekdays, fewer on
 * weekends): for sizing `perDay` to a wanted hourly traffic. @since 0.5.0
 */
export const hourShare: (millis: number) => number = Shape.hourShare

/** A lazily generated dataset. Conversations are ordered by start: `startMillis` never decreases with the index. @since 0.1.0 */
export interface Dataset {
  readonly options: DatasetOptions
  /** Number of conversations. */
  readonly size: number
  readonly catalog: Catalog.Catalog
  /** UTC midnight of the first day. */
  readonly spanStartMillis: number
  /** UTC midnight after the last day. */
  readonly spanEndMillis: number
  /** The full conversation `index` (with participant attributes). */
  readonly conversation: (index: number) => Conversation
  /** `conversationStart` of `index` in epoch milliseconds, without generating the conversation. */
  readonly startMillis: (index: number) => number
  /** `conversationEnd` of `index` in epoch milliseconds, without generating the conversation. */
  readonly endMillis: (index: number) => number
  /** `conversationId` of `index`, without generating the conversation. */
  readonly conversationId: (index: number) => string
  /** The index of a conversation id of this dataset, or `undefined`. */
  readonly indexOfId: (id: string) => number | undefined
  /** First index whose start is `>= millis` (`size` if none). */
  readonly lowerBound: (millis: number) => number
  /** Half-open index range `[from, to)` of the conversations of UTC day `day` (0-based from `startDate`). */
  readonly dayRange: (day: number) => { readonly from: number; readonly to: number }
}

/**
 * Create a dataset. Cheap: only per-day counts are precomputed.
 *
 * @since 0.1.0
 */
export const make = (options: Partial<DatasetOptions> = {}): Dataset => {
  const opts: DatasetOptions = { ...defaultOptions, ...options }
  const catalog = Catalog.make(opts.seed)
  const days = Shape.makeDays(opts)
  const startMillis = (index: number): number => Shape.startMillis(opts.seed, days, index)
  const endMillis = (index: number): number => startMillis(index) + Shape.plan(opts.seed, index).durationMillis
  const conversationId = (index: number): string => Shape.conversationId(opts.seed, index)
  return {
    options: opts,
    size: days.size,
    catalog,
    spanStartMillis: days.spanStart,
    spanEndMillis: days.spanStart + opts.days * Shape.dayMillis,
    conversation: (index) => Build.conversation(opts.seed, catalog, index, startMillis(index), conversationId(index)),
    startMillis,
    endMillis,
    conversationId,
    indexOfId: (id) => {
      const index = Shape.indexOfId(opts.seed, id)
      return index !== undefined && index < days.size && conversationId(index) === id ? index : undefined
    },
    lowerBound: (millis) => Shape.lowerBound(days, opts.seed, millis),
    dayRange: (day) => Shape.dayRange(days, day)
  }
}

/**
 * Drop participant `attributes` (the sync query and get-by-id return conversations without them).
 *
 * @since 0.1.0
 */
export const withoutAttributes = (conversation: Conversation): ConversationWithoutAttributes => ({
  ...conversation,
  participants: conversation.participants.map(({ attributes: _attributes, ...participant }) => participant)
})
