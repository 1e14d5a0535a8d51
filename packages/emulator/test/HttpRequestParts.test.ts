/** The small steps every request passes: target, admission, JSON body, envelope, fault switch. */
import { assert, describe, it } from "@effect/vitest"
import * as Admission from "../src/internal/http/admission.js"
import { envelope } from "../src/internal/http/envelope.js"
import type { Decision } from "../src/internal/http/faultEngine.js"
import * as FaultSwitch from "../src/internal/http/faultSwitch.js"
import { parseJson } from "../src/internal/http/jsonBody.js"
import * as RequestTarget from "../src/internal/http/requestTarget.js"
import { match } from "../src/internal/http/router.js"
import { apiError, isApiError, json } from "../src/internal/http/wire.js"

const JOBS = "/api/v2/analytics/conversations/details/jobs"
const request = (method: string, url: string, body = "") => ({ method, url, headers: {}, body })
const calm: Decision = { delayMillis: 0, terminal: undefined, job: [], staleCursor: undefined }

describe("request target", () => {
  it("splits path and query, accepts absolute URLs and tells fault rules what the request is", () => {
    const target = RequestTarget.of(request("POST", `http://any.example${JOBS}?x=1`))
    assert.strictEqual(target.path, JOBS)
    assert.strictEqual(target.search, "?x=1")
    assert.strictEqual(target.matched?.route._tag, "Jobs")
    assert.deepStrictEqual(target.fault, { method: "POST", path: JOBS, api: true, submit: true, cursor: false })
    const results = RequestTarget.of(request("GET", `${JOBS}/j/results?cursor=`))
    assert.isTrue(results.fault.cursor)
    assert.isFalse(RequestTarget.of(request("POST", "/oauth/token")).fault.api)
  })
})

describe("admission", () => {
  it("checks in order: injected 5xx, body size, unknown path, method", () => {
    const jobs = match(JOBS)
    const faulted = Admission.admit(
      request("GET", JOBS, "x".repeat(10)),
      undefined,
      {
        ...calm,
        terminal: { kind: "serverError", status: 503 }
      },
      5
    )
    assert.deepInclude(faulted, { _tag: "Refused" })
    assert.strictEqual(faulted._tag === "Refused" && faulted.error.code, "service.unavailable")
    const big = Admission.admit(request("GET", JOBS, "x".repeat(6)), undefined, calm, 5)
    assert.strictEqual(big._tag === "Refused" && big.error.status, 413)
    const unknown = Admission.admit(request("GET", "/nope"), undefined, calm, 5)
    assert.strictEqual(unknown._tag === "Refused" && unknown.error.status, 404)
    const method = Admission.admit(request("GET", JOBS), jobs, calm, 5)
    assert.deepStrictEqual(method._tag === "Refused" && [method.error.status, method.headers], [405, { allow: "POST" }])
    assert.deepStrictEqual(Admission.admit(request("POST", JOBS), jobs, calm, 5), { _tag: "Admitted", matched: jobs! })
  })

  it("renders each 5xx as the gateway does", () => {
    assert.deepStrictEqual(
      [500, 502, 503, 504].map((s) => Admission.serverError(s).code),
      ["internal.server.error", "bad.gateway", "service.unavailable", "request.timeout"]
    )
  })
})

describe("JSON body", () => {
  it("parses JSON with or without a JSON content type; 415 for another type, 400 for bad text", () => {
    assert.deepStrictEqual(parseJson({ headers: {}, body: '{"a":1}' }), { a: 1 })
    assert.deepStrictEqual(
      parseJson({ headers: { "content-type": "application/JSON; charset=utf-8" }, body: "[]" }),
      []
    )
    const media = parseJson({ headers: { "content-type": "text/plain" }, body: "{}" })
    assert.isTrue(isApiError(media) && media.status === 415)
    const bad = parseJson({ headers: {}, body: "{" })
    assert.isTrue(isApiError(bad) && bad.code === "bad.request")
  })
})

describe("envelope", () => {
  it("renders errors as ErrorBody with the correlation id as contextId, extra headers before it", () => {
    const error = apiError(429, "too.many.requests", "slow down", { headers: { "retry-after": "3" } })
    const out = envelope(error, "cid", "GET", { "inin-ratelimit-count": "9" })
    assert.deepStrictEqual(Object.entries(out.headers), [
      ["content-type", "application/json"],
      ["retry-after", "3"],
      ["inin-ratelimit-count", "9"],
      ["inin-correlation-id", "cid"]
    ])
    assert.deepInclude(JSON.parse(out.body as string), { contextId: "cid", status: 429, code: "too.many.requests" })
  })

  it("drops the body and the read-ahead hint of a HEAD answer, keeping status and headers", () => {
    const page = { ...json(200, { a: 1 }), readAhead: { key: "j", indices: [1] } }
    const head = envelope(page, "cid", "HEAD", {})
    assert.deepStrictEqual(head, {
      status: 200,
      headers: { "content-type": "application/json", "inin-correlation-id": "cid" },
      body: undefined,
      readAhead: undefined
    })
    assert.deepStrictEqual(envelope(page, "cid", "GET", {}).readAhead, { key: "j", indices: [1] })
  })
})

describe("fault switch", () => {
  it("advances rule counters per request and restarts them on reset", () => {
    const target = { method: "GET", path: "/api/v2/x", api: true, submit: false, cursor: false }
    const faults = FaultSwitch.make({ script: [{ nth: 2, fault: { kind: "drop" } }] }, 1)
    assert.isUndefined(faults.decide(target).terminal)
    assert.strictEqual(faults.decide(target).terminal?.kind, "drop")
    faults.reset({ script: [{ nth: 1, fault: { kind: "drop" } }], retryAfterSeconds: 7 })
    assert.strictEqual(faults.decide(target).terminal?.kind, "drop")
    assert.strictEqual(faults.profile().retryAfterSeconds, 7)
    faults.reset(undefined)
    assert.deepStrictEqual(faults.profile(), {})
  })
})
