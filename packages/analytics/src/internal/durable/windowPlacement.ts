// Where an extraction's windows run on a cluster. A window's id decides its runner, and every request of the window
// goes out with that runner's token for the org, so an extraction chooses among a few candidate ids of each window
// (lanes) the one whose runner carries the least of its windows' weight so far. Each choice is a step of the journal,
// so a replay starts the same children.
import * as Activity from "@effect/workflow/Activity"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { defaultPagingPolicy } from "../../GenesysConfig.js"
import { Environment, type ExecutionRef } from "./environment.js"
import type * as Schemas from "./schemas.js"
import { withServices } from "./windowSteps.js"

/** The lanes a window may take on a cluster: enough for each of a few runners to hold one of them. @internal */
export const lanes: ReadonlyArray<number> = Array.from({ length: 12 }, (_, i) => i)

/** Where a window was placed: its lane and runner, and the lane of its job on the same runner. @internal */
export const Placed = Schema.Struct({
  lane: Schema.optional(Schema.NonNegativeInt),
  runner: Schema.optional(Schema.String),
  /** The lane of the window's job that lands on the same runner, when one does. */
  jobLane: Schema.optional(Schema.NonNegativeInt)
})

/** @internal */
export type Placed = typeof Placed.Type

/** The execution ids a window (and its job) would have in each of the {@link lanes}. @internal */
export interface LaneIds {
  readonly windows: ReadonlyArray<string>
  readonly jobs: ReadonlyArray<string>
}

/** This extraction's windows per runner: their weight placed there so far, and how many run there now. */
interface Loads {
  readonly placed: Map<string, number>
  readonly inFlight: Map<string, number>
}

/**
 * A window's weight: the requests its estimated conversations take (pages of `pageSize`, the library's default when
 * the run names none, plus its job's submission and status), or 1 without an estimate (spread by count). @internal
 */
export const weightOf = (estimated: number | undefined, pageSize: number | undefined): number =>
  estimated === undefined ? 1 : estimated / (pageSize ?? defaultPagingPolicy.jobPageSize) + 2

/**
 * Picks the lane of a window whose runner has been given the least weight (then the fewest in flight, then the first
 * such lane), and a lane of its job on the same runner, as a step; audited with the runner. Without a placement (one
 * process), no lane.
 */
const placeWindow = (
  execution: ExecutionRef,
  window: typeof Schemas.PlannedWindow.Type,
  ids: LaneIds,
  loads: Loads,
  estimated: number | undefined
) =>
  Activity.make({
    name: `place/${window.id}`,
    success: Placed,
    execute: Effect.flatMap(Environment, (env) => {
      if (env.placement === undefined) return Effect.succeed({})
      return Effect.flatMap(env.placement.runnersOf([...ids.windows, ...ids.jobs]), (answers) => {
        const runners = answers.slice(0, ids.windows.length)
        const jobRunners = answers.slice(ids.windows.length)
        let best: { lane: number; runner: string; placed: number; inFlight: number } | undefined
        runners.forEach((runner, lane) => {
          if (runner === undefined) return
          const placed = loads.placed.get(runner) ?? 0
          const inFlight = loads.inFlight.get(runner) ?? 0
          if (best === undefined || placed < best.placed || (placed === best.placed && inFlight < best.inFlight)) {
            best = { lane, runner, placed, inFlight }
          }
        })
        if (best === undefined) return Effect.succeed({})
        const jobLane = jobRunners.indexOf(best.runner)
        const placed: Placed = { lane: best.lane, runner: best.runner, ...(jobLane >= 0 ? { jobLane } : {}) }
        const audited = withServices(execution, (s) =>
          s.audit.record({
            type: "extraction.window",
            window: window.interval,
            status: "placed",
            detail: `runner ${placed.runner}`,
            ...(estimated !== undefined ? { counts: { estimated: Math.round(estimated) } } : {})
          })
        )
        return Effect.as(Effect.ignore(audited), placed)
      })
    })
  })

/** Places an extraction's windows, one at a time in the order they start. @internal */
export interface Placer {
  /** Ends the turn of the window at `position` without placing it (it finished in an earlier generation). */
  readonly pass: (position: number) => Effect.Effect<void>
  /**
   * In its turn (once the window before it in the order is placed), places the window at `position` and runs `body`
   * with the placement, counted in flight on its runner while it runs.
   */
  readonly run: <A, E, R>(
    position: number,
    window: {
      readonly planned: typeof Schemas.PlannedWindow.Type
      readonly ids: LaneIds
      readonly weight: number
      readonly estimated: number | undefined
    },
    body: (placed: Placed) => Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R | Environment | WorkflowEngine | WorkflowInstance>
}

/**
 * A placer for `count` windows of an execution. Turns make the placements follow the run's order (the largest first
 * when windows are weighed), whichever window's fiber is scheduled first, and each sees the ones before it.
 *
 * @internal
 */
export const makePlacer = (execution: ExecutionRef, count: number): Effect.Effect<Placer> =>
  Effect.gen(function* () {
    const loads: Loads = { placed: new Map(), inFlight: new Map() }
    const placedInTurn = yield* Effect.forEach(Array.from({ length: count }), () => Deferred.make<void>())
    const endTurn = (position: number) => Deferred.succeed(placedInTurn[position]!, undefined)
    const turn = (position: number) => (position === 0 ? Effect.void : Deferred.await(placedInTurn[position - 1]!))
    const add = (map: Map<string, number>, runner: string, delta: number) =>
      map.set(runner, (map.get(runner) ?? 0) + delta)
    return {
      pass: (position) => Effect.asVoid(endTurn(position)),
      run: (position, window, body) =>
        Effect.gen(function* () {
          yield* turn(position)
          const placed = yield* placeWindow(execution, window.planned, window.ids, loads, window.estimated).pipe(
            Effect.tap(({ runner }) =>
              Effect.sync(() => {
                if (runner === undefined) return
                add(loads.placed, runner, window.weight)
                add(loads.inFlight, runner, 1)
              })
            ),
            Effect.ensuring(endTurn(position))
          )
          const runner = placed.runner
          return yield* body(placed).pipe(
            Effect.ensuring(Effect.sync(() => runner !== undefined && add(loads.inFlight, runner, -1)))
          )
        })
    }
  })
