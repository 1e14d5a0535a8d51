import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"

const small: EmulatorOptions.Input = { days: 3, perDay: 40 }
const QUERY = "/api/v2/analytics/conversations/details/query"
const DAY1 = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: any
}

const call = (
  emu: Emulator.Service,
  method: string,
  url: string,
  options: {
    readonly token?: string
    readonly json?: unknown
    readonly body?: string
    readonly headers?: Record<string, string>
  } = {}
): Effect.Effect<Answer, Emulator.ConnectionDropped> =>
  Effect.map(
    emu.handleRaw({
      method,
      url,
      headers: {
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.json === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers
      },
      body: options.body ?? (options.json === undefined ? "" : JSON.stringify(options.json))
    }),
    (raw) => ({
      status: raw.status,
      headers: raw.headers,
      body: raw.body === undefined ? undefined : JSON.parse(raw.body)
    })
  )

const assertErrorBody = (answer: Answer, status: number, code: string) => {
  assert.strictEqual(answer.status, status)
  assert.strictEqual(answer.body.status, status)
  assert.strictEqual(answer.body.code, code)
  assert.isString(answer.body.message)
  assert.strictEqual(answer.body.contextId, answer.headers["inin-correlation-id"])
  assert.isArray(answer.body.details)
  assert.isArray(answer.body.errors)
  assert.strictEqual(answer.headers["content-type"], "application/json")
}

const basic = (id: string, secret: string) => `Basic ${btoa(`${id}:${secret}`)}`

describe("token endpoint", () => {
  it.effect("issues a bearer token for good client credentials", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const r = yield* call(emu, "POST", "/oauth/token", {
        body: "grant_type=client_credentials",
        headers: {
          authorization: basic("emulator-client", "emulator-secret"),
          "content-type": "application/x-www-form-urlencoded"
        }
      })
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body.token_type, "bearer")
      assert.strictEqual(r.body.expires_in, 86400)
      const ok = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", {
        token: r.body.access_token
      })
      assert.strictEqual(ok.status, 200)
    })
  )

  it.effect("answers bad credentials with the OAuth error body", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      for (const authorization of [basic("emulator-client", "wrong"), "Basic !!!", undefined]) {
        const r = yield* call(emu, "POST", "/oauth/token", {
          body: "grant_type=client_credentials",
          headers: authorization === undefined ? {} : { authorization }
        })
        assert.strictEqual(r.status, 401)
        assert.deepStrictEqual(r.body, {
          error: "invalid_client",
          description: "authentication failed",
          error_description: "authentication failed"
        })
        assert.isString(r.headers["inin-correlation-id"])
      }
    })
  )

  it.effect("uses the configured status and credentials", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...small, clientId: "me", clientSecret: "s3", badCredentialsStatus: 400 })
      const bad = yield* call(emu, "POST", "/oauth/token", {
        body: "grant_type=client_credentials",
        headers: { authorization: basic("emulator-client", "emulator-secret") }
      })
      assert.strictEqual(bad.status, 400)
      const good = yield* call(emu, "POST", "/oauth/token", {
        body: "grant_type=client_credentials",
        headers: { authorization: basic("me", "s3") }
      })
      assert.strictEqual(good.status, 200)
    })
  )

  it.effect("rejects other grants and a missing grant", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const headers = { authorization: basic("emulator-client", "emulator-secret") }
      const other = yield* call(emu, "POST", "/oauth/token", { body: "grant_type=password", headers })
      assert.strictEqual(other.status, 400)
      assert.strictEqual(other.body.error, "unsupported_grant_type")
      const missing = yield* call(emu, "POST", "/oauth/token", { body: "", headers })
      assert.strictEqual(missing.status, 400)
      assert.strictEqual(missing.body.error, "invalid_request")
    })
  )
})

describe("authentication", () => {
  it.effect("401 authentication.required without a bearer token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const r = yield* call(emu, "POST", QUERY, { json: { interval: DAY1 } })
      assertErrorBody(r, 401, "authentication.required")
    })
  )

  it.effect("401 bad.credentials for unknown, revoked and expired tokens", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...small, tokenTtlSeconds: 600 })
      assertErrorBody(
        yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token: "nope" }),
        401,
        "bad.credentials"
      )

      const revoked = yield* emu.issueToken
      yield* emu.revokeTokens
      assertErrorBody(
        yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token: revoked }),
        401,
        "bad.credentials"
      )

      const expiring = yield* emu.issueToken
      const before = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", {
        token: expiring
      })
      assert.strictEqual(before.status, 200)
      yield* TestClock.adjust("600 seconds")
      const after = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", {
        token: expiring
      })
      assertErrorBody(after, 401, "bad.credentials")
    })
  )
})

