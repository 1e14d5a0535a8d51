import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Redacted, TestClock } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import { AuditRecords, clientLayer, drive, requestsTo } from "./GenesysHttpFixtures.js"

const tokenRequests = Effect.map(requestsTo("POST", "/oauth/token"), (r) => r.length)

describe("GenesysAuth", () => {
  it.effect("reuses the token and refreshes it shortly before it expires", () =>
    Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const first = yield* auth.token
      const again = yield* auth.token
      assert.strictEqual(first, again)
      assert.strictEqual(yield* tokenRequests, 1)
      // TTL 600 s, margin 60 s: still cached at 539 s, refreshed at 540 s.
      yield* TestClock.adjust("539 seconds")
      yield* auth.token
      assert.strictEqual(yield* tokenRequests, 1)
      yield* TestClock.adjust("1 second")
      const fresh = yield* auth.token
      assert.strictEqual(yield* tokenRequests, 2)
      assert.notStrictEqual(Redacted.value(fresh), Redacted.value(first))
    }).pipe(Effect.provide(clientLayer({ tokenTtlSeconds: 600 })))
  )

  it.effect("one token request for 50 concurrent callers, also at refresh time", () =>
    Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const tokens = yield* Effect.all(
        Array.from({ length: 50 }, () => auth.token),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(new Set(tokens.map(Redacted.value)).size, 1)
      assert.strictEqual(yield* tokenRequests, 1)
      yield* TestClock.adjust("10 minutes")
      const details = yield* ConversationDetails.ConversationDetails
      const results = yield* Effect.all(
        Array.from({ length: 50 }, () => details.availability()),
        {
          concurrency: "unbounded"
        }
      )
      assert.strictEqual(results.length, 50)
      assert.strictEqual(yield* tokenRequests, 2)
    }).pipe(Effect.provide(clientLayer({ tokenTtlSeconds: 600 })))
  )

  it.effect("callers waiting on a token request that fails share its failure instead of retrying it each", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const auth = yield* GenesysAuth.GenesysAuth
      yield* emulator.setFaults({
        script: [{ path: "/oauth/token", nth: 1, times: 1000, fault: { kind: "serverError", status: 503 } }]
      })
      const exits = yield* drive(
        Effect.all(
          Array.from({ length: 5 }, () => Effect.exit(auth.token)),
          { concurrency: "unbounded" }
        )
      )
      assert.isTrue(Exit.isSuccess(exits))
      if (Exit.isSuccess(exits)) for (const exit of exits.value) assert.isTrue(Exit.isFailure(exit))
      const together = yield* tokenRequests
      assert.isAbove(together, 1, "the failing request is retried")
      // A caller that comes after the failure asks again, through a round of retries of its own; the jittered
      // backoff makes rounds differ by an attempt or so, where five rounds would be five times one.
      yield* drive(Effect.exit(auth.token))
      const alone = (yield* tokenRequests) - together
      assert.isAbove(alone, 1)
      assert.isBelow(together, 1.5 * alone)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect(
    "a caller that stops waiting for a slow token request leaves none after it waiting on it; the next token is cached",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const auth = yield* GenesysAuth.GenesysAuth
        yield* emulator.setFaults({
          script: [{ path: "/oauth/token", nth: 1, fault: { kind: "slow", delayMillis: 5000 } }]
        })
        const waiting = yield* Effect.fork(auth.token)
        yield* TestClock.adjust("1 second")
        yield* Fiber.interrupt(waiting)
        // Not left waiting on the stopped request: a request of its own (the emulator logs answered ones only).
        const exit = yield* drive(auth.token)
        assert.isTrue(Exit.isSuccess(exit))
        const answered = yield* tokenRequests
        assert.strictEqual(answered, 1)
        // That token is cached: no further request.
        assert.isTrue(Exit.isSuccess(yield* drive(auth.token)))
        assert.strictEqual(yield* tokenRequests, answered)
      }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a 401 invalidates the token and retries the call exactly once", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* details.availability()
      yield* emulator.revokeTokens
      yield* details.availability()
      assert.strictEqual(yield* tokenRequests, 2)
      const calls = yield* requestsTo("GET", "/api/v2/analytics/conversations/details/jobs/availability")
      assert.deepStrictEqual(
        calls.map((r) => r.status),
        [200, 401, 200]
      )
      const audit = yield* AuditRecords
      assert.isTrue(audit.some((e) => e.type === "http.retry" && e.status === 401))
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a 401 that persists after the re-authentication fails Unauthorized(accessToken)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({ script: [{ path: "/api/v2/**", times: 10, fault: { kind: "revokeToken" } }] })
      const error = yield* Effect.flip(details.availability())
      assert.strictEqual(error._tag, "Unauthorized")
      if (error._tag === "Unauthorized") {
        assert.strictEqual(error.rejected, "accessToken")
        assert.strictEqual(error.status, 401)
      }
      assert.strictEqual(yield* tokenRequests, 2)
      const calls = yield* requestsTo("GET", "/api/v2/analytics/conversations/details/jobs/availability")
      assert.strictEqual(calls.length, 2)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("credentials outside Latin-1 are sent as UTF-8 bytes instead of crashing the token request", () =>
    Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const token = yield* auth.token
      assert.isTrue(Redacted.isRedacted(token))
      const [login] = yield* requestsTo("POST", "/oauth/token")
      assert.strictEqual(login?.status, 200)
    }).pipe(
      Effect.provide(
        clientLayer(
          { clientId: "clïent-😀", clientSecret: "sécrèt-😀" },
          { clientId: "clïent-😀", clientSecret: "sécrèt-😀" }
        )
      )
    )
  )

  it.effect("bad credentials fail Unauthorized(clientCredentials) without the secret anywhere", () =>
    Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const exit = yield* Effect.exit(auth.token)
      assert.isTrue(Exit.isFailure(exit))
      const error = yield* Effect.flip(auth.token)
      assert.strictEqual(error._tag, "Unauthorized")
      if (error._tag === "Unauthorized") {
        assert.strictEqual(error.rejected, "clientCredentials")
        assert.strictEqual(error.code, "invalid_client")
        assert.include(error.message, "emulator-client")
      }
      const audit = yield* AuditRecords
      for (const text of [error.message, JSON.stringify(error), String(exit), JSON.stringify(audit)]) {
        assert.notInclude(text, "wrong-secret")
        assert.notInclude(text, Buffer.from("emulator-client:wrong-secret").toString("base64"))
      }
      assert.strictEqual(yield* tokenRequests, 2)
    }).pipe(Effect.provide(clientLayer({}, { clientSecret: "wrong-secret" })))
  )

  it.effect("the token never appears in errors, audit events or the service's string forms", () =>
    Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const details = yield* ConversationDetails.ConversationDetails
      const token = Redacted.value(yield* auth.token)
      const error = yield* Effect.flip(details.jobStatus("no-such-job"))
      assert.strictEqual(error._tag, "NotFound")
      const audit = yield* AuditRecords
      for (const text of [error.message, JSON.stringify(error), JSON.stringify(audit), String(yield* auth.token)]) {
        assert.notInclude(text, token)
      }
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("the token request itself is retried after a dropped connection", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const auth = yield* GenesysAuth.GenesysAuth
      yield* emulator.setFaults({ script: [{ path: "/oauth/token", nth: 1, fault: { kind: "drop" } }] })
      const exit = yield* drive(auth.token)
      assert.isTrue(Exit.isSuccess(exit))
      assert.strictEqual(yield* tokenRequests, 2)
    }).pipe(Effect.provide(clientLayer()))
  )
})
