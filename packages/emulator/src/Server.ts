/**
 * The emulator over real HTTP: a Node server on 127.0.0.1 serving `/oauth/token` and `/api/v2/...` on one
 * origin, so the official SDKs (via `setGateway`) and any HTTP client can use it. `start` is scoped: closing
 * the scope stops accepting, destroys open connections and interrupts in-flight requests.
 *
 * @since 0.1.0
 */
import * as Crypto from "node:crypto"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import type * as EmulatorOptions from "./EmulatorOptions.js"
import * as ConversationCache from "./internal/http/conversationCache.js"
import * as Internals from "./internal/http/internals.js"
import { MALFORMED, type RawRequest, type WireResponse } from "./internal/http/wire.js"

/** Server options: the emulator's plus where to listen. @since 0.1.0 */
export interface Options extends EmulatorOptions.Input {
  /** TCP port; 0 (default) picks a free one. */
  readonly port?: number | undefined
  /** Loopback address to bind (default 127.0.0.1). */
  readonly host?: string | undefined
  /**
   * After a results page with a next cursor, generate the next page into the conversation cache while the
   * client reads this one (default true; needs `cacheBytes` room for a page). Never changes an answer.
   */
  readonly readAhead?: boolean | undefined
}

/** A running server. @since 0.1.0 */
export interface Running {
  /** `http://127.0.0.1:<port>` — the login and API base URL. */
  readonly url: string
  readonly port: number
  readonly host: string
  /** The emulator behind it (faults, recorded requests, ground truth). */
  readonly emulator: Emulator.Service
}

const DAY = 86_400_000

/** A UTC `YYYY-MM-DD` `days` before the day of `nowMillis`: the dataset then ends at today's midnight. @since 0.1.0 */
export const startDateEndingToday = (nowMillis: number, days: number): string => {
  const today = Math.floor(nowMillis / DAY) * DAY
  return new Date(today - days * DAY).toISOString().slice(0, 10)
}

const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)

const readBody = (req: Http.IncomingMessage, limit: number): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (chunk: Buffer) => {
      size += chunk.length
      // Keep one byte over the limit so the router still answers 413, without buffering a flood.
      if (size <= limit + 1) chunks.push(chunk)
    })
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

const toRaw = (req: Http.IncomingMessage, body: string): RawRequest => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value
  }
  return { method: (req.method ?? "GET").toUpperCase(), url: req.url ?? "/", headers, body }
}

const internalError = (res: Http.ServerResponse) => {
  if (res.headersSent) return void res.destroy()
  const contextId = Crypto.randomUUID()
  const body = JSON.stringify({
    message: "The server encountered an unexpected condition.",
    code: "internal.server.error",
    status: 500,
    messageParams: {},
    contextId,
    details: [],
    errors: []
  })
  res.writeHead(500, { "content-type": "application/json", "inin-correlation-id": contextId })
  res.end(body)
}

/**
 * Build an emulator and serve it. Defaults for a server: the emulator "now" is the real time and the
 * dataset covers the `days` full UTC days before today.
 *
 * @since 0.1.0
 */
export const start = (options: Options = {}): Effect.Effect<Running, Error, Scope.Scope> =>
  Effect.gen(function* () {
    const host = options.host ?? "127.0.0.1"
    if (!isLoopback(host)) return yield* Effect.fail(new Error(`The emulator binds loopback only, not ${host}`))
    const nowMillis = yield* Clock.currentTimeMillis
    const days = options.days ?? 7
    const { port: _port, host: _host, readAhead: _readAhead, ...rest } = options
    const emulator = yield* Emulator.make({
      ...rest,
      days,
      startDate: options.startDate ?? startDateEndingToday(nowMillis, days),
      anchorMillis: options.anchorMillis ?? nowMillis
    })
    const internals = Internals.get(emulator)!
    const readAhead = options.readAhead ?? true
    yield* Effect.addFinalizer(() => Effect.sync(internals.readAhead.stop))
    const run = yield* FiberSet.makeRuntime<never, WireResponse, Emulator.ConnectionDropped>()
    const sockets = new Set<Net.Socket>()

    const server = Http.createServer((req, res) => {
      readBody(req, emulator.options.maxBodyBytes).then(
        (body) => {
          const fiber = run(internals.handle(toRaw(req, body)))
          fiber.addObserver((exit) => {
            if (Exit.isSuccess(exit)) {
              const raw = exit.value
              // A declared length, as an API gateway sends for a JSON body (not chunked transfer).
              const length =
                raw.body === undefined
                  ? undefined
                  : typeof raw.body === "string"
                    ? Buffer.byteLength(raw.body)
                    : raw.body.length
              res.writeHead(
                raw.status,
                length === undefined ? raw.headers : { ...raw.headers, "content-length": String(length) }
              )
              res.end(raw.body)
              const next = raw.readAhead
              if (
                readAhead &&
                next !== undefined &&
                ConversationCache.hasRoomFor(internals.cache, next.indices.length)
              ) {
                internals.readAhead.schedule(next.key, next.indices)
              }
            } else if (exit.cause._tag === "Fail") {
              // A `drop` fault: the client sees a reset connection, not a response.
              req.socket.destroy()
            } else if (exit.cause._tag === "Interrupt") {
              req.socket.destroy()
            } else {
              internalError(res)
            }
          })
        },
        () => req.socket.destroy()
      )
    })
    server.on("connection", (socket) => {
      sockets.add(socket)
      socket.on("close", () => sockets.delete(socket))
    })
    // Requests Node's parser refuses (unknown methods, broken framing) still get an ErrorBody.
    server.on("clientError", (_error, socket) => {
      if (!socket.writable) return void socket.destroy()
      const contextId = Crypto.randomUUID()
      const body = JSON.stringify({
        message: MALFORMED,
        code: "bad.request",
        status: 400,
        messageParams: {},
        contextId,
        details: [],
        errors: []
      })
      socket.end(
        `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ninin-correlation-id: ${contextId}\r\n` +
          `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
      )
    })

    const port = yield* Effect.acquireRelease(
      Effect.async<number, Error>((resume) => {
        const onError = (error: Error) => resume(Effect.fail(error))
        server.once("error", onError)
        server.listen(options.port ?? 0, host, () => {
          server.off("error", onError)
          const address = server.address()
          resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : (options.port ?? 0)))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          server.close(() => resume(Effect.void))
          for (const socket of sockets) socket.destroy()
        })
    )
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
    return { url, port, host, emulator }
  })
