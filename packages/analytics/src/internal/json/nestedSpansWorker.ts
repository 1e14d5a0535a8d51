// The worker thread of `spanWorker.ts`: answers each page with its nested spans (`nestedSpans.ts`), and with a new
// buffer for a coming page's join when asked (`faultedBuffers.ts`).
import { parentPort } from "node:worker_threads"
import { faulted } from "../http/faultedBuffers.js"
import { nestedSpans } from "./nestedSpans.js"
import type { FreshBuffer, SpansAnswer, SpansRequest } from "./spanWorker.js"

const spansOf = (request: SpansRequest): Int32Array | undefined => {
  try {
    return nestedSpans(new Uint8Array(request.bytes, 0, request.length), request.list, new Set(request.nested))
  } catch {
    return undefined
  }
}

const freshOf = (size: number): ArrayBuffer | undefined => {
  try {
    return faulted(size)
  } catch {
    return undefined
  }
}

// The bytes go back with the answer, for the next page; then the new buffers asked for.
parentPort?.on("message", (request: SpansRequest) => {
  const spans = spansOf(request)
  const answer: SpansAnswer = { kind: "spans", id: request.id, spans, bytes: request.bytes }
  parentPort?.postMessage(answer, spans === undefined ? [request.bytes] : [request.bytes, spans.buffer as ArrayBuffer])
  for (let i = 0; i < request.fresh.count; i++) {
    const buffer = freshOf(request.fresh.size)
    const fresh: FreshBuffer = { kind: "fresh", id: request.id, buffer }
    parentPort?.postMessage(fresh, buffer === undefined ? [] : [buffer])
  }
})
