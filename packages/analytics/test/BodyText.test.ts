import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import * as fc from "fast-check"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { bytesBody, concatChunks, nodeBody, readBody } from "../src/internal/http/bodyText.js"
import { turnsUntil } from "./GenesysHttpFixtures.js"

const encoder = new TextEncoder()

/** `bytes` cut at `cuts` (any offsets, so a character's bytes may fall in two chunks). */
const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Uint8Array> = []
  let start = 0
  for (const offset of [...offsets, bytes.length]) {
    chunks.push(bytes.subarray(start, offset))
    start = offset
  }
  return chunks
}

/** The response's body as text, read the way every request's attempt reads it. */
const bodyText = (response: HttpClientResponse.HttpClientResponse) =>
  Effect.map(readBody(response), (body) => body.text())

const webResponse = (body: BodyInit | null, status = 200) =>
  HttpClientResponse.fromWeb(HttpClientRequest.get("http://127.0.0.1/x"), new Response(body, { status }))

describe("bodyText", () => {
  it("decodes a body cut anywhere, through a multi-byte character too, as the whole body decoded at once", () =>
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), (text, cuts) => {
        const bytes = encoder.encode(text)
        assert.strictEqual(bytesBody(concatChunks(split(bytes, cuts), bytes.length)).text(), text)
      })
    ))

  it.effect("reads a streamed body in chunks as its text", () =>
    Effect.gen(function* () {
      const text = `{"conversations":[${Array.from({ length: 50 }, (_, i) => `{"id":"é${i}"}`).join(",")}]}`
      const chunks = split(encoder.encode(text), [7, 8, 100, 301])
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk)
          controller.close()
        }
      })
      assert.strictEqual(yield* bodyText(webResponse(stream)), text)
    })
  )

  it.effect("a fetch response is read as its bytes; its text and the platform's cached bodies come from them", () =>
    Effect.gen(function* () {
      const text = '{"name":"Zoë"}'
      const response = webResponse(text)
      const body = yield* readBody(response)
      assert.deepStrictEqual(body.bytes, encoder.encode(text))
      assert.strictEqual(body.text(), text)
      assert.strictEqual(yield* response.text, text)
      assert.strictEqual(new Uint8Array(yield* response.arrayBuffer).length, body.bytes?.length)
    })
  )

  it.effect("a fetch body is read from its stream, chunk by chunk, not through `arrayBuffer` (two more copies)", () =>
    Effect.gen(function* () {
      const text = `[${Array.from({ length: 300 }, (_, i) => `"é${i}"`).join(",")}]`
      const chunks = split(encoder.encode(text), [3, 500, 501, 2_000])
      const web = new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            for (const chunk of chunks) controller.enqueue(chunk)
            controller.close()
          }
        })
      )
      web.arrayBuffer = () => Promise.reject(new Error("arrayBuffer was called"))
      const response = HttpClientResponse.fromWeb(HttpClientRequest.get("http://127.0.0.1/x"), web)
      const body = yield* readBody(response)
      assert.strictEqual(body.text(), text)
      assert.strictEqual(new TextDecoder().decode(yield* response.arrayBuffer), text, "the platform's cache")
    })
  )

  it.effect("a fetch body someone else holds a reader of fails the read as a ResponseError, not a defect", () =>
    Effect.gen(function* () {
      const web = new Response("[1,2]")
      web.body?.getReader()
      const failure = yield* Effect.flip(
        readBody(HttpClientResponse.fromWeb(HttpClientRequest.get("http://127.0.0.1/x"), web))
      )
      assert.strictEqual(failure._tag, "ResponseError")
    })
  )

  it.effect("a fetch body that fails half-way fails the read as a ResponseError", () =>
    Effect.gen(function* () {
      const web = new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(encoder.encode('{"conversations":['))
            controller.error(new Error("connection reset"))
          }
        })
      )
      const failure = yield* Effect.flip(
        readBody(HttpClientResponse.fromWeb(HttpClientRequest.get("http://127.0.0.1/x"), web))
      )
      assert.strictEqual(failure._tag, "ResponseError")
    })
  )

  it.effect("a response without a body (a 204) reads as empty text, not a failure", () =>
    Effect.gen(function* () {
      assert.strictEqual(yield* bodyText(webResponse(null, 204)), "")
    })
  )
})

/** A Node server on 127.0.0.1 whose handler writes the body in the pieces `respond` chooses. */
const withServer = <A, E>(
  respond: (res: Http.ServerResponse) => void,
  use: (url: string, connections: () => number) => Effect.Effect<A, E, HttpClient.HttpClient>,
  client: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
    Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
  )
) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: Http.Server; connections: { count: number } }>((resume) => {
      const connections = { count: 0 }
      const server = Http.createServer((_req, res) => respond(res))
      server.on("connection", () => connections.count++)
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, connections })))
    }),
    ({ server, connections }) => {
      const { port } = server.address() as AddressInfo
      return use(`http://127.0.0.1:${port}/x`, () => connections.count).pipe(Effect.provide(client))
    },
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const get = (url: string) =>
  Effect.scoped(Effect.flatMap(HttpClient.execute(HttpClientRequest.get(url)), (response) => bodyText(response)))

