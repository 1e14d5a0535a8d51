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
import { Environment, type ExecutionRef, type Placement, type StepServices } from "./environment.js"

/** Metrics whose sum comes close to a bucket's conversations: those offered to a queue, and outbound ones. @internal */
export const volumeMetrics: ReadonlyArray<string> = ["nOffered", "nOutbound"]

/**
 * Hourly buckets up to this span, daily beyond: windows of a longer plan are whole days (a window that is not gets a
 * share of its days by the hours it covers), and a year's query has hundreds of buckets, not thousands.
 */
const hourlyUpTo = 3 * Interval.DAY_MILLIS

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

/** The aggregate query of the volume over `span`: {@link volumeMetrics} by hour, or by day past three days. @internal */
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
const volumeTimeout = "5 seconds"

/** Whether the cluster has several runners to spread windows over: where a dozen ids would run. @internal */
export const severalRunners = (placement: Placement | undefined): Effect.Effect<boolean> =>
  placement === undefined
    ? Effect.succeed(false)
    : Effect.map(
        placement.runnersOf(Array.from({ length: 12 }, (_, i) => `effect-genesys/volume-probe/${i}`)),
        (runners) => new Set(runners.filter((r) => r !== undefined)).size >= 2
      )

/**
 * The volume over `span` in buckets, or `null` (audited as `unsized`) when the query fails or takes longer than
 * {@link volumeTimeout}: without the aggregates permission, for one.
 *
 * @internal
 */
export const volumeBuckets = (
  services: Pick<StepServices, "aggregates" | "audit">,
  span: Span
): Effect.Effect<ReadonlyArray<Bucket> | null> => {
  const { aggregates, audit } = services
  if (aggregates === undefined) return Effect.succeed(null)
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
}

/** Each window's estimate from `buckets`, audited as `sized`. @internal */
export const sized = (
  audit: StepServices["audit"],
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

/** The span that `windows` cover. @internal */
export const spanOf = (windows: ReadonlyArray<Span>): Span => ({
  startMillis: Math.min(...windows.map((w) => w.startMillis)),
  endMillis: Math.max(...windows.map((w) => w.endMillis))
})

/**
 * The estimated conversations of each window, as a step (a replay spreads the windows as the first run did), for a
 * plan made without them (`ExtractionWorkflow.run` of a plan from `Extraction.plan`); `null` when they are spread by
 * count: one runner (no request is made), no aggregates service, or a failed query.
 *
 * @internal
 */
export const windowVolumes = (execution: ExecutionRef, windows: ReadonlyArray<Span>) =>
  Activity.make({
    name: "volumes",
    success: Schema.NullOr(Schema.Array(Schema.Number)),
    execute: Effect.gen(function* () {
      const env = yield* Environment
      if (windows.length < 2 || !(yield* severalRunners(env.placement))) return null
      // No sink: only the org's client is needed.
      const services = yield* Effect.option(env.resolve({ ...execution, sink: null }))
      if (services._tag === "None") return null
      const buckets = yield* volumeBuckets(services.value, spanOf(windows))
      return buckets === null ? null : yield* sized(services.value.audit, windows, buckets)
    })
  })
