// The paths of the conversation-detail API, in one place so that every part records the same route template in
// metrics and audit events.

/** The API prefix of every conversation-detail path. */
export const base = "/api/v2/analytics/conversations"

/** Route templates, as recorded in metrics and audit events. */
export const routes = {
  query: `POST ${base}/details/query`,
  submitJob: `POST ${base}/details/jobs`,
  jobStatus: `GET ${base}/details/jobs/{jobId}`,
  jobResults: `GET ${base}/details/jobs/{jobId}/results`,
  cancelJob: `DELETE ${base}/details/jobs/{jobId}`,
  availability: `GET ${base}/details/jobs/availability`,
  conversation: `GET ${base}/{conversationId}/details`
} as const

/** The path of one job, its id escaped. */
export const jobPath = (jobId: string): string => `${base}/details/jobs/${encodeURIComponent(jobId)}`

/**
 * Where a family of jobs lives: the submission path, the path of one job, and the route templates recorded for each
 * request. The job parts (submit, status, cancel, cursor pages) take it, so the aggregates jobs reuse them.
 */
export interface JobRoutes {
  readonly submitPath: string
  readonly jobPath: (jobId: string) => string
  readonly submitJob: string
  readonly jobStatus: string
  readonly jobResults: string
  readonly cancelJob: string
}

/** The conversation-detail jobs. */
export const detailJobs: JobRoutes = {
  submitPath: `${base}/details/jobs`,
  jobPath,
  submitJob: routes.submitJob,
  jobStatus: routes.jobStatus,
  jobResults: routes.jobResults,
  cancelJob: routes.cancelJob
}
