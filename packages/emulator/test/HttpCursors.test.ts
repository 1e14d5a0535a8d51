import { assert, describe, it } from "@effect/vitest"
import { decodeCursor, encodeCursor } from "../src/internal/http/cursors.js"

describe("results cursors", () => {
  it("round-trip job id and offset, base64url without padding", () => {
    const cursor = encodeCursor("3b09f17a-838a-4012-86da-e91bc529329c", 1000)
    assert.notMatch(cursor, /[+/=]/)
    assert.deepStrictEqual(decodeCursor(cursor), ["3b09f17a-838a-4012-86da-e91bc529329c", 1000])
  })

  it("split at the last colon, so a job id may hold colons", () => {
    assert.deepStrictEqual(decodeCursor(encodeCursor("a:b:c", 7)), ["a:b:c", 7])
  })

  it("refuse text that no encoder wrote", () => {
    assert.isUndefined(decodeCursor("!!not base64!!"))
    assert.isUndefined(decodeCursor(btoa("no-colon")))
    assert.isUndefined(decodeCursor(btoa("job:-1")))
    assert.isUndefined(decodeCursor(btoa("job:1.5")))
    assert.isUndefined(decodeCursor(btoa("job:99999999999999999999")))
  })
})
