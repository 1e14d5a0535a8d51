// PGlite (Postgres compiled to WASM) served over the wire protocol on loopback, reached by @effect/sql-pg exactly as
// a server would be. It serves one connection at a time.
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Effect, Layer } from "effect"
import type { AddressInfo } from "node:net"
import * as SqlSink from "../src/SqlSink.js"

/** The SQL sink's Postgres layer over a fresh PGlite database on a loopback port, closed with the layer. */
export const pgliteLayer = Layer.unwrapScoped(
  Effect.gen(function* () {
    const db = yield* Effect.acquireRelease(
      Effect.promise(() => PGlite.create()),
      (db) => Effect.promise(() => db.close())
    )
    const server = yield* Effect.acquireRelease(
      Effect.promise(async () => {
        const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0 })
        await server.start()
        return server
      }),
      (server) => Effect.promise(() => server.stop())
    )
    const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address()
    return SqlSink.layerPg({ url: `postgres://postgres@127.0.0.1:${port}/postgres`, maxConnections: 1 })
  })
)
