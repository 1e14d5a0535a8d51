import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import type * as Flatten from "../src/Flatten.js"
import * as Csv from "../src/internal/flatten/csvEncode.js"
import { parseCsv } from "./CsvReader.js"

const value: fc.Arbitrary<Flatten.Value> = fc.oneof(
  fc.string(),
  fc.constantFrom("", " ", "a,b", '"', '""', "\r", "\n", "\r\n", " lead", "trail ", "\ttab"),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null)
)

const expected = (v: Flatten.Value) => (v === null ? null : String(v))

describe("CSV encoding", () => {
  it("quotes exactly what RFC 4180 and spreadsheets need", () => {
    assert.strictEqual(Csv.record(["a", 1, true, null, ""]), `a,1,true,,""\r\n`)
    assert.strictEqual(Csv.field('say "hi"'), `"say ""hi"""`)
    assert.strictEqual(Csv.field("a,b"), `"a,b"`)
    assert.strictEqual(Csv.field("a\nb"), `"a\nb"`)
    assert.strictEqual(Csv.field("a\rb"), `"a\rb"`)
    assert.strictEqual(Csv.field(" x"), `" x"`)
    assert.strictEqual(Csv.field("x "), `"x "`)
    assert.strictEqual(Csv.field("x y"), "x y")
  })

  it("property: any record parses back to the same cells", () => {
    fc.assert(
      fc.property(fc.array(fc.array(value, { minLength: 2, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const text = rows.map(Csv.record).join("")
        assert.deepStrictEqual(
          parseCsv(text),
          rows.map((r) => r.map(expected))
        )
      }),
      { numRuns: 500 }
    )
  })
})
