// A response body decoded once from its bytes. `HttpClientResponse.text` over Node's `http` (`NodeHttpClient`) appends
// each 64 KiB chunk, decoded, to a string: a page of 5 MiB is ~90 chunk strings that live until the page is parsed,
// long enough for V8 to promote them to the old generation, where they stay until a major collection (scenario 1's
// peak RSS was 1.6× the SDK's, which collects `Buffer`s and decodes once, as here). `fetch` and undici already collect
// bytes and decode once: their responses keep `text`.
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"

// Strips a leading BOM, as `fetch` and undici do (the platform's `text` over `http` kept it, and JSON.parse refused it).
const decoder = new TextDecoder()

/** The bytes of `chunks` decoded as UTF-8, copied into one buffer only when there are several. @internal */
export const decodeChunks = (chunks: ReadonlyArray<Uint8Array>, byteLength: number): string => {
  if (chunks.length === 1) return decoder.decode(chunks[0])
  const whole = new Uint8Array(byteLength)
  let offset = 0
  for (const chunk of chunks) {
    whole.set(chunk, offset)
    offset += chunk.length
  }
  return decoder.decode(whole)
}

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
  Effect.async<string, HttpClientError.ResponseError>((resume) => {
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
      resume(
        Effect.try({
          try: () => decodeChunks(chunks, byteLength),
          catch: (cause) => decodeError(response, cause)
        }).pipe(
          // A `transformClient` wrapper that hands on the original's `text` gets the body again (the platform caches
          // it there; the message cannot be read twice).
          Effect.tap((text) =>
            Effect.sync(() => {
              if ("textEffect" in holder) holder.textEffect = Effect.succeed(text)
            })
          )
        )
      )
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

/** The response's body as text, decoded once from its bytes. @internal */
export const bodyText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError> => {
  const holder = nodeHolder(response)
  return holder === undefined ? response.text : readNodeBody(response, holder)
}
