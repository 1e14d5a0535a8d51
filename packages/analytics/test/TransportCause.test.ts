import * as Net from "node:net"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { Transport } from "../src/GenesysError.js"
import { systemErrorOf, timedAttempt } from "../src/internal/http/attempt.js"

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
const closedPort = Effect.promise(
  () =>
    new Promise<number>((resolve) => {
      const server = Net.createServer()
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as Net.AddressInfo).port
        server.close(() => resolve(port))
      })
    })
)

describe("Transport failures carry the system error", () => {
  for (const [name, layer] of [
    ["undici", NodeHttpClient.layerUndici],
    ["node:http", NodeHttpClient.layer]
  ] as const) {
    it.live(`a connection refused (${name}) carries ECONNREFUSED and the system message`, () =>
      Effect.gen(function* () {
        const port = yield* closedPort
        const client = timedAttempt("test", Duration.seconds(5))(yield* HttpClient.HttpClient)
        const failure = yield* Effect.flip(client.get(`http://127.0.0.1:${port}/api/v2/x?secret=1`))
        if (failure.failure._tag !== "Transport")
          return assert.fail(`expected a Transport failure: ${failure.failure._tag}`)
        const error = failure.failure.error
        assert.instanceOf(error, Transport)
        assert.strictEqual(error.reason, "Connection")
        assert.strictEqual(error.code, "ECONNREFUSED")
        assert.include(error.detail, `ECONNREFUSED 127.0.0.1:${port}`)
        assert.include(error.message, "ECONNREFUSED")
        assert.include(error.message, `(GET http://127.0.0.1:${port}/api/v2/x)`)
      }).pipe(Effect.provide(layer))
    )
  }

  it("finds the code through causes and AggregateError (ENOTFOUND, certificates)", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED ::1:9"), { code: "ECONNREFUSED" })
    assert.deepStrictEqual(systemErrorOf(new TypeError("fetch failed", { cause: new AggregateError([refused], "") })), {
      code: "ECONNREFUSED",
      message: "connect ECONNREFUSED ::1:9"
    })
    const cert = Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" })
    assert.deepStrictEqual(systemErrorOf(new Error("outer", { cause: cert })), {
      code: "CERT_HAS_EXPIRED",
      message: "certificate has expired"
    })
    assert.deepStrictEqual(systemErrorOf(new Error("only a message")), {})
    assert.deepStrictEqual(systemErrorOf(new Error("outer", { cause: new Error("socket hang up") })), {
      message: "socket hang up"
    })
    const t = new Transport({ reason: "Connection", detail: "certificate has expired", code: "CERT_HAS_EXPIRED" })
    assert.strictEqual(t.message, "Transport failure (Connection CERT_HAS_EXPIRED): certificate has expired")
  })
})
