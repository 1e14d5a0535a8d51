/**
 * Continuous sync: keeps a sink equal to what Genesys holds, from a start date on. Each cycle extracts, as a durable
 * `ExtractionWorkflow`, the span from the last settled point (less the restatement window, since conversations can
 * still change after they end) to now: jobs for what the data-availability date has settled, sync queries for the
 * provisional tail. The sink upserts by conversation id, so a conversation read again replaces its earlier form. The
 * settled point is kept in a {@link SyncStore} beside the data and moves only after a cycle completed, so a sync
 * stopped at any moment (even `kill -9`) continues without a gap.
 *
 * A conversation is provisional while it has not ended before the settled point: that is derived from its times and
 * the store, not written into every row.
 *
 * @since 0.2.0
 */
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { AuditLog } from "./AuditLog.js"
import type * as AvailabilityNotifications from "./AvailabilityNotifications.js"
import { ConversationDetails } from "./ConversationDetails.js"
import * as Extraction from "./Extraction.js"
import * as ExtractionWorkflow from "./ExtractionWorkflow.js"
import type { GenesysConfig } from "./GenesysConfig.js"
import * as Interval from "./Interval.js"

/** Where a sync keeps its settled point: beside the data, so both move together. @since 0.2.0 */
export interface SyncStore<E = never> {
  /** The data-availability date up to which the sink holds settled data; `None` before the first cycle. */
  readonly settledUntil: Effect.Effect<Option.Option<string>, E>
  readonly setSettledUntil: (iso: string) => Effect.Effect<void, E>
}

/** A store in memory, for tests. @since 0.2.0 */
export const memoryStore = (initial?: string): SyncStore & { readonly current: () => string | undefined } => {
  let value = initial
  return {
    current: () => value,
    settledUntil: Effect.sync(() => Option.fromNullable(value)),
    setSettledUntil: (iso) =>
      Effect.sync(() => {
        value = iso
      })
  }
}

/** The sync's store, provided by the sink's package (e.g. a table of the SQL sink). @since 0.2.0 */
export class Store extends Context.Tag("@effect-genesys/analytics/Sync/Store")<Store, SyncStore<unknown>>() {}

/** What a sync did, cycle after cycle. @since 0.2.0 */
export type SyncEvent =
  | {
      /** A cycle wrote the span `[from, to)`: settled up to `settledUntil`, provisional after it. */
      readonly _tag: "CycleCompleted"
      readonly cycle: number
      readonly from: string
      readonly to: string
      readonly settledUntil: string
      /** The settled point moved (a new data-availability date), not only the tail. */
      readonly advanced: boolean
      readonly conversations: number
      readonly report: Extraction.Report
    }
  | { readonly _tag: "Done"; readonly settledUntil: string }
  /** The notifications socket is up (again), or lost: until it is back, the availability date is polled. */
  | { readonly _tag: "NotificationsConnected"; readonly channelId: string }
  | { readonly _tag: "NotificationsLost"; readonly reason: string }

/** Options of {@link run}. @since 0.2.0 */
export interface Options<R = never> {
  /** Where the sync starts: an ISO date-time (the back-fill). */
  readonly from: string
  /** The filters of every cycle (`conversationFilters`, `segmentFilters`, …), as in an extraction query. */
  readonly filters?: Extraction.Filters | undefined
  /** How often the provisional tail is read again. Default 5 minutes. */
  readonly tailEvery?: Duration.DurationInput | undefined
  /** How far behind the settled point each cycle reads again, for conversations changed after they ended. Default 48 hours. */
  readonly restatement?: Duration.DurationInput | undefined
  /** How often the availability date is polled between tail refreshes (the fallback without notifications). Default 1 minute. */
  readonly pollEvery?: Duration.DurationInput | undefined
  /**
   * Wakes a cycle early: the availability notifications (`AvailabilityNotifications.listen()`). An `Advanced` date past
   * the settled point starts a cycle; `Lost` and `Connected` are passed on as events. Default: none (polling only);
   * polling goes on either way, so nothing depends on the socket.
   */
  readonly notifications?: Stream.Stream<AvailabilityNotifications.Event, never, R> | undefined
  /** Stop once everything up to this time is settled in the sink (ISO); default: run until interrupted. */
  readonly until?: string | undefined
  /** Passed to every cycle's extraction. */
  readonly extraction?: ExtractionWorkflow.RunOptions | undefined
}

const restatementDefault = "48 hours"

