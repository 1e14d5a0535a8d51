// Planning as a step, so a client without credentials can start an extraction: the runner that executes it reads the
// org's data-availability date with the org's own credentials, and the journal keeps the plan for every later step.
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { AuditLog } from "../../AuditLog.js"
import { ConversationDetails } from "../../ConversationDetails.js"
import * as Extraction from "../../Extraction.js"
import * as Interval from "../../Interval.js"
import { Environment, type ExecutionRef } from "./environment.js"
import { Plan, StepError } from "./schemas.js"
import { withServices } from "./windowSteps.js"
import * as WindowVolumes from "./windowVolumes.js"

/** How a plan cuts its interval, in milliseconds (the journal stores numbers, not durations). @internal */
export const PlanSettings = Schema.Struct({
  jobWindowMillis: Schema.optional(Schema.Number),
  queryWindowMillis: Schema.optional(Schema.Number),
  settleLookbackMillis: Schema.optional(Schema.Number),
  maxWindows: Schema.optional(Schema.Number)
})

/** @internal */
export type PlanSettings = typeof PlanSettings.Type

/** The interval `query` asks for, when it names an absolute one. */
const requestedSpan = (query: unknown): WindowVolumes.Span | undefined => {
  const interval = typeof query === "object" && query !== null ? (query as { interval?: unknown }).interval : undefined
  if (typeof interval !== "string") return undefined
  return Either.getOrUndefined(Interval.parse(interval))
}

/**
 * Plans `query` for the execution's org. On a cluster of several runners it asks for the volume over the requested
 * interval at the same time, so that the plan carries each window's estimate without a request after it. @internal
 */
export const plan = (execution: ExecutionRef, query: unknown, settings: PlanSettings | undefined) =>
  Activity.make({
    name: "plan",
    success: Plan,
    error: StepError,
    execute: Effect.flatMap(Environment, (env) =>
      withServices(execution, (s) =>
        Effect.gen(function* () {
          const span = requestedSpan(query)
          const volume =
            span === undefined
              ? Effect.succeed(null)
              : Effect.flatMap(WindowVolumes.severalRunners(env.placement), (several) =>
                  several ? WindowVolumes.volumeBuckets(s, span) : Effect.succeed(null)
                )
          const [made, buckets] = yield* Effect.all(
            [
              Extraction.plan(query, {
                validator: s.validator,
                ...(settings?.jobWindowMillis !== undefined ? { jobWindow: settings.jobWindowMillis } : {}),
                ...(settings?.queryWindowMillis !== undefined ? { queryWindow: settings.queryWindowMillis } : {}),
                ...(settings?.settleLookbackMillis !== undefined
                  ? { settleLookback: settings.settleLookbackMillis }
                  : {}),
                ...(settings?.maxWindows !== undefined ? { maxWindows: settings.maxWindows } : {})
              }).pipe(Effect.provideService(ConversationDetails, s.details), Effect.provideService(AuditLog, s.audit)),
              volume
            ],
            { concurrency: 2 }
          )
          const planned = made as typeof Plan.Type
          if (buckets === null || planned.windows.length < 2) return planned
          return { ...planned, volumes: yield* WindowVolumes.sized(s.audit, planned.windows, buckets) }
        })
      )
    )
  })
