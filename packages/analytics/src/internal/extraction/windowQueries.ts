// The query bodies of an extraction's windows. The plan validates the extraction query once (as a job, and its
// query tail as sync queries) with the configured validator options; each window's body is then built from the
// validated filters and marked as checked, so submitting it validates nothing twice and repeats no warning.
import * as Either from "effect/Either"
import type * as ConversationQuery from "../../ConversationQuery.js"
import type { QueryInvalid } from "../../GenesysError.js"
import * as QueryValidator from "../../QueryValidator.js"
import type { PlannedWindow } from "./layout.js"

type Filters = Pick<
  ConversationQuery.AsyncConversationQuery,
  "conversationFilters" | "segmentFilters" | "evaluationFilters" | "surveyFilters" | "resolutionFilters"
>

/** The body sent for a window: its interval, the plan's filters, ascending by start. */
export const windowQuery = (
  filters: Filters,
  window: PlannedWindow,
  validator: Partial<QueryValidator.ValidatorOptions> | undefined
) =>
  QueryValidator.markChecked(
    { interval: window.interval, ...filters, order: "asc" as const, orderBy: "conversationStart" as const },
    window.kind === "job" ? "async" : "sync",
    validator
  )

/**
 * Checks the sync-query windows of a plan against the sync rules (a query window of 10 days without a filter is
 * refused by Genesys even when the job query was fine). The longest window stands for all: they share the filters.
 */
export const checkQueryWindows = (
  filters: Filters,
  windows: ReadonlyArray<PlannedWindow>,
  validator: Partial<QueryValidator.ValidatorOptions> | undefined
): Either.Either<void, QueryInvalid> => {
  let longest: PlannedWindow | undefined
  for (const w of windows) {
    if (
      w.kind === "query" &&
      (longest === undefined || w.endMillis - w.startMillis > longest.endMillis - longest.startMillis)
    ) {
      longest = w
    }
  }
  if (longest === undefined) return Either.void
  const body = { interval: longest.interval, ...filters, order: "asc", orderBy: "conversationStart" }
  return Either.map(QueryValidator.checkQuery(body, validator).result, () => undefined)
}
