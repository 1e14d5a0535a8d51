/**
 * The emulator over real HTTP: a Node server on 127.0.0.1 serving `/oauth/token` and `/api/v2/...` on one
 * origin, so the official SDKs (via `setGateway`) and any HTTP client can use it, and the notification channels'
 * WebSockets at `ws://127.0.0.1:<port>/channels/<id>` (the `connectUri` of `POST /api/v2/notifications/channels`). `start` is scoped: closing
 * the scope stops accepting, destroys open connections and interrupts in-flight requests.
 *
 * @since 0.1.0
 */
import * as Http from "node:http"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as FiberSet from "effect/FiberSet"
import type * as Scope from "effect/Scope"
import * as Emulator from "./Emulator.js"
import * as EmulatorOptions from "./EmulatorOptions.js"
import * as Internals from "./internal/http/internals.js"
import * as NodeServer from "./internal/http/nodeServer.js"
import * as WebSocketServer from "./internal/http/webSocketServer.js"
import type { WireResponse } from "./internal/http/wire.js"

/**
 * Server options: the emulator's (`latency` among them: a seeded log-normal delay of every request, see
 * `EmulatorOptions.LatencyOptions`) plus where to listen.
 *
 * @since 0.1.0
 */
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

/** A UTC `YYYY-MM-DD` `days` before the day of `nowMillis`: the server's default `startDate`. @since 0.1.0 */
export const startDateEndingToday = (nowMillis: number, days: number): string => {
  const today = Math.floor(nowMillis / DAY) * DAY
  return new Date(today - days * DAY).toISOString().slice(0, 10)
}

const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host)

/**
 * Build an emulator and serve it. Defaults for a server: the emulator "now" is the real time (or `anchorMillis`) and
 * the dataset covers the `days` full UTC days before today plus today up to now (`EmulatorOptions.endingAt`).
 *
 * @since 0.1.0
 */
export const start = (options: Options = {}): Effect.Effect<Running, Error, Scope.Scope> =>
  Effect.gen(function* () {
    const host = options.host ?? "127.0.0.1"
    if (!isLoopback(host)) return yield* Effect.fail(new Error(`The emulator binds loopback only, not ${host}`))
    const nowMillis = yield* Clock.currentTimeMillis
    const { port: _port, host: _host, readAhead: _readAhead, ...rest } = options
    const anchorMillis = options.anchorMillis ?? nowMillis
    const emulator = yield* Emulator.make({ ...EmulatorOptions.endingAt(rest, anchorMillis), anchorMillis })
    const internals = Internals.get(emulator)!
    yield* Effect.addFinalizer(() => Effect.sync(internals.readAhead.stop))
    // Request fibers belong to the scope: closing it interrupts requests still in flight.
    const run = yield* FiberSet.makeRuntime<never, WireResponse, Emulator.ConnectionDropped>()
    const server = Http.createServer(
      NodeServer.listener(internals, emulator.options.maxBodyBytes, options.readAhead ?? true, run)
    )
    // An idle connection stays open 65 s, as behind an API gateway (60 s idle timeouts), not Node's 5 s: a client
    // closes its idle connections first, instead of racing the server's close with a new request (a reset).
    server.keepAliveTimeout = 65_000
    server.headersTimeout = 66_000
    server.on("clientError", (_error, socket) => NodeServer.refuseUnparsable(socket))
    const startSockets = yield* WebSocketServer.attach(server, internals.notifier)
    const port = yield* NodeServer.listen(server, options.port ?? 0, host)
    yield* startSockets
    const origin = `${host.includes(":") ? `[${host}]` : host}:${port}`
    internals.setConnectOrigin(`ws://${origin}`)
    const url = `http://${origin}`
    return { url, port, host, emulator }
  })
