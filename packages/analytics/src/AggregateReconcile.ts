/**
 * Aggregates that prove themselves: the counts of an aggregates query recomputed from a details extraction of the
 * same interval, compared cell by cell (group × bucket × metric × stat).
 *
 * What maps cleanly (FACTS-aggregates §5.1, the rule the emulator implements): an aggregate metric is the session
 * metric of the same name in the details records, counted in the bucket of its own `emitDate`, under the dimension
 * values of its session. `n*` metrics (`nConnected`, `nOffered`, …): `count` = the sum of the session metrics'
 * values. `t*` metrics (`tHandle`, `tTalk`, …): `count` = the number of measurements, `sum` = their total (ms).
 * `o*` metrics and views are not reconciled (listed in `skipped`). Metrics emit after their conversation starts, so
 * the details are extracted from `lookback` (default 1 day) before the interval; conversations that started earlier
 * and still emit inside it are not seen. Against a real org, data still being written (after "now" or the
 * data-availability date) also differs.
 *
 * @since 0.3.0
 */
import type * as AggregateRecord from "./AggregateRecord.js"
import * as ConversationAggregates from "./ConversationAggregates.js"
import * as ConversationDetails from "./ConversationDetails.js"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type { PollPolicy } from "./GenesysConfig.js"
import { type GenesysError, QueryInvalid, QueryIssue } from "./GenesysError.js"
import * as Interval from "./Interval.js"
import * as Reconcile from "./internal/aggregates/reconcile.js"

/** One compared cell: the aggregates' number, the details' and their difference (aggregates − details). @since 0.3.0 */
export interface Cell {
  readonly group: { readonly [dimension: string]: string }
  readonly bucketStart: string
  readonly metric: string
  readonly stat: "count" | "sum"
  readonly aggregates: number
  readonly details: number
  readonly difference: number
}

/** The comparison. @since 0.3.0 */
export interface Report {
  /** Every cell either side has, sorted by group, bucket, metric and stat. */
  readonly cells: ReadonlyArray<Cell>
  /** Cells whose difference is not 0. */
  readonly differing: number
  /** The metrics compared, and those that do not map to the details. */
  readonly metrics: ReadonlyArray<string>
  readonly skipped: ReadonlyArray<string>
  /** The details interval extracted, and how many conversations it held. */
  readonly detailsInterval: string
  readonly conversations: number
}

/** Options of `reconcile`. @since 0.3.0 */
export interface Options {
  /** How far before the interval the details are extracted (default 1 day). */
  readonly lookback?: Duration.DurationInput | undefined
  /** How the aggregates are read (default `"query"`); the details always come from a job. */
  readonly via?: "query" | "job" | undefined
  readonly poll?: Partial<PollPolicy> | undefined
}

interface Shape {
  readonly interval: string
  readonly granularity?: string | undefined
  readonly timeZone?: string | undefined
  readonly groupBy?: ReadonlyArray<string> | undefined
  readonly metrics: ReadonlyArray<string>
  readonly filter?: unknown
  readonly flattenMultivaluedDimensions?: boolean | undefined
}

const shapeOf = (query: unknown): Either.Either<{ shape: Shape; interval: Interval.Interval }, QueryInvalid> => {
  const q = (typeof query === "object" && query !== null ? query : {}) as Partial<Shape>
  const parsed = typeof q.interval === "string" ? Interval.parse(q.interval) : undefined
  if (parsed === undefined || Either.isLeft(parsed) || !Array.isArray(q.metrics)) {
    return Either.left(
      new QueryInvalid({
        issues: [
          new QueryIssue({
            path: parsed === undefined || Either.isLeft(parsed) ? "$.interval" : "$.metrics",
            rule: "aggregate.required",
            message: "reconcile needs the query's interval and metrics",
            value: parsed === undefined || Either.isLeft(parsed) ? q.interval : q.metrics
          })
        ]
      })
    )
  }
  return Either.right({ shape: q as Shape, interval: parsed.right })
}

/**
 * Compares aggregates `rows` of `query` (already fetched, e.g. printed by the caller) with the counts recomputed
 * from a details job over the same interval (from `lookback` before it).
 *
 * @since 0.3.0
 */
export const reconcileRows = Effect.fn("AggregateReconcile.reconcileRows")(function* (
  query: unknown,
  rows: ReadonlyArray<AggregateRecord.AggregateRow>,
  options: Options = {}
) {
  const { interval, shape } = yield* shapeOf(query)
  const details = yield* ConversationDetails.ConversationDetails
  const lookback = Duration.toMillis(Duration.decode(options.lookback ?? "1 day"))
  const detailsInterval = Interval.formatInterval({
    startMillis: interval.startMillis - lookback,
    endMillis: interval.endMillis
  })
  const groupBy = shape.groupBy ?? []
  const dimensions = [...groupBy]
  for (const row of rows) for (const d of Object.keys(row.group)) if (!dimensions.includes(d)) dimensions.push(d)
  const recomputed = Reconcile.recompute({ ...shape, groupBy, interval }, dimensions)
  const seen = new Set<string>()
  yield* details.runJob({ interval: detailsInterval }, { poll: options.poll }).pipe(
    Stream.runForEach((conversation) =>
      Effect.sync(() => {
        const id = conversation.conversationId
        if (id !== undefined && seen.has(id)) return
        seen.add(id ?? `#${seen.size}`)
        recomputed.add(conversation as unknown as { readonly [key: string]: unknown })
      })
    )
  )
  const fromAggregates = Reconcile.aggregateCells(rows)
  const fromDetails = recomputed.cells()
  const cells: Array<Cell> = []
  for (const key of new Set([...fromAggregates.keys(), ...fromDetails.keys()])) {
    const a = fromAggregates.get(key)
    const d = fromDetails.get(key)
    const base = (a ?? d)!
    const aggregates = a?.value ?? 0
    const detailsValue = d?.value ?? 0
    cells.push({
      group: base.group,
      bucketStart: base.bucketStart,
      metric: base.metric,
      stat: base.stat,
      aggregates,
      details: detailsValue,
      difference: aggregates - detailsValue
    })
  }
  const order = (c: Cell) =>
    JSON.stringify([Reconcile.cellKey(c.group, "", "", "count"), c.bucketStart, c.metric, c.stat])
  cells.sort((x, y) => (order(x) < order(y) ? -1 : order(x) > order(y) ? 1 : 0))
  const report: Report = {
    cells,
    differing: cells.filter((c) => c.difference !== 0).length,
    metrics: shape.metrics.filter(Reconcile.reconcilable),
    skipped: shape.metrics.filter((m) => !Reconcile.reconcilable(m)),
    detailsInterval,
    conversations: seen.size
  }
  return report
})

/**
 * Runs the aggregates query (`via`) and reconciles its rows with a details extraction of the same interval.
 *
 * @since 0.3.0
 */
export const reconcile = (
  query: unknown,
  options: Options = {}
): Effect.Effect<
  Report,
  GenesysError,
  ConversationAggregates.ConversationAggregates | ConversationDetails.ConversationDetails
> =>
  Effect.gen(function* () {
    const aggregates = yield* ConversationAggregates.ConversationAggregates
    const rows = yield* Stream.runCollect(aggregates.rows(query, { via: options.via, poll: options.poll }))
    return yield* reconcileRows(query, [...rows], options)
  }).pipe(Effect.withSpan("AggregateReconcile.reconcile"))
