// Aggregates queries are checked before anything is sent, with the configured validator options; warnings go to
// the log and the audit log under the operation's route (the details' reporter).
import * as Effect from "effect/Effect"
import type { AuditLog } from "../../AuditLog.js"
import type * as ConversationAggregateQuery from "../../ConversationAggregateQuery.js"
import type { QueryInvalid } from "../../GenesysError.js"
import * as QueryValidator from "../../QueryValidator.js"
import { reportWarnings } from "../details/queryWarnings.js"
import { routes } from "./routes.js"

/** The two checks: sync query and job query, each failing `QueryInvalid`. */
export interface AggregateValidation {
  readonly query: (input: unknown) => Effect.Effect<ConversationAggregateQuery.AggregateQuery, QueryInvalid>
  readonly asyncQuery: (input: unknown) => Effect.Effect<ConversationAggregateQuery.AsyncAggregateQuery, QueryInvalid>
}

const validated = <A>(audit: AuditLog["Type"], check: () => QueryValidator.Check<A>, route: string) =>
  Effect.suspend(() => {
    const checked = check()
    return Effect.zipRight(reportWarnings(audit, checked.warnings, { route }), checked.result)
  })

/** The checks with the configured validator options. */
export const make = (
  audit: AuditLog["Type"],
  options: Partial<QueryValidator.ValidatorOptions>
): AggregateValidation => ({
  query: (input) => validated(audit, () => QueryValidator.checkAggregateQuery(input, options), routes.query),
  asyncQuery: (input) =>
    validated(audit, () => QueryValidator.checkAsyncAggregateQuery(input, options), routes.submitJob)
})
