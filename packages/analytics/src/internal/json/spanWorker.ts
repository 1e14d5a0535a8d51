// One worker thread per process that checks large pages for the page reader (`nestedSpans.ts`), so that a stream
// reading several jobs at once checks one page beside the main thread while the main thread reads another. The worker
// starts on the first large page and never holds the process open while it has nothing to do. Anything that goes
// wrong with it (it cannot start, it dies, it answers `undefined`) leaves the page to the main thread, as before.
import { Worker } from "node:worker_threads"
import * as Effect from "effect/Effect"

/** A page sent to the worker: a copy of its bytes, in a buffer handed over (and handed back with the answer). @internal */
export interface SpansRequest {
  readonly id: number
  readonly bytes: ArrayBuffer
  readonly length: number
  readonly list: string
  readonly nested: ReadonlyArray<string>
}

/** The worker's answer: `nestedSpans` of the page. @internal */
export interface SpansAnswer {
  readonly id: number
  readonly spans: Int32Array | undefined
  readonly bytes: ArrayBuffer
}

/** Asks a worker for a page's nested spans; `undefined` when it cannot tell. @internal */
export interface SpanWorker {
  readonly spans: (
    bytes: Uint8Array,
    list: string,
    nested: ReadonlyArray<string>
  ) => Effect.Effect<Int32Array | undefined>
}

const roundTo = 1 << 20
const maxSpare = 2
// Pages waiting on the worker at most: past them a page is checked on the main thread, which would otherwise wait.
const maxQueued = 2

/** A worker running the script at `url`, started when first asked. @internal */
export const make = (url: URL): SpanWorker => {
  // `null`: it could not start, or died; every page is then read on the main thread.
  let worker: Worker | null | undefined
  const pending = new Map<number, (spans: Int32Array | undefined) => void>()
  let nextId = 0
  // Buffers the worker handed back. A new one costs more than the copy into it (the memory is zeroed and faulted in),
  // and the pages of a run are of one size. (Shared memory would spare the hand-over, but the worker reads it at
  // half the speed.)
  let spare: Array<ArrayBuffer> = []
  const bufferFor = (length: number): ArrayBuffer => {
    const fits = spare.findIndex((buffer) => buffer.byteLength >= length)
    if (fits < 0) return new ArrayBuffer(Math.ceil(length / roundTo) * roundTo)
    const [buffer] = spare.splice(fits, 1)
    return buffer!
  }

  const forget = (id: number) => {
    pending.delete(id)
    if (pending.size === 0) worker?.unref()
  }

  const settle = (answer: SpansAnswer) => {
    spare = [answer.bytes, ...spare].slice(0, maxSpare)
    const resolve = pending.get(answer.id)
    forget(answer.id)
    resolve?.(answer.spans)
  }

  const broken = () => {
    worker = null
    const waiting = [...pending.values()]
    pending.clear()
    for (const resolve of waiting) resolve(undefined)
  }

  const started = (): Worker | undefined => {
    if (worker === undefined) {
      try {
        const created = new Worker(url)
        created.unref()
        created.on("message", settle)
        created.on("error", broken)
        created.on("exit", broken)
        worker = created
      } catch {
        worker = null
      }
    }
    return worker ?? undefined
  }

  return {
    spans: (bytes, list, nested) =>
      Effect.async<Int32Array | undefined>((resume) => {
        const running = pending.size < maxQueued ? started() : undefined
        if (running === undefined) return resume(Effect.succeed(undefined))
        const id = nextId++
        // A copy handed over: posting the bytes themselves serialises them, several times slower than a copy. (The
        // caller's own buffer cannot be handed over: it still reads it.)
        const copy = bufferFor(bytes.byteLength)
        new Uint8Array(copy, 0, bytes.byteLength).set(bytes)
        pending.set(id, (spans) => resume(Effect.succeed(spans)))
        running.ref()
        const request: SpansRequest = { id, bytes: copy, length: bytes.byteLength, list, nested }
        running.postMessage(request, [copy])
        return Effect.sync(() => forget(id))
      })
  }
}

/**
 * The worker beside this module's build (`nestedSpansWorker.js`); run from its TypeScript source (the tests), the
 * build's, which the test command makes first. @internal
 */
export const shared: SpanWorker = make(
  import.meta.url.endsWith(".ts")
    ? new URL("../../../dist/internal/json/nestedSpansWorker.js", import.meta.url)
    : new URL("./nestedSpansWorker.js", import.meta.url)
)
