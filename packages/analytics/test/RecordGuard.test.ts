import { assert, describe, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import * as ConversationRecord from "@effect-genesys/analytics/ConversationRecord"
import { compileGuard, recordSchema } from "../src/internal/details/recordGuard.js"

// Every AST kind the guard compiles: primitives checked inline by their parent (fields, array elements, union
// members), a literal union, an integer refinement, an index signature, a nested record and a recursive one.
interface Node {
  readonly name: string
  readonly children?: ReadonlyArray<Node>
}
const NodeStruct: Schema.Schema<Node> = Schema.Struct({
  name: Schema.String,
  children: Schema.optionalWith(Schema.Array(Schema.suspend(() => NodeSchema)), { exact: true })
})
const NodeSchema: Schema.Schema<Node> = recordSchema(NodeStruct)

const Inner = recordSchema(
  Schema.Struct({ id: Schema.String, score: Schema.optionalWith(Schema.Number, { exact: true }) })
)

const Shape = Schema.Struct({
  id: Schema.String,
  count: Schema.Int,
  active: Schema.Boolean,
  label: Schema.optionalWith(Schema.String, { exact: true }),
  ratio: Schema.optionalWith(Schema.Number, { exact: true }),
  flag: Schema.optionalWith(Schema.Boolean, { exact: true }),
  tags: Schema.optionalWith(Schema.Array(Schema.String), { exact: true }),
  scores: Schema.optionalWith(Schema.Array(Schema.Number), { exact: true }),
  kind: Schema.optionalWith(Schema.Union(Schema.Literal("a", "b"), Schema.String), { exact: true }),
  size: Schema.optionalWith(Schema.Union(Schema.Literal("small"), Schema.Number), { exact: true }),
  attributes: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { exact: true }),
  inner: Schema.optionalWith(Inner, { exact: true }),
  inners: Schema.optionalWith(Schema.Array(Inner), { exact: true }),
  tree: Schema.optionalWith(NodeSchema, { exact: true })
})
const ShapeRecord = recordSchema(Shape)

const guard = compileGuard(Shape.ast)
const decodeSlow = Schema.decodeUnknownEither(Shape)
const decodeFast = Schema.decodeUnknownEither(ShapeRecord)

const valid: { readonly [key: string]: unknown } = {
  id: "x",
  count: 3,
  active: true,
  label: "l",
  ratio: 0.5,
  flag: false,
  tags: ["t1", "t2"],
  scores: [1, 2.5],
  kind: "other",
  size: "small",
  attributes: { a: "1", b: "2" },
  inner: { id: "i", score: 1 },
  inners: [{ id: "j" }, { id: "k", score: 2, extra: [1] }],
  tree: { name: "root", children: [{ name: "leaf", children: [] }] }
}

// Values a JSON body can hold, plus the ones a wrong schema or a mangled body may put in a field.
const junk = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(undefined, Number.NaN, 1.5, -1, "", [], {}, ["a", 1], [1, "a"], { id: 1 }, { name: 1 })
)

const paths: ReadonlyArray<ReadonlyArray<string | number>> = [
  ["id"],
  ["count"],
  ["active"],
  ["label"],
  ["ratio"],
  ["flag"],
  ["tags", 1],
  ["scores", 0],
  ["kind"],
  ["size"],
  ["attributes", "b"],
  ["inner", "id"],
  ["inner", "score"],
  ["inners", 1, "score"],
  ["tree", "children", 0, "name"],
  ["tree", "children", 0, "children"]
]

const setPath = (root: any, path: ReadonlyArray<string | number>, value: unknown): any => {
  const copy = structuredClone(root)
  let target = copy
  for (const key of path.slice(0, -1)) target = target[key]
  target[path[path.length - 1]!] = value
  return copy
}

