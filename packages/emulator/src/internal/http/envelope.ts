/** The last step of every answer: errors rendered as `ErrorBody`, common headers added, HEAD bodies dropped. */
import { type ApiError, isApiError, json, toBody, type WireResponse } from "./wire.js"

/**
 * The response sent for `method`: an `ApiError` becomes its `ErrorBody` with `correlationId` as `contextId`
 * (the platform's pairing), `extra` headers (rate limit, `allow`) are added and the correlation id comes last.
 */
export const envelope = (
  response: WireResponse | ApiError,
  correlationId: string,
  method: string,
  extra: Record<string, string>
): WireResponse => {
  const base: WireResponse = isApiError(response)
    ? json(response.status, toBody(response, correlationId), { ...response.headers })
    : response
  // A HEAD answer has the GET's status and headers and nothing to read ahead.
  const head = method === "HEAD"
  return {
    status: base.status,
    headers: { ...base.headers, ...extra, "inin-correlation-id": correlationId },
    body: head ? undefined : base.body,
    readAhead: head ? undefined : base.readAhead
  }
}
