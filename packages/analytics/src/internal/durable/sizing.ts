// On a cluster of several runners an extraction places each window on a runner, whose token then carries all the
// window's requests. Windows are not equal work (an org's weekends hold a third of its weekdays), so spreading them by
// count leaves one token with most of the pages while the others idle. Sizing counts each window first (one sync query
// each, the same estimate as a one-process run's largest-first order) so that placement can spread requests, not
// windows. One runner, or one process, has nothing to spread: it counts nothing.
import * as Activity from "@effect/workflow/Activity"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { defaultPagingPolicy } from "../../GenesysConfig.js"
import type * as layout from "../extraction/layout.js"
import * as Submission from "../extraction/submission.js"
import { Environment, type ExecutionRef } from "./environment.js"
import { withServices } from "./windowSteps.js"

/** What sizing found: each counted window's estimated conversations, their page size, and who sent the counts. */
const Sized = Schema.Struct({
  sizes: Schema.Array(Schema.Tuple(Schema.String, Schema.Number)),
  pageSize: Schema.optional(Schema.Number),
  countedOn: Schema.optional(Schema.String)
})

const unsized: typeof Sized.Type = { sizes: [] }

/**
 * Counts the extraction's fresh job windows when its cluster has more than one runner, as a step (a replay places
 * windows by the same counts). Any failure, counts slower than {@link Submission.sizingTimeout}, more windows than
 * {@link Submission.maxSizedWindows} or fewer than two leave the windows unsized: placement then spreads them by
 * count, as correct and only slower.
 *
 * @internal
 */
export const sizeWindows = (options: {
  readonly execution: ExecutionRef
  readonly windows: ReadonlyArray<layout.PlannedWindow>
  readonly filters: object
  readonly slots: number
  /** The extraction's job page size, if it names one. */
  readonly pageSize: number | undefined
  /** This extraction's execution id and a window's candidate ids: the runners they land on tell the cluster's size. */
  readonly self: string
  readonly probe: ReadonlyArray<string>
}) =>
  Activity.make({
    name: "size",
    success: Sized,
    execute: Effect.gen(function* () {
      const { placement } = yield* Environment
      const windows = options.windows
      if (placement === undefined || windows.length < 2 || windows.length > Submission.maxSizedWindows) return unsized
      const [self, ...probed] = yield* placement.runnersOf([options.self, ...options.probe])
      if (new Set(probed.filter((r) => r !== undefined)).size < 2) return unsized
      const { sizes, pageSize } = yield* withServices(options.execution, (s) =>
        Effect.forEach(
          windows,
          (w) =>
            Effect.map(
              Submission.windowSize({ details: s.details, validator: s.validator, filters: options.filters }, w),
              (n) => [w.id, n] as const
            ),
          { concurrency: 2 * options.slots }
        ).pipe(
          Effect.timeoutOption(Submission.sizingTimeout),
          Effect.map((sizes) => ({ sizes, pageSize: options.pageSize ?? s.jobPageSize }))
        )
      )
      return Option.match(sizes, {
        onNone: () => unsized,
        onSome: (sizes) => ({
          sizes,
          ...(pageSize !== undefined ? { pageSize } : {}),
          ...(self !== undefined ? { countedOn: self } : {})
        })
      })
    }).pipe(Effect.orElseSucceed(() => unsized))
  })

/** A window's estimated requests: its submission, a status poll and its pages. @internal */
export const expectedRequests = (conversations: number, pageSize: number | undefined): number =>
  2 + Math.ceil(conversations / (pageSize ?? defaultPagingPolicy.jobPageSize))

/**
 * The weight of each window for placement (its expected requests; the mean of the sized ones for a window that was not
 * counted), and the order in which windows take the extraction's slots: the largest fresh job windows first, the rest
 * in the plan's order around them (finished windows ahead, query windows after). Without sizes, every window weighs 1
 * and the plan's order stands.
 *
 * @internal
 */
export const arrange = <W extends layout.PlannedWindow>(
  windows: ReadonlyArray<W>,
  sized: typeof Sized.Type
): { readonly order: ReadonlyArray<W>; readonly weight: (window: W) => number; readonly counted: number } => {
  if (sized.sizes.length === 0) return { order: windows, weight: () => 1, counted: 0 }
  const sizes = new Map(sized.sizes)
  const weights = new Map(sized.sizes.map(([id, n]) => [id, expectedRequests(n, sized.pageSize)] as const))
  const mean = [...weights.values()].reduce((a, b) => a + b, 0) / weights.size
  // A stable sort: windows of equal size keep the plan's order.
  const bySize = windows.filter((w) => sizes.has(w.id)).sort((a, b) => sizes.get(b.id)! - sizes.get(a.id)!)
  const order = [
    ...windows.filter((w) => w.kind === "job" && !sizes.has(w.id)),
    ...bySize,
    ...windows.filter((w) => w.kind !== "job" && !sizes.has(w.id))
  ]
  return { order, weight: (w) => weights.get(w.id) ?? mean, counted: sized.sizes.length }
}
