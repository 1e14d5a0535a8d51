/**
 * The exact answer the emulator gives to a conversation aggregates query (`POST …/aggregates/query`) or job,
 * computed from the same generated conversations as the details, without HTTP.
 *
 * Rules (FACTS-aggregates §3, §5):
 * - **Facts.** Every aggregate metric is a session metric of a details record (`participants[].sessions[].metrics[]`):
 *   same name, same value. The emulator answers the metrics its generator emits (`nOffered`, `nConnected`,
 *   `nTransferred`, `nBlindTransferred`, `nConsult`, `nConsultTransferred`, `nOverSla`, `nOutbound`,
 *   `nOutboundAttempted`, `nOutboundConnected`, `nCallbackAttempts`, `nConversations`, `tAcd`, `tAnswered`,
 *   `tAbandon`, `tShortAbandon`, `tWait`, `tAlert`, `tTalk`, `tTalkComplete`, `tHeld`, `tHeldComplete`, `tAcw`,
 *   `tHandle`, `tIvr`, `tDialing`, `tContacting`); any other name matches nothing and is absent from the answer.
 * - **Emit time.** A fact counts in the bucket holding its own `emitDate`, if the interval `[start, end)` holds it
 *   and it is not after "now". The generator's emit times: `nOffered` when the call enters the queue; `nConnected`
 *   when the agent's talk starts; `nOutbound*` at the start (`nOutboundConnected` at talk start); transfers and
 *   consults when the first agent leaves; every `t*` when what it measures ends (`tAcd`/`tAnswered`/`tAbandon`/
 *   `tWait` at the queue exit, `tTalk`/`tHeld`/`tAlert` at the end of each segment, `tAcw` and `tHandle` at the
 *   end of after-call work, `tIvr` at the IVR exit).
 * - **Stats.** `t*`: `{max, min, count, sum}` in ms (one count per fact); `n*`: `{count}` (the sum of the values).
 * - **Dimensions.** A fact's value for a dimension is the details record's, read with the filter engine's
 *   vocabulary: the values on its session's segments, session and participant (`queueId`, `wrapUpCode`,
 *   `userId`, `mediaType`, `direction`, `purpose`, `requestedRoutingSkillId`, …), else the conversation's
 *   (`conversationId`, `originatingDirection`, `divisionId`, …). A dimension without a value is left out of
 *   `group`; `mediaType` is added to every group (observed, FACTS §5.5) unless `implicitMediaType` is false. A
 *   multi-valued dimension counts the fact under each value, or once under `"a,b"` with
 *   `flattenMultivaluedDimensions`.
 * - **Filter.** The details predicate semantics (`FilterEngine`) over the fact's dimension values.
 * - **Buckets.** From the interval start, stepped by `granularity` in `timeZone` (default, or unknown: UTC): months, weeks and
 *   days move the wall clock (a `P1D` bucket across a DST change is 23 or 25 hours), hours, minutes and seconds
 *   are exact; the last bucket ends at the interval end. Without granularity, one bucket. Intervals are UTC ISO.
 * - **Order.** Groups sorted by their JSON; buckets by time; metrics in the query's order; empty buckets and
 *   absent metrics left out; no results → `{}`.
 *
 * @since 0.1.0
 */
import type * as FilterEngine from "./FilterEngine.js"
import type * as Generator from "./Generator.js"
import * as Engine from "./internal/data/aggregates.js"
import * as Zone from "./internal/data/zone.js"
import { parseInterval } from "./internal/http/interval.js"

/** The fields of a `ConversationAggregationQuery` the ground truth reads, structurally. @since 0.1.0 */
export interface AggregateQueryLike {
  readonly interval: string
  readonly granularity?: string | undefined
  readonly timeZone?: string | undefined
  readonly groupBy?: ReadonlyArray<string> | undefined
  readonly filter?: FilterEngine.FilterLike | undefined
  readonly metrics: ReadonlyArray<string>
  readonly flattenMultivaluedDimensions?: boolean | undefined
}

