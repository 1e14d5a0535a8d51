// Planning as a step, so a client without credentials can start an extraction: the runner that executes it reads the
// org's data-availability date with the org's own credentials, and the journal keeps the plan for every later step.
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { AuditLog } from "../../AuditLog.js"
import { ConversationAggregates } from "../../ConversationAggregates.js"
import { ConversationDetails } from "../../ConversationDetails.js"
import * as Extraction from "../../Extraction.js"
import * as Interval from "../../Interval.js"
import { Environment, type ExecutionRef } from "./environment.js"
import { Plan, StepError } from "./schemas.js"
import { withServices } from "./windowSteps.js"
import * as Volumes from "../extraction/volumes.js"
import * as WindowVolumes from "./windowVolumes.js"

/** How a plan cuts its interval, in milliseconds (the journal stores numbers, not durations). @internal */
export const PlanSettings = Schema.Struct({
  jobWindowMillis: Schema.optional(Schema.Number),
  queryWindowMillis: Schema.optional(Schema.Number),
  settleLookbackMillis: Schema.optional(Schema.Number),
  maxWindows: Schema.optional(Schema.Number),
  /** The job results page size the run will use: `"auto"` windows count a volume's pages with it. */
  pageSize: Schema.optional(Schema.Number)
})

/** @internal */
export type PlanSettings = typeof PlanSettings.Type

/** The interval `query` asks for, when it names an absolute one. */
const requestedSpan = (query: unknown): Volumes.Span | undefined => {
  const interval = typeof query === "object" && query !== null ? (query as { interval?: unknown }).interval : undefined
  if (typeof interval !== "string") return undefined
  return Either.getOrUndefined(Interval.parse(interval))
}

/**
 * Plans `query` for the execution's org. With the org's aggregate queries, a plan of `"auto"` windows reads the volume
 * itself (`Extraction.plan`) and carries each window's estimate. A plan of fixed windows on a cluster of several
 * runners asks for the volume at the same time as it plans, so that it carries the estimates without a request after
 * it. @internal
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
          const fixedWindows = settings?.jobWindowMillis !== undefined
          const runners = yield* WindowVolumes.runnersSeen(env.placement)
          const volume =
            span === undefined || !fixedWindows || runners < 2 ? Effect.succeed(null) : Volumes.volumeBuckets(s, span)
          const planning = Extraction.plan(query, {
            runners,
            validator: s.validator,
            ...(settings?.jobWindowMillis !== undefined ? { jobWindow: settings.jobWindowMillis } : {}),
            ...(settings?.queryWindowMillis !== undefined ? { queryWindow: settings.queryWindowMillis } : {}),
            ...(settings?.settleLookbackMillis !== undefined ? { settleLookback: settings.settleLookbackMillis } : {}),
            ...(settings?.maxWindows !== undefined ? { maxWindows: settings.maxWindows } : {}),
            ...(settings?.pageSize !== undefined ? { pageSize: settings.pageSize } : {})
          }).pipe(
            Effect.provideService(ConversationDetails, s.details),
            Effect.provideService(AuditLog, s.audit),
            (effect) =>
              s.aggregates === undefined ? effect : Effect.provideService(effect, ConversationAggregates, s.aggregates)
          )
          const [made, buckets] = yield* Effect.all([planning, volume], { concurrency: 2 })
          const planned = made as typeof Plan.Type
          if (planned.volumes !== undefined || buckets === null || planned.windows.length < 2) return planned
          return { ...planned, volumes: yield* Volumes.sized(s.audit, planned.windows, buckets) }
        })
      )
    )
  })
