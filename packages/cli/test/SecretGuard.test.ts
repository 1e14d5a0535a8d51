// The terminal guard: known credentials are replaced on stdout and stderr whatever carries them, credential-shaped
// text only on stderr (stdout is data and stays exact), ordinary words left alone.
import { assert, describe, it } from "@effect/vitest"
import { Writable } from "node:stream"
import * as SecretGuard from "../src/internal/secretGuard.js"

const id = "guard-client-id"
const secret = "guard-secret-Xq9/+="
SecretGuard.registerCredentials(id, secret)
SecretGuard.registerAuthorization("Bearer tok-ABCDEFGH-12345678")
const basic = Buffer.from(`${id}:${secret}`).toString("base64")

describe("SecretGuard.scrub", () => {
  it("replaces the secret, id:secret, its base64 (padded or not), URL- and JSON-escaped forms and sent tokens", () => {
    const text = [
      secret,
      `${id}:${secret}`,
      basic,
      basic.replace(/=+$/, ""),
      encodeURIComponent(secret),
      JSON.stringify({ echo: secret }),
      "tok-ABCDEFGH-12345678"
    ].join(" | ")
    const scrubbed = SecretGuard.scrubKnown(text)
    for (const leak of [secret, basic.replace(/=+$/, ""), encodeURIComponent(secret), "tok-ABCDEFGH-12345678"]) {
      assert.notInclude(scrubbed, leak)
    }
    assert.include(scrubbed, SecretGuard.REDACTED)
  })

  it("on stderr also replaces credential-shaped text never registered, and leaves words alone", () => {
    const text =
      'got 401: {"message":"bad Authorization: Bearer unseen0token0value0123 / Basic dW5zZWVuOnVuc2Vlbg1x","access_token":"zzz999yyy"}'
    const scrubbed = SecretGuard.scrub(text)
    assert.notInclude(scrubbed, "unseen0token0value0123")
    assert.notInclude(scrubbed, "dW5zZWVuOnVuc2Vlbg1x")
    assert.notInclude(scrubbed, "zzz999yyy")
    assert.include(scrubbed, `Bearer ${SecretGuard.REDACTED}`)
    const prose = "Basic authentication failed; Bearer tokens expire"
    assert.strictEqual(SecretGuard.scrub(prose), prose)
  })

  it("install routes string and byte writes through the scrubber", () => {
    const seen: Array<string> = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        seen.push(chunk.toString("utf8"))
        callback()
      }
    }) as unknown as NodeJS.WriteStream
    SecretGuard.install(stream, SecretGuard.scrub)
    stream.write(`one ${secret}\n`)
    stream.write(Buffer.from(`two ${basic}\n`))
    stream.write(Buffer.from("three clean\n"))
    assert.deepStrictEqual(seen, [`one ${SecretGuard.REDACTED}\n`, `two ${SecretGuard.REDACTED}\n`, "three clean\n"])
  })
})
