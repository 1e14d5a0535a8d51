// Planning as a step, so a client without credentials can start an extraction: the runner that executes it reads the
// org's data-availability date with the org's own credentials, and the journal keeps the plan for every later step.
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AuditLog } from "../../AuditLog.js"
import { ConversationDetails } from "../../ConversationDetails.js"
import * as Extraction from "../../Extraction.js"
import type { ExecutionRef } from "./environment.js"
import { Plan, StepError } from "./schemas.js"
import { withServices } from "./windowSteps.js"

/** How a plan cuts its interval, in milliseconds (the journal stores numbers, not durations). @internal */
export const PlanSettings = Schema.Struct({
  jobWindowMillis: Schema.optional(Schema.Number),
  queryWindowMillis: Schema.optional(Schema.Number),
  settleLookbackMillis: Schema.optional(Schema.Number),
  maxWindows: Schema.optional(Schema.Number)
})

/** @internal */
export type PlanSettings = typeof PlanSettings.Type

/** Plans `query` for the execution's org. @internal */
export const plan = (execution: ExecutionRef, query: unknown, settings: PlanSettings | undefined) =>
  Activity.make({
    name: "plan",
    success: Plan,
    error: StepError,
    execute: withServices(execution, (s) =>
      Extraction.plan(query, {
        validator: s.validator,
        ...(settings?.jobWindowMillis !== undefined ? { jobWindow: settings.jobWindowMillis } : {}),
        ...(settings?.queryWindowMillis !== undefined ? { queryWindow: settings.queryWindowMillis } : {}),
        ...(settings?.settleLookbackMillis !== undefined ? { settleLookback: settings.settleLookbackMillis } : {}),
        ...(settings?.maxWindows !== undefined ? { maxWindows: settings.maxWindows } : {})
      }).pipe(
        Effect.map((p) => p as typeof Plan.Type),
        Effect.provideService(ConversationDetails, s.details),
        Effect.provideService(AuditLog, s.audit)
      )
    )
  })
