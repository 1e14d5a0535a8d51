/**
 * The client's metrics: every request timed by route template and status, and counters of requests,
 * retries, 429s, rate-limit waits, bytes and conversations. They are ordinary Effect `Metric`s (exported by
 * whatever metrics exporter the application installs); `summary` reads them back as p50/p95/p99 per route.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"
import * as MetricState from "effect/MetricState"

/** Metric names, for dashboards and exporters. @since 0.1.0 */
export const names = {
  requestDuration: "genesys_http_request_duration_ms",
  requests: "genesys_http_requests_total",
  retries: "genesys_http_retries_total",
  rateLimited: "genesys_http_rate_limited_total",
  rateLimitWaitMillis: "genesys_http_rate_limit_wait_ms_total",
  bytesReceived: "genesys_http_response_bytes_total",
  bytesSent: "genesys_http_request_bytes_total",
  conversations: "genesys_conversations_total"
} as const

/** Request duration in milliseconds, tagged `route` (template such as `GET /api/v2/.../jobs/{jobId}`) and `status`. @since 0.1.0 */
export const requestDuration = Metric.histogram(
  names.requestDuration,
  MetricBoundaries.exponential({ start: 1, factor: 1.2, count: 72 }),
  "Duration of one HTTP exchange with Genesys Cloud, in milliseconds"
)

/** Requests sent (every attempt), tagged `route` and `status`. @since 0.1.0 */
export const requests = Metric.counter(names.requests, {
  description: "HTTP requests sent to Genesys Cloud (every attempt)",
  incremental: true
})

/** Retries after a 5xx, 408, transport failure or 401, tagged `route` and `reason`. @since 0.1.0 */
export const retries = Metric.counter(names.retries, {
  description: "Requests retried after a transient failure",
  incremental: true
})

/** 429 responses, tagged `route`. @since 0.1.0 */
export const rateLimited = Metric.counter(names.rateLimited, {
  description: "429 responses received",
  incremental: true
})

/** Milliseconds spent waiting for rate limits, tagged `reason` (`429` or `pacing`). @since 0.1.0 */
export const rateLimitWaitMillis = Metric.counter(names.rateLimitWaitMillis, {
  description: "Time spent waiting for the rate limit, in milliseconds",
  incremental: true
})

/** Response body bytes received, tagged `route`. @since 0.1.0 */
export const bytesReceived = Metric.counter(names.bytesReceived, {
  description: "Response body bytes received",
  incremental: true
})

/** Request body bytes sent, tagged `route`. @since 0.1.0 */
export const bytesSent = Metric.counter(names.bytesSent, {
  description: "Request body bytes sent",
  incremental: true
})

/** Conversations streamed, tagged `source` (`query` or `job`). @since 0.1.0 */
export const conversations = Metric.counter(names.conversations, {
  description: "Conversations delivered to the caller",
  incremental: true
})

/** Records one finished HTTP exchange. `status` is the HTTP status or `error` when no response came. @since 0.1.0 */
export const recordRequest = (options: {
  readonly route: string
  readonly status: number | "error"
  readonly durationMillis: number
  readonly bytesReceived: number
  readonly bytesSent: number
}): Effect.Effect<void> => {
  const tags = [MetricLabel.make("route", options.route), MetricLabel.make("status", String(options.status))]
  const route = [MetricLabel.make("route", options.route)]
  return Effect.all(
    [
      Metric.update(Metric.taggedWithLabels(requestDuration, tags), options.durationMillis),
      Metric.increment(Metric.taggedWithLabels(requests, tags)),
      options.bytesReceived > 0
        ? Metric.incrementBy(Metric.taggedWithLabels(bytesReceived, route), options.bytesReceived)
        : Effect.void,
      options.bytesSent > 0
        ? Metric.incrementBy(Metric.taggedWithLabels(bytesSent, route), options.bytesSent)
        : Effect.void,
      options.status === 429 ? Metric.increment(Metric.taggedWithLabels(rateLimited, route)) : Effect.void
    ],
    { discard: true }
  )
}

/** Records one retry. @since 0.1.0 */
export const recordRetry = (route: string, reason: string): Effect.Effect<void> =>
  Metric.increment(
    Metric.taggedWithLabels(retries, [MetricLabel.make("route", route), MetricLabel.make("reason", reason)])
  )

/** Records a rate-limit wait. @since 0.1.0 */
export const recordRateLimitWait = (reason: "429" | "pacing", millis: number): Effect.Effect<void> =>
  Metric.incrementBy(Metric.taggedWithLabels(rateLimitWaitMillis, [MetricLabel.make("reason", reason)]), millis)

/** Records conversations delivered. @since 0.1.0 */
export const recordConversations = (source: "query" | "job", count: number): Effect.Effect<void> =>
  count > 0
    ? Metric.incrementBy(Metric.taggedWithLabels(conversations, [MetricLabel.make("source", source)]), count)
    : Effect.void

/** The duration histogram of one route (all statuses merged), as cumulative bucket counts. @since 0.1.0 */
export interface RouteHistogram {
  readonly route: string
  /** `[upper bound in ms, cumulative count]`, ascending. */
  readonly buckets: ReadonlyArray<readonly [number, number]>
  readonly count: number
  readonly sum: number
  readonly min: number
  readonly max: number
  /** Count per status (`200`, `429`, `error`, ...). */
  readonly statuses: Readonly<Record<string, number>>
}

