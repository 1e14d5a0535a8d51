/** What a request addresses: its path and query string, its route, and what fault rules look at. */
import type { FaultTarget } from "./faultEngine.js"
import { type Matched, match } from "./router.js"
import type { RawRequest } from "./wire.js"

/** The addressed resource of one request. */
export interface RequestTarget {
  readonly path: string
  /** The query string with its `?`, or "". */
  readonly search: string
  /** `undefined`: no such path (404). */
  readonly matched: Matched | undefined
  readonly fault: FaultTarget
}

/** The target of `request`; absolute URLs are accepted (any origin is answered). */
export const of = (request: RawRequest): RequestTarget => {
  const q = request.url.indexOf("?")
  const rawPath = q < 0 ? request.url : request.url.slice(0, q)
  const search = q < 0 ? "" : request.url.slice(q)
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawPath) ? new URL(rawPath).pathname : rawPath
  const matched = match(path)
  const fault: FaultTarget = {
    method: request.method,
    path,
    api: path.startsWith("/api/v2/"),
    submit: (matched?.route._tag === "Jobs" || matched?.route._tag === "AggregateJobs") && request.method === "POST",
    cursor:
      (matched?.route._tag === "JobResults" || matched?.route._tag === "AggregateJobResults") &&
      new URLSearchParams(search).get("cursor") !== null
  }
  return { path, search, matched, fault }
}
