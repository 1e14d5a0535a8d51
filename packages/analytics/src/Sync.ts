/**
 * Continuous sync: keeps a sink equal to what Genesys holds, from a start date on. The loop is one long-lived workflow
 * (`effect-genesys/Sync`): each cycle extracts, as a child `ExtractionWorkflow`, the span from the last settled point
 * (less the restatement window, since conversations can still change after they end) to now: jobs for what the
 * data-availability date has settled, sync queries for the provisional tail. Between cycles it waits durably for the
 * tail to be due or for the availability date to move. The sink upserts by conversation id, so a conversation read
 * again replaces its earlier form. The settled point is kept in a {@link SyncStore} beside the data, written by a
 * cycle's last step; a sync stopped at any moment (even `kill -9`) continues from its journal, with no gap and the
 * cycle in flight resumed.
 *
 * A conversation is provisional while it has not ended before the settled point: that is derived from its times and
 * the store, not written into every row.
 *
 * @since 0.2.0
 */
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import type { AuditLog } from "./AuditLog.js"
import type * as AvailabilityNotifications from "./AvailabilityNotifications.js"
import { ConversationDetails } from "./ConversationDetails.js"
import type * as Extraction from "./Extraction.js"
import type * as ExtractionWorkflow from "./ExtractionWorkflow.js"
import type { GenesysConfig } from "./GenesysConfig.js"
import * as SyncCycles from "./internal/sync/workflow.js"

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

/** The current data-availability date, or `None` when Genesys gives none. */
const availability = Effect.flatMap(ConversationDetails, (details) =>
  Effect.map(details.availability(), (a) => Option.fromNullable(a.dataAvailabilityDate))
)

type SegmentResult = Effect.Effect.Success<ReturnType<typeof SyncCycles.SyncWorkflow.poll>>

/** Where the sync workflow is: waiting before a cycle or running it, and the latest date announced while it ran. */
interface Position {
  readonly cycle: number
  readonly waiting: boolean
  readonly announced?: string | undefined
}

