// The webhook wire format and URL check in isolation: bodies, ids, signatures, headers, and where sending is allowed.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as PendingEvent from "../src/internal/webhook/pendingEvent.js"
import { checkUrl, isLoopback } from "../src/internal/webhook/urlCheck.js"
import * as wire from "../src/internal/webhook/wire.js"

const secret = "whsec-test-0123456789"

describe("webhook urlCheck", () => {
  it("https anywhere, plain http only to loopback", () => {
    assert.isTrue(Either.isRight(checkUrl("https://hooks.example.com/x")))
    for (const local of ["http://localhost:8080/h", "http://127.0.0.1/h", "http://[::1]:9000/h"]) {
      assert.isTrue(Either.isRight(checkUrl(local)), local)
    }
    assert.isTrue(isLoopback("127.255.0.1"))
    assert.isFalse(isLoopback("127.0.0.1.example.com"))
  })

  it("refusals name the field and never repeat the URL's path", () => {
    const remote = checkUrl("http://hooks.example.com/secret-path-token")
    assert.isTrue(Either.isLeft(remote))
    if (Either.isLeft(remote)) {
      assert.strictEqual(remote.left.field, "GENESYS_WEBHOOK_URL")
      assert.include(remote.left.detail, "http://hooks.example.com is refused")
      assert.notInclude(remote.left.detail, "secret-path-token")
    }
    const garbage = checkUrl("not a url")
    assert.strictEqual(Either.isLeft(garbage) ? garbage.left.detail : "", "not a valid absolute URL")
    const ftp = checkUrl("ftp://hooks.example.com/x")
    assert.isTrue(Either.isLeft(ftp))
    if (Either.isLeft(ftp)) {
      assert.strictEqual(ftp.left._tag, "ConfigInvalid")
      assert.strictEqual(ftp.left.field, "GENESYS_WEBHOOK_URL")
      assert.strictEqual(
        ftp.left.detail,
        "ftp://hooks.example.com is refused: use https (plain http only to a loopback address)"
      )
    }
  })
})

describe("webhook wire", () => {
  it.effect("the event id depends on the fields only; the body is canonical JSON with id and time", () =>
    Effect.gen(function* () {
      const fields = wire.clean({ type: "job.fulfilled", jobId: "job-1", counts: { pages: 2 } }, [])
      const id = yield* wire.eventId(fields)
      assert.match(id, /^[0-9a-f]{64}$/)
      assert.strictEqual(
        yield* wire.eventId(wire.clean({ counts: { pages: 2 }, jobId: "job-1", type: "job.fulfilled" }, [])),
        id
      )
      assert.notStrictEqual(yield* wire.eventId(wire.clean({ type: "job.fulfilled", jobId: "job-2" }, [])), id)
      const body = wire.renderBody(id, Date.UTC(2026, 0, 5), fields)
      assert.strictEqual(
        body,
        `{"counts":{"pages":2},"id":"${id}","jobId":"job-1","occurredAt":"2026-01-05T00:00:00.000Z","type":"job.fulfilled"}`
      )
    })
  )

  it("clean keeps known fields, scrubs secrets, drops non-finite counts", () => {
    const cleaned = wire.clean(
      {
        type: "job.failed",
        detail: `token ${secret} leaked`,
        counts: { ok: 1, bad: Number.NaN, worse: Number.POSITIVE_INFINITY },
        ...({ extra: "dropped" } as object)
      },
      [secret]
    )
    assert.notInclude(JSON.stringify(cleaned), secret)
    assert.deepStrictEqual(cleaned.counts, { ok: 1 })
    assert.notProperty(cleaned, "extra")
  })

  it.effect("sign and verify: hex HMAC over timestamp.body, sha256= prefix accepted, malformed refused", () =>
    Effect.gen(function* () {
      const signature = yield* wire.sign(secret, "1767571200", "{}")
      assert.match(signature, /^[0-9a-f]{64}$/)
      assert.isTrue(yield* wire.verify(secret, "1767571200", "{}", signature))
      assert.isTrue(yield* wire.verify(secret, "1767571200", "{}", ` sha256=${signature} `))
      assert.isFalse(yield* wire.verify(secret, "1767571201", "{}", signature))
      assert.isFalse(yield* wire.verify(secret, "12a", "{}", signature))
      assert.isFalse(yield* wire.verify("other", "1767571200", "{}", signature))
    })
  )

  it.effect("signedRequest: POST to the URL with id, seconds timestamp, signature, attempt and the JSON body", () =>
    Effect.gen(function* () {
      const prepared = { id: "event-1", body: '{"type":"job.fulfilled"}' }
      const request = yield* wire.signedRequest(
        new URL("https://h.example.com/in"),
        secret,
        prepared,
        3,
        1_767_571_200_999
      )
      assert.strictEqual(request.method, "POST")
      assert.strictEqual(request.url, "https://h.example.com/in")
      assert.strictEqual(request.headers[wire.HEADER_ID], "event-1")
      assert.strictEqual(request.headers[wire.HEADER_TIMESTAMP], "1767571200")
      assert.strictEqual(request.headers[wire.HEADER_ATTEMPT], "3")
      assert.strictEqual(request.headers[wire.HEADER_SIGNATURE], yield* wire.sign(secret, "1767571200", prepared.body))
      assert.strictEqual(request.body._tag === "Uint8Array" ? request.body.contentType : "", "application/json")
      assert.strictEqual(
        request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : "",
        prepared.body
      )
    })
  )
})

describe("webhook pendingEvent", () => {
  it.effect("id and body are computed once; an explicit id is used as given", () =>
    Effect.gen(function* () {
      const pending = PendingEvent.make({ type: "job.fulfilled", jobId: "j" }, [], Date.UTC(2026, 0, 5))
      const first = yield* PendingEvent.prepare(pending)
      assert.strictEqual(yield* PendingEvent.prepare(pending), first)
      assert.strictEqual(first.id, yield* wire.eventId(pending.fields))
      const explicit = PendingEvent.make({ type: "job.fulfilled", id: "mine" }, [], 0)
      assert.strictEqual((yield* PendingEvent.prepare(explicit)).id, "mine")
      assert.include((yield* PendingEvent.prepare(explicit)).body, '"id":"mine"')
    })
  )
})