/** The response of a GET, with the Node message this module reads under it (failing the test when there is none). */
const withMessage = <A, E, R>(
  url: string,
  use: (
    response: HttpClientResponse.HttpClientResponse,
    message: NonNullable<ReturnType<typeof nodeBody>> & NodeJS.EventEmitter
  ) => Effect.Effect<A, E, R>
) =>
  Effect.scoped(
    Effect.flatMap(HttpClient.execute(HttpClientRequest.get(url)), (response) => {
      const message = nodeBody(response)
      assert.isDefined(message, "a NodeHttpClient response is read from its message, not through its stream")
      return use(response, message as NonNullable<typeof message> & NodeJS.EventEmitter)
    })
  )

describe("bodyText over Node's http (NodeHttpClient)", () => {
  const text = `[${Array.from({ length: 2_000 }, (_, i) => `{"id":"é${i}"}`).join(",")}]`
  const bytes = encoder.encode(text)
  const head = (res: Http.ServerResponse) =>
    res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length })
  /** The first 10 bytes of the body, and then nothing: the response never ends. */
  const stalled = (res: Http.ServerResponse) => {
    head(res)
    res.write(bytes.subarray(0, 10))
  }

  it.live("reads a body written in pieces cut through characters, and the connection serves the next request", () =>
    withServer(
      (res) => {
        head(res)
        for (const piece of split(bytes, [1, 1_000, 1_001, 7_777, 20_000])) res.write(piece)
        res.end()
      },
      (url, connections) =>
        Effect.gen(function* () {
          assert.strictEqual(yield* get(url), text)
          assert.strictEqual(yield* get(url), text)
          assert.strictEqual(connections(), 1, "the connection was kept alive and reused")
        })
    )
  )

  it.live("the body read once is the platform's text as well (a wrapper handing on `text` gets it again)", () =>
    withServer(
      (res) => {
        head(res)
        res.end(bytes)
      },
      (url) =>
        withMessage(url, (response) =>
          Effect.gen(function* () {
            const body = yield* readBody(response)
            assert.deepStrictEqual(body.bytes, bytes, "the message's bytes, kept for a reader of bytes")
            assert.strictEqual(body.text(), text)
            // Bounded, not a wait: a message read twice would never end.
            assert.strictEqual(yield* Effect.timeout(response.text, "5 seconds"), text)
          })
        )
    )
  )

  it.live("a message destroyed before its body is read fails at once as a ResponseError", () =>
    withServer(stalled, (url) =>
      withMessage(url, (response, message) =>
        Effect.gen(function* () {
          message.destroy()
          // Its `close` already emitted: no event is left for a reader to wait on.
          yield* turnsUntil("the message closed", () => (message as unknown as { readonly closed: boolean }).closed)
          const failure = yield* Effect.flip(Effect.timeout(bodyText(response), "5 seconds"))
          assert.strictEqual(failure._tag, "ResponseError")
        })
      )
    )
  )

  it.live("an interrupted read lets go of the message: its listeners removed, the message destroyed", () =>
    withServer(stalled, (url) =>
      withMessage(url, (response, message) =>
        Effect.gen(function* () {
          const before = message.listenerCount("data")
          const reading = yield* Effect.fork(bodyText(response))
          yield* turnsUntil("the reader listening", () => message.listenerCount("data") > before)
          yield* Fiber.interrupt(reading)
          assert.strictEqual(message.listenerCount("data"), before)
          assert.isTrue(message.destroyed)
        })
      )
    )
  )

  it.live("a body cut short by the server fails as a ResponseError, not a shorter text", () =>
    withServer(
      (res) => {
        head(res)
        res.write(bytes.subarray(0, 5_000), () => res.destroy())
      },
      (url) =>
        Effect.gen(function* () {
          const failure = yield* Effect.flip(get(url))
          assert.strictEqual(failure._tag, "ResponseError")
        })
    )
  )
})

describe("readBody over fetch (FetchHttpClient)", () => {
  it.live("an interrupted read aborts the download: the server sees the connection close", () => {
    let closed = false
    let written = false
    return withServer(
      (res) => {
        res.on("close", () => {
          closed = true
        })
        res.writeHead(200, { "content-type": "application/json", "content-length": 1_000 })
        res.write("[1,", () => {
          written = true
        })
      },
      (url) =>
        Effect.scoped(
          Effect.gen(function* () {
            const response = yield* HttpClient.execute(HttpClientRequest.get(url))
            const reading = yield* Effect.fork(readBody(response))
            // The web Response under the platform's wrapper: its body is taken once the reader has started.
            const web = (response as unknown as { original: { source: Response } }).original.source
            yield* turnsUntil("the server writing, the reader reading", () => written && web.bodyUsed)
            yield* Fiber.interrupt(reading)
            // Inside the request's scope, so only the interruption can have closed it.
            yield* turnsUntil("the server seeing the connection close", () => closed)
            // What was read before the interruption is not the body: the platform's cache does not answer with it.
            const text = yield* Effect.either(response.text)
            assert.isFalse(text._tag === "Right" && text.right === "[1,", "the partial body was cached as the text")
          })
        ),
      FetchHttpClient.layer
    )
  })
})
