/**
 * The conversation aggregates endpoints (FACTS-aggregates §1): the sync query (E1) and the job (E2 submit,
 * E3 status, E4 cursor-paged results, E5 cancel), on the details' job machinery: the same state machine
 * (its own store, so ids, states and the concurrency limit are per kind), faults, cursors and error bodies.
 */
import * as AggregateTruth from "../../AggregateTruth.js"
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import type * as Faults from "../../Faults.js"
import type * as Generator from "../../Generator.js"
import * as Engine from "../data/aggregates.js"
import type { FactStore } from "../data/factStore.js"
import { encodeCursor } from "./cursors.js"
import { parseJson } from "./jsonBody.js"
import { concurrencyExceeded, jobFaultsOf, jobNotFound, lifecycleRoutes } from "./jobRoutes.js"
import type { JobStore } from "./jobStore.js"
import { cursorOffset, resultsNotReady, type StaleCursor } from "./resultsRoute.js"
import { validateAggregate } from "./validate.js"
import {
  type ApiError,
  isApiError,
  json,
  notFound,
  type RawRequest,
  type RawResponse,
  type WireResponse
} from "./wire.js"

export interface AggregateRoutes {
  readonly query: (request: RawRequest, t: number) => RawResponse | ApiError
  readonly submit: (request: RawRequest, t: number, jobFaults: ReadonlyArray<Faults.Fault>) => RawResponse | ApiError
  readonly status: (jobId: string, t: number) => RawResponse | ApiError
  readonly cancel: (jobId: string, t: number) => WireResponse | ApiError
  readonly results: (jobId: string, search: URLSearchParams, t: number, stale: StaleCursor) => RawResponse | ApiError
}

/** The `limit.key` of the aggregates concurrent-job 429 (the details key's analogue; not documented). */
export const concurrentLimitKey = "conversation.aggregates.jobs.concurrent.access.max"

export const make = (
  options: EmulatorOptions,
  dataset: Generator.Dataset,
  jobs: JobStore,
  profile: () => Faults.FaultProfile,
  store?: FactStore | undefined
): AggregateRoutes => {
  const answer = (body: Record<string, unknown>, t: number) => {
    const plan = AggregateTruth.plan(body as unknown as AggregateTruth.AggregateQueryLike, { nowMillis: t })!
    return Engine.compute(dataset, plan, store)
  }
  const pageSizes = new Map<string, number>()

  const query = (request: RawRequest, t: number) => {
    const body = parseJson(request)
    if (isApiError(body)) return body
    const valid = validateAggregate(body, options, false)
    if (isApiError(valid)) return valid
    const { results } = answer(valid.body, t)
    return json(200, results.length > 0 || options.sync.pastLastPage === "empty" ? { results } : {})
  }

  const submit = (request: RawRequest, t: number, jobFaults: ReadonlyArray<Faults.Fault>) => {
    const body = parseJson(request)
    if (isApiError(body)) return body
    const valid = validateAggregate(body, options, true)
    if (isApiError(valid)) return valid
    if (jobs.activeCount(t) >= options.jobs.maxConcurrent) return concurrencyExceeded(options, concurrentLimitKey)
    const { conversations, results } = answer(valid.body, t)
    const faults = jobFaultsOf(jobFaults, profile())
    const id = jobs.create({ t, availabilityMillis: t, indices: conversations, payload: results, ...faults })
    pageSizes.set(id, valid.pageSize)
    return json(202, { jobId: id })
  }

  const { status, cancel } = lifecycleRoutes(options, jobs)

  const results = (jobId: string, search: URLSearchParams, t: number, stale: StaleCursor) => {
    const job = jobs.get(jobId)
    if (job === undefined) return jobNotFound(jobId)
    const state = jobs.stateAt(job, t)
    if (state === "EXPIRED") return notFound(`Results for job ${jobId} have expired`)
    if (state !== "FULFILLED") return resultsNotReady(options, jobId, state)
    const all = job.payload ?? []
    const cursor = search.get("cursor")
    const offset = cursorOffset(job, cursor, stale, all.length)
    if (isApiError(offset)) return offset
    const pageSize = pageSizes.get(jobId) ?? options.jobs.resultsDefaultPageSize
    const page = all.slice(offset, offset + pageSize)
    const body: Record<string, unknown> = {}
    if (page.length > 0 || options.sync.pastLastPage === "empty") body.results = page
    if (stale === "repeat" && cursor !== null && cursor !== "") body.cursor = cursor
    else if (offset + pageSize < all.length) body.cursor = encodeCursor(job.id, offset + pageSize)
    jobs.pageServed(job, t)
    return json(200, body)
  }

  return { query, submit, status, cancel, results }
}
