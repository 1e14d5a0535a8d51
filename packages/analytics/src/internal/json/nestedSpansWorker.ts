// The worker thread of `spanWorker.ts`: answers each page with its nested spans (`nestedSpans.ts`).
import { parentPort } from "node:worker_threads"
import { nestedSpans } from "./nestedSpans.js"
import type { SpansAnswer, SpansRequest } from "./spanWorker.js"

const spansOf = (request: SpansRequest): Int32Array | undefined => {
  try {
    return nestedSpans(new Uint8Array(request.bytes, 0, request.length), request.list, new Set(request.nested))
  } catch {
    return undefined
  }
}

// The bytes go back with the answer, for the next page.
parentPort?.on("message", (request: SpansRequest) => {
  const spans = spansOf(request)
  const answer: SpansAnswer = { id: request.id, spans, bytes: request.bytes }
  parentPort?.postMessage(answer, spans === undefined ? [request.bytes] : [request.bytes, spans.buffer as ArrayBuffer])
})
