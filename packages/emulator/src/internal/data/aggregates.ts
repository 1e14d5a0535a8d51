/**
 * Conversation aggregates over the generated conversations (AggregateTruth.ts documents the rules).
 *
 * A *fact* is one session metric of a details record: its name, value and `emitDate`, and the dimension values
 * of the session it belongs to. Every aggregate is a fold of facts: selected by emit time (in the interval and
 * not after "now"), filtered on their dimensions, grouped and bucketed by emit time.
 */
import type { FilterLike } from "../../FilterEngine.js"
import type { Dataset } from "../../Generator.js"
import { maxDurationMillis } from "./shape.js"
import { compileDimensionFilter, conversationDimensionValuesRaw, segmentValuesRaw } from "./filter.js"
import type { FactStore } from "./factStore.js"
import type { ConversationWithoutAttributes, ParticipantWithoutAttributes, Session } from "./types.js"
import { bucketStarts, type Step } from "./zone.js"

/** One session metric with where it was measured. */
export interface Fact {
  readonly index: number
  readonly name: string
  readonly value: number
  readonly emitMillis: number
  readonly conversation: ConversationWithoutAttributes
  readonly participant: ParticipantWithoutAttributes
  readonly session: Session
}

/** The values of `dimension` for a fact: its session's segments (first-seen order, no repeats), else the conversation's. */
export const dimensionValues = (fact: Fact, dimension: string): Array<string> => {
  const out: Array<string> = []
  const add = (v: unknown) => {
    const s = String(v)
    if (!out.includes(s)) out.push(s)
  }
  const { participant, session } = fact
  for (const segment of session.segments) {
    for (const v of segmentValuesRaw({ participant, session, segment }, dimension)) add(v)
  }
  if (out.length === 0) for (const v of conversationDimensionValuesRaw(fact.conversation, dimension)) add(v)
  return out
}

/** Every fact of `index` whose emit time is in `[from, to)` and not after `nowMillis`. */
export const factsOf = (dataset: Dataset, index: number, from: number, to: number, nowMillis: number): Array<Fact> => {
  const conversation = dataset.conversation(index)
  const out: Array<Fact> = []
  for (const participant of conversation.participants) {
    for (const session of participant.sessions) {
      for (const m of session.metrics) {
        const emitMillis = Date.parse(m.emitDate)
        if (emitMillis < from || emitMillis >= to || emitMillis > nowMillis) continue
        out.push({ index, name: m.name, value: m.value, emitMillis, conversation, participant, session })
      }
    }
  }
  return out
}

/** Indices of the conversations that may have facts emitted in `[from, to)`: a metric is emitted within its conversation's life. */
export const candidateRange = (dataset: Dataset, from: number, to: number): { from: number; to: number } => ({
  from: dataset.lowerBound(from - maxDurationMillis),
  to: dataset.lowerBound(to)
})

/** A parsed aggregate query. */
export interface Plan {
  readonly startMillis: number
  readonly endMillis: number
  readonly step: Step | undefined
  readonly timeZone: string
  readonly groupBy: ReadonlyArray<string>
  readonly metrics: ReadonlyArray<string>
  readonly filter: FilterLike | undefined
  readonly flatten: boolean
  readonly implicitMediaType: boolean
  readonly nowMillis: number
}

/** Stats of one metric in one group and bucket. */
export interface Stats {
  max?: number
  min?: number
  count: number
  sum?: number
}

export interface MetricData {
  readonly metric: string
  readonly stats: Stats
}

export interface Bucket {
  readonly interval: string
  readonly metrics: ReadonlyArray<MetricData>
}

export interface Result {
  readonly group: Readonly<Record<string, string>>
  readonly data: ReadonlyArray<Bucket>
}

export interface Answer {
  readonly results: ReadonlyArray<Result>
  /** Conversations that contributed at least one fact (a job's run time grows with them). */
  readonly conversations: ReadonlyArray<number>
}

const iso = (t: number) => new Date(t).toISOString()

/** The dimensions a plan groups by: its `groupBy`, and `mediaType` when the platform adds it. */
const groupDimensions = (plan: Plan): ReadonlyArray<string> =>
  plan.implicitMediaType && !plan.groupBy.includes("mediaType") ? [...plan.groupBy, "mediaType"] : plan.groupBy

/** The groups of a fact: one per combination of values, flattened multi-values joined with ",". */
const groupsOf = (
  dimensions: ReadonlyArray<string>,
  valuesOf: (dimension: string) => ReadonlyArray<string>,
  flatten: boolean
): Array<Record<string, string>> => {
  let groups: Array<Record<string, string>> = [{}]
  for (const dimension of dimensions) {
    const values = valuesOf(dimension)
    if (values.length === 0) continue
    const choices = flatten ? [values.join(",")] : values
    groups = groups.flatMap((g) => choices.map((v) => ({ ...g, [dimension]: v })))
  }
  return groups
}

