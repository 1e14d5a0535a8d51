/**
 * The checks a request meets before authentication, in the platform's order: an injected 5xx, the body
 * size limit, an unknown path, a method the path does not accept.
 */
import type { Decision } from "./faultEngine.js"
import type { Matched } from "./router.js"
import { type ApiError, apiError, notFound, type RawRequest } from "./wire.js"

/** Refused with `error` (and `headers`, e.g. `allow`), or passed on to `matched`. */
export type Admission =
  | { readonly _tag: "Refused"; readonly error: ApiError; readonly headers: Record<string, string> }
  | { readonly _tag: "Admitted"; readonly matched: Matched }

/** The `ErrorBody` a real gateway sends with each 5xx status. */
export const serverError = (status: number): ApiError =>
  status === 500
    ? apiError(500, "internal.server.error", "The server encountered an unexpected condition.")
    : status === 502
      ? apiError(502, "bad.gateway", "HTTP 502 Bad Gateway")
      : status === 503
        ? apiError(503, "service.unavailable", "Service Unavailable")
        : apiError(504, "request.timeout", "The request timed out.")

const refused = (error: ApiError, headers: Record<string, string> = {}): Admission => ({
  _tag: "Refused",
  error,
  headers
})

/** Whether `request` reaches its route; `matched` is its route, `undefined` for an unknown path. */
export const admit = (
  request: RawRequest,
  matched: Matched | undefined,
  decision: Decision,
  maxBodyBytes: number
): Admission => {
  if (decision.terminal?.kind === "serverError") return refused(serverError(decision.terminal.status ?? 500))
  if (request.body.length > maxBodyBytes) {
    return refused(apiError(413, "request.entity.too.large", "The request is too large."))
  }
  if (matched === undefined) return refused(notFound())
  if (!matched.allow.includes(request.method)) {
    return refused(apiError(405, "method.not.allowed", "HTTP 405 Method Not Allowed"), {
      allow: matched.allow.join(", ")
    })
  }
  return { _tag: "Admitted", matched }
}
