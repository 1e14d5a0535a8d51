// How many conversations a span of time holds, estimated from one aggregate query: the planner cuts job windows of
// equal volume with it, and a cluster weighs windows by it when it spreads them over its runners. An org's days are
// not equal work (weekends hold far fewer conversations than weekdays, nights fewer than afternoons). An estimate only
// ever moves a window's edges or its runner; it never changes what a run writes.
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as AuditLog from "../../AuditLog.js"
import type * as ConversationAggregates from "../../ConversationAggregates.js"
import type { VolumeBucket } from "../../Extraction.js"
import * as Interval from "../../Interval.js"
import * as JobWindow from "./jobWindow.js"

/** Metrics whose sum comes close to a bucket's conversations: those offered to a queue, and outbound ones. @internal */
export const volumeMetrics: ReadonlyArray<string> = ["nOffered", "nOutbound"]

/**
 * Hourly buckets up to this span (the longest interval the sync query allows with a filter, FACTS §2.3), daily beyond:
 * a month has 744 hours, a year's query hundreds of days, not thousands of hours.
 */
export const hourlyUpTo = 31 * Interval.DAY_MILLIS

/** An hour, the finest bucket a volume query asks for. @internal */
export const hourMillis = 3_600_000

/** A span of time and how much happened in it (`Extraction.VolumeBucket`). @internal */
export type Bucket = VolumeBucket

/** A span of time: a window, or a plan's interval. @internal */
export interface Span {
  readonly startMillis: number
  readonly endMillis: number
}

/** The width of the buckets {@link volumeQuery} asks for over `span`. @internal */
export const bucketMillis = (span: Span): number =>
  span.endMillis - span.startMillis <= hourlyUpTo ? hourMillis : Interval.DAY_MILLIS

/** The aggregate query of the volume over `span`: {@link volumeMetrics} by hour, or by day past a month. @internal */
export const volumeQuery = (span: Span) => ({
  interval: Interval.format(span.startMillis, span.endMillis),
  granularity: bucketMillis(span) === hourMillis ? "PT1H" : "P1D",
  metrics: volumeMetrics
})

/** Each span's estimate: the count of every bucket it overlaps, times the share of the bucket it covers. @internal */
export const estimate = (spans: ReadonlyArray<Span>, buckets: ReadonlyArray<Bucket>): ReadonlyArray<number> =>
  spans.map((span) => {
    let total = 0
    for (const b of buckets) {
      const overlap = Math.min(span.endMillis, b.endMillis) - Math.max(span.startMillis, b.startMillis)
      if (overlap > 0 && b.endMillis > b.startMillis) total += (b.count * overlap) / (b.endMillis - b.startMillis)
    }
    return total
  })

/** How long the estimate may take before the plan goes on without it. */
const volumeTimeout = "5 seconds"

/** What asking for the volume needs: the org's aggregate queries (absent: no estimate) and the audit log. @internal */
export interface VolumeServices {
  readonly aggregates?: ConversationAggregates.Service | undefined
  readonly audit: AuditLog.Service
}

/**
 * The volume over `span` in buckets, or `null` (audited as `unsized`) when the query fails or takes longer than
 * {@link volumeTimeout}: without the aggregates permission, for one.
 *
 * @internal
 */
export const volumeBuckets = (services: VolumeServices, span: Span): Effect.Effect<ReadonlyArray<Bucket> | null> => {
  const { aggregates, audit } = services
  if (aggregates === undefined || span.endMillis <= span.startMillis) return Effect.succeed(null)
  const query = volumeQuery(span)
  return aggregates.rows(query).pipe(
    Stream.runFold(new Map<string, Bucket>(), (byBucket, row) => {
      const key = `${row.bucketStart}/${row.bucketEnd}`
      const count = (byBucket.get(key)?.count ?? 0) + (row.stats.count ?? 0)
      byBucket.set(key, { startMillis: Date.parse(row.bucketStart), endMillis: Date.parse(row.bucketEnd), count })
      return byBucket
    }),
    Effect.timeoutFail({ duration: volumeTimeout, onTimeout: () => `no answer within ${volumeTimeout}` }),
    Effect.map((byBucket): ReadonlyArray<Bucket> | null => [...byBucket.values()]),
    // A failure or an answer it cannot read (a defect) leaves the plan as it was without the volume.
    (effect) => Effect.catchAllDefect(Effect.catchAll(effect, unsized), unsized)
  )
  function unsized(e: unknown) {
    return Effect.as(
      audit.record({
        type: "extraction.window",
        window: query.interval,
        status: "unsized",
        detail: `windows cut and spread by time and count: the volume query failed (${JobWindow.describe(e).message})`
      }),
      null
    )
  }
}

/** Each window's estimate from `buckets`, audited as `sized`. @internal */
export const sized = (
  audit: AuditLog.Service,
  windows: ReadonlyArray<Span>,
  buckets: ReadonlyArray<Bucket>
): Effect.Effect<ReadonlyArray<number>> => {
  const sizes = estimate(windows, buckets)
  return Effect.as(
    audit.record({
      type: "extraction.window",
      status: "sized",
      detail: `windows weighed by ${volumeMetrics.join(" + ")}`,
      counts: { windows: sizes.length, estimated: Math.round(sizes.reduce((a, b) => a + b, 0)) }
    }),
    sizes
  )
}