describe("routing", () => {
  it.effect("unknown routes are 404 not.found, wrong methods 405, both with ErrorBody and correlation id", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const token = yield* emu.issueToken
      assertErrorBody(yield* call(emu, "GET", "/api/v2/analytics/nothing", { token }), 404, "not.found")
      assertErrorBody(yield* call(emu, "GET", "/", {}), 404, "not.found")
      assertErrorBody(
        yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/a/b/c", { token }),
        404,
        "not.found"
      )
      const r = yield* call(emu, "GET", QUERY, { token })
      assertErrorBody(r, 405, "method.not.allowed")
      assert.strictEqual(r.headers.allow, "POST")
    })
  )

  it.effect("every response carries a distinct ININ-Correlation-Id", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const token = yield* emu.issueToken
      const a = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token })
      const b = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token })
      assert.match(
        a.headers["inin-correlation-id"]!,
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
      )
      assert.notStrictEqual(a.headers["inin-correlation-id"], b.headers["inin-correlation-id"])
    })
  )

  it.effect("413 for a body above maxBodyBytes, 415 for a non-JSON body", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...small, maxBodyBytes: 100 })
      const token = yield* emu.issueToken
      assertErrorBody(
        yield* call(emu, "POST", QUERY, { token, body: "x".repeat(101) }),
        413,
        "request.entity.too.large"
      )
      const r = yield* call(emu, "POST", QUERY, {
        token,
        body: "interval=x",
        headers: { "content-type": "text/plain" }
      })
      assertErrorBody(r, 415, "unsupported.media.type")
    })
  )

  it.effect("records requests", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      yield* call(emu, "GET", "/api/v2/analytics/conversations/details?id=a&id=b")
      const [recorded] = yield* emu.requests
      assert.deepStrictEqual(
        { method: recorded!.method, path: recorded!.path, search: recorded!.search, status: recorded!.status },
        { method: "GET", path: "/api/v2/analytics/conversations/details", search: "?id=a&id=b", status: 401 }
      )
      yield* emu.clearRequests
      assert.strictEqual((yield* emu.requests).length, 0)
    })
  )
})

