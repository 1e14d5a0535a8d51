/**
 * A response with its body read (`Exchange`), remembered per response object so that the combinators after
 * the attempt (body check, status flags, ErrorBody mapping) read the body once; and the byte counts of metrics.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { Transport } from "../../GenesysError.js"
import { type Body, textBody } from "./bodyText.js"
import type { Exchange } from "./errorBody.js"
import * as KnownSecrets from "./knownSecrets.js"

const exchanges = new WeakMap<HttpClientResponse.HttpClientResponse, Exchange>()

/** The URL without its query string (cursors are not secret, but errors stay short). @internal */
export const stripQuery = (url: string): string => {
  const i = url.indexOf("?")
  return i === -1 ? url : url.slice(0, i)
}

/** A response's `inin-correlation-id`, scrubbed: a header is server text too, which could echo a credential. @internal */
export const correlationIdOf = (headers: Headers.Headers): string | undefined =>
  KnownSecrets.scrubOptional(Option.getOrUndefined(Headers.get(headers, "inin-correlation-id")))

/** Builds and remembers the exchange of a response whose body has been read. @internal */
export const remember = (
  request: HttpClientRequest.HttpClientRequest,
  response: HttpClientResponse.HttpClientResponse,
  body: Body,
  route: string
): Exchange => {
  const exchange: Exchange = {
    method: request.method,
    url: stripQuery(request.url),
    route,
    status: response.status,
    headers: response.headers,
    bytes: body.bytes,
    // Decoded when first read: a reader of the bytes (a results page) may never need the text.
    get body() {
      return body.text()
    },
    correlationId: correlationIdOf(response.headers)
  }
  exchanges.set(response, exchange)
  return exchange
}

/**
 * The exchange of a response: the one remembered by the attempt, or (for a response a user's `transformClient`
 * made up) read now.
 *
 * @internal
 */
export const readExchange = (response: HttpClientResponse.HttpClientResponse): Effect.Effect<Exchange, Transport> => {
  const known = exchanges.get(response)
  if (known !== undefined) return Effect.succeed(known)
  return Effect.map(
    Effect.mapError(
      response.text,
      (e) =>
        new Transport({
          method: response.request.method,
          url: stripQuery(response.request.url),
          status: response.status,
          reason: "Connection",
          detail: `response ${e.reason}`
        })
    ),
    (body) => remember(response.request, response, textBody(body), "")
  )
}

const wideUnit = /[\u0080-\uffff]/g

/** UTF-8 length of `text`, without encoding it (a native scan skips the ASCII that JSON mostly is). @internal */
export const utf8Length = (text: string): number => {
  // One byte per UTF-16 unit, plus what wider characters take.
  let bytes = text.length
  wideUnit.lastIndex = 0
  while (wideUnit.exec(text) !== null) {
    const i = wideUnit.lastIndex - 1
    const code = text.charCodeAt(i)
    if (code < 0x800) {
      bytes += 1
      continue
    }
    // Three bytes, and a surrogate pair (two units) is one four-byte character; a lone surrogate becomes U+FFFD.
    bytes += 2
    const next = text.charCodeAt(i + 1)
    if (code >= 0xd800 && code <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) wideUnit.lastIndex++
  }
  return bytes
}

/** Bytes of a response body as sent: its `content-length` when it has one, else what was read. @internal */
export const responseBytes = (headers: Headers.Headers, body: Body): number => {
  const declared = Option.getOrUndefined(Headers.get(headers, "content-length"))?.trim()
  if (declared !== undefined && /^\d{1,15}$/.test(declared)) return Number(declared)
  return body.bytes !== undefined ? body.bytes.length : utf8Length(body.text())
}
