/**
 * Ground-truth computation behind GroundTruth.ts. Conversation starts never decrease with the index, so a start
 * window is an index range found by binary search; only candidates near an edge pay for `endMillis`, and only
 * filtered queries pay for full generation.
 */
import type { Dataset } from "../../Generator.js"
import type { AsyncQueryLike, JobOptions, JobResult, QueryLike, SyncOptions, SyncResult } from "../../GroundTruth.js"
import { parseInterval as parseWireInterval } from "../http/interval.js"
import { aggregate } from "./aggregate.js"
import { compile, hasFilters } from "./filter.js"
import { dayMillis, maxDurationMillis } from "./shape.js"
import type { ConversationWithoutAttributes } from "./types.js"

/** The request validator's parser, so ground truth reads every interval the API accepts. */
export const parseInterval = (
  interval: string
): { readonly startMillis: number; readonly endMillis: number } | undefined => {
  const parsed = parseWireInterval(interval)
  return parsed === undefined || parsed.endMillis < parsed.startMillis ? undefined : parsed
}

const parseOrThrow = (interval: string) => {
  const parsed = parseInterval(interval)
  if (parsed === undefined) throw new Error(`invalid interval: ${interval}`)
  return parsed
}

type Order = (dataset: Dataset, indices: Array<number>) => Array<number>

const orderOf = (order: string | undefined, orderBy: string | undefined): Order => {
  const byEnd = orderBy === "conversationEnd" || orderBy === "segmentEnd"
  const desc = order === "desc"
  return (dataset, indices) => {
    // indices arrive in ascending index order, which is ascending start order with the index as tie-break
    if (byEnd && order !== "unordered") {
      const keys = new Float64Array(indices.length)
      for (let k = 0; k < indices.length; k++) keys[k] = dataset.endMillis(indices[k]!)
      const positions = Array.from({ length: indices.length }, (_, k) => k)
      positions.sort((x, y) => keys[x]! - keys[y]! || indices[x]! - indices[y]!)
      const sorted = positions.map((k) => indices[k]!)
      if (desc) sorted.reverse()
      return sorted
    }
    if (desc) indices.reverse()
    return indices
  }
}

const generateFiltered = (
  dataset: Dataset,
  candidates: Array<number>,
  query: QueryLike | AsyncQueryLike,
  options: SyncOptions["match"],
  keep: boolean
): { indices: Array<number>; conversations: Array<ConversationWithoutAttributes> } => {
  if (!hasFilters(query) && !keep) return { indices: candidates, conversations: [] }
  const test = compile(query, { segmentScope: "sameSegment", partialEmailMatch: false, ...options })
  const indices: Array<number> = []
  const conversations: Array<ConversationWithoutAttributes> = []
  for (const i of candidates) {
    const c = dataset.conversation(i)
    if (test(c)) {
      indices.push(i)
      if (keep) conversations.push(c)
    }
  }
  return { indices, conversations }
}

export const syncQuery = (dataset: Dataset, query: QueryLike, options: SyncOptions): SyncResult => {
  const { endMillis: e, startMillis: s } = parseOrThrow(query.interval)
  const dayStart = Math.floor(s / dayMillis) * dayMillis
  const dayEnd = Math.max(Math.ceil(e / dayMillis) * dayMillis, dayStart + dayMillis)
  const from = dataset.lowerBound(dayStart)
  const to = dataset.lowerBound(dayEnd)
  const now = options.nowMillis
  const candidates: Array<number> = []
  for (let i = from; i < to; i++) {
    const start = dataset.startMillis(i)
    if (start > now) break
    if (options.includeOpen !== true && start + maxDurationMillis > now && dataset.endMillis(i) > now) continue
    candidates.push(i)
  }
  const wantAggregations = (query.aggregations?.length ?? 0) > 0
  const { conversations, indices } = generateFiltered(dataset, candidates, query, options.match, wantAggregations)
  const ordered = orderOf(query.order, query.orderBy)(dataset, indices)
  return wantAggregations
    ? { totalHits: ordered.length, indices: ordered, aggregations: aggregate(conversations, query.aggregations ?? []) }
    : { totalHits: ordered.length, indices: ordered }
}

export const job = (dataset: Dataset, query: AsyncQueryLike, options: JobOptions): JobResult => {
  const { endMillis: e, startMillis: s } = parseOrThrow(query.interval)
  const cutoff = Math.min(options.availabilityMillis, options.nowMillis)
  const startDayMode =
    query.startOfDayIntervalMatching === true ? (options.startOfDayMode ?? "overlapFromStartOfDay") : undefined
  const dayStart = Math.floor(s / dayMillis) * dayMillis
  let fromMillis: number
  let toMillis: number
  let overlap: boolean
  if (startDayMode === "startDay") {
    fromMillis = dayStart
    toMillis = Math.max(Math.ceil(e / dayMillis) * dayMillis, dayStart + dayMillis)
    overlap = false
  } else {
    fromMillis =
      startDayMode === "overlapFromStartOfDay" ? Math.max(dayStart, s - maxDurationMillis) : s - maxDurationMillis
    toMillis = e
    overlap = true
  }
  const from = dataset.lowerBound(fromMillis)
  const to = dataset.lowerBound(toMillis)
  const candidates: Array<number> = []
  for (let i = from; i < to; i++) {
    const start = dataset.startMillis(i)
    if (start > cutoff) break
    const nearCutoff = start + maxDurationMillis > cutoff
    const beforeInterval = overlap && start < s
    if (nearCutoff || beforeInterval) {
      const end = dataset.endMillis(i)
      if (end > cutoff) continue
      // lifetime overlap with the half-open interval [s, e): the conversation must still run after s
      if (beforeInterval && end <= s) continue
    }
    candidates.push(i)
  }
  const { indices } = generateFiltered(dataset, candidates, query, { partialEmailMatch: true, ...options.match }, false)
  const ordered = orderOf(query.order, query.orderBy)(dataset, indices)
  const limit = query.limit
  return { indices: limit !== undefined && limit >= 0 && ordered.length > limit ? ordered.slice(0, limit) : ordered }
}