describe("recordGuard", () => {
  it("accepts a valid value of every supported kind and returns the input itself", () => {
    assert.isTrue(guard(valid))
    const decoded = Either.getOrThrow(decodeFast(valid))
    assert.strictEqual(decoded, valid)
  })

  it("rejects a wrong primitive checked inline in a field, an array element and a union member", () => {
    assert.isFalse(guard({ ...valid, label: 1 }))
    assert.isFalse(guard({ ...valid, ratio: "1" }))
    assert.isFalse(guard({ ...valid, flag: "true" }))
    assert.isFalse(guard({ ...valid, tags: ["a", 2] }))
    assert.isFalse(guard({ ...valid, scores: [1, "2"] }))
    assert.isFalse(guard({ ...valid, size: true }))
    assert.isFalse(guard({ ...valid, attributes: { a: 1 } }))
    assert.isFalse(guard({ ...valid, count: 1.5 }))
    assert.isFalse(guard({ ...valid, inner: { id: 2 } }))
  })

  it("rejects arrays, null and primitives where an object is declared", () => {
    for (const input of [null, undefined, [], [valid], "x", 1, true]) assert.isFalse(guard(input))
    assert.isFalse(guard({ ...valid, inner: [] }))
  })

  it("requires every required field as an own property, even when an inherited one has the name", () => {
    const { id: _, ...withoutId } = valid
    assert.isFalse(guard(withoutId))
    const missing = Either.flip(decodeFast(withoutId)).pipe(Either.getOrThrow)
    assert.strictEqual(missing._tag, "ParseError")
    assert.include(missing.message, '["id"]')
    assert.include(missing.message, "is missing")
    // `for...in` also visits inherited enumerable keys: they must not count as the required field. The Struct
    // reads `input[name]` for a missing required key, so the verdict on such an object is the Struct's own.
    const inheriting = Object.assign(Object.create({ id: "inherited" }), withoutId)
    assert.isFalse(guard(inheriting))
    assert.strictEqual(Either.isRight(decodeFast(inheriting)), Either.isRight(decodeSlow(inheriting)))
    const badInherited = Object.assign(Object.create({ id: 7 }), withoutId)
    assert.isFalse(guard(badInherited))
    const inheritedError = Either.flip(decodeFast(badInherited)).pipe(Either.getOrThrow)
    assert.strictEqual(inheritedError._tag, "ParseError")
    // The Schema's own verdict and message, word for word: the fast path only decides the valid case.
    assert.strictEqual(inheritedError.message, Either.flip(decodeSlow(badInherited)).pipe(Either.getOrThrow).message)
  })

  it("an inherited enumerable key with a bad value only sends the value to the Schema, which decides", () => {
    const inheriting = Object.assign(Object.create({ label: 42 }), valid, { label: undefined })
    delete inheriting.label
    assert.isFalse(guard(inheriting))
    // The Struct reads own properties only, so the value decodes; the fast path falls back to it.
    assert.isTrue(Either.isRight(decodeSlow(inheriting)))
    assert.isTrue(Either.isRight(decodeFast(inheriting)))
  })

  it("keeps unknown keys and ignores their values", () => {
    assert.isTrue(guard({ ...valid, future: { anything: [1, null] }, toString: 3 }))
  })

  it.prop("accepts every value the Schema's arbitrary generates", [Arbitrary.make(Shape)], ([value]) => {
    assert.isTrue(guard(value))
    assert.isTrue(Either.isRight(decodeFast(value)))
  })

  it.prop(
    "is never laxer than the Struct, and the fast decode agrees with it, on corrupted values",
    [fc.constantFrom(...paths), junk, fc.boolean()],
    ([path, value, drop]) => {
      const corrupted = setPath(valid, path, value)
      if (drop) delete corrupted[path[0]!]
      const slow = decodeSlow(corrupted)
      if (guard(corrupted)) assert.isTrue(Either.isRight(slow))
      assert.strictEqual(Either.isRight(decodeFast(corrupted)), Either.isRight(slow))
    },
    { fastCheck: { numRuns: 500 } }
  )

  it.prop(
    "agrees with the Struct on arbitrary JSON at the top level",
    [fc.jsonValue()],
    ([value]) => {
      const slow = decodeSlow(value)
      if (guard(value)) assert.isTrue(Either.isRight(slow))
      assert.strictEqual(Either.isRight(decodeFast(value)), Either.isRight(slow))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("accepts a real results page", () => {
    const page = {
      conversations: [{ conversationId: "c1", participants: [{ purpose: "agent", sessions: [] }] }],
      cursor: "next"
    }
    assert.isTrue(compileGuard(ConversationRecord.AnalyticsConversationAsyncQueryResponse.ast)(page))
    assert.isFalse(compileGuard(ConversationRecord.AnalyticsConversationAsyncQueryResponse.ast)({ ...page, cursor: 1 }))
  })
})
