/**
 * The body check of a request as a combinator inside the retry policy: a successful response whose body does
 * not read as expected (empty, not JSON, the wrong shape, failing the caller's check) is a `Transport` `Decode`
 * failure of the attempt, retried like a dropped connection when the request is idempotent: a proxy's truncated
 * or empty answer must never be taken for the platform's. The decoded value is remembered per response.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"
import { Transport } from "../../GenesysError.js"
import type { Exchange } from "./errorBody.js"
import { readExchange } from "./exchange.js"
import * as KnownSecrets from "./knownSecrets.js"
import { Retryable } from "./retryable.js"

/** Reads a successful exchange: the value, or the `Transport` `Decode` failure saying what is wrong. @internal */
export type Decode<A> = (exchange: Exchange) => Either.Either<A, Transport>

const decodedValues = new WeakMap<HttpClientResponse.HttpClientResponse, unknown>()

/** Runs with a successful response's body bytes before they are decoded. @internal */
export type BeforeDecode = (bytes: Uint8Array) => Effect.Effect<void>

/**
 * Decodes each successful (< 400) response with `decode`, failing `Retryable` when it does not read; `beforeDecode`
 * first sees the bytes (where the transport gave them).
 *
 * @internal
 */
export const checkBody =
  (decode: Decode<unknown>, beforeDecode?: BeforeDecode | undefined) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E | Retryable | Transport, R> =>
    HttpClient.transformResponse(
      client,
      Effect.flatMap((response) =>
        response.status >= 400
          ? Effect.succeed(response)
          : Effect.flatMap(readExchange(response), (exchange) => {
              const check = Effect.suspend(() => {
                const decoded = decode(exchange)
                if (Either.isLeft(decoded)) {
                  return Effect.fail(new Retryable({ failure: { _tag: "Body", error: decoded.left, exchange } }))
                }
                decodedValues.set(response, decoded.right)
                return Effect.succeed(response)
              })
              return beforeDecode === undefined || exchange.bytes === undefined
                ? check
                : Effect.zipRight(beforeDecode(exchange.bytes), check)
            })
      )
    )

/**
 * The value `checkBody` decoded from `response`; for a response a user's `transformClient` made up, decoded
 * now (not retried then: the retry policy has run).
 *
 * @internal
 */
export const decodedValue = <A>(response: HttpClientResponse.HttpClientResponse, decode: Decode<A>) =>
  decodedValues.has(response)
    ? Effect.succeed(decodedValues.get(response) as A)
    : Effect.flatMap(readExchange(response), (exchange) =>
        Either.match(decode(exchange), {
          onLeft: Effect.fail,
          onRight: Effect.succeed
        })
      )

const decoders = new WeakMap<
  object,
  (u: unknown, options?: ParseOptions) => Either.Either<unknown, ParseResult.ParseError>
>()

const decoderOf = <A, I>(schema: Schema.Schema<A, I, never>) => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(schema)
    decoders.set(schema, decode)
  }
  return decode as (u: unknown, options?: ParseOptions) => Either.Either<A, ParseResult.ParseError>
}

/**
 * Gives, from a body's bytes, the value its schema would decode from its JSON, or `undefined` when it cannot tell;
 * `prepare`, when there is one, runs over the bytes first (e.g. checks them on another thread).
 */
export interface BytesReader {
  readonly read: (bytes: Uint8Array) => unknown
  readonly prepare?: BeforeDecode | undefined
}

const bytesReaders = new WeakMap<object, BytesReader>()

/**
 * `schema`, whose bodies `jsonBody` reads with `reader` first when the transport gave bytes: a reader that decodes only
 * what the schema checks (`internal/details/lazyRecords.ts`). Whatever it gives `undefined` for goes the usual way.
 *
 * @internal
 */
export const readingBytesWith = <S extends Schema.Schema.Any>(schema: S, reader: BytesReader): S => {
  bytesReaders.set(schema, reader)
  return schema
}

/** What runs over a body of `schema` before it is decoded: its reader's `prepare`. @internal */
export const preparationOf = (schema: Schema.Schema.Any): BeforeDecode | undefined => bytesReaders.get(schema)?.prepare

// A reader is a fast path: whatever goes wrong in it (a bug included) leaves the body to the strict read.
const readBytes = (reader: BytesReader, bytes: Uint8Array): unknown => {
  try {
    return reader.read(bytes)
  } catch {
    return undefined
  }
}

const shorten = (text: string, max = 300) => (text.length > max ? `${text.slice(0, max)}…` : text)

/** The JSON body check of `GenesysHttp.json`: not empty, JSON, decoding with `schema`, passing `check`. @internal */
export const jsonBody = <A, I>(
  schema: Schema.Schema<A, I, never>,
  options: {
    readonly route: string
    readonly parseOptions?: ParseOptions | undefined
    readonly check?: ((value: A) => string | undefined) | undefined
  }
): Decode<A> => {
  const reader = bytesReaders.get(schema)
  return (exchange) => {
    if (reader !== undefined && exchange.bytes !== undefined) {
      const value = readBytes(reader, exchange.bytes) as A | undefined
      if (value !== undefined && options.check?.(value) === undefined) return Either.right(value)
    }
    const decodeFailure = (detail: string) =>
      new Transport({
        method: exchange.method,
        url: exchange.url,
        status: exchange.status,
        reason: "Decode",
        // Parse errors quote the body: server text, scrubbed like every error detail.
        detail: KnownSecrets.scrub(`${options.route}: ${detail}`),
        ...(exchange.correlationId !== undefined ? { correlationId: exchange.correlationId } : {})
      })
    // An empty body is never "no fields": read as `{}` it would mean "no cursor", i.e. the last page.
    if (exchange.body.trim() === "") return Either.left(decodeFailure("response body is empty"))
    let parsed: unknown
    try {
      parsed = JSON.parse(exchange.body)
    } catch {
      return Either.left(decodeFailure("response body is not JSON"))
    }
    const decoded = decoderOf(schema)(parsed, options.parseOptions)
    if (Either.isLeft(decoded)) {
      const problem = ParseResult.TreeFormatter.formatErrorSync(decoded.left)
      return Either.left(decodeFailure(`unexpected response shape: ${shorten(problem)}`))
    }
    const problem = options.check?.(decoded.right)
    return problem === undefined ? Either.right(decoded.right) : Either.left(decodeFailure(problem))
  }
}
