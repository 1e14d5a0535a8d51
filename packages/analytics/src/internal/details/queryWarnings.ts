// Where validator warnings go once a query is about to be sent: a log line and an audit event each, so a
// warning-only query is visible to whoever runs it and to whoever audits it later.
import * as Effect from "effect/Effect"
import type { AuditLog } from "../../AuditLog.js"
import type { QueryIssue } from "../../GenesysError.js"

/** One line for a warning: where, what, the "did you mean", and the rule id. */
export const formatWarning = (warning: QueryIssue): string =>
  `${warning.path}: ${warning.message}${warning.suggestion !== undefined ? ` (did you mean "${warning.suggestion}"?)` : ""} [${warning.rule}]`

/** Logs each warning and records it as a `query.warning` audit event. */
export const reportWarnings = (
  audit: AuditLog["Type"],
  warnings: ReadonlyArray<QueryIssue>,
  context: { readonly route?: string | undefined; readonly window?: string | undefined }
): Effect.Effect<void> =>
  Effect.forEach(
    warnings,
    (warning) =>
      Effect.zipRight(
        Effect.logWarning(`query warning ${formatWarning(warning)}`),
        audit.record({ type: "query.warning", ...context, status: warning.rule, detail: formatWarning(warning) })
      ),
    { discard: true }
  )
