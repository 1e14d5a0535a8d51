// Aggregates recomputed from details records, and the comparison. An aggregate metric is a session metric of the
// details (`participants[].sessions[].metrics[]`, same name): it counts in the bucket of its own `emitDate` (FACTS-
// aggregates §5.1), under the dimension values of its session — each segment's value, else the session's, else the
// participant's; the conversation's when no segment has one (`divisionId` reads `divisionIds`). A filter predicate
// matches when one of those values equals its value (case-insensitive), `exists` when there is one. `n*` metrics
// count the sum of their values; `t*` metrics count one per measurement and sum the values (ms).
import type { AggregateRow } from "../../AggregateRecord.js"
import type * as Interval from "../../Interval.js"
import { boundaries, parseGranularity } from "./buckets.js"

type Json = { readonly [key: string]: unknown }
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const arrayOf = (u: unknown): ReadonlyArray<Json> => (Array.isArray(u) ? u.filter(isObject) : [])

/** The stats compared: the count of every reconciled metric, and the sum of timers. */
export type Stat = "count" | "sum"

/** Whether a metric maps cleanly to the details: counters (`n*`) and timers (`t*`). */
export const reconcilable = (metric: string): boolean => /^[nt][A-Z]/.test(metric)

/** The fields of an aggregates query the recomputation reads. */
export interface QueryShape {
  readonly interval: Interval.Interval
  readonly granularity?: string | undefined
  readonly timeZone?: string | undefined
  readonly groupBy: ReadonlyArray<string>
  readonly metrics: ReadonlyArray<string>
  readonly filter?: unknown
  readonly flattenMultivaluedDimensions?: boolean | undefined
}

const push = (out: Array<string>, v: unknown) => {
  if (v === undefined || v === null) return
  if (Array.isArray(v)) for (const x of v) push(out, x)
  else if (typeof v !== "object") {
    const s = String(v)
    if (!out.includes(s)) out.push(s)
  }
}

const flowFields = new Set(["flowId", "flowName", "flowVersion", "exitReason", "transferType"])
const plural: Readonly<Record<string, string>> = {
  requestedRoutingSkillId: "requestedRoutingSkillIds",
  sipResponseCode: "sipResponseCodes"
}

const segmentValues = (participant: Json, session: Json, segment: Json, dimension: string, out: Array<string>) => {
  if (dimension === "requestedRouting") return push(out, session.requestedRoutings)
  if (plural[dimension] !== undefined) return push(out, segment[plural[dimension]])
  if (flowFields.has(dimension)) return isObject(session.flow) ? push(out, session.flow[dimension]) : undefined
  if (segment[dimension] !== undefined) return push(out, segment[dimension])
  const onSession = session[dimension]
  if (onSession !== undefined && !isObject(onSession)) return push(out, onSession)
  const onParticipant = participant[dimension]
  if (onParticipant !== undefined && !isObject(onParticipant)) push(out, onParticipant)
}

/** The values of `dimension` for a metric of `session`. */
export const dimensionValues = (conversation: Json, participant: Json, session: Json, dimension: string) => {
  const out: Array<string> = []
  for (const segment of arrayOf(session.segments)) segmentValues(participant, session, segment, dimension, out)
  if (out.length === 0) push(out, dimension === "divisionId" ? conversation.divisionIds : conversation[dimension])
  return out
}

type Test = (values: (dimension: string) => ReadonlyArray<string>) => boolean

const predicateTest = (p: Json): Test => {
  const dimension = typeof p.dimension === "string" ? p.dimension : ""
  const operator = p.operator ?? "matches"
  if (operator === "exists") return (values) => values(dimension).length > 0
  if (operator === "notExists") return (values) => values(dimension).length === 0
  if (typeof p.value !== "string") return (values) => values(dimension).length > 0
  const lower = p.value.toLowerCase()
  return (values) => values(dimension).some((v) => v.toLowerCase() === lower)
}

const combine = (type: unknown, tests: ReadonlyArray<Test>): Test => {
  if (tests.length === 0) return () => true
  return String(type).toLowerCase() === "or"
    ? (values) => tests.some((t) => t(values))
    : (values) => tests.every((t) => t(values))
}

