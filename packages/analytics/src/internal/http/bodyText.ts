// A response body read once as bytes where the transport gives them, and decoded to text only when something reads
// the text. `HttpClientResponse.text` over Node's `http` (`NodeHttpClient`) appends each 64 KiB chunk, decoded, to a
// string: a page of 5 MiB is ~90 chunk strings that live until the page is parsed, long enough for V8 to promote them
// to the old generation, where they stay until a major collection (scenario 1's peak RSS was 1.6× the SDK's, which
// collects `Buffer`s and decodes once, as here). Keeping the bytes also lets a reader of results pages skip decoding
// what it does not read (`internal/details/lazyRecords.ts`).
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as BodyBuffers from "./bodyBuffers.js"

// Strips a leading BOM, as `fetch` and undici do (the platform's `text` over `http` kept it, and JSON.parse refused it).
const decoder = new TextDecoder()

/** A body as read: its bytes when the transport gave them, and its text, decoded on first call. @internal */
export interface Body {
  readonly bytes: Uint8Array | undefined
  readonly text: () => string
}

/** A body known only as text. @internal */
export const textBody = (text: string): Body => ({ bytes: undefined, text: () => text })

// Bytes whose buffer went back to the pool (`bodyBuffers.ts`) are detached: empty, which must not pass for the body.
const intact = (bytes: Uint8Array, byteLength: number): Uint8Array => {
  if (bytes.byteLength !== byteLength) throw new Error("a response body was read after its buffer was recycled")
  return bytes
}

/** A body of `bytes`, decoded as UTF-8 once, when its text is first asked for. @internal */
export const bytesBody = (bytes: Uint8Array): Body => {
  const byteLength = bytes.byteLength
  let text: string | undefined
  return { bytes, text: () => (text ??= decoder.decode(intact(bytes, byteLength))) }
}

/** `chunks` as one buffer of `byteLength` bytes, copied only when there are several (`bodyBuffers.ts`). @internal */
export const concatChunks = (chunks: ReadonlyArray<Uint8Array>, byteLength: number): Uint8Array =>
  BodyBuffers.shared.join(chunks, byteLength)

