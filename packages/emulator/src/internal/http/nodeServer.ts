/**
 * The Node side of `Server.start`: reading requests into `RawRequest`s, writing `WireResponse`s, the
 * answers Node must give without the emulator (parser errors, defects) and listening on a port.
 */
import * as Crypto from "node:crypto"
import type * as Http from "node:http"
import type * as Net from "node:net"
import type * as Stream from "node:stream"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as ConversationCache from "./conversationCache.js"
import * as PageBuffers from "./pageBuffers.js"
import type { ConnectionDropped } from "./handler.js"
import type { Internals } from "./internals.js"
import { MALFORMED, type RawRequest, type ReadAheadHint, type WireResponse } from "./wire.js"

/** Runs one request's handling as a fiber of the server's scope. */
export type Run = (
  effect: Effect.Effect<WireResponse, ConnectionDropped>
) => Fiber.RuntimeFiber<WireResponse, ConnectionDropped>

/** The body text of `req`, at most one byte over `limit`. */
export const readBody = (req: Http.IncomingMessage, limit: number): Promise<string> =>
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

/** The transport-neutral form of a Node request; repeated headers joined with ", ". */
export const toRaw = (req: Http.IncomingMessage, body: string): RawRequest => {
  const headers: Record<string, string> = {}
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value
  }
  return { method: (req.method ?? "GET").toUpperCase(), url: req.url ?? "/", headers, body }
}

/** An `ErrorBody` JSON text with a fresh context id (for answers the emulator itself could not give). */
const errorBody = (status: number, code: string, message: string) => {
  const contextId = Crypto.randomUUID()
  const body = JSON.stringify({ message, code, status, messageParams: {}, contextId, details: [], errors: [] })
  return { contextId, body }
}

const internalError = (res: Http.ServerResponse) => {
  if (res.headersSent) return void res.destroy()
  const { body, contextId } = errorBody(500, "internal.server.error", "The server encountered an unexpected condition.")
  res.writeHead(500, { "content-type": "application/json", "inin-correlation-id": contextId })
  res.end(body)
}

/** Requests Node's parser refuses (unknown methods, broken framing) still get an `ErrorBody`. */
export const refuseUnparsable = (socket: Stream.Duplex): void => {
  if (!socket.writable) return void socket.destroy()
  const { body, contextId } = errorBody(400, "bad.request", MALFORMED)
  socket.end(
    `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ninin-correlation-id: ${contextId}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  )
}

const write = (res: Http.ServerResponse, raw: WireResponse) => {
  // A declared length, as an API gateway sends for a JSON body (not chunked transfer).
  const length =
    raw.body === undefined ? undefined : typeof raw.body === "string" ? Buffer.byteLength(raw.body) : raw.body.length
  res.writeHead(raw.status, length === undefined ? raw.headers : { ...raw.headers, "content-length": String(length) })
  const body = raw.body
  res.end(body)
  // Written to the socket: a page's buffer can serve the next page (a response cut short keeps its buffer).
  if (body instanceof Uint8Array) res.once("finish", () => PageBuffers.giveBack(body))
}

// A job's results warmed before anyone asks must fit beside what is cached and what other warm-ups will add: jobs
// submitted together would otherwise each see the same free room and evict each other's.
const hasRoom = (internals: Internals, hint: ReadAheadHint): boolean =>
  hint.unusedRoomOnly === true
    ? ConversationCache.hasUnusedRoomFor(internals.cache, hint.indices.length + internals.readAhead.pending())
    : ConversationCache.hasRoomFor(internals.cache, hint.indices.length)

/** The `request` listener: answer through `internals`, then warm the next results page if asked to. */
export const listener =
  (internals: Internals, maxBodyBytes: number, readAhead: boolean, run: Run) =>
  (req: Http.IncomingMessage, res: Http.ServerResponse): void => {
    readBody(req, maxBodyBytes).then(
      (body) => {
        run(internals.handle(toRaw(req, body))).addObserver((exit) => {
          if (Exit.isSuccess(exit)) {
            write(res, exit.value)
            const next = exit.value.readAhead
            if (readAhead && next !== undefined && hasRoom(internals, next)) {
              internals.readAhead.schedule(next.key, next.indices)
            }
          } else if (exit.cause._tag === "Fail" || exit.cause._tag === "Interrupt") {
            // A `drop` fault or a closing server: the client sees a reset connection, not a response.
            req.socket.destroy()
          } else {
            internalError(res)
          }
        })
      },
      () => req.socket.destroy()
    )
  }

/** Listen on `port` (0: a free one) until the scope closes, then stop and destroy open connections. */
export const listen = (server: Http.Server, port: number, host: string): Effect.Effect<number, Error, Scope.Scope> => {
  const sockets = new Set<Net.Socket>()
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return Effect.acquireRelease(
    Effect.async<number, Error>((resume) => {
      const onError = (error: Error) => resume(Effect.fail(error))
      server.once("error", onError)
      server.listen(port, host, () => {
        server.off("error", onError)
        const address = server.address()
        resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : port))
      })
    }),
    () =>
      Effect.async<void>((resume) => {
        server.close(() => resume(Effect.void))
        for (const socket of sockets) socket.destroy()
      })
  )
}