/** @since 0.1.0 */
export interface Options {
  /** Emulator "now": facts emitted after it are not counted yet. */
  readonly nowMillis: number
  /** Add `mediaType` to every group (default true). */
  readonly implicitMediaType?: boolean | undefined
}

/** `{count}` for counters, `{max, min, count, sum}` for timers. @since 0.1.0 */
export type Stats = Engine.Stats

/** One result of the answer. @since 0.1.0 */
export interface AggregateResult {
  readonly group: Readonly<Record<string, string>>
  readonly data: ReadonlyArray<{
    readonly interval: string
    readonly metrics: ReadonlyArray<{ readonly metric: string; readonly stats: Stats }>
  }>
}

/** The response body of the sync query: `results` left out when there are none. @since 0.1.0 */
export interface AggregateResponse {
  readonly results?: ReadonlyArray<AggregateResult>
}

/** The plan of a query, or `undefined` when its interval or granularity cannot be read. */
export const plan = (query: AggregateQueryLike, options: Options): Engine.Plan | undefined => {
  const interval = parseInterval(query.interval)
  const step = query.granularity === undefined ? undefined : Zone.parseStep(query.granularity)
  // A zone the runtime does not know buckets in UTC (no refusal is documented).
  const timeZone = query.timeZone !== undefined && Zone.isTimeZone(query.timeZone) ? query.timeZone : "UTC"
  if (interval === undefined || interval.endMillis < interval.startMillis) return undefined
  if (query.granularity !== undefined && step === undefined) return undefined
  return {
    startMillis: interval.startMillis,
    endMillis: interval.endMillis,
    step,
    timeZone,
    groupBy: query.groupBy ?? [],
    metrics: query.metrics,
    filter: query.filter,
    flatten: query.flattenMultivaluedDimensions === true,
    implicitMediaType: options.implicitMediaType ?? true,
    nowMillis: options.nowMillis
  }
}

/**
 * Every result of `query` over `dataset` (a job's results are the same list, paged).
 * Throws on an interval or granularity the emulator would refuse with a 400.
 *
 * @since 0.1.0
 */
export const results = (
  dataset: Generator.Dataset,
  query: AggregateQueryLike,
  options: Options
): ReadonlyArray<AggregateResult> => {
  const p = plan(query, options)
  if (p === undefined) throw new Error(`AggregateTruth: query refused: ${JSON.stringify(query)}`)
  return Engine.compute(dataset, p).results
}

/** The sync response body of `query`. @since 0.1.0 */
export const query = (dataset: Generator.Dataset, query: AggregateQueryLike, options: Options): AggregateResponse => {
  const r = results(dataset, query, options)
  return r.length > 0 ? { results: r } : {}
}

/** One session metric of a details record with its emit instant: what aggregates count. @since 0.1.0 */
export interface MetricFact {
  readonly conversationId: string
  readonly name: string
  readonly value: number
  readonly emitMillis: number
  /** The fact's value(s) of a dimension (empty when it has none). */
  readonly dimension: (name: string) => ReadonlyArray<string>
}

/**
 * Every fact emitted in `[fromMillis, toMillis)` and not after `nowMillis`, for reconciling aggregates with
 * the details (a naive recomputation).
 *
 * @since 0.1.0
 */
export const facts = (
  dataset: Generator.Dataset,
  fromMillis: number,
  toMillis: number,
  nowMillis: number
): Array<MetricFact> => {
  const out: Array<MetricFact> = []
  const range = Engine.candidateRange(dataset, fromMillis, toMillis)
  for (let i = range.from; i < range.to; i++) {
    for (const f of Engine.factsOf(dataset, i, fromMillis, toMillis, nowMillis)) {
      out.push({
        conversationId: f.conversation.conversationId,
        name: f.name,
        value: f.value,
        emitMillis: f.emitMillis,
        dimension: (name) => Engine.dimensionValues(f, name)
      })
    }
  }
  return out
}
