/** The JSON body of a query or job submission, refused the way the platform refuses it. */
import { type ApiError, apiError, malformed } from "./wire.js"

/** The parsed body, 415 for a non-JSON content type, or 400 for text that does not parse. */
export const parseJson = (request: {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}): unknown | ApiError => {
  const type = request.headers["content-type"]
  // No content type is accepted: the SDKs and curl users often send none.
  if (type !== undefined && !/json/i.test(type)) {
    return apiError(415, "unsupported.media.type", "HTTP 415 Unsupported Media Type")
  }
  try {
    return JSON.parse(request.body)
  } catch {
    return malformed()
  }
}
