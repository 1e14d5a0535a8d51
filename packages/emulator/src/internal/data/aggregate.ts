/**
 * Aggregation computation behind Aggregations.ts (the rules are documented there).
 */
import * as Query from "@effect-genesys/analytics/ConversationQuery"
import type { AggregationLike, AggregationResult, AggregationResultEntry } from "../../Aggregations.js"
import { conversationDimensionValues, conversationMetric, segmentDimensionValues } from "./filter.js"
import type { ConversationWithoutAttributes } from "./types.js"

/** Conversation-level dimensions (FACTS §2.2); anything else is looked up on segments. */
const conversationDimensions: ReadonlySet<string> = new Set(Query.conversationDimensions)

interface Acc {
  readonly spec: AggregationLike
  readonly kind: "termFrequency" | "numericRange"
  count: number
  readonly terms: Map<string, number>
  readonly buckets: Array<number>
}

const kindOf = (a: AggregationLike): "termFrequency" | "numericRange" =>
  a.type === "numericRange" || (a.type === undefined && a.metric !== undefined) ? "numericRange" : "termFrequency"

const segmentDurations = (c: ConversationWithoutAttributes): Array<number> => {
  const out: Array<number> = []
  for (const p of c.participants) {
    for (const s of p.sessions) {
      for (const g of s.segments) {
        if (g.segmentEnd !== undefined) out.push(Date.parse(g.segmentEnd) - Date.parse(g.segmentStart))
      }
    }
  }
  return out
}

export const aggregate = (
  conversations: Iterable<ConversationWithoutAttributes>,
  aggregations: ReadonlyArray<AggregationLike>
): Array<AggregationResult> => {
  const accs: Array<Acc> = aggregations.map((spec) => ({
    spec,
    kind: kindOf(spec),
    count: 0,
    terms: new Map(),
    buckets: (spec.ranges ?? []).map(() => 0)
  }))
  if (accs.length === 0) return []
  for (const c of conversations) {
    for (const acc of accs) {
      if (acc.kind === "termFrequency") {
        const dimension = acc.spec.dimension ?? ""
        const values = conversationDimensions.has(dimension)
          ? conversationDimensionValues(c, dimension)
          : segmentDimensionValues(c, dimension)
        if (values.length === 0) continue
        acc.count++
        for (const v of new Set(values)) acc.terms.set(v, (acc.terms.get(v) ?? 0) + 1)
      } else {
        const metric = acc.spec.metric ?? ""
        const ranges = acc.spec.ranges ?? []
        const values: ReadonlyArray<number> =
          metric === "tSegmentDuration"
            ? segmentDurations(c)
            : ((v) => (v === undefined ? [] : [v]))(conversationMetric(c, metric))
        for (const v of values) {
          let hit = false
          for (let k = 0; k < ranges.length; k++) {
            const r = ranges[k]!
            if ((r.gte === undefined || v >= r.gte) && (r.lt === undefined || v < r.lt)) {
              acc.buckets[k]!++
              hit = true
            }
          }
          if (hit) acc.count++
        }
      }
    }
  }
  return accs.map((acc): AggregationResult => {
    if (acc.kind === "termFrequency") {
      const size = acc.spec.size ?? 10
      const results: Array<AggregationResultEntry> = [...acc.terms.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
        .slice(0, Math.max(0, size))
        .map(([value, count]) => ({ count, value }))
      return { type: "termFrequency", dimension: acc.spec.dimension ?? "", count: acc.count, results }
    }
    const results = (acc.spec.ranges ?? []).map(
      (r, k): AggregationResultEntry => ({
        count: acc.buckets[k]!,
        ...(r.gte !== undefined ? { gte: r.gte } : {}),
        ...(r.lt !== undefined ? { lt: r.lt } : {})
      })
    )
    return { type: "numericRange", metric: acc.spec.metric ?? "", count: acc.count, results }
  })
}
