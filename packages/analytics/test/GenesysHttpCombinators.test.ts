// The HTTP layer's combinators over a fake platform client: re-auth once, 429 waits and caps, transient
// retries for idempotent requests only, the events hook, transformClient, and the audit records of httpAudit.
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Redacted, Schema, TestClock } from "effect"
import type { AuditEventInput } from "../src/AuditLog.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as HttpAudit from "../src/internal/details/httpAudit.js"

type Reply = { readonly status: number; readonly body?: string; readonly headers?: Record<string, string> }

/** A platform client answering API calls from `replies` in order (the last repeats); tokens always succeed. */
const fakeClient = (replies: ReadonlyArray<Reply>, seen: Array<HttpClientRequest.HttpClientRequest>) => {
  let i = 0
  let tokens = 0
  return HttpClient.make((request) =>
    Effect.sync(() => {
      if (request.url.endsWith("/oauth/token")) {
        tokens++
        const body = JSON.stringify({ access_token: `token-${tokens}`, expires_in: 3600 })
        return HttpClientResponse.fromWeb(request, new Response(body, { status: 200 }))
      }
      seen.push(request)
      const reply = replies[Math.min(i++, replies.length - 1)]!
      return HttpClientResponse.fromWeb(
        request,
        new Response(reply.body ?? "{}", { status: reply.status, headers: reply.headers ?? {} })
      )
    })
  )
}

const events = (log: Array<string>): GenesysHttp.HttpEventsService => ({
  onRetry: (e) => Effect.sync(() => void log.push(`retry ${e.reason} #${e.attempt} ${e.waitMillis}`)),
  onRateLimitWait: (e) => Effect.sync(() => void log.push(`wait ${e.cause} ${e.waitMillis}`)),
  onReauthenticate: (e) => Effect.sync(() => void log.push(`reauth ${e.status}`))
})

const httpLayer = (
  replies: ReadonlyArray<Reply>,
  seen: Array<HttpClientRequest.HttpClientRequest>,
  options: GenesysHttp.Options = {}
) =>
  GenesysHttp.layerWith(options).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, fakeClient(replies, seen))),
    Layer.provide(
      GenesysConfig.layer({
        apiUrl: "https://api.example",
        loginUrl: "https://login.example",
        clientId: "id",
        clientSecret: "secret",
        http: { pacing: false }
      }).pipe(Layer.orDie)
    )
  )

const get = (idempotent = true) =>
  Effect.flatMap(GenesysHttp.GenesysHttp, (http) =>
    http.json(HttpClientRequest.get("/api/v2/thing"), Schema.Struct({ ok: Schema.Boolean }), {
      route: "GET /api/v2/thing",
      idempotent
    })
  )

