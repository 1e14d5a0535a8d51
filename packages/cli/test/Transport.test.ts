// The commands' HTTP transport (src/internal/transport.ts): Node's http with a keep-alive agent, its connections
// closed with the command's scope.
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Transport from "../src/internal/transport.js"

/** A server on 127.0.0.1 that answers `{}` and records its connections, closed with the scope. */
const server = Effect.acquireRelease(
  Effect.async<{ readonly url: string; readonly connections: Array<Net.Socket>; readonly http: Http.Server }>(
    (resume) => {
      const connections: Array<Net.Socket> = []
      const http = Http.createServer((_, response) => {
        response.setHeader("content-type", "application/json")
        response.end("{}")
      })
      http.keepAliveTimeout = 65_000
      http.on("connection", (socket) => connections.push(socket))
      http.listen(0, "127.0.0.1", () => {
        const { port } = http.address() as Net.AddressInfo
        resume(Effect.succeed({ url: `http://127.0.0.1:${port}`, connections, http }))
      })
    }
  ),
  ({ http }) => Effect.sync(() => http.close())
)

const closed = (socket: Net.Socket) =>
  socket.closed ? Effect.void : Effect.async<void>((resume) => void socket.once("close", () => resume(Effect.void)))

describe("Transport.layer", () => {
  it.scoped("sends one request after another over one connection, closed when the command's scope ends", () =>
    Effect.gen(function* () {
      const { connections, url } = yield* server
      const scope = yield* Scope.make()
      const client = Context.get(yield* Layer.buildWithScope(Transport.layer, scope), HttpClient.HttpClient)
      for (let i = 0; i < 3; i++) {
        const response = yield* client.get(`${url}/api/v2/${i}`)
        assert.deepStrictEqual(yield* response.json, {})
      }
      assert.strictEqual(connections.length, 1)
      yield* Scope.close(scope, Exit.void)
      yield* closed(connections[0]!)
    })
  )
})
