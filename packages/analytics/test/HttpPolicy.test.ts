import { Headers } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { textBody } from "../src/internal/http/bodyText.js"
import { responseBytes, utf8Length } from "../src/internal/http/exchange.js"

describe("httpPolicy: response bytes", () => {
  it("utf8Length is the length of the UTF-8 encoding, for any string (lone surrogates included)", () => {
    const encoder = new TextEncoder()
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (text) => utf8Length(text) === encoder.encode(text).length),
      { numRuns: 2_000 }
    )
    assert.strictEqual(utf8Length("é€😀"), 2 + 3 + 4)
    assert.strictEqual(utf8Length("a\ud800b"), 1 + 3 + 1)
  })

  it("a declared content-length is the count; without one the body's UTF-8 length is", () => {
    assert.strictEqual(responseBytes(Headers.fromInput({ "content-length": "1234" }), textBody("é")), 1234)
    assert.strictEqual(responseBytes(Headers.empty, textBody('{"name":"Zoë"}')), 15)
    assert.strictEqual(responseBytes(Headers.fromInput({ "content-length": "n/a" }), textBody("é")), 2)
    assert.strictEqual(responseBytes(Headers.fromInput({ "content-length": "" }), textBody("é")), 2)
    assert.strictEqual(responseBytes(Headers.fromInput({ "content-length": "-1" }), textBody("é")), 2)
  })
})
