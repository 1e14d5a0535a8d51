// How many conversations each window of a plan holds, estimated from one aggregate query over the plan's interval. A
// cluster weighs windows by it when it spreads them over its runners: each runner's token carries the pages of the
// windows it is given, and an org's days are not equal work (weekends hold far fewer conversations than weekdays), so
// spreading by count leaves one token with more pages than the others. An estimate only ever moves a window to
// another runner; it never changes what a run writes.
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Interval from "../../Interval.js"
import * as JobWindow from "../extraction/jobWindow.js"
import { Environment, type ExecutionRef } from "./environment.js"

/** Metrics whose sum comes close to a bucket's conversations: those offered to a queue, and outbound ones. @internal */
export const volumeMetrics: ReadonlyArray<string> = ["nOffered", "nOutbound"]

/** Hourly buckets up to this span, daily beyond, so that a query has hundreds of buckets, not tens of thousands. */
const hourlyUpTo = 31 * Interval.DAY_MILLIS

/** A span of time and how much happened in it. @internal */
export interface Bucket {
  readonly startMillis: number
  readonly endMillis: number
  readonly count: number
}

/** A span of a plan: a window. @internal */
export interface Span {
  readonly startMillis: number
  readonly endMillis: number
}

/** The aggregate query of the volume over `span`: {@link volumeMetrics} by hour (or by day past a month). @internal */
export const volumeQuery = (span: Span) => ({
  interval: Interval.format(span.startMillis, span.endMillis),
  granularity: span.endMillis - span.startMillis <= hourlyUpTo ? "PT1H" : "P1D",
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

/** How long the estimate may take before the windows are spread by count instead. */
const volumeTimeout = "20 seconds"

/**
 * The estimated conversations of each window, as a step (a replay spreads the windows as the first run did), or `null`
 * when they are spread by count: one runner only (no request is made), no aggregates service, or a failed query
 * (audited, e.g. credentials without the aggregates permission). `laneRunners` answers where a window would run.
 *
 * @internal
 */
export const windowVolumes = (
  execution: ExecutionRef,
  windows: ReadonlyArray<Span & { readonly interval: string }>,
  laneRunners: Effect.Effect<ReadonlyArray<string | undefined>>
) =>
  Activity.make({
    name: "volumes",
    success: Schema.NullOr(Schema.Array(Schema.Number)),
    execute: Effect.gen(function* () {
      const runners = new Set((yield* laneRunners).filter((r) => r !== undefined))
      if (runners.size < 2 || windows.length < 2) return null
      const env = yield* Environment
      const services = yield* Effect.option(env.resolve(execution))
      if (services._tag === "None" || services.value.aggregates === undefined) return null
      const { aggregates, audit } = services.value
      const span = {
        startMillis: Math.min(...windows.map((w) => w.startMillis)),
        endMillis: Math.max(...windows.map((w) => w.endMillis))
      }
      const query = volumeQuery(span)
      return yield* aggregates.rows(query).pipe(
        Stream.runFold(new Map<string, Bucket>(), (byBucket, row) => {
          const key = `${row.bucketStart}/${row.bucketEnd}`
          const before = byBucket.get(key)
          const count = (before?.count ?? 0) + (row.stats.count ?? 0)
          byBucket.set(key, { startMillis: Date.parse(row.bucketStart), endMillis: Date.parse(row.bucketEnd), count })
          return byBucket
        }),
        Effect.timeoutFail({ duration: volumeTimeout, onTimeout: () => `no answer within ${volumeTimeout}` }),
        Effect.map((byBucket) => estimate(windows, [...byBucket.values()])),
        Effect.tap((sizes) =>
          audit.record({
            type: "extraction.window",
            window: query.interval,
            status: "sized",
            detail: `windows weighed by ${query.metrics.join(" + ")} (${query.granularity})`,
            counts: { windows: sizes.length, estimated: Math.round(sizes.reduce((a, b) => a + b, 0)) }
          })
        ),
        Effect.catchAll((e) =>
          Effect.as(
            audit.record({
              type: "extraction.window",
              window: query.interval,
              status: "unsized",
              detail: `windows spread by count: the volume query failed (${JobWindow.describe(e).message})`
            }),
            null
          )
        )
      )
    })
  })
