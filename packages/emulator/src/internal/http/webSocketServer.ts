/**
 * The channels' WebSockets on the Node server: `ws://<host>:<port>/channels/<id>` on the same `node:http` server
 * (its `upgrade` event, through `@effect/platform-node`'s `NodeSocketServer.makeWebSocket`, which brings `ws`).
 * A handshake to another path or to an unknown or expired channel is refused with 404; no authentication (the
 * channel id is the capability, docs/sync.md §3). Each socket is a notifier session: its frames are written as
 * text, a close as a close frame, a dropped socket as a terminated TCP connection (the client sees 1006).
 */
import type * as Http from "node:http"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import * as Socket from "@effect/platform/Socket"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { channelIdOf } from "../live/inProcess.js"
import type { Notifier } from "../live/notifier.js"

const decoder = new TextDecoder()

const channelOfUrl = (url: string | undefined): string | undefined => {
  const path = (url ?? "").split("?")[0] ?? ""
  return /^\/channels\/[^/]+$/.test(path) ? channelIdOf(path) : undefined
}

/** One connected socket until it closes. */
const session = (notifier: Notifier) => (socket: Socket.Socket) =>
  Effect.scoped(
    Effect.gen(function* () {
      const request = yield* NodeSocketServer.IncomingMessage
      const ws = (yield* Socket.WebSocket) as unknown as { terminate: () => void }
      const channelId = channelOfUrl(request.url)
      const write = yield* socket.writer
      const connected = channelId === undefined ? undefined : yield* notifier.connect(channelId)
      if (connected === undefined) return yield* write(new Socket.CloseEvent(1000, "Channel not found"))
      yield* Effect.forkScoped(
        Stream.runForEach(Stream.fromQueue(connected.frames), (frame) =>
          frame._tag === "Text"
            ? write(frame.text)
            : frame._tag === "Close"
              ? write(new Socket.CloseEvent(frame.code, frame.reason))
              : Effect.sync(() => ws.terminate())
        )
      )
      yield* socket.runRaw((data) => {
        connected.receive(typeof data === "string" ? data : decoder.decode(data))
      })
    })
  ).pipe(Effect.catchAllCause(() => Effect.void))

/**
 * Serve the channels' sockets on `server` until the scope closes. Call before `server.listen`: the WebSocket server
 * attaches to the HTTP server's events and starts with its `listening`; the returned effect waits for that.
 */
export const attach = (
  server: Http.Server,
  notifier: Notifier
): Effect.Effect<Effect.Effect<void, Error, Scope.Scope>, never, Scope.Scope> =>
  Effect.gen(function* () {
    const starting = yield* Effect.forkScoped(
      NodeSocketServer.makeWebSocket({
        server,
        verifyClient: (
          info: { readonly req: Http.IncomingMessage },
          callback: (ok: boolean, code?: number, message?: string) => void
        ) => {
          const channelId = channelOfUrl(info.req.url)
          const ok = channelId !== undefined && Effect.runSync(notifier.exists(channelId))
          if (ok) callback(true)
          else callback(false, 404, "Not Found")
        }
      })
    )
    // The WebSocket server must listen to the HTTP server's events before it starts listening.
    while (server.listenerCount("upgrade") === 0) yield* Effect.yieldNow()
    return Effect.gen(function* () {
      const sockets = yield* Fiber.join(starting)
      // `run` provides the connection's WebSocket and IncomingMessage to each session; its type still asks for them.
      const serving = sockets.run(session(notifier)) as unknown as Effect.Effect<never, Error>
      yield* Effect.forkScoped(serving)
    })
  })
