import { assert, describe, it } from "@effect/vitest"
import { Either, Exit, Option } from "effect"

const differ = (actual: unknown, expected: unknown) => assert.throws(() => assert.deepStrictEqual(actual, expected))

// vitest.setup.ts: without it chai compares a None and a Some by iterating both to an opaque wrapper, and finds them
// equal, at the top level or nested in other values.
describe("assertions on Effect values", () => {
  it("deepStrictEqual tells None from Some, also nested in Exit, Either, arrays, objects, Maps and Sets", () => {
    differ(Option.none(), Option.some(1))
    differ({ a: [Option.none()] }, { a: [Option.some(1)] })
    differ(Exit.succeed(Option.none()), Exit.succeed(Option.some(1)))
    differ(Either.right(Option.none()), Either.right(Option.some(1)))
    differ(new Map([["k", Option.none()]]), new Map([["k", Option.some(1)]]))
    differ(new Set([Option.none()]), new Set([Option.some(1)]))
  })

  it("deepStrictEqual still compares the values inside, and equal values pass", () => {
    differ(Option.some(2), Option.some(1))
    differ(Either.right(1), Either.left(1))
    differ(Exit.fail("x"), Exit.fail("y"))
    differ(Option.some(new Date(0)), Option.some("1970-01-01T00:00:00.000Z"))
    assert.deepStrictEqual(
      { a: [Option.some({ b: 1 }), Exit.succeed(3)], m: new Map([[1, Either.left("e")]]) },
      { a: [Option.some({ b: 1 }), Exit.succeed(3)], m: new Map([[1, Either.left("e")]]) }
    )
  })
})