describe("GenesysHttp combinators", () => {
  it.effect("a 401 drops the token and retries once with a fresh one; a second 401 fails Unauthorized", () => {
    const seen: Array<HttpClientRequest.HttpClientRequest> = []
    const log: Array<string> = []
    return Effect.gen(function* () {
      const error = yield* Effect.flip(Effect.provideService(get(), GenesysHttp.HttpEvents, events(log)))
      assert.strictEqual(error._tag, "Unauthorized")
      assert.deepStrictEqual(
        seen.map((r) => r.headers.authorization),
        ["Bearer token-1", "Bearer token-2"]
      )
      assert.deepStrictEqual(log, ["reauth 401"])
    }).pipe(Effect.provide(httpLayer([{ status: 401 }], seen)))
  })

  it.effect("a 429 is waited out (Retry-After) and reported; past rateLimitMaxRetries it fails RateLimited", () => {
    const seen: Array<HttpClientRequest.HttpClientRequest> = []
    const log: Array<string> = []
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.provideService(get(), GenesysHttp.HttpEvents, events(log)))
      yield* TestClock.adjust("1 hour")
      const error = yield* Effect.flip(fiber.await.pipe(Effect.flatten))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag === "RateLimited") assert.strictEqual(error.retryAfterMillis, 2000)
      assert.strictEqual(log.filter((l) => l === "wait 429 2000").length, seen.length - 1)
    }).pipe(Effect.provide(httpLayer([{ status: 429, headers: { "retry-after": "2" } }], seen)))
  })

  it.effect("a 503 is retried for an idempotent request only, each retry reported before its wait", () => {
    const seen: Array<HttpClientRequest.HttpClientRequest> = []
    const log: Array<string> = []
    return Effect.gen(function* () {
      const fiber = yield* Effect.fork(Effect.provideService(get(), GenesysHttp.HttpEvents, events(log)))
      yield* TestClock.adjust("10 seconds")
      assert.deepStrictEqual(yield* Effect.flatten(fiber.await), { ok: true })
      assert.deepStrictEqual(
        log.map((l) => l.split(" ").slice(0, 3).join(" ")),
        ["retry 503 #1"]
      )
      const refused = yield* Effect.flip(get(false))
      assert.strictEqual(refused._tag, "ServerError")
    }).pipe(Effect.provide(httpLayer([{ status: 503 }, { status: 200, body: '{"ok":true}' }, { status: 503 }], seen)))
  })

  it.effect("transformClient adds its own request mapping to every API call", () => {
    const seen: Array<HttpClientRequest.HttpClientRequest> = []
    return Effect.gen(function* () {
      yield* get()
      assert.strictEqual(seen[0]?.headers["x-proxy"], "on")
      assert.strictEqual(seen[0]?.url, "https://api.example/api/v2/thing")
    }).pipe(
      Effect.provide(
        httpLayer([{ status: 200, body: '{"ok":true}' }], seen, {
          transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("x-proxy", "on"))
        })
      )
    )
  })

  it.effect("invalidate drops the cached token only if it is the rejected one (compared by value)", () => {
    const seen: Array<HttpClientRequest.HttpClientRequest> = []
    return Effect.gen(function* () {
      const auth = yield* GenesysAuth.GenesysAuth
      const first = yield* auth.token
      yield* auth.invalidate(Redacted.make("some-older-token"))
      assert.strictEqual(yield* auth.token, first)
      yield* auth.invalidate(Redacted.make(Redacted.value(first)))
      assert.notStrictEqual(Redacted.value(yield* auth.token), Redacted.value(first))
    }).pipe(
      Effect.provide(
        GenesysAuth.layer.pipe(
          Layer.provide(Layer.succeed(HttpClient.HttpClient, fakeClient([], seen))),
          Layer.provide(
            GenesysConfig.layer({
              loginUrl: "https://login.example",
              apiUrl: "https://api.example",
              clientId: "id",
              clientSecret: "s"
            }).pipe(Layer.orDie)
          )
        )
      )
    )
  })
})

describe("httpAudit", () => {
  it.effect("records http.retry and http.rateLimitWait with the fields they always had; short pacing waits not", () => {
    const records: Array<AuditEventInput> = []
    const audit = HttpAudit.make({
      record: (e) => Effect.sync(() => void records.push(e)),
      seal: () => Effect.succeed(""),
      head: Effect.succeed("")
    })
    return Effect.gen(function* () {
      yield* audit.onRetry({
        route: "r",
        reason: "503",
        attempt: 1,
        waitMillis: 500,
        elapsedMillis: 0,
        status: 503,
        correlationId: "c"
      })
      yield* audit.onRetry({
        route: "r",
        reason: "Connection",
        attempt: 2,
        waitMillis: 900,
        elapsedMillis: 500,
        detail: "Connection: Transport"
      })
      yield* audit.onReauthenticate({ route: "r", status: 401, correlationId: undefined })
      yield* audit.onRateLimitWait({ route: "r", cause: "429", attempt: 1, waitMillis: 7000, correlationId: "c" })
      yield* audit.onRateLimitWait({ route: "r", cause: "pacing", waitMillis: 999 })
      yield* audit.onRateLimitWait({ route: "r", cause: "pacing", waitMillis: 1000 })
      assert.deepStrictEqual(records, [
        { type: "http.retry", route: "r", attempt: 1, waitMillis: 500, status: 503, correlationId: "c" },
        { type: "http.retry", route: "r", attempt: 2, waitMillis: 900, detail: "Connection: Transport" },
        {
          type: "http.retry",
          route: "r",
          status: 401,
          detail: "access token rejected; retrying once with a fresh token",
          correlationId: undefined
        },
        { type: "http.rateLimitWait", route: "r", status: 429, attempt: 1, waitMillis: 7000, correlationId: "c" },
        { type: "http.rateLimitWait", route: "r", status: "pacing", waitMillis: 1000 }
      ])
    })
  })
})
