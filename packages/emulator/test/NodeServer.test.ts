/** The Node adapter's own answers: request conversion and the 400 for requests Node cannot parse. */
import type * as Http from "node:http"
import { Duplex } from "node:stream"
import { assert, describe, it } from "@effect/vitest"
import * as NodeServer from "../src/internal/http/nodeServer.js"
import { MALFORMED } from "../src/internal/http/wire.js"

describe("node server adapter", () => {
  it("converts a Node request: upper-case method, repeated headers joined, defaults for missing parts", () => {
    const req = { method: "get", url: undefined, headers: { accept: ["a", "b"], host: "h", none: undefined } }
    assert.deepStrictEqual(NodeServer.toRaw(req as unknown as Http.IncomingMessage, "body"), {
      method: "GET",
      url: "/",
      headers: { accept: "a, b", host: "h" },
      body: "body"
    })
  })

  it("answers an unparsable request with a 400 ErrorBody and closes the connection", () => {
    let written = ""
    const socket = new Duplex({
      read() {},
      write(chunk, _encoding, done) {
        written += String(chunk)
        done()
      }
    })
    NodeServer.refuseUnparsable(socket)
    const [head, body] = written.split("\r\n\r\n")
    assert.match(head!, /^HTTP\/1\.1 400 Bad Request\r\n/)
    assert.include(head!, "connection: close")
    assert.include(head!, `content-length: ${Buffer.byteLength(body!)}`)
    const parsed = JSON.parse(body!)
    assert.deepInclude(parsed, { message: MALFORMED, code: "bad.request", status: 400 })
    assert.include(head!, `inin-correlation-id: ${parsed.contextId}`)
  })
})
