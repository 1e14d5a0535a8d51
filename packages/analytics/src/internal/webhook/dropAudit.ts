// Events that will not reach the receiver — dropped (queue full, sent after close, left at close) or failed (retries
// exhausted, refused) — are counted at once and audited as `webhook.dropped` by a fiber of their own, so neither
// `notify` nor the delivery loop ever waits on the audit log.
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { AuditLog } from "../../AuditLog.js"
import { type PendingEvent, prepare } from "./pendingEvent.js"
import type { Stats } from "./stats.js"

/** One event not delivered, why, and after how many attempts (none for a drop). */
export interface Notice {
  readonly pending: PendingEvent
  readonly reason: string
  readonly attempts?: number
}

/** Counts and audits undelivered events; `close` audits what is left and stops the auditor. */
export interface DropAudit {
  readonly dropped: (pending: PendingEvent, reason: string) => Effect.Effect<void>
  readonly failed: (pending: PendingEvent, reason: string, attempts: number) => Effect.Effect<void>
  readonly close: Effect.Effect<void>
}

/** The `webhook.dropped` event of `notice`, with the counters as they stand. */
export const record = (audit: AuditLog["Type"], stats: Stats, notice: Notice): Effect.Effect<void> =>
  Effect.gen(function* () {
    const { id } = yield* prepare(notice.pending)
    const s = yield* stats.get
    yield* audit.record({
      type: "webhook.dropped",
      correlationId: id,
      jobId: notice.pending.fields.jobId,
      window: notice.pending.fields.window,
      attempt: notice.attempts,
      counts: { dropped: s.dropped, failed: s.failed },
      detail: `${notice.pending.fields.type} not delivered: ${notice.reason}`
    })
  })

/** Starts the auditor fiber in the scope. */
export const make = (audit: AuditLog["Type"], stats: Stats): Effect.Effect<DropAudit, never, Scope.Scope> =>
  Effect.gen(function* () {
    const notices = yield* Queue.unbounded<Notice | "stop">()
    // Stopped by a sentinel, not interrupted: an interrupted taker can lose the item handed to it.
    const auditor = yield* Effect.forkScoped(
      Effect.gen(function* () {
        for (;;) {
          const notice = yield* Queue.take(notices)
          if (notice === "stop") return
          yield* record(audit, stats, notice)
        }
      })
    )
    const close = Effect.gen(function* () {
      yield* Queue.offer(notices, "stop")
      yield* Fiber.join(auditor)
      for (const notice of yield* Queue.takeAll(notices)) if (notice !== "stop") yield* record(audit, stats, notice)
    })
    return {
      dropped: (pending, reason) => Effect.zipRight(stats.count("dropped"), Queue.offer(notices, { pending, reason })),
      failed: (pending, reason, attempts) =>
        Effect.zipRight(stats.count("failed"), Queue.offer(notices, { pending, reason, attempts })),
      close
    }
  })
