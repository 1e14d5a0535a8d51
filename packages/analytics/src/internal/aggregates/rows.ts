// From the platform's results to tidy rows: one per group × bucket × metric (and view), with the group as given
// (partial groups keep only their dimensions; an implicit `mediaType` stays), the bucket's bounds, and the stats as
// sent. A metric the platform omitted from a bucket has no row: absent is not zero (FACTS-aggregates §3.3). Rows of a
// split request keep only buckets starting inside the request's own interval, so stitched requests count each
// bucket once.
import * as Either from "effect/Either"
import type { AggregateDataContainer, AggregateRow } from "../../AggregateRecord.js"
import * as Interval from "../../Interval.js"

const iso = (millis: number): string => new Date(millis).toISOString()

/** A bucket's bounds: its `interval` when readable, else the request's interval (a query without granularity). */
const bucketOf = (text: string | undefined, request: Interval.Interval): Interval.Interval => {
  if (text === undefined) return request
  const parsed = Interval.parse(text)
  return Either.isRight(parsed) ? parsed.right : request
}

/** The rows of `results`, answered for `request`; buckets starting outside `[start, end)` are dropped. */
export const toRows = (
  results: ReadonlyArray<AggregateDataContainer>,
  request: Interval.Interval
): ReadonlyArray<AggregateRow> => {
  const rows: Array<AggregateRow> = []
  for (const container of results) {
    const group = container.group ?? {}
    for (const data of container.data ?? []) {
      const bucket = bucketOf(data.interval, request)
      if (bucket.startMillis < request.startMillis || bucket.startMillis >= request.endMillis) continue
      const bucketStart = iso(bucket.startMillis)
      const bucketEnd = iso(bucket.endMillis)
      for (const metric of data.metrics ?? []) {
        if (metric.metric === undefined) continue
        rows.push({
          group,
          bucketStart,
          bucketEnd,
          metric: metric.metric,
          kind: "metric",
          ...(metric.qualifier !== undefined ? { qualifier: metric.qualifier } : {}),
          stats: metric.stats ?? {}
        })
      }
      for (const view of data.views ?? []) {
        if (view.name === undefined) continue
        rows.push({ group, bucketStart, bucketEnd, metric: view.name, kind: "view", stats: view.stats ?? {} })
      }
    }
  }
  return rows
}

/** The key of a group: its dimensions in name order. */
export const groupKey = (group: { readonly [dimension: string]: string } | undefined): string =>
  JSON.stringify(
    Object.keys(group ?? {})
      .sort()
      .map((k) => [k, group![k]])
  )

/** Results of one request keeping only the buckets that start inside it (see `toRows`). */
export const clip = (
  results: ReadonlyArray<AggregateDataContainer>,
  request: Interval.Interval
): ReadonlyArray<AggregateDataContainer> =>
  results.map((container) => ({
    ...container,
    data: (container.data ?? []).filter((data) => {
      const bucket = bucketOf(data.interval, request)
      return bucket.startMillis >= request.startMillis && bucket.startMillis < request.endMillis
    })
  }))

/** The results of several requests as one: one container per group, its buckets in request order. */
export const stitch = (
  parts: ReadonlyArray<ReadonlyArray<AggregateDataContainer>>
): ReadonlyArray<AggregateDataContainer> => {
  const groups = new Map<string, AggregateDataContainer>()
  for (const results of parts) {
    for (const container of results) {
      const key = groupKey(container.group)
      const seen = groups.get(key)
      groups.set(
        key,
        seen === undefined ? container : { ...seen, data: [...(seen.data ?? []), ...(container.data ?? [])] }
      )
    }
  }
  return [...groups.values()]
}