/** The aggregates filter as a test over a metric's dimension values. */
export const filterTest = (filter: unknown): Test => {
  if (!isObject(filter)) return () => true
  const tests = arrayOf(filter.predicates).map(predicateTest)
  for (const clause of arrayOf(filter.clauses))
    tests.push(combine(clause.type, arrayOf(clause.predicates).map(predicateTest)))
  return combine(filter.type, tests)
}

/** A compared cell: group, bucket start (ISO UTC), metric and stat. */
export const cellKey = (group: Readonly<Record<string, string>>, bucketStart: string, metric: string, stat: Stat) =>
  JSON.stringify([
    Object.keys(group)
      .sort()
      .map((k) => [k, group[k]]),
    bucketStart,
    metric,
    stat
  ])

/** One cell's numbers. */
export interface Cell {
  readonly group: Readonly<Record<string, string>>
  readonly bucketStart: string
  readonly metric: string
  readonly stat: Stat
  value: number
}

const add = (cells: Map<string, Cell>, cell: Omit<Cell, "value">, value: number) => {
  const key = cellKey(cell.group, cell.bucketStart, cell.metric, cell.stat)
  const found = cells.get(key)
  if (found !== undefined) found.value += value
  else cells.set(key, { ...cell, value })
}

/** The aggregates' cells of the reconciled metrics. */
export const aggregateCells = (rows: ReadonlyArray<AggregateRow>): Map<string, Cell> => {
  const cells = new Map<string, Cell>()
  for (const row of rows) {
    if (row.kind !== "metric" || !reconcilable(row.metric)) continue
    const base = { group: row.group, bucketStart: row.bucketStart, metric: row.metric }
    add(cells, { ...base, stat: "count" }, row.stats.count ?? 0)
    if (row.metric.startsWith("t")) add(cells, { ...base, stat: "sum" }, row.stats.sum ?? 0)
  }
  return cells
}

/**
 * A recomputer of the query's cells from details records: `add` each conversation once, then `cells`. `dimensions`
 * are the group's: `groupBy` and those the aggregates added on their own (the implicit `mediaType`).
 */
export const recompute = (query: QueryShape, dimensions: ReadonlyArray<string>) => {
  const granularity = query.granularity === undefined ? undefined : parseGranularity(query.granularity)
  const bounds = boundaries(query.interval, granularity, query.timeZone ?? "UTC")
  const wanted = new Set(query.metrics.filter(reconcilable))
  const test = filterTest(query.filter)
  const cells = new Map<string, Cell>()
  const bucketOf = (t: number): number => {
    let lo = 0
    let hi = bounds.length - 1
    while (lo + 1 < hi) {
      const mid = (lo + hi) >>> 1
      if (bounds[mid]! <= t) lo = mid
      else hi = mid
    }
    return bounds[lo]!
  }
  const addConversation = (conversation: Json) => {
    for (const participant of arrayOf(conversation.participants)) {
      for (const session of arrayOf(participant.sessions)) {
        const values = (dimension: string) => dimensionValues(conversation, participant, session, dimension)
        for (const metric of arrayOf(session.metrics)) {
          const name = metric.name
          const value = metric.value
          if (typeof name !== "string" || !wanted.has(name) || typeof value !== "number") continue
          const emit = typeof metric.emitDate === "string" ? Date.parse(metric.emitDate) : Number.NaN
          if (!(emit >= query.interval.startMillis && emit < query.interval.endMillis) || !test(values)) continue
          let groups: Array<Record<string, string>> = [{}]
          for (const dimension of dimensions) {
            const vs = values(dimension)
            if (vs.length === 0) continue
            const choices = query.flattenMultivaluedDimensions === true ? [vs.join(",")] : vs
            groups = groups.flatMap((g) => choices.map((v) => ({ ...g, [dimension]: v })))
          }
          const bucketStart = new Date(bucketOf(emit)).toISOString()
          for (const group of groups) {
            const base = { group, bucketStart, metric: name }
            add(cells, { ...base, stat: "count" }, name.startsWith("t") ? 1 : value)
            if (name.startsWith("t")) add(cells, { ...base, stat: "sum" }, value)
          }
        }
      }
    }
  }
  return { add: addConversation, cells: () => cells }
}
