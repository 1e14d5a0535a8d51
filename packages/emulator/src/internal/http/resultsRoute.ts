/**
 * `GET …/jobs/{id}/results`: cursor-paged results of a fulfilled job (FACTS §3.4). Pages are assembled
 * from cached conversation bytes, and the response tells the server which page to warm next.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import type * as Generator from "../../Generator.js"
import * as Live from "../data/live.js"
import * as ConversationCache from "./conversationCache.js"
import { decodeCursor, encodeCursor } from "./cursors.js"
import { jobNotFound } from "./jobRoutes.js"
import type { Job, JobStore } from "./jobStore.js"
import {
  type ApiError,
  apiError,
  badRequest,
  isApiError,
  json,
  malformed,
  notFound,
  type WireResponse
} from "./wire.js"

/** A `staleCursor` fault on this request: the cursor's page again, or a 400. */
export type StaleCursor = "repeat" | "reject" | undefined

/** A positive integer query parameter: `undefined` when absent or empty. */
export const positiveInt = (text: string | null, field: string): number | undefined | ApiError => {
  if (text === null || text === "") return undefined
  if (!/^\d+$/.test(text)) return malformed(field)
  const n = Number(text)
  return n < 1 || !Number.isSafeInteger(n) ? badRequest(`${field} must be greater than 0`, field) : n
}

/** The page size of a results request: the default when absent, the maximum clamped or refused. */
export const resultsPageSize = (text: string | null, jobs: EmulatorOptions["jobs"]): number | ApiError => {
  const pageSize = positiveInt(text, "pageSize")
  if (isApiError(pageSize)) return pageSize
  if (pageSize === undefined) return Math.min(jobs.resultsDefaultPageSize, jobs.resultsMaxPageSize)
  if (pageSize <= jobs.resultsMaxPageSize) return pageSize
  return jobs.resultsPageSizeAboveMax === "reject"
    ? badRequest(`pageSize may not exceed ${jobs.resultsMaxPageSize}`, "pageSize")
    : jobs.resultsMaxPageSize
}

/**
 * Where a page of `job` starts: 0 without a cursor, 400 for a foreign, out-of-range or rejected one. `length`
 * is the number of items the job pages (its conversations by default).
 */
export const cursorOffset = (
  job: Job,
  cursor: string | null,
  stale: StaleCursor,
  length: number = job.indices.length
): number | ApiError => {
  if (cursor === null || cursor === "") return 0
  const decoded = decodeCursor(cursor)
  if (decoded === undefined || decoded[0] !== job.id || decoded[1] > length) {
    return badRequest("Invalid cursor", "cursor")
  }
  if (stale === "reject") return badRequest("The cursor is no longer valid", "cursor")
  return decoded[1]
}

/** Results asked of a job that is not FULFILLED (and not EXPIRED): 400 or, configured, 404. */
export const resultsNotReady = (options: EmulatorOptions, jobId: string, state: string): ApiError =>
  apiError(
    options.jobs.resultsNotReadyStatus,
    options.jobs.resultsNotReadyStatus === 404 ? "not.found" : "bad.request",
    `Results are not available for job ${jobId} in state ${state}`
  )

/** The results handler over `jobs`, serving conversations through `cache`. */
export const make = (
  options: EmulatorOptions,
  dataset: Generator.Dataset,
  jobs: JobStore,
  cache: ConversationCache.ByteLru
) => {
  const notReady = (jobId: string, state: string) => resultsNotReady(options, jobId, state)
  const live = options.live

  const page = (job: Job, offset: number, pageSize: number, cursor: string | null, stale: StaleCursor) => {
    const indices = job.indices.slice(offset, offset + pageSize)
    const next = offset + pageSize
    const hasNext = next < job.indices.length
    // Everything after `conversations`, in the order `JSON.stringify` of the whole body would write it.
    const rest: Record<string, unknown> = {}
    const repeat = stale === "repeat" && cursor !== null && cursor !== ""
    if (repeat) rest.cursor = cursor
    else if (hasNext) rest.cursor = encodeCursor(job.id, next)
    rest.dataAvailabilityDate = new Date(job.availabilityMillis).toISOString()
    if (indices.length === 0 && options.sync.pastLastPage !== "empty") return json(200, rest)
    const body = ConversationCache.pageBytes(
      indices.map((i) => {
        // Live mode: a conversation restated by the job's submission is served restated (not from the cache,
        // which holds the generated records).
        const restated = live === undefined ? undefined : Live.restatedAt(dataset, live, i)
        return restated !== undefined && restated <= job.submittedAt
          ? ConversationCache.encode(JSON.stringify(Live.restate(dataset, i, dataset.conversation(i))))
          : ConversationCache.conversationBytes(cache, dataset, i)
      }),
      rest
    )
    // A repeated cursor asks for this very page again, which is cached already.
    const readAhead =
      !repeat && hasNext ? { key: job.id, indices: job.indices.slice(next, next + pageSize) } : undefined
    const response: WireResponse = { status: 200, headers: { "content-type": "application/json" }, body, readAhead }
    return response
  }

  return (jobId: string, search: URLSearchParams, t: number, stale: StaleCursor): WireResponse | ApiError => {
    const job = jobs.get(jobId)
    if (job === undefined) return jobNotFound(jobId)
    const state = jobs.stateAt(job, t)
    if (state === "EXPIRED") return notFound(`Results for job ${jobId} have expired`)
    if (state !== "FULFILLED") return notReady(jobId, state)
    const pageSize = resultsPageSize(search.get("pageSize"), options.jobs)
    if (isApiError(pageSize)) return pageSize
    const cursor = search.get("cursor")
    const offset = cursorOffset(job, cursor, stale)
    if (isApiError(offset)) return offset
    const response = page(job, offset, pageSize, cursor, stale)
    jobs.pageServed(job, t)
    return response
  }
}
