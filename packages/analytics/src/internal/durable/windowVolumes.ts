// How many conversations each window of a plan holds, for a cluster that spreads windows over its runners: each
// runner's token carries the pages of the windows it is given, so spreading by count leaves one token with more pages
// than the others. The estimate comes from one aggregate query (`../extraction/volumes.ts`).
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Volumes from "../extraction/volumes.js"
import { Environment, type ExecutionRef, type Placement } from "./environment.js"

/** The runners a dozen ids would run on: about how many a cluster spreads windows over (1 without a cluster). @internal */
export const runnersSeen = (placement: Placement | undefined): Effect.Effect<number> =>
  placement === undefined
    ? Effect.succeed(1)
    : Effect.map(
        placement.runnersOf(Array.from({ length: 12 }, (_, i) => `effect-genesys/volume-probe/${i}`)),
        (runners) => Math.max(1, new Set(runners.filter((r) => r !== undefined)).size)
      )

/** Whether the cluster has several runners to spread windows over. @internal */
export const severalRunners = (placement: Placement | undefined): Effect.Effect<boolean> =>
  Effect.map(runnersSeen(placement), (n) => n >= 2)

/** The span that `windows` cover. @internal */
export const spanOf = (windows: ReadonlyArray<Volumes.Span>): Volumes.Span => ({
  startMillis: Math.min(...windows.map((w) => w.startMillis)),
  endMillis: Math.max(...windows.map((w) => w.endMillis))
})

/**
 * The estimated conversations of each window, as a step (a replay spreads the windows as the first run did), for a
 * plan made without them (`ExtractionWorkflow.run` of a plan from `Extraction.plan`); `null` when they are spread by
 * count: one runner (no request is made), no aggregates service, or a failed query.
 *
 * @internal
 */
export const windowVolumes = (execution: ExecutionRef, windows: ReadonlyArray<Volumes.Span>) =>
  Activity.make({
    name: "volumes",
    success: Schema.NullOr(Schema.Array(Schema.Number)),
    execute: Effect.gen(function* () {
      const env = yield* Environment
      if (windows.length < 2 || !(yield* severalRunners(env.placement))) return null
      // No sink: only the org's client is needed.
      const services = yield* Effect.option(env.resolve({ ...execution, sink: null }))
      if (services._tag === "None") return null
      const buckets = yield* Volumes.volumeBuckets(services.value, spanOf(windows))
      return buckets === null ? null : yield* Volumes.sized(services.value.audit, windows, buckets)
    })
  })
