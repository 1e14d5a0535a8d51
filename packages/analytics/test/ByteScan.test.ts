// The byte scanner accepts exactly what `JSON.parse` of the decoded bytes accepts: it is what stands between a body
// that is not JSON and records whose nested fields would only fail when read.
import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Scan from "../src/internal/json/byteScan.js"
import { jsonPiece as piece, splice } from "./JsonPieces.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const parses = (bytes: Uint8Array): boolean => {
  try {
    JSON.parse(decoder.decode(bytes))
    return true
  } catch {
    return false
  }
}

/** `bytes` at an offset that is not a multiple of 4, so that the word-wise search for control bytes meets a ragged head. */
const unaligned = (bytes: Uint8Array, shift: number): Uint8Array => {
  const holder = new Uint8Array(bytes.length + shift)
  holder.set(bytes, shift)
  return holder.subarray(shift)
}

/** A JSON text (pretty-printed or not) with pieces spliced in at random places, or not. */
const mutatedJson = fc
  .tuple(fc.jsonValue({ maxDepth: 3 }), fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.nat(3), piece), { maxLength: 3 }))
  .map(([value, pretty, edits]) => splice(JSON.stringify(value, null, pretty ? 2 : undefined), edits))

describe("byteScan", () => {
  it("accepts every JSON value, compact or pretty-printed, wherever its bytes sit in memory", () =>
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), fc.nat(3), (value, pretty, shift) => {
        const bytes = encoder.encode(JSON.stringify(value, null, pretty ? 2 : undefined))
        assert.isTrue(Scan.isJson(unaligned(bytes, shift)))
      }),
      { numRuns: 500 }
    ))

  it("agrees with JSON.parse of the decoded bytes on texts spliced with the grammar's corner cases", () =>
    fc.assert(
      fc.property(mutatedJson, fc.nat(3), (text, shift) => {
        const bytes = unaligned(encoder.encode(text), shift)
        assert.strictEqual(Scan.isJson(bytes), parses(bytes), JSON.stringify(text))
      }),
      { numRuns: 3000 }
    ))

  it("agrees with JSON.parse on short texts from the grammar's alphabet", () =>
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 8 }), (pieces) => {
        const bytes = encoder.encode(pieces.join(""))
        assert.strictEqual(Scan.isJson(bytes), parses(bytes), JSON.stringify(pieces.join("")))
      }),
      { numRuns: 3000 }
    ))

  it("agrees with JSON.parse when a string holds bytes that are not UTF-8 (they decode to U+FFFD)", () =>
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (raw) => {
        const bytes = new Uint8Array([0x22, ...raw, 0x22])
        assert.strictEqual(Scan.isJson(bytes), parses(bytes))
      }),
      { numRuns: 2000 }
    ))

  it("examples: what JSON.parse refuses, refused", () => {
    for (const text of [
      "",
      " ",
      "[1,]",
      "{,}",
      '{"a":1,}',
      "[1 2]",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "tru",
      '"a\tb"',
      '"\\x"',
      '"\\u12"',
      '"abc',
      '{"a"}',
      "[1]]",
      "\ufeff\ufeff1"
    ]) {
      assert.isFalse(Scan.isJson(encoder.encode(text)), JSON.stringify(text))
      assert.isFalse(parses(encoder.encode(text)), JSON.stringify(text))
    }
  })

  it("a byte order mark is dropped, as TextDecoder drops it", () => {
    assert.isTrue(Scan.isJson(encoder.encode('\ufeff{"a":1}')))
  })

  it("a control byte found word-wise: every position in a long string, every alignment", () => {
    const inner = "x".repeat(40)
    for (let shift = 0; shift < 4; shift++) {
      assert.isTrue(Scan.isJson(unaligned(encoder.encode(`"${inner}"`), shift)))
      for (let at = 0; at < inner.length; at++) {
        const text = `"${inner.slice(0, at)}\u0001${inner.slice(at + 1)}"`
        assert.isFalse(Scan.isJson(unaligned(encoder.encode(text), shift)), `${shift} ${at}`)
      }
    }
  })
})