/** The interval of the next cycle: from the settled point less the restatement window (never before `from`) to now. */
const cycleInterval = (options: Options<unknown>, settled: Option.Option<string>, nowMillis: number): string => {
  const fromMillis = Date.parse(options.from)
  const startMillis = Option.match(settled, {
    onNone: () => fromMillis,
    onSome: (s) => Math.max(fromMillis, Date.parse(s) - Duration.toMillis(options.restatement ?? restatementDefault))
  })
  return Interval.format(startMillis, Math.max(startMillis + 1, nowMillis))
}

/** The current data-availability date, or `None` when Genesys gives none. */
const availability = Effect.flatMap(ConversationDetails, (details) =>
  Effect.map(details.availability(), (a) => Option.fromNullable(a.dataAvailabilityDate))
)

/**
 * Runs the sync: a `Stream` of what each cycle did, until `until` is settled or the stream is interrupted. Each cycle
 * is a durable extraction on the `WorkflowEngine` in context (its sink is the engine environment's), so the sink must
 * upsert by conversation id (the SQL page sink does).
 *
 * @since 0.2.0
 */
export const run = <R = never>(
  options: Options<R>
): Stream.Stream<SyncEvent, unknown, Store | ConversationDetails | AuditLog | WorkflowEngine | GenesysConfig | R> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const store = yield* Store
      const cycle = yield* Ref.make(0)
      // Only the latest announcement matters: a sliding queue of one.
      const wakeUps = yield* Queue.sliding<string>(1)
      const notices = yield* Queue.unbounded<SyncEvent>()
      if (options.notifications !== undefined) {
        yield* Effect.forkScoped(
          Stream.runForEach(options.notifications, (event) => {
            switch (event._tag) {
              case "Advanced":
                return Queue.offer(wakeUps, event.dataAvailabilityDate)
              case "Connected":
                return Queue.offer(notices, { _tag: "NotificationsConnected", channelId: event.channelId })
              case "Lost":
                return Queue.offer(notices, { _tag: "NotificationsLost", reason: event.reason })
            }
          })
        )
      }
      const tailMillis = Duration.toMillis(options.tailEvery ?? "5 minutes")
      const pollMillis = Duration.toMillis(options.pollEvery ?? "1 minute")

      const oneCycle = Effect.gen(function* () {
        const n = yield* Ref.getAndUpdate(cycle, (c) => c + 1)
        const before = yield* store.settledUntil
        const now = yield* Clock.currentTimeMillis
        const interval = cycleInterval(options, before, now)
        const plan = yield* Extraction.plan({ interval, ...options.filters })
        const report = yield* ExtractionWorkflow.run(plan, options.extraction)
        yield* store.setSettledUntil(plan.watermark)
        const [from, to] = interval.split("/") as [string, string]
        return {
          _tag: "CycleCompleted",
          cycle: n,
          from,
          to,
          settledUntil: plan.watermark,
          advanced: Option.match(before, {
            onNone: () => true,
            onSome: (b) => Date.parse(b) < Date.parse(plan.watermark)
          }),
          conversations: report.totals.conversations,
          report
        } satisfies SyncEvent
      })

      /** Sleeps until the tail is due, waking early (at a poll or an announcement) when the availability date moved. */
      const waitForNext = Effect.gen(function* () {
        const due = (yield* Clock.currentTimeMillis) + tailMillis
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          if (now >= due) return
          // An announcement ends the wait at once; otherwise the availability date is polled.
          const announced = yield* Effect.race(
            Effect.as(Effect.sleep(Duration.millis(Math.min(pollMillis, due - now))), Option.none<string>()),
            Effect.map(Queue.take(wakeUps), Option.some)
          )
          const settled = yield* store.settledUntil
          const latest = Option.isSome(announced) ? announced : yield* Effect.orElseSucceed(availability, Option.none)
          const moved =
            Option.isSome(latest) &&
            Option.match(settled, { onNone: () => true, onSome: (s) => Date.parse(latest.value) > Date.parse(s) })
          if (moved) return
        }
      })

      const finished = Effect.map(
        store.settledUntil,
        (s) => options.until !== undefined && Option.isSome(s) && Date.parse(s.value) >= Date.parse(options.until)
      )

      const cycles = Stream.paginateEffect(true, (first) =>
        Effect.gen(function* () {
          if (!first) yield* waitForNext
          const event: SyncEvent = yield* oneCycle
          const done = yield* finished
          return [event, done ? Option.none<boolean>() : Option.some(false)] as const
        })
      )
      const doneEvent = Stream.fromEffect(
        Effect.map(
          store.settledUntil,
          (s): SyncEvent => ({ _tag: "Done", settledUntil: Option.getOrElse(s, () => "") })
        )
      )
      const withNotices = Stream.merge(cycles, Stream.fromQueue(notices), { haltStrategy: "left" })
      return options.until === undefined ? withNotices : Stream.concat(withNotices, doneEvent)
    })
  )
