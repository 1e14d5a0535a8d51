import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import { canonicalJson } from "../src/AuditLog.js"

/** The one-line canonicalizer printed in docs/audit.md for standalone verifiers. */
const docsCanon = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(docsCanon).join(",")}]`
    : v !== null && typeof v === "object"
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${docsCanon((v as Record<string, unknown>)[k])}`)
          .join(",")}}`
      : JSON.stringify(v)

const shuffleKeys = (value: unknown, seed: number): unknown => {
  if (Array.isArray(value)) return value.map((v, i) => shuffleKeys(v, seed + i))
  if (value === null || typeof value !== "object") return value
  const keys = Object.keys(value)
  const order = keys.map((k, i) => [k, (i * 7919 + seed * 104729) % 1009] as const).sort((a, b) => a[1] - b[1])
  return Object.fromEntries(order.map(([k]) => [k, shuffleKeys((value as Record<string, unknown>)[k], seed + 1)]))
}

describe("canonicalJson", () => {
  it("sorts keys at every depth and writes no whitespace", () => {
    assert.strictEqual(
      canonicalJson({ b: 1, a: [true, null, "x y", { d: 2, c: { f: [], e: {} } }] }),
      '{"a":[true,null,"x y",{"c":{"e":{},"f":[]},"d":2}],"b":1}'
    )
  })

  it("matches the RFC 8785 example", () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}'
    )
    assert.strictEqual(
      canonicalJson(input),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
  })

  it("orders keys by UTF-16 code units", () => {
    assert.strictEqual(
      canonicalJson({ "\u{1F600}": 1, "\uFFFF": 2, é: 3, z: 4, Z: 5 }),
      '{"Z":5,"z":4,"é":3,"😀":1,"\uffff":2}'
    )
  })

  it("renders numbers, undefined and toJSON as JSON.stringify does, and refuses what JSON cannot hold", () => {
    assert.strictEqual(canonicalJson([-0, 1e21, 0.1, 5e-7, undefined, () => 1]), "[0,1e+21,0.1,5e-7,null,null]")
    assert.strictEqual(canonicalJson({ a: undefined, b: new Date(0) }), '{"b":"1970-01-01T00:00:00.000Z"}')
    assert.throws(() => canonicalJson({ a: Number.NaN }), TypeError, "canonical JSON: NaN is not a finite number")
    assert.throws(
      () => canonicalJson([Number.POSITIVE_INFINITY]),
      TypeError,
      "canonical JSON: Infinity is not a finite number"
    )
    assert.throws(() => canonicalJson({ a: 1n }), TypeError, "canonical JSON: bigint is not supported")
    const cycle: Record<string, unknown> = {}
    cycle["self"] = cycle
    assert.throws(() => canonicalJson(cycle), TypeError, "canonical JSON: the value contains a cycle")
    assert.throws(() => canonicalJson(undefined), TypeError, "canonical JSON: the value has no JSON representation")
    // Shared (non-cyclic) references are fine.
    const shared = { x: 1 }
    assert.strictEqual(canonicalJson([shared, shared]), '[{"x":1},{"x":1}]')
  })

  it("is stable under key order, parses back to the same value, and agrees with the docs' one-liner (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        const text = canonicalJson(value)
        assert.strictEqual(canonicalJson(shuffleKeys(value, seed)), text)
        assert.strictEqual(canonicalJson(JSON.parse(text)), text)
        assert.deepStrictEqual(JSON.parse(text), JSON.parse(JSON.stringify(value)))
        assert.strictEqual(docsCanon(JSON.parse(text)), text)
      }),
      { numRuns: 300 }
    )
  })
})