const firstAtOrAfter = (starts: ReadonlyArray<number>, t: number): number => {
  let lo = 0
  let hi = starts.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (starts[mid]! <= t) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/** Whether `store` answers `plan`: no filter, grouped by nothing but `mediaType`, every conversation in it. */
const storeAnswers = (plan: Plan, dataset: Dataset, store: FactStore | undefined): store is FactStore =>
  store !== undefined &&
  store.size === dataset.size &&
  plan.filter === undefined &&
  groupDimensions(plan).every((d) => d === "mediaType")

/**
 * The aggregate answer of `plan` over `dataset`: from the conversations, or from `store` (their facts, kept) when it
 * holds what the plan reads. Both folds are the same.
 */
export const compute = (dataset: Dataset, plan: Plan, store?: FactStore): Answer => {
  const wanted = new Set(plan.metrics)
  const starts = bucketStarts(plan.startMillis, plan.endMillis, plan.step, plan.timeZone)
  const dimensions = groupDimensions(plan)
  const groups = new Map<string, { group: Record<string, string>; buckets: Map<number, Map<string, Stats>> }>()
  const add = (name: string, value: number, emitMillis: number, factGroups: ReadonlyArray<Record<string, string>>) => {
    const bucket = firstAtOrAfter(starts, emitMillis)
    for (const group of factGroups) {
      const key = JSON.stringify(group)
      let entry = groups.get(key)
      if (entry === undefined) {
        entry = { group, buckets: new Map() }
        groups.set(key, entry)
      }
      let metrics = entry.buckets.get(bucket)
      if (metrics === undefined) {
        metrics = new Map()
        entry.buckets.set(bucket, metrics)
      }
      const stats = metrics.get(name) ?? { count: 0 }
      if (name.startsWith("t")) {
        stats.count++
        stats.sum = (stats.sum ?? 0) + value
        stats.max = Math.max(stats.max ?? value, value)
        stats.min = Math.min(stats.min ?? value, value)
      } else {
        stats.count += value
      }
      metrics.set(name, stats)
    }
  }
  const conversations: Array<number> = []
  const range = candidateRange(dataset, plan.startMillis, plan.endMillis)
  if (storeAnswers(plan, dataset, store)) {
    const byMediaType = store.mediaTypes.map((values) => groupsOf(dimensions, () => values, plan.flatten))
    for (let i = range.from; i < range.to; i++) {
      let used = false
      for (let k = store.offsets[i]!; k < store.offsets[i + 1]!; k++) {
        const emitMillis = store.emitMillis[k]!
        if (emitMillis < plan.startMillis || emitMillis >= plan.endMillis || emitMillis > plan.nowMillis) continue
        const name = store.names[store.metric[k]!]!
        if (!wanted.has(name)) continue
        used = true
        add(name, store.value[k]!, emitMillis, byMediaType[store.mediaType[k]!]!)
      }
      if (used) conversations.push(i)
    }
  } else {
    const filter =
      plan.filter === undefined
        ? () => true
        : compileDimensionFilter<Fact>(plan.filter, dimensionValues, {
            segmentScope: "sameSegment",
            partialEmailMatch: false
          })
    for (let i = range.from; i < range.to; i++) {
      let used = false
      for (const fact of factsOf(dataset, i, plan.startMillis, plan.endMillis, plan.nowMillis)) {
        if (!wanted.has(fact.name) || !filter(fact)) continue
        used = true
        add(
          fact.name,
          fact.value,
          fact.emitMillis,
          groupsOf(dimensions, (d) => dimensionValues(fact, d), plan.flatten)
        )
      }
      if (used) conversations.push(i)
    }
  }
  const order = [...wanted]
  const results = [...groups.keys()].sort().map((key): Result => {
    const entry = groups.get(key)!
    const data = [...entry.buckets.keys()]
      .sort((a, b) => a - b)
      .map((b): Bucket => {
        const metrics = entry.buckets.get(b)!
        const end = b + 1 < starts.length ? starts[b + 1]! : plan.endMillis
        return {
          interval: `${iso(starts[b]!)}/${iso(end)}`,
          metrics: order.filter((m) => metrics.has(m)).map((m) => ({ metric: m, stats: tidy(metrics.get(m)!) }))
        }
      })
    return { group: entry.group, data }
  })
  return { results, conversations }
}

/** Timer stats in the platform's key order (`max`, `min`, `count`, `sum`); counters carry `count` only. */
const tidy = (s: Stats): Stats =>
  s.sum === undefined ? { count: s.count } : { max: s.max!, min: s.min!, count: s.count, sum: s.sum }
