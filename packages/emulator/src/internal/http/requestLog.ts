/** The emulator's record of the requests it saw, bounded so a long soak cannot grow it without end. */

/** One request as the emulator saw it. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly search: string
  /** 0 when the connection was dropped. */
  readonly status: number
  /** Emulator time when the request arrived. */
  readonly atMillis: number
  readonly correlationId: string
}

/** The last `limit` requests, oldest first. */
export interface RequestLog {
  /** Append one request, dropping the oldest past the limit. */
  readonly record: (request: RecordedRequest) => void
  /** A copy of the log, so callers never see it change under them. */
  readonly list: () => ReadonlyArray<RecordedRequest>
  /** Forget every request. */
  readonly clear: () => void
}

/** An empty log that keeps the last `limit` requests. */
export const make = (limit: number): RequestLog => {
  let recorded: Array<RecordedRequest> = []
  return {
    record: (request) => {
      recorded.push(request)
      // Trimmed on every push: a slice per request past the limit, never an unbounded array.
      if (recorded.length > limit) recorded = recorded.slice(-limit)
    },
    list: () => recorded.slice(),
    clear: () => {
      recorded = []
    }
  }
}
