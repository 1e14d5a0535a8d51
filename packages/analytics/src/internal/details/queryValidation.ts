// Queries are checked before anything is sent. Warnings go to the log and the audit log once per query; a query
// built pre-checked (an extraction window) returns at once with none.
import * as Effect from "effect/Effect"
import type { AuditLog } from "../../AuditLog.js"
import type * as ConversationQuery from "../../ConversationQuery.js"
import type { QueryInvalid } from "../../GenesysError.js"
import * as QueryValidator from "../../QueryValidator.js"
import { reportWarnings } from "./queryWarnings.js"
import { routes } from "./routes.js"

/** The two checks: sync query and job query, each failing `QueryInvalid`. */
export interface QueryValidation {
  readonly query: (input: unknown) => Effect.Effect<ConversationQuery.ConversationQuery, QueryInvalid>
  readonly asyncQuery: (input: unknown) => Effect.Effect<ConversationQuery.AsyncConversationQuery, QueryInvalid>
}

const validated = <A>(audit: AuditLog["Type"], check: () => QueryValidator.Check<A>, route: string) =>
  Effect.suspend(() => {
    const checked = check()
    return Effect.zipRight(reportWarnings(audit, checked.warnings, { route }), checked.result)
  })

/** The checks with the configured validator options, reporting warnings under each operation's route. */
export const make = (audit: AuditLog["Type"], options: Partial<QueryValidator.ValidatorOptions>): QueryValidation => ({
  query: (input) => validated(audit, () => QueryValidator.checkQuery(input, options), routes.query),
  asyncQuery: (input) => validated(audit, () => QueryValidator.checkAsyncQuery(input, options), routes.submitJob)
})