describe("sync query", () => {
  it.effect("pages through every hit; the pages join to the ground truth", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const token = yield* emu.issueToken
      const query = { interval: DAY1, order: "asc" as const }
      const truth = yield* emu.groundTruthSync(query)
      assert.isAbove(truth.length, 14)
      const seen: Array<string> = []
      let totalHits = -1
      for (let page = 1; page < 100; page++) {
        const r = yield* call(emu, "POST", QUERY, {
          token,
          json: { ...query, paging: { pageSize: 7, pageNumber: page } }
        })
        assert.strictEqual(r.status, 200)
        totalHits = r.body.totalHits
        if (r.body.conversations === undefined) break
        for (const c of r.body.conversations) {
          seen.push(c.conversationId)
          for (const p of c.participants) assert.isUndefined(p.attributes)
        }
      }
      assert.strictEqual(totalHits, truth.length)
      assert.deepStrictEqual(seen, [...truth])
    })
  )

  it.effect("a page past the end has no conversations (or [] with pastLastPage: empty)", () =>
    Effect.gen(function* () {
      const far = { interval: DAY1, paging: { pageSize: 100, pageNumber: 1000 } }
      const omit = yield* Emulator.make(small)
      const r1 = yield* call(omit, "POST", QUERY, { token: yield* omit.issueToken, json: far })
      assert.strictEqual(r1.status, 200)
      assert.isFalse("conversations" in r1.body)
      const emptyEmu = yield* Emulator.make({ ...small, sync: { pastLastPage: "empty" } })
      const r2 = yield* call(emptyEmu, "POST", QUERY, { token: yield* emptyEmu.issueToken, json: far })
      assert.deepStrictEqual(r2.body.conversations, [])
    })
  )

  const invalid: ReadonlyArray<readonly [string, unknown, string, string | RegExp]> = [
    [
      "malformed JSON",
      "{not json",
      "bad.request",
      "The request could not be understood by the server due to malformed syntax."
    ],
    ["an array body", [], "bad.request", /malformed syntax/],
    ["a missing interval", {}, "bad.request", /interval is required/],
    ["an unparseable interval", { interval: "yesterday" }, "invalid.date", /ISO-8601/],
    [
      "an interval ending before it starts",
      { interval: "2026-01-06T00:00:00Z/2026-01-05T00:00:00Z" },
      "bad.request",
      /after/
    ],
    ["8 days without a filter", { interval: "2026-01-01T00:00:00Z/2026-01-09T00:00:00Z" }, "bad.request", /7 days/],
    [
      "32 days with a filter",
      {
        interval: "2026-01-01T00:00:00Z/2026-02-02T00:00:00Z",
        segmentFilters: [{ type: "or", predicates: [{ dimension: "mediaType", value: "voice" }] }]
      },
      "bad.request",
      /31 days/
    ],
    ["pageSize above 200", { interval: DAY1, paging: { pageSize: 201, pageNumber: 1 } }, "bad.request", /pageSize/],
    ["paging without pageNumber", { interval: DAY1, paging: { pageSize: 10 } }, "bad.request", /pageNumber/],
    [
      "paging past 100000 results",
      { interval: DAY1, paging: { pageSize: 100, pageNumber: 1001 } },
      "bad.request",
      "Pagination may not exceed 100000 results."
    ],
    [
      "a non-numeric pageSize",
      { interval: DAY1, paging: { pageSize: "ten", pageNumber: 1 } },
      "bad.request",
      /malformed/
    ],
    ["a bad order", { interval: DAY1, order: "up" }, "invalid.value", /Value \[up\] is not valid/],
    ["a bad orderBy", { interval: DAY1, orderBy: "start" }, "invalid.value", /Allowable values are: conversationStart/],
    [
      "a bad predicate operator",
      { interval: DAY1, segmentFilters: [{ type: "and", predicates: [{ dimension: "queueId", operator: "is" }] }] },
      "invalid.value",
      /Value \[is\]/
    ],
    [
      "a bad filter type",
      {
        interval: DAY1,
        conversationFilters: [{ type: "xor", predicates: [{ dimension: "conversationId", value: "x" }] }]
      },
      "invalid.value",
      /xor/
    ],
    [
      "a filter without type",
      { interval: DAY1, conversationFilters: [{ predicates: [{ dimension: "conversationId", value: "x" }] }] },
      "bad.request",
      /type is required/
    ],
    [
      "a bad operator",
      {
        interval: DAY1,
        conversationFilters: [{ type: "and", predicates: [{ dimension: "conversationId", operator: "like" }] }]
      },
      "invalid.value",
      /like/
    ],
    [
      "a clause without predicates",
      { interval: DAY1, conversationFilters: [{ type: "and", clauses: [{ type: "or" }] }] },
      "bad.request",
      /predicates is required/
    ]
  ]

  for (const [name, body, code, message] of invalid) {
    it.effect(`400 ${code} for ${name}`, () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.make(small)
        const r = yield* call(emu, "POST", QUERY, {
          token: yield* emu.issueToken,
          body: typeof body === "string" ? body : JSON.stringify(body),
          headers: { "content-type": "application/json" }
        })
        assertErrorBody(r, 400, code)
        if (typeof message === "string") assert.strictEqual(r.body.message, message)
        else assert.match(r.body.message, message)
      })
    )
  }

  it.effect("unknown fields are ignored by default and rejected with unknownFields: reject", () =>
    Effect.gen(function* () {
      const body = { interval: DAY1, paging: { pageSize: 1, pageNumber: 1 }, surprise: true }
      const lenient = yield* Emulator.make(small)
      assert.strictEqual(
        (yield* call(lenient, "POST", QUERY, { token: yield* lenient.issueToken, json: body })).status,
        200
      )
      const strict = yield* Emulator.make({ ...small, unknownFields: "reject" })
      const r = yield* call(strict, "POST", QUERY, { token: yield* strict.issueToken, json: body })
      assertErrorBody(r, 400, "bad.request")
      assert.strictEqual(r.body.details[0].fieldName, "surprise")
    })
  )

  it.effect("7 days without a filter and 31 with one are accepted; the limits are options", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const token = yield* emu.issueToken
      const seven = yield* call(emu, "POST", QUERY, { token, json: { interval: "2026-01-01T00:00:00Z/P7D" } })
      assert.strictEqual(seven.status, 200)
      const filtered = {
        interval: "2026-01-01T00:00:00Z/2026-02-01T00:00:00Z",
        conversationFilters: [{ type: "and", predicates: [{ dimension: "originatingDirection", value: "inbound" }] }]
      }
      assert.strictEqual((yield* call(emu, "POST", QUERY, { token, json: filtered })).status, 200)
      const tight = yield* Emulator.make({ ...small, sync: { maxDaysUnfiltered: 1, maxPageSize: 10 } })
      const t2 = yield* tight.issueToken
      assert.strictEqual(
        (yield* call(tight, "POST", QUERY, { token: t2, json: { interval: "2026-01-01T00:00:00Z/P2D" } })).status,
        400
      )
      const big = { interval: DAY1, paging: { pageSize: 11, pageNumber: 1 } }
      assert.strictEqual((yield* call(tight, "POST", QUERY, { token: t2, json: big })).status, 400)
    })
  )
})

