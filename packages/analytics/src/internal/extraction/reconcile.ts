import * as Effect from "effect/Effect"
import type * as ConversationDetails from "../../ConversationDetails.js"
import type { GenesysError } from "../../GenesysError.js"
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

/**
 * Compares every day-aligned window with the sync query's `totalHits` over it (start-day semantics) and the
 * conversations extracted that started in those days, whichever window emitted them. Windows that do not cover whole
 * days are left out: a start-day count would include conversations outside the interval.
 *
 * @internal
 */
export const reconcile = (options: {
  readonly windows: ReadonlyArray<layout.PlannedWindow>
  readonly filters: Parameters<typeof windowQueries.windowQuery>[0]
  readonly validator: Partial<QueryValidator.ValidatorOptions> | undefined
  readonly details: ConversationDetails.Service
  readonly extractedIn: (startMillis: number, endMillis: number) => number
}): Effect.Effect<ReadonlyMap<string, Reconciliation>, GenesysError> =>
  Effect.gen(function* () {
    const reconciliations = new Map<string, Reconciliation>()
    for (const w of options.windows) {
      if (!layout.isDayAligned(w)) continue
      const expected = yield* options.details.queryTotalHits(
        QueryValidator.markChecked({ interval: w.interval, ...options.filters }, "sync", options.validator)
      )
      const extracted = options.extractedIn(w.startMillis, w.endMillis)
      reconciliations.set(w.id, { expected, extracted, accuracy: accuracy(expected, extracted) })
    }
    return reconciliations
  })
