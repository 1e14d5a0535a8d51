/**
 * What a sync query or a job answers at an emulator time: the ground truth over the dataset, with the
 * platform's matching options applied, and sync answers memoised once the data can no longer change.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Generator from "../../Generator.js"
import * as GroundTruth from "../../GroundTruth.js"

/** Settled sync answers kept (a client paging through a few queries at once needs only a handful). */
const SYNC_MEMO_SIZE = 64

/** The answers of one emulated org. */
export interface QueryTruth {
  /** The data-availability instant jobs see at `t`. */
  readonly availabilityAt: (t: number) => number
  /** The whole answer of a sync query at `t` (every page). */
  readonly sync: (body: GroundTruth.QueryLike, t: number) => GroundTruth.SyncResult
  /** The whole answer of a job submitted at `t`. */
  readonly job: (body: GroundTruth.AsyncQueryLike, t: number) => GroundTruth.JobResult
}

/** The answers over `dataset` under `options`. */
export const make = (options: EmulatorOptions, dataset: Generator.Dataset): QueryTruth => {
  const availabilityAt = (t: number) => t - options.jobs.availabilityLagMillis
  // Sync queries never match partial email addresses; jobs do when configured (FACTS, UNCERTAIN).
  const syncMatch = { segmentScope: options.segmentScope, partialEmailMatch: false }
  const jobMatch = { segmentScope: options.segmentScope, partialEmailMatch: options.jobs.partialEmailMatch }
  // A dataset is fully visible once its last conversation ended; sync answers are then cacheable.
  const settledAt = dataset.spanEndMillis + Generator.maxDurationMillis
  const memo = new Map<string, GroundTruth.SyncResult>()

  const sync = (body: GroundTruth.QueryLike, t: number): GroundTruth.SyncResult => {
    if (t < settledAt) return GroundTruth.syncQuery(dataset, body, { nowMillis: t, match: syncMatch })
    // Every page of one query shares the answer, so paging is left out of the key.
    const { paging: _paging, ...rest } = body as GroundTruth.QueryLike & { paging?: unknown }
    const key = JSON.stringify(rest)
    let result = memo.get(key)
    if (result === undefined) {
      result = GroundTruth.syncQuery(dataset, body, { nowMillis: t, match: syncMatch })
      if (memo.size >= SYNC_MEMO_SIZE) memo.delete(memo.keys().next().value!)
      memo.set(key, result)
    }
    return result
  }

  const job = (body: GroundTruth.AsyncQueryLike, t: number) =>
    GroundTruth.job(dataset, body, {
      nowMillis: t,
      availabilityMillis: availabilityAt(t),
      startOfDayMode: options.jobs.startOfDayMode,
      match: jobMatch
    })

  return { availabilityAt, sync, job }
}
