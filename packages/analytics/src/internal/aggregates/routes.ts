// The paths of the conversation-aggregates API (FACTS-aggregates §1, E1–E5), in one place so that every part records
// the same route template in metrics and audit events. The job family plugs into the details' job parts.
import type { JobRoutes } from "../details/routes.js"

/** The API prefix of every conversation-aggregates path. */
export const base = "/api/v2/analytics/conversations/aggregates"

/** Route templates, as recorded in metrics and audit events. */
export const routes = {
  query: `POST ${base}/query`,
  submitJob: `POST ${base}/jobs`,
  jobStatus: `GET ${base}/jobs/{jobId}`,
  jobResults: `GET ${base}/jobs/{jobId}/results`,
  cancelJob: `DELETE ${base}/jobs/{jobId}`
} as const

/** The path of one job, its id escaped. */
export const jobPath = (jobId: string): string => `${base}/jobs/${encodeURIComponent(jobId)}`

/** The aggregates jobs, for the details' job parts (submit, status, cancel). */
export const aggregateJobs: JobRoutes = {
  submitPath: `${base}/jobs`,
  jobPath,
  submitJob: routes.submitJob,
  jobStatus: routes.jobStatus,
  jobResults: routes.jobResults,
  cancelJob: routes.cancelJob
}
