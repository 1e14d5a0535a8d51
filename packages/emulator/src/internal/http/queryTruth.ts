/**
 * What a sync query or a job answers at an emulator time: the ground truth over the dataset, with the
 * platform's matching options applied, and sync answers memoised once the data can no longer change.
 * In live mode the answers read the conversations as they stand at that time (open, ended or restated).
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Generator from "../../Generator.js"
import * as GroundTruth from "../../GroundTruth.js"
import * as Live from "../data/live.js"
import * as Availability from "../live/availability.js"

/** Settled sync answers kept (a client paging through a few queries at once needs only a handful). */
const SYNC_MEMO_SIZE = 64

/** The answers of one emulated org. */
export interface QueryTruth {
  /** The data-availability instant jobs see at `t`. */
  readonly availabilityAt: (t: number) => number
  /** The dataset as it stands at `t` (the dataset itself without live mode). */
  readonly datasetAt: (t: number) => Generator.Dataset
  /** The whole answer of a sync query at `t` (every page). */
  readonly sync: (body: GroundTruth.QueryLike, t: number) => GroundTruth.SyncResult
  /** The whole answer of a job submitted at `t`. */
  readonly job: (body: GroundTruth.AsyncQueryLike, t: number) => GroundTruth.JobResult
}

/** The answers over `dataset` under `options`, with the availability date of `availability`. */
export const make = (
  options: EmulatorOptions,
  dataset: Generator.Dataset,
  availability: Availability.Availability = Availability.make(options, () => ({}), options.seed)
): QueryTruth => {
  const live = options.live
  const availabilityAt = availability.at
  const datasetAt = (t: number) => (live === undefined ? dataset : Live.viewAt(dataset, live, t))
  // Sync queries never match partial email addresses; jobs do when configured (FACTS, UNCERTAIN).
  const syncMatch = { segmentScope: options.segmentScope, partialEmailMatch: false }
  const jobMatch = { segmentScope: options.segmentScope, partialEmailMatch: options.jobs.partialEmailMatch }
  // A dataset is fully visible once its last conversation ended (and, live, once its last restatement happened);
  // sync answers are then cacheable.
  const settledAt =
    dataset.spanEndMillis + Generator.maxDurationMillis + (live === undefined ? 0 : live.restatementWindowMillis)
  const memo = new Map<string, GroundTruth.SyncResult>()
  const includeOpen = live !== undefined

  const sync = (body: GroundTruth.QueryLike, t: number): GroundTruth.SyncResult => {
    if (t < settledAt) return GroundTruth.syncQuery(datasetAt(t), body, { nowMillis: t, match: syncMatch, includeOpen })
    // Every page of one query shares the answer, so paging is left out of the key.
    const { paging: _paging, ...rest } = body as GroundTruth.QueryLike & { paging?: unknown }
    const key = JSON.stringify(rest)
    let result = memo.get(key)
    if (result === undefined) {
      result = GroundTruth.syncQuery(datasetAt(t), body, { nowMillis: t, match: syncMatch, includeOpen })
      if (memo.size >= SYNC_MEMO_SIZE) memo.delete(memo.keys().next().value!)
      memo.set(key, result)
    }
    return result
  }

  const job = (body: GroundTruth.AsyncQueryLike, t: number) =>
    GroundTruth.job(datasetAt(t), body, {
      nowMillis: t,
      availabilityMillis: availabilityAt(t),
      startOfDayMode: options.jobs.startOfDayMode,
      match: jobMatch
    })

  return { availabilityAt, datasetAt, sync, job }
}
