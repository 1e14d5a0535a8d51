// A response body read as bytes and decoded once. `HttpClientResponse.text` over Node's `http` appends each 64 KiB
// chunk, decoded, to a string: a page of 5 MiB is ~90 chunk strings that live until the page is parsed, long enough
// for V8 to promote them to the old generation, where they stay until a major collection (a run's peak RSS rose to
// 1.6× the SDK's, which collects `Buffer`s and decodes once, as here).
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

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

/** What this module needs of a Node `IncomingMessage`. */
interface NodeBody {
  on(event: "data", listener: (chunk: Uint8Array) => void): unknown
  once(event: "end" | "close", listener: () => void): unknown
  once(event: "error", listener: (cause: unknown) => void): unknown
  off(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(): unknown
}

/**
 * The `IncomingMessage` under a response of `@effect/platform-node`'s `NodeHttpClient` (its `source`, under the
 * `original` of the response `HttpClient` hands out, which aborts the request when its scope closes). That response's
 * `stream` reads the message in paused mode, each pull an effect and a copy of the buffered bytes: ~10 % more CPU per
 * page than its events. Any other response, or a platform without these fields, is read through `stream`.
 */
const nodeBody = (response: HttpClientResponse.HttpClientResponse): NodeBody | undefined => {
  let current: unknown = response
  for (let depth = 0; depth < 3 && typeof current === "object" && current !== null; depth++) {
    const { source, original } = current as { readonly source?: unknown; readonly original?: unknown }
    if (isNodeBody(source)) return source
    current = original
  }
  return undefined
}

const isNodeBody = (value: unknown): value is NodeBody => {
  if (typeof value !== "object" || value === null) return false
  const candidate = value as Partial<Record<keyof NodeBody, unknown>> & { readonly readableEnded?: unknown }
  return (
    typeof candidate.on === "function" &&
    typeof candidate.once === "function" &&
    typeof candidate.off === "function" &&
    typeof candidate.destroy === "function" &&
    candidate.readableEnded === false
  )
}

const decodeError = (response: HttpClientResponse.HttpClientResponse, cause: unknown) =>
  new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })

const readNodeBody = (response: HttpClientResponse.HttpClientResponse, body: NodeBody) =>
  Effect.async<string, HttpClientError.ResponseError>((resume) => {
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
      resume(Effect.sync(() => decodeChunks(chunks, byteLength)))
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

const readStream = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let byteLength = 0
    return Stream.runForEachChunk(response.stream, (chunk) =>
      Effect.sync(() => {
        for (const bytes of chunk) {
          chunks.push(bytes)
          byteLength += bytes.length
        }
      })
    ).pipe(
      Effect.map(() => decodeChunks(chunks, byteLength)),
      // A web response without a body (a 204, a DELETE's 202) has no stream; its text is empty.
      Effect.catchIf(
        (e) => e.reason === "EmptyBody",
        () => Effect.succeed("")
      )
    )
  })

/** The response's body as text, decoded once from its bytes. @internal */
export const bodyText = (
  response: HttpClientResponse.HttpClientResponse
): Effect.Effect<string, HttpClientError.ResponseError> => {
  const body = nodeBody(response)
  return body === undefined ? readStream(response) : readNodeBody(response, body)
}