/** The numbers of the extraction options that the journal keeps with the sync. */
const extractionSettings = (o: ExtractionWorkflow.RunOptions | undefined) => ({
  ...(o?.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
  ...(o?.pageSize !== undefined ? { pageSize: o.pageSize } : {}),
  ...(o?.maxResubmissions !== undefined ? { maxResubmissions: o.maxResubmissions } : {}),
  ...(o?.reconcile !== undefined ? { reconcile: o.reconcile } : {}),
  ...(o?.reconcileThreshold !== undefined ? { reconcileThreshold: o.reconcileThreshold } : {})
})

/**
 * The sync's segment to run now: the first that has not ended. One that failed is continued by the next from the
 * store's settled point at once; one that ended after its cycles, by the next after a wait.
 */
const currentSegment = (
  base: Omit<SyncCycles.Payload, "segment" | "waitFirst" | "settledUntil">,
  store: SyncStore<unknown>
) =>
  Effect.gen(function* () {
    let waitFirst = false
    for (let segment = 0; ; segment++) {
      const settled = yield* store.settledUntil
      const payload: SyncCycles.Payload = {
        ...base,
        ...(Option.isSome(settled) ? { settledUntil: settled.value } : {}),
        waitFirst,
        segment
      }
      const id: string = yield* SyncCycles.SyncWorkflow.executionId(payload)
      const result: SegmentResult = yield* SyncCycles.SyncWorkflow.poll(id)
      if (result === undefined || result._tag !== "Complete") return { id, payload }
      waitFirst = result.exit._tag === "Success"
    }
  })

/**
 * Runs the sync: a `Stream` of what each cycle did, until `until` is settled or the stream is interrupted.
 *
 * The loop is one long-lived workflow on the `WorkflowEngine` in context (`effect-genesys/Sync`, keyed by org, sink,
 * `from`, filters and restatement window): each cycle's clock, plan, extraction (a child `ExtractionWorkflow`, into
 * the engine environment's sink, which must upsert by conversation id as the SQL page sink does) and settled point are
 * steps of its journal, and the wait between cycles is a durable clock raced with a durable deferred. This stream
 * completes that deferred when the availability date moves (announced by `notifications`, or seen by polling every
 * `pollEvery`), so a cycle starts at once. With a persistent engine, a sync stopped at any moment continues where it
 * stopped: a cycle in flight resumes from its extraction's journal, a wait with the time it had left. The options are
 * the execution's when it started; a sync with another `from`, filters or restatement window is another execution.
 *
 * @since 0.2.0
 */
export const run = <R = never>(
  options: Options<R>
): Stream.Stream<
  SyncEvent,
  unknown,
  Store | ConversationDetails | AuditLog | WorkflowEngine.WorkflowEngine | GenesysConfig | R
> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const store = yield* Store
      const clock = yield* Effect.clock
      const segmentEnds = yield* Queue.unbounded<Exit.Exit<void, unknown>>()
      const events = yield* Queue.unbounded<SyncEvent>()
      // Where the workflow is: waiting before cycle `cycle`, or running it; and the latest date announced meanwhile.
      const position = yield* Ref.make<Position>({
        cycle: 0,
        waiting: false
      })
      let executionId = ""
      const pastSettled = (date: string) =>
        Effect.map(
          store.settledUntil,
          (settled) => Option.isNone(settled) || Date.parse(date) > Date.parse(settled.value)
        )
      const engine = yield* WorkflowEngine.WorkflowEngine
      const wakeCycle = (cycle: number, date: string) => {
        const deferred = SyncCycles.wakeOf(cycle)
        const token = DurableDeferred.tokenFromExecutionId(deferred, {
          workflow: SyncCycles.SyncWorkflow,
          executionId
        })
        return Effect.provideService(
          DurableDeferred.done(deferred, { token, exit: Exit.succeed(date) }),
          WorkflowEngine.WorkflowEngine,
          engine
        )
      }
      yield* Layer.build(
        // The engine runs the body on its own fibers: it reads time from the caller's clock (a test clock, an
        // emulated org's), like the listener and the polling here.
        SyncCycles.SyncWorkflow.toLayer((payload) =>
          Effect.withClock(SyncCycles.body(payload), clock).pipe(
            // How a segment ended, told by the body itself: waiting on `execute` would poll a suspended workflow on
            // the engine's retry schedule. An interruption only is a suspension (or a stop), not an end.
            Effect.onExit((exit) =>
              Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause) ? Effect.void : Queue.offer(segmentEnds, exit)
            )
          )
        ).pipe(
          Layer.provide(
            Layer.succeed(SyncCycles.CycleSink, {
              completed: (outcome, report) =>
                Effect.gen(function* () {
                  yield* store.setSettledUntil(outcome.settledUntil)
                  yield* Queue.offer(events, { _tag: "CycleCompleted", ...outcome, report })
                  yield* Ref.update(position, (p) =>
                    p.announced !== undefined && Date.parse(p.announced) <= Date.parse(outcome.settledUntil)
                      ? { cycle: p.cycle, waiting: p.waiting }
                      : p
                  )
                }),
              waiting: (cycle, waiting) =>
                Effect.gen(function* () {
                  const at = yield* Ref.updateAndGet(position, (p) => ({ ...p, cycle, waiting }))
                  // An advance announced while the cycle before ran, and not settled by it, ends this wait at once.
                  if (waiting && at.announced !== undefined && (yield* pastSettled(at.announced))) {
                    yield* wakeCycle(cycle, at.announced)
                  }
                }).pipe(Effect.ignore)
            })
          )
        )
      )
      const base = {
        org: options.extraction?.org ?? "default",
        sink: options.extraction?.sink ?? null,
        from: options.from,
        filters: { ...options.filters },
        restatementMillis: Duration.toMillis(options.restatement ?? restatementDefault),
        tailEveryMillis: Duration.toMillis(options.tailEvery ?? "5 minutes"),
        extraction: extractionSettings(options.extraction)
      }

      /** A date past the settled point ends the workflow's wait, or the next one when a cycle is running. */
      const wake = (date: string) =>
        Effect.gen(function* () {
          if (!(yield* pastSettled(date))) return
          const at = yield* Ref.updateAndGet(position, (p) => ({
            ...p,
            announced: p.announced === undefined || Date.parse(date) > Date.parse(p.announced) ? date : p.announced
          }))
          if (at.waiting) yield* wakeCycle(at.cycle, date)
        })

      if (options.notifications !== undefined) {
        yield* Effect.forkScoped(
          Stream.runForEach(options.notifications, (event) => {
            switch (event._tag) {
              case "Advanced":
                return Effect.ignore(wake(event.dataAvailabilityDate))
              case "Connected":
                return Queue.offer(events, { _tag: "NotificationsConnected", channelId: event.channelId })
              case "Lost":
                return Queue.offer(events, { _tag: "NotificationsLost", reason: event.reason })
            }
          })
        )
      }
      // The fallback that works without the socket: nothing depends on it being up.
      yield* Effect.forkScoped(
        Effect.forever(
          Effect.zipRight(
            Effect.sleep(options.pollEvery ?? "1 minute"),
            Effect.ignore(
              Effect.flatMap(availability, (date) => (Option.isSome(date) ? wake(date.value) : Effect.void))
            )
          )
        )
      )
      // One segment after the other, each continuing from the settled point the one before stored.
      const segments = Effect.forever(
        Effect.gen(function* () {
          const { id, payload } = yield* currentSegment(base, store)
          executionId = id
          yield* Ref.update(position, (p) => ({ ...p, cycle: 0, waiting: false }))
          yield* SyncCycles.SyncWorkflow.execute(payload, { discard: true })
          // A segment that had already failed before this run is skipped by `currentSegment`: this one runs now.
          yield* Effect.flatten(Queue.take(segmentEnds))
        })
      )
      const failed = yield* Deferred.make<void, unknown>()
      yield* Effect.forkScoped(Effect.catchAllCause(segments, (cause) => Deferred.failCause(failed, cause)))

      const untilMillis = options.until === undefined ? undefined : Date.parse(options.until)
      const cycles = Stream.fromQueue(events).pipe(
        Stream.takeUntil(
          (e) => untilMillis !== undefined && e._tag === "CycleCompleted" && Date.parse(e.settledUntil) >= untilMillis
        ),
        Stream.merge(Stream.drain(Stream.fromEffect(Deferred.await(failed))), { haltStrategy: "left" })
      )
      const doneEvent = Stream.fromEffect(
        Effect.map(
          store.settledUntil,
          (s): SyncEvent => ({ _tag: "Done", settledUntil: Option.getOrElse(s, () => "") })
        )
      )
      return options.until === undefined ? cycles : Stream.concat(cycles, doneEvent)
    })
  )