/** What this module needs of a Node `IncomingMessage`. @internal */
export interface NodeBody {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown
  once(event: "end" | "close", listener: () => void): unknown
  once(event: "error", listener: (cause: unknown) => void): unknown
  off(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(): unknown
  readonly destroyed: boolean
  readonly readableEnded: boolean
}

/** The platform's response that holds the message, where its cached `text` lives. */
interface Holder {
  readonly source: NodeBody
  textEffect?: unknown
}

const isNodeBody = (value: unknown): value is NodeBody => {
  if (typeof value !== "object" || value === null) return false
  const candidate = value as Partial<Record<keyof NodeBody, unknown>>
  return (
    typeof candidate.on === "function" &&
    typeof candidate.once === "function" &&
    typeof candidate.off === "function" &&
    typeof candidate.destroy === "function" &&
    typeof candidate.destroyed === "boolean" &&
    candidate.readableEnded === false
  )
}

/**
 * The response of `@effect/platform-node`'s `NodeHttpClient` that holds the `IncomingMessage` (its `source`), under
 * the `original` of the wrapper `HttpClient` hands out (which aborts the request when its scope closes). Its `stream`
 * reads the message in paused mode, each pull an effect and a copy of the buffered bytes: ~10 % more CPU a page than
 * the message's own events. A response of any other client, or of a platform without these fields, keeps `text`.
 */
const nodeHolder = (response: HttpClientResponse.HttpClientResponse): Holder | undefined => {
  let current: unknown = response
  for (let depth = 0; depth < 3 && typeof current === "object" && current !== null; depth++) {
    const { source, original } = current as { readonly source?: unknown; readonly original?: unknown }
    if (isNodeBody(source)) return current as Holder
    current = original
  }
  return undefined
}

/** The Node message under `response`, when it is one this module reads itself. @internal */
export const nodeBody = (response: HttpClientResponse.HttpClientResponse): NodeBody | undefined =>
  nodeHolder(response)?.source

const decodeError = (response: HttpClientResponse.HttpClientResponse, cause: unknown) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

// `HttpIncomingMessage.MaxBodySize`, which the platform's `text` enforced, is not: nothing here sets it, and a page's
// size is bounded by its page size.
const readNodeBody = (response: HttpClientResponse.HttpClientResponse, holder: Holder) =>
  Effect.async<Body, HttpClientError.ResponseError>((resume) => {
    const body = holder.source
    // Reset between the headers and the body: no event will come.
    if (body.destroyed)
      return resume(Effect.fail(decodeError(response, new Error("the connection closed before the body"))))
    const chunks: Array<Uint8Array> = []
    let byteLength = 0
    const onData = (chunk: Uint8Array) => {
      chunks.push(chunk)
      byteLength += chunk.length
    }
    // Only this reader's listeners go: whatever else listens to the message (Node's http, the platform) stays.
    const detach = () => {
      body.off("data", onData)
      body.off("end", onEnd)
      body.off("error", onError)
      body.off("close", onClose)
    }
    const onEnd = () => {
      detach()
      const read = bytesBody(concatChunks(chunks, byteLength))
      // A `transformClient` wrapper that hands on the original's `text` gets the body again (the platform caches it
      // there; the message cannot be read twice).
      if ("textEffect" in holder) holder.textEffect = Effect.sync(read.text)
      resume(Effect.succeed(read))
    }
    const onError = (cause: unknown) => {
      detach()
      resume(Effect.fail(decodeError(response, cause)))
    }
    const onClose = () => onError(new Error("the connection closed before the body ended"))
    body.on("data", onData)
    body.once("end", onEnd)
    body.once("error", onError)
    body.once("close", onClose)
    return Effect.sync(() => {
      detach()
      body.destroy()
    })
  })

/** What this module needs of the platform's response over `fetch`: the web `Response` and its cached bodies. */
interface WebHolder {
  readonly source: { readonly bodyUsed: boolean; readonly body: ReadableStream<Uint8Array> | null }
  textBody?: unknown
  arrayBufferBody?: unknown
}

/** The platform's response over a web `Response` whose body nobody has read, under any `original` wrappers. */
const webHolder = (response: HttpClientResponse.HttpClientResponse): WebHolder | undefined => {
  let current: unknown = response
  for (let depth = 0; depth < 3 && typeof current === "object" && current !== null; depth++) {
    const { source, original } = current as { readonly source?: unknown; readonly original?: unknown }
    const web = source as Partial<WebHolder["source"]> | undefined
    if (
      typeof web === "object" &&
      web !== null &&
      web.bodyUsed === false &&
      // A body someone holds a reader of cannot be read here: the platform's own read then fails as it does.
      (web.body === null || (typeof web.body?.getReader === "function" && web.body.locked === false)) &&
      "textBody" in current
    )
      return current as unknown as WebHolder
    current = original
  }
  return undefined
}

// The chunks of a web `Response`'s body, read from its stream and joined once. Its `arrayBuffer()` (undici's) joins
// them into one copy and then copies that again into a fresh `ArrayBuffer`: a third copy of every page, and ~8 ms a
// page of 5.8 MB on the main thread in scenario 6's tail. Interrupted, the read cancels the stream, which aborts the
// download (as the platform's wrapper does); the platform's cached bodies then answer from the bytes read here.
const readWebBody = (response: HttpClientResponse.HttpClientResponse, holder: WebHolder) =>
  Effect.async<Body, HttpClientError.ResponseError>((resume) => {
    const stream = holder.source.body
    const done = (bytes: Uint8Array) => {
      const body = bytesBody(bytes)
      holder.textBody = Effect.sync(body.text)
      const byteLength = bytes.byteLength
      holder.arrayBufferBody = Effect.sync(() => new Uint8Array(intact(bytes, byteLength)).buffer)
      resume(Effect.succeed(body))
    }
    if (stream === null) return done(new Uint8Array(0))
    const reader = stream.getReader()
    let finished = false
    const chunks: Array<Uint8Array> = []
    let byteLength = 0
    const pump = async () => {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        chunks.push(value)
        byteLength += value.length
      }
    }
    // A cancelled stream ends its pending read as done: what was read by then is not the body, and caches nothing.
    pump().then(
      () => {
        if (finished) return
        finished = true
        done(concatChunks(chunks, byteLength))
      },
      (cause: unknown) => {
        if (finished) return
        finished = true
        resume(Effect.fail(decodeError(response, cause)))
      }
    )
    return Effect.sync(() => {
      if (finished) return
      finished = true
      reader.cancel().catch(() => undefined)
    })
  })

/** The response's body, read once: as bytes over Node's `http` and `fetch`, else as the platform's text. @internal */
export const readBody = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<Body, HttpClientError.ResponseError> => {
  const node = nodeHolder(response)
  if (node !== undefined) return readNodeBody(response, node)
  const web = webHolder(response)
  if (web !== undefined) return readWebBody(response, web)
  return Effect.map(response.text, textBody)
}
