/** A request as the router sees it: transport-neutral, body already read. */
export interface RawRequest {
  readonly method: string
  /** Path and query, e.g. `/api/v2/...?...`; any origin is ignored. */
  readonly url: string
  /** Lower-case names. Repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/** A response as the public `handleRaw` gives it. */
export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string | undefined
}

/** Conversations a client will ask for soon (a submitted job's results, a results page's next page), to warm. */
export interface ReadAheadHint {
  /** One warm-up per key: a later hint under the same key replaces it. */
  readonly key: string
  /** Dataset indices to warm. */
  readonly indices: ReadonlyArray<number>
  /** Warm only into the budget the cache does not use yet (a whole job's results, before anything asks for them). */
  readonly unusedRoomOnly?: boolean | undefined
}

/**
 * A response as the router produces it: large bodies are bytes (assembled from cached conversations) so
 * the server writes them without re-encoding.
 */
export interface WireResponse {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array<ArrayBuffer> | undefined
  readonly readAhead?: ReadAheadHint | undefined
}

const decoder = new TextDecoder()

/** The public form: bytes decoded to text, no read-ahead hint. */
export const toRawResponse = (wire: WireResponse): RawResponse => ({
  status: wire.status,
  headers: wire.headers,
  body: wire.body instanceof Uint8Array ? decoder.decode(wire.body) : wire.body
})

/** The `ErrorBody` of FACTS §5.3. */
export interface ErrorBody {
  readonly message: string
  readonly code: string
  readonly status: number
  readonly messageWithParams?: string
  readonly messageParams: Readonly<Record<string, string>>
  readonly contextId: string
  readonly details: ReadonlyArray<{ readonly errorCode?: string; readonly fieldName?: string }>
  readonly errors: ReadonlyArray<ErrorBody>
  readonly limit?: { readonly namespace: string; readonly key: string; readonly value: number }
}

/** An error the router raises; `contextId` and headers are added where the response is built. */
export interface ApiError {
  readonly _tag: "ApiError"
  readonly status: number
  readonly code: string
  readonly message: string
  readonly messageWithParams?: string
  readonly messageParams?: Readonly<Record<string, string>>
  readonly fieldName?: string
  readonly limit?: ErrorBody["limit"]
  readonly headers?: Readonly<Record<string, string>>
}

export const apiError = (
  status: number,
  code: string,
  message: string,
  extra: Omit<ApiError, "_tag" | "status" | "code" | "message"> = {}
): ApiError => ({ _tag: "ApiError", status, code, message, ...extra })

export const isApiError = (u: unknown): u is ApiError =>
  typeof u === "object" && u !== null && (u as { _tag?: unknown })._tag === "ApiError"

export const MALFORMED = "The request could not be understood by the server due to malformed syntax."

export const badRequest = (message: string, fieldName?: string): ApiError =>
  apiError(400, "bad.request", message, fieldName === undefined ? {} : { fieldName })

export const malformed = (fieldName?: string): ApiError => badRequest(MALFORMED, fieldName)

export const invalidValue = (
  value: unknown,
  fieldType: string,
  allowed: Iterable<string>,
  fieldName: string
): ApiError => {
  const shown = typeof value === "string" ? value : JSON.stringify(value)
  const list = Array.from(allowed).join(", ")
  return apiError(
    400,
    "invalid.value",
    `Value [${shown}] is not valid for field type [${fieldType}]. Allowable values are: ${list}`,
    {
      messageWithParams:
        "Value [{value}] is not valid for field type [{fieldType}]. Allowable values are: {allowableValues}",
      messageParams: { value: shown, fieldType, allowableValues: list },
      fieldName
    }
  )
}

export const notFound = (message = "HTTP 404 Not Found"): ApiError => apiError(404, "not.found", message)

export const toBody = (error: ApiError, contextId: string): ErrorBody => ({
  message: error.message,
  code: error.code,
  status: error.status,
  ...(error.messageWithParams === undefined ? {} : { messageWithParams: error.messageWithParams }),
  messageParams: error.messageParams ?? {},
  contextId,
  details: error.fieldName === undefined ? [] : [{ errorCode: error.code, fieldName: error.fieldName }],
  errors: [],
  ...(error.limit === undefined ? {} : { limit: error.limit })
})

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body)
})

export const empty = (status: number, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers,
  body: undefined
})
