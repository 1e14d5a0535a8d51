import type * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as CheckpointStore from "../../CheckpointStore.js"
import type * as ExtractionSink from "../../ExtractionSink.js"
import * as Interval from "../../Interval.js"
import * as layout from "./layout.js"

/** A window's progress as checkpointed. @internal */
export interface WindowState {
  readonly state: CheckpointStore.WindowCheckpoint["state"]
  readonly jobId?: string | undefined
  readonly cursor?: string | undefined
  readonly seenCursors?: ReadonlyArray<string> | undefined
  /** Rows of the current job still to skip: written by an earlier job of the window. */
  readonly pendingSkip?: number | undefined
  /** Ids the current job has returned so far, while more pages follow: the de-duplication state of a resume. */
  readonly seenIds?: ReadonlyArray<string> | undefined
  readonly pagesDone: number
  readonly conversations: number
}

/** A window not yet started. @internal */
export const freshState: WindowState = { state: "pending", pagesDone: 0, conversations: 0 }

/** What a window did in this run, beyond its checkpointed state: the report's counters. @internal */
export interface WindowStats {
  resubmissions: number
  duplicates: number
  foreign: number
  quarantined: number
  latencyMillis: number
}

/** The plan as the ledger needs it. @internal */
export interface LedgerPlan {
  readonly planHash: string
  readonly windows: ReadonlyArray<layout.PlannedWindow>
}

/** Progress after a committed page. @internal */
export interface LedgerProgress {
  readonly windowsDone: number
  readonly windows: number
  readonly pages: number
  readonly conversations: number
  readonly elapsedMillis: number
}

/** @internal */
export const dayOf = (millis: number): number => Math.floor(millis / Interval.DAY_MILLIS)

/** The window states and day counts a checkpoint restores; a checkpoint of another plan restores nothing. @internal */
export const restore = (plan: LedgerPlan, saved: Option.Option<CheckpointStore.Checkpoint>) => {
  const states = new Map<string, WindowState>(plan.windows.map((w) => [w.id, freshState]))
  const dayCounts = new Map<number, number>()
  const resumable = Option.filter(saved, (c) => c.planHash === plan.planHash)
  if (Option.isSome(resumable)) {
    for (const w of resumable.value.windows) {
      // Checkpoints written before windows had ids name them by interval.
      const id = w.id ?? plan.windows.find((p) => p.interval === w.window)?.id
      if (id !== undefined && states.has(id)) states.set(id, w)
    }
    for (const [day, count] of Object.entries(resumable.value.dayCounts ?? {})) dayCounts.set(Number(day), count)
  }
  const resumed = new Set([...states.entries()].filter(([, s]) => s.state !== "pending").map(([id]) => id))
  const sinkPosition = Option.flatMap(resumable, (c) => Option.fromNullable(c.sinkPosition))
  return { states, dayCounts, resumed, sinkPosition }
}

/** @internal */
export interface Ledger<E> {
  readonly state: (id: string) => WindowState
  readonly stats: (id: string) => WindowStats
  /** Windows this run continued from the checkpoint. */
  readonly resumed: ReadonlySet<string>
  /** Where the sink resumes from: the position saved with the checkpoint. */
  readonly sinkPosition: Option.Option<unknown>
  /** Conversations emitted (by any window) that started in the UTC days `[startMillis, endMillis)` touch. */
  readonly extractedIn: (startMillis: number, endMillis: number) => number
  /**
   * Writes `batch`, moves the window to `next` and saves the checkpoint with the sink's position, in this order and
   * under one lock; `page` counts a page and reports progress.
   */
  readonly commit: Commit<E>
}

type CheckpointStoreError = Effect.Effect.Error<ReturnType<CheckpointStore.Service["save"]>>

/** @internal */
export interface LedgerOptions<E> {
  readonly plan: LedgerPlan
  readonly key: string
  readonly store: CheckpointStore.Service
  readonly saved: Option.Option<CheckpointStore.Checkpoint>
  readonly sink: ExtractionSink.ExtractionSink<E, unknown>
  readonly startedAt: number
  readonly onProgress?: ((progress: LedgerProgress) => Effect.Effect<void>) | undefined
}

