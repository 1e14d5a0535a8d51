import * as Effect from "effect/Effect"
import type * as AuditLog from "../../AuditLog.js"
import type * as ExtractionSink from "../../ExtractionSink.js"
import { RecordInvalid } from "../../GenesysError.js"
import * as layout from "./layout.js"
import * as RecordRequirements from "./recordRequirements.js"

/** A record set aside by `quarantine`, with the reason. @internal */
export interface QuarantinedRecord {
  readonly error: RecordInvalid
  readonly record: unknown
}

/** The counters a selector adds to. @internal */
export interface SelectorStats {
  duplicates: number
  foreign: number
}

/** Where a page came from, for `RecordInvalid`. @internal */
export interface PageOrigin {
  readonly page: number
  readonly jobId?: string | undefined
}

const recordInvalid = (
  window: layout.PlannedWindow,
  c: ExtractionSink.Conversation,
  problem: RecordRequirements.Problem,
  where: PageOrigin
) =>
  new RecordInvalid({
    field: problem.field,
    detail: problem.detail,
    window: window.interval,
    page: where.page,
    ...(where.jobId !== undefined ? { jobId: where.jobId } : {}),
    ...(problem.field !== "conversationId" ? { conversationId: c.conversationId as string } : {})
  })

/**
 * Checks each record for what the runner relies on, keeps what this window owns, drops repeats within the window,
 * then skips what an earlier attempt of the window already wrote (results come in a fixed order, so position
 * identifies them). `seenInitially` restores the repeats check of a job continued from its cursor.
 *
 * @internal
 */
export const make = (options: {
  readonly window: layout.PlannedWindow
  readonly watermarkMillis: number
  readonly stats: SelectorStats
  readonly skip: number
  readonly seen?: ReadonlyArray<string> | undefined
}) => {
  const { stats, window } = options
  const seen = new Set<string>(options.seen)
  let skip = options.skip
  const select = (conversations: ReadonlyArray<ExtractionSink.Conversation>, where: PageOrigin) => {
    const batch: Array<ExtractionSink.Conversation> = []
    const invalid: Array<QuarantinedRecord> = []
    for (const c of conversations) {
      const problem = RecordRequirements.check(c)
      if (problem !== undefined) {
        invalid.push({ error: recordInvalid(window, c, problem, where), record: c })
        continue
      }
      const times = layout.timesOf(c)
      if (times === undefined || !layout.owns(window, options.watermarkMillis, times)) {
        stats.foreign += 1
        continue
      }
      const id = c.conversationId as string
      if (seen.has(id)) {
        stats.duplicates += 1
        continue
      }
      seen.add(id)
      if (skip > 0) {
        skip -= 1
        continue
      }
      batch.push(c)
    }
    return { batch, invalid }
  }
  return { select, remainingSkip: () => skip, seenIds: (): ReadonlyArray<string> => [...seen] }
}

/**
 * A record the runner cannot rely on fails the window, or with `quarantine` is set aside, counted and audited: never
 * dropped without a trace.
 *
 * @internal
 */
export const setAside = <E>(options: {
  readonly window: layout.PlannedWindow
  readonly invalid: ReadonlyArray<QuarantinedRecord>
  readonly quarantine: ((entry: QuarantinedRecord) => Effect.Effect<void, E>) | undefined
  readonly stats: { quarantined: number }
  readonly audit: AuditLog.Service
}): Effect.Effect<void, E | RecordInvalid> =>
  Effect.gen(function* () {
    const { invalid, quarantine } = options
    if (invalid.length === 0) return
    if (quarantine === undefined) return yield* Effect.fail(invalid[0]!.error)
    for (const entry of invalid) yield* quarantine(entry)
    options.stats.quarantined += invalid.length
    yield* options.audit.record({
      type: "extraction.window",
      window: options.window.interval,
      status: "quarantined",
      counts: { records: invalid.length },
      detail: invalid[0]!.error.message
    })
  })