describe("conversations by id", () => {
  it.effect("GET …/{id}/details returns the conversation without attributes; unknown ids 404", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(small)
      const token = yield* emu.issueToken
      const id = emu.dataset.conversationId(3)
      const r = yield* call(emu, "GET", `/api/v2/analytics/conversations/${id}/details`, { token })
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body.conversationId, id)
      for (const p of r.body.participants) assert.isUndefined(p.attributes)
      const missing = yield* call(emu, "GET", "/api/v2/analytics/conversations/not-an-id/details", { token })
      assertErrorBody(missing, 404, "not.found")
    })
  )

  it.effect("multi-get returns the known ids, 400 without ids or above the maximum", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...small, multiGetMaxIds: 3 })
      const token = yield* emu.issueToken
      const a = emu.dataset.conversationId(0)
      const b = emu.dataset.conversationId(1)
      const r = yield* call(emu, "GET", `/api/v2/analytics/conversations/details?id=${a}&id=${b}&id=unknown`, { token })
      assert.strictEqual(r.status, 200)
      assert.deepStrictEqual(
        r.body.conversations.map((c: any) => c.conversationId),
        [a, b]
      )
      assertErrorBody(yield* call(emu, "GET", "/api/v2/analytics/conversations/details", { token }), 400, "bad.request")
      assertErrorBody(
        yield* call(emu, "GET", "/api/v2/analytics/conversations/details?id=1&id=2&id=3&id=4", { token }),
        400,
        "bad.request"
      )
    })
  )

  it.effect("conversations that have not ended by the emulator's now are invisible", () =>
    Effect.gen(function* () {
      const probe = yield* Emulator.make(small)
      const last = probe.dataset.size - 1
      const endOfLast = probe.dataset.endMillis(last)
      const emu = yield* Emulator.make({ ...small, anchorMillis: endOfLast - 1000 })
      const token = yield* emu.issueToken
      const url = `/api/v2/analytics/conversations/${emu.dataset.conversationId(last)}/details`
      assert.strictEqual((yield* call(emu, "GET", url, { token })).status, 404)
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* call(emu, "GET", url, { token })).status, 200)
    })
  )
})

describe("availability", () => {
  it.effect("is now minus the configured lag and advances with the clock", () =>
    Effect.gen(function* () {
      const anchor = Date.parse("2026-02-01T12:00:00.000Z")
      const emu = yield* Emulator.make({ ...small, anchorMillis: anchor, jobs: { availabilityLagMillis: 3_600_000 } })
      const token = yield* emu.issueToken
      const r = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token })
      assert.deepStrictEqual(r.body, { dataAvailabilityDate: "2026-02-01T11:00:00.000Z" })
      yield* TestClock.adjust("30 minutes")
      const later = yield* call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", { token })
      assert.strictEqual(later.body.dataAvailabilityDate, "2026-02-01T11:30:00.000Z")
      assert.strictEqual(yield* emu.availabilityMillis, anchor + 30 * 60_000 - 3_600_000)
    })
  )
})

describe("serving", () => {
  it.effect("layerHttpClient answers any origin without sockets", () =>
    Effect.gen(function* () {
      const client = yield* HttpClient.HttpClient
      const token = yield* client
        .execute(
          HttpClientRequest.post("https://login.mypurecloud.com/oauth/token").pipe(
            HttpClientRequest.basicAuth("emulator-client", "emulator-secret"),
            HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
          )
        )
        .pipe(Effect.flatMap((r) => r.json))
      const response = yield* client.execute(
        HttpClientRequest.get(`${Emulator.baseUrl}/api/v2/analytics/conversations/details/jobs/availability`).pipe(
          HttpClientRequest.bearerToken((token as { access_token: string }).access_token)
        )
      )
      assert.strictEqual(response.status, 200)
      assert.isString(response.headers["inin-correlation-id"])
      const emu = yield* Emulator.Emulator
      assert.deepStrictEqual(
        (yield* emu.requests).map((r) => r.path),
        ["/oauth/token", "/api/v2/analytics/conversations/details/jobs/availability"]
      )
    }).pipe(Effect.provide(Emulator.layerHttpClient(small)))
  )

  it.effect("handle answers web Requests", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      const response = yield* emu.handle(
        new Request("http://anywhere.test/api/v2/analytics/conversations/details/query", { method: "POST" })
      )
      assert.strictEqual(response.status, 401)
      const body = yield* Effect.promise(() => response.json())
      assert.strictEqual(body.code, "authentication.required")
      assert.strictEqual(response.headers.get("inin-correlation-id"), body.contextId)
    }).pipe(Effect.provide(Emulator.layer(small)))
  )
})
