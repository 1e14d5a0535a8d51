import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ConversationDetails from "../../ConversationDetails.js"
import type { GenesysError } from "../../GenesysError.js"
import * as Interval from "../../Interval.js"
import * as QueryValidator from "../../QueryValidator.js"
import * as layout from "./layout.js"
import type * as windowQueries from "./windowQueries.js"

/** One window's reconciliation: the sync query's count against what was extracted. @internal */
export interface Reconciliation {
  readonly expected: number
  readonly extracted: number
  readonly accuracy: number
}

/** extracted / expected; 1 when both are 0. @internal */
export const accuracy = (expected: number, extracted: number): number =>
  expected === 0 ? (extracted === 0 ? 1 : 0) : extracted / expected

/** Longest span one reconciling sync query covers: a week, what the platform allows without a filter (FACTS §2.3). */
const maxCountSpanMillis = 7 * Interval.DAY_MILLIS

/** The part of an extraction whose whole days may be reconciled: its interval, up to the watermark. @internal */
export interface Settled {
  readonly startMillis: number
  readonly endMillis: number
  readonly watermarkMillis: number
}

/** The settled part of a plan (its covered interval and watermark). @internal */
export const settledOf = (plan: { readonly interval: string; readonly watermark: string }): Settled => {
  // A plan's interval is one the planner formatted; unreadable, it reconciles nothing cut inside days.
  const interval = Either.getOrElse(Interval.parse(plan.interval), () => ({
    startMillis: Number.NaN,
    endMillis: Number.NaN
  }))
  return {
    startMillis: interval.startMillis,
    endMillis: interval.endMillis,
    watermarkMillis: Date.parse(plan.watermark)
  }
}

/**
 * The whole UTC days a window is reconciled over: its own bounds when they are whole days; else, for a job window,
 * the days it touches, when they all lie in the extraction's interval and ended by the watermark (the sync query
 * counts every conversation that started on a day its interval touches, so whatever the neighbouring windows extracted
 * on those days is counted with it); `undefined` otherwise (a window of the still-changing tail, or one whose days
 * reach outside the interval, where nothing was extracted).
 *
 * @internal
 */
export const reconciledDays = (
  window: layout.PlannedWindow,
  settled: Settled
): { readonly startMillis: number; readonly endMillis: number } | undefined => {
  if (layout.isDayAligned(window)) return window
  if (window.kind !== "job") return undefined
  const startMillis = Math.floor(window.startMillis / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  const endMillis = Math.ceil(window.endMillis / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  return startMillis >= settled.startMillis && endMillis <= Math.min(settled.endMillis, settled.watermarkMillis)
    ? { startMillis, endMillis }
    : undefined
}

/**
 * Compares every window with the sync query's `totalHits` (start-day semantics) over its {@link reconciledDays}, one
 * query a week, and the conversations extracted that started in those days, whichever window emitted them. Windows
 * without such days are left out: a start-day count would include conversations that may still change.
 *
 * @internal
 */
export const reconcile = (options: {
  readonly windows: ReadonlyArray<layout.PlannedWindow>
  readonly settled: Settled
  readonly filters: Parameters<typeof windowQueries.windowQuery>[0]
  readonly validator: Partial<QueryValidator.ValidatorOptions> | undefined
  readonly details: ConversationDetails.Service
  readonly extractedIn: (startMillis: number, endMillis: number) => number
}): Effect.Effect<ReadonlyMap<string, Reconciliation>, GenesysError> =>
  Effect.gen(function* () {
    const reconciliations = new Map<string, Reconciliation>()
    for (const w of options.windows) {
      const days = reconciledDays(w, options.settled)
      if (days === undefined) continue
      let expected = 0
      for (let from = days.startMillis; from < days.endMillis; from += maxCountSpanMillis) {
        const interval = Interval.format(from, Math.min(days.endMillis, from + maxCountSpanMillis))
        expected += yield* options.details.queryTotalHits(
          QueryValidator.markChecked({ interval, ...options.filters }, "sync", options.validator)
        )
      }
      const extracted = options.extractedIn(days.startMillis, days.endMillis)
      reconciliations.set(w.id, { expected, extracted, accuracy: accuracy(expected, extracted) })
    }
    return reconciliations
  })
