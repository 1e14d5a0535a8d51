import * as Net from "node:net"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Scope } from "effect"
import * as Faults from "../src/Faults.js"
import { parseArgs } from "../src/internal/http/cli.js"
import * as Server from "../src/Server.js"

const small = { days: 2, perDay: 30 }

const token = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(`${url}/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${btoa("emulator-client:emulator-secret")}`,
        "content-type": "application/x-www-form-urlencoded"
      },
      body: "grant_type=client_credentials"
    })
    return ((await response.json()) as { access_token: string }).access_token
  })

describe("Server over loopback HTTP", () => {
  it.scopedLive("serves the token endpoint and /api/v2 on one origin (port 0 picks a free port)", () =>
    Effect.gen(function* () {
      const server = yield* Server.start({ ...small, port: 0 })
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.isAbove(server.port, 0)
      const access = yield* token(server.url)
      const day = server.emulator.options.startDate
      const response = yield* Effect.promise(() =>
        fetch(`${server.url}/api/v2/analytics/conversations/details/query`, {
          method: "POST",
          headers: { authorization: `Bearer ${access}`, "content-type": "application/json" },
          body: JSON.stringify({
            interval: `${day}T00:00:00.000Z/${day}T12:00:00.000Z`,
            paging: { pageSize: 5, pageNumber: 1 }
          })
        })
      )
      assert.strictEqual(response.status, 200)
      assert.isString(response.headers.get("inin-correlation-id"))
      assert.strictEqual(response.headers.get("inin-ratelimit-allowed"), "300")
      const bytes = new Uint8Array(yield* Effect.promise(() => response.arrayBuffer()))
      assert.strictEqual(response.headers.get("content-length"), String(bytes.length))
      const body = JSON.parse(new TextDecoder().decode(bytes)) as { totalHits: number }
      const truth = yield* server.emulator.groundTruthSync({ interval: `${day}T00:00:00.000Z/${day}T12:00:00.000Z` })
      assert.strictEqual(body.totalHits, truth.length)
      const missing = yield* Effect.promise(() => fetch(`${server.url}/nothing`))
      assert.strictEqual(missing.status, 404)
      assert.strictEqual(((yield* Effect.promise(() => missing.json())) as { code: string }).code, "not.found")
    })
  )

  it.scopedLive("the server defaults to real time with data ending now: the days before today, and today", () =>
    Effect.gen(function* () {
      const server = yield* Server.start({ ...small, port: 0 })
      const now = yield* server.emulator.nowMillis
      assert.isAtMost(Math.abs(now - Date.now()), 5_000)
      const today = Math.floor(Date.now() / 86_400_000) * 86_400_000
      assert.strictEqual(server.emulator.dataset.spanStartMillis, today - 2 * 86_400_000)
      assert.strictEqual(server.emulator.dataset.spanEndMillis, today + 86_400_000)
      assert.strictEqual(Server.startDateEndingToday(Date.parse("2026-03-10T15:00:00Z"), 7), "2026-03-03")
    })
  )

  it.scopedLive("a drop fault destroys the socket", () =>
    Effect.gen(function* () {
      const server = yield* Server.start({
        ...small,
        port: 0,
        faults: Faults.script({ path: "/oauth/token", fault: { kind: "drop" } })
      })
      const result = yield* Effect.either(
        Effect.tryPromise(() => fetch(`${server.url}/oauth/token`, { method: "POST" }))
      )
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "UnknownException")
        assert.instanceOf(result.left.error, TypeError, "fetch failed")
        assert.strictEqual((result.left.error as { cause?: { code?: string } }).cause?.code, "UND_ERR_SOCKET")
      }
      assert.strictEqual((yield* server.emulator.requests)[0]?.status, 0)
      assert.isString(yield* token(server.url))
    })
  )

  it.live("closing the scope stops the server and frees the port", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = yield* Server.start({ ...small, port: 0 }).pipe(Scope.extend(scope))
      // Keep a connection open so close has to cut it.
      const socket = Net.connect(server.port, "127.0.0.1")
      yield* Effect.async<void>((resume) => {
        socket.once("connect", () => resume(Effect.void))
      })
      yield* Scope.close(scope, Exit.void)
      const refused = yield* Effect.either(
        Effect.tryPromise(() => fetch(`${server.url}/oauth/token`, { method: "POST" }))
      )
      assert.isTrue(Either.isLeft(refused))
      if (Either.isLeft(refused)) {
        assert.strictEqual(refused.left._tag, "UnknownException")
        assert.instanceOf(refused.left.error, TypeError, "fetch failed")
        assert.strictEqual((refused.left.error as { cause?: { code?: string } }).cause?.code, "ECONNREFUSED")
      }
      socket.destroy()
    })
  )

  it.scoped("refuses to bind a non-loopback address", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(Server.start({ host: "0.0.0.0", port: 0 }))
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        // A plain Error (Server.start has no tagged error for this): its class and message.
        assert.instanceOf(result.left, Error)
        assert.strictEqual(result.left.message, "The emulator binds loopback only, not 0.0.0.0")
      }
    })
  )
})

describe("genesys-emulator arguments", () => {
  it("parses every flag", () => {
    const parsed = parseArgs([
      "--port",
      "8080",
      "--seed",
      "7",
      "--days=3",
      "--per-day",
      "100",
      "--client-id",
      "id",
      "--client-secret",
      "secret",
      "--faults",
      "f.json",
      "--rate-limit",
      "10/5"
    ])
    assert.deepStrictEqual(parsed, {
      _tag: "Ok",
      options: {
        port: 8080,
        seed: 7,
        days: 3,
        perDay: 100,
        clientId: "id",
        clientSecret: "secret",
        faultsFile: "f.json",
        rateLimit: { count: 10, windowSeconds: 5 }
      }
    })
  })

  it("rejects bad input with a message", () => {
    for (const argv of [
      ["--port", "x"],
      ["--port", "70000"],
      ["--port", "1", "--rate-limit", "10"],
      ["--port", "1", "--days", "0"],
      ["--port", "1", "--what"]
    ]) {
      const parsed = parseArgs(argv)
      assert.strictEqual(parsed._tag, "Invalid", argv.join(" "))
    }
    assert.strictEqual(parseArgs(["--help"])._tag, "Help")
    // --port is optional: without it the server takes a free port and prints its URL.
    assert.deepStrictEqual(parseArgs([]), { _tag: "Ok", options: {} })
  })
})
