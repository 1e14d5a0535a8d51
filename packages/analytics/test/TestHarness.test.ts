import { assert, describe, it } from "@effect/vitest"
import { Either, Exit, Option } from "effect"

const differ = (actual: unknown, expected: unknown) => assert.throws(() => assert.deepStrictEqual(actual, expected))

// vitest.setup.ts: without it chai iterates Effect values to an opaque wrapper and finds any two of them equal.
describe("assertions on Effect values", () => {
  it("deepStrictEqual tells Option, Either and Exit values apart, also inside plain data", () => {
    differ(Option.none(), Option.some(1))
    differ(Option.some(2), Option.some(1))
    differ(Either.right(1), Either.right(2))
    differ(Exit.fail("x"), Exit.fail("y"))
    differ({ a: [Option.some({ b: 1 })] }, { a: [Option.some({ b: 2 })] })
    assert.deepStrictEqual(
      { a: [Option.some({ b: 1 }), Exit.succeed(3)] },
      { a: [Option.some({ b: 1 }), Exit.succeed(3)] }
    )
  })
})