/**
 * The run's one piece of shared state: every window's checkpointed state, the per-day counts, the report's counters,
 * and the commit that writes a page and checkpoints it. Window runners change it only through `commit` and `stats`.
 *
 * @internal
 */
export const make = <E>(options: LedgerOptions<E>): Effect.Effect<Ledger<E>> =>
  Effect.map(Effect.makeSemaphore(1), (lock) => {
    const { plan, sink, store } = options
    const { dayCounts, resumed, sinkPosition, states } = restore(plan, options.saved)
    const stats = new Map<string, WindowStats>()
    const totals = { pages: 0, conversations: 0 }
    const statsOf = (id: string): WindowStats => {
      let s = stats.get(id)
      if (s === undefined) {
        s = { resubmissions: 0, duplicates: 0, foreign: 0, quarantined: 0, latencyMillis: 0 }
        stats.set(id, s)
      }
      return s
    }
    const save = Effect.flatMap(sink.position, (position) =>
      store.save(options.key, {
        planHash: plan.planHash,
        sinkPosition: position,
        dayCounts: Object.fromEntries(dayCounts),
        windows: plan.windows.map((w) => ({ id: w.id, window: w.interval, kind: w.kind, ...states.get(w.id)! }))
      })
    )
    const count = (batch: ReadonlyArray<ExtractionSink.Conversation>) => {
      for (const c of batch) {
        const times = layout.timesOf(c)
        if (times) dayCounts.set(dayOf(times.startMillis), (dayCounts.get(dayOf(times.startMillis)) ?? 0) + 1)
      }
    }
    const progress = (pageSize: number) =>
      Effect.gen(function* () {
        totals.pages += 1
        totals.conversations += pageSize
        if (options.onProgress === undefined) return
        const now = yield* Clock.currentTimeMillis
        yield* options.onProgress({
          windowsDone: [...states.values()].filter((s) => s.state === "done").length,
          windows: plan.windows.length,
          pages: totals.pages,
          conversations: totals.conversations,
          elapsedMillis: now - options.startedAt
        })
      })
    // Sink write and checkpoint happen under one lock and in this order: a crash between them leaves output past the
    // saved position, which the sink's `open` discards on resume. A write that did not succeed (it failed or was
    // interrupted) may have left part or all of its batch in the output: no later commit of the run writes or saves,
    // since a checkpoint taking the sink's position then would count that batch as written and a resume would write it
    // twice (another window's commit between the failed write and the run's end did exactly that).
    let broken: Cause.Cause<E> | undefined
    const write = (batch: ReadonlyArray<ExtractionSink.Conversation>) =>
      Effect.onExit(sink.write(batch), (exit) =>
        Exit.isFailure(exit)
          ? Effect.sync(() => {
              broken ??= exit.cause
            })
          : Effect.void
      )
    const commit: Commit<E> = (window, batch, next, page) =>
      lock.withPermits(1)(
        Effect.suspend(() =>
          broken !== undefined
            ? Effect.failCause(broken)
            : Effect.gen(function* () {
                if (batch.length > 0) yield* write(batch)
                count(batch)
                states.set(window.id, next)
                yield* save
                if (page) yield* progress(batch.length)
              })
        )
      )
    return {
      state: (id) => states.get(id) ?? freshState,
      stats: statsOf,
      resumed,
      sinkPosition,
      extractedIn: (startMillis, endMillis) => {
        let extracted = 0
        for (let d = dayOf(startMillis); d < dayOf(endMillis); d++) extracted += dayCounts.get(d) ?? 0
        return extracted
      },
      commit
    }
  })

/** The ledger's commit, failing with the sink's or the checkpoint store's error. @internal */
export type Commit<E> = (
  window: layout.PlannedWindow,
  batch: ReadonlyArray<ExtractionSink.Conversation>,
  next: WindowState,
  page: boolean
) => Effect.Effect<void, E | CheckpointStoreError>
