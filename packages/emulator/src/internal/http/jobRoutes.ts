/**
 * The job endpoints other than results (FACTS §3.3): submit with the concurrency limit and job faults,
 * status, cancel and the data-availability instant.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Faults from "../../Faults.js"
import type * as GroundTruth from "../../GroundTruth.js"
import { parseJson } from "./jsonBody.js"
import { isLive, type Job, type JobState, type JobStore } from "./jobStore.js"
import type { QueryTruth } from "./queryTruth.js"
import { validateAsync } from "./validate.js"
import {
  type ApiError,
  apiError,
  empty,
  isApiError,
  json,
  notFound,
  type RawRequest,
  type RawResponse,
  type ReadAheadHint,
  type WireResponse
} from "./wire.js"

/** The handlers of the job endpoints other than results. */
export interface JobRoutes {
  /**
   * `POST …/jobs`; `jobFaults` are the failJob/expireJob faults that hit this submission. An accepted job's response
   * asks the server to build its results while it runs, as the platform does, so that a page costs a round trip.
   */
  readonly submit: (request: RawRequest, t: number, jobFaults: ReadonlyArray<Faults.Fault>) => WireResponse | ApiError
  readonly status: (jobId: string, t: number) => RawResponse | ApiError
  readonly cancel: (jobId: string, t: number) => WireResponse | ApiError
  readonly availability: (t: number) => RawResponse
}

/** How the faults of a submission shape the job: the first of each kind wins, then the profile's defaults. */
export const jobFaultsOf = (
  jobFaults: ReadonlyArray<Faults.Fault>,
  profile: Faults.FaultProfile
): { readonly failMessage: string | undefined; readonly expireAfterPages: number | undefined } => {
  let failMessage: string | undefined
  let expireAfterPages: number | undefined
  for (const fault of jobFaults) {
    if (fault.kind === "failJob") {
      failMessage ??= fault.errorMessage ?? profile.failJobMessage ?? Faults.defaultFailJobMessage
    } else if (fault.kind === "expireJob") {
      expireAfterPages ??= fault.afterPages ?? profile.expireJobAfterPages ?? 1
    }
  }
  return { failMessage, expireAfterPages }
}

/** The status body of `job` in `state`: which dates a real org sends depends on the state. */
export const statusBody = (job: Job, state: JobState, resultTtlMillis: number): Record<string, unknown> => {
  const body: Record<string, unknown> = { state }
  if (state === "FAILED") body.errorMessage = job.failMessage
  body.submissionDate = iso(job.submittedAt)
  if (state === "CANCELLED") body.completionDate = iso(job.cancelledAt!)
  else if (!isLive(state)) body.completionDate = iso(job.completedAt)
  if (state === "FULFILLED" || state === "EXPIRED") {
    body.expirationDate = iso(Math.min(job.expiredAt ?? Number.POSITIVE_INFINITY, job.completedAt + resultTtlMillis))
  }
  return body
}

/** The 404 of an unknown job id. */
export const jobNotFound = (jobId: string): ApiError => notFound(`Unable to find job with id ${jobId}`)

const iso = (millis: number) => new Date(millis).toISOString()

/** The 429 of a submission past the concurrent-jobs limit, naming the limit `key` of its kind of job. */
export const concurrencyExceeded = (
  options: EmulatorOptions,
  key: string = options.jobs.concurrentLimitKey
): ApiError => {
  const max = options.jobs.maxConcurrent
  return apiError(429, "too.many.requests", `The maximum number of concurrent jobs [${max}] has been reached`, {
    messageWithParams: "The maximum number of concurrent jobs [{limit}] has been reached",
    messageParams: { limit: String(max) },
    limit: { namespace: "analytics", key, value: max }
  })
}

/** The read-ahead hint that builds a job's results (`indices`; none: stop) into the cache's unused budget. */
const warmResults = (jobId: string, indices: ReadonlyArray<number>): ReadAheadHint => ({
  key: `run:${jobId}`,
  indices,
  unusedRoomOnly: true
})

/** Status (202 while the job runs, as the platform answers) and cancel of the jobs of one store. */
export const lifecycleRoutes = (options: EmulatorOptions, jobs: JobStore) => ({
  status: (jobId: string, t: number): RawResponse | ApiError => {
    const job = jobs.get(jobId)
    if (job === undefined) return jobNotFound(jobId)
    const state = jobs.stateAt(job, t)
    return json(isLive(state) ? 202 : 200, statusBody(job, state, options.jobs.resultTtlMillis))
  },
  cancel: (jobId: string, t: number): WireResponse | ApiError => {
    const job = jobs.get(jobId)
    if (job === undefined) return jobNotFound(jobId)
    jobs.cancel(job, t)
    // A cancelled job's results will never be read: stop building them.
    return { ...empty(204), readAhead: warmResults(jobId, []) }
  }
})

/** The handlers over `jobs`; `profile` reads the fault profile in force at the time of a submission. */
export const make = (
  options: EmulatorOptions,
  jobs: JobStore,
  truth: QueryTruth,
  profile: () => Faults.FaultProfile
): JobRoutes => {
  const submit = (request: RawRequest, t: number, jobFaults: ReadonlyArray<Faults.Fault>) => {
    const body = parseJson(request)
    if (isApiError(body)) return body
    const valid = validateAsync(body, options)
    if (isApiError(valid)) return valid
    if (jobs.activeCount(t) >= options.jobs.maxConcurrent) return concurrencyExceeded(options)
    const indices = truth.job(valid.body as unknown as GroundTruth.AsyncQueryLike, t).indices
    const faults = jobFaultsOf(jobFaults, profile())
    const id = jobs.create({ t, availabilityMillis: truth.availabilityAt(t), indices, ...faults })
    const accepted = json(202, { jobId: id })
    // A job that will fail has no results to build.
    return faults.failMessage !== undefined ? accepted : { ...accepted, readAhead: warmResults(id, indices) }
  }

  const { status, cancel } = lifecycleRoutes(options, jobs)

  const availability = (t: number) => json(200, { dataAvailabilityDate: iso(truth.availabilityAt(t)) })

  return { submit, status, cancel, availability }
}