/** A point-in-time copy of the request metrics, to diff against a later one. @since 0.1.0 */
export interface Snapshot {
  readonly routes: ReadonlyArray<RouteHistogram>
  readonly retries: number
  readonly rateLimited: number
  readonly bytesReceived: number
  readonly conversations: number
}

/** Latency percentiles of one route in milliseconds (estimated from the histogram, ±10 %). @since 0.1.0 */
export interface RouteSummary {
  readonly route: string
  readonly count: number
  readonly meanMillis: number
  readonly p50Millis: number
  readonly p95Millis: number
  readonly p99Millis: number
  readonly maxMillis: number
  readonly statuses: Readonly<Record<string, number>>
}

const tagOf = (tags: ReadonlyArray<MetricLabel.MetricLabel>, key: string): string | undefined =>
  tags.find((t) => t.key === key)?.value

/** Reads the current values of the request metrics. @since 0.1.0 */
export const snapshot: Effect.Effect<Snapshot> = Effect.map(Metric.snapshot, (pairs) => {
  const routes = new Map<
    string,
    {
      buckets: Array<[number, number]>
      count: number
      sum: number
      min: number
      max: number
      statuses: Record<string, number>
    }
  >()
  let retryCount = 0
  let rateLimitedCount = 0
  let bytes = 0
  let conversationCount = 0
  for (const pair of pairs) {
    const key = pair.metricKey
    const state = pair.metricState
    if (key.name === names.requestDuration && MetricState.isHistogramState(state)) {
      const route = tagOf(key.tags, "route") ?? "unknown"
      const status = tagOf(key.tags, "status") ?? "unknown"
      const entry = routes.get(route)
      if (entry === undefined) {
        routes.set(route, {
          buckets: state.buckets.map(([b, c]) => [b, c]),
          count: state.count,
          sum: state.sum,
          min: state.count > 0 ? state.min : 0,
          max: state.count > 0 ? state.max : 0,
          statuses: { [status]: state.count }
        })
      } else {
        entry.buckets = entry.buckets.map(([b, c], i) => [b, c + (state.buckets[i]?.[1] ?? 0)])
        if (state.count > 0) {
          entry.min = entry.count > 0 ? Math.min(entry.min, state.min) : state.min
          entry.max = Math.max(entry.max, state.max)
        }
        entry.count += state.count
        entry.sum += state.sum
        entry.statuses[status] = (entry.statuses[status] ?? 0) + state.count
      }
    } else if (MetricState.isCounterState(state)) {
      const value = Number(state.count)
      if (key.name === names.retries) retryCount += value
      else if (key.name === names.rateLimited) rateLimitedCount += value
      else if (key.name === names.bytesReceived) bytes += value
      else if (key.name === names.conversations) conversationCount += value
    }
  }
  return {
    routes: [...routes.entries()].map(([route, r]) => ({ route, ...r })),
    retries: retryCount,
    rateLimited: rateLimitedCount,
    bytesReceived: bytes,
    conversations: conversationCount
  }
})

const quantile = (h: RouteHistogram, q: number): number => {
  if (h.count === 0) return 0
  const rank = q * h.count
  let previousBound = 0
  let previousCount = 0
  for (const [bound, cumulative] of h.buckets) {
    if (cumulative >= rank) {
      const inBucket = cumulative - previousCount
      const fraction = inBucket === 0 ? 1 : (rank - previousCount) / inBucket
      const estimate = previousBound + (bound - previousBound) * fraction
      return Math.min(Math.max(estimate, h.min), h.max)
    }
    previousBound = bound
    previousCount = cumulative
  }
  return h.max
}

const minus = (after: RouteHistogram, before: RouteHistogram | undefined): RouteHistogram => {
  if (before === undefined) return after
  const statuses: Record<string, number> = {}
  for (const [status, n] of Object.entries(after.statuses)) {
    const d = n - (before.statuses[status] ?? 0)
    if (d > 0) statuses[status] = d
  }
  // min/max cannot be diffed; the run's values lie within the cumulative ones, which only widen the clamp.
  return {
    route: after.route,
    buckets: after.buckets.map(([b, c], i) => [b, c - (before.buckets[i]?.[1] ?? 0)] as const),
    count: after.count - before.count,
    sum: after.sum - before.sum,
    min: after.min,
    max: after.max,
    statuses
  }
}

/**
 * Percentiles per route of the requests recorded in `after`, or of those recorded between `before` and
 * `after` (e.g. one extraction run).
 *
 * @since 0.1.0
 */
export const summarize = (after: Snapshot, before?: Snapshot): ReadonlyArray<RouteSummary> =>
  after.routes
    .map((route) =>
      minus(
        route,
        before?.routes.find((r) => r.route === route.route)
      )
    )
    .filter((h) => h.count > 0)
    .map((h) => ({
      route: h.route,
      count: h.count,
      meanMillis: h.sum / h.count,
      p50Millis: quantile(h, 0.5),
      p95Millis: quantile(h, 0.95),
      p99Millis: quantile(h, 0.99),
      maxMillis: h.max,
      statuses: h.statuses
    }))
    .sort((a, b) => a.route.localeCompare(b.route))

/** Percentiles per route of every request recorded so far in this process. @since 0.1.0 */
export const summary: Effect.Effect<ReadonlyArray<RouteSummary>> = Effect.map(snapshot, (s) => summarize(s))
