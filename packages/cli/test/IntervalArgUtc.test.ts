// In UTC, the default zone, the calendar words are computed without `Intl` (its first formatter is some 12 ms of a
// command's start): they must mean exactly what the library's calendar gives through `Intl` for the same zone under
// another name, `Etc/UTC`.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as IntervalArg from "../src/IntervalArg.js"

const instant = fc.integer({ min: Date.parse("1990-01-01T00:00:00Z"), max: Date.parse("2100-01-01T00:00:00Z") })
const word = fc.oneof(
  fc.constantFrom(...IntervalArg.words.filter((w) => w !== "last-N-days")),
  fc.integer({ min: 1, max: 3660 }).map((n) => `last-${n}-days`)
)

describe("IntervalArg in UTC", () => {
  // First, while no formatter is cached: before the fast path, the first word in UTC built one.
  it("builds no Intl formatter for a word in UTC", () => {
    const DateTimeFormat = Intl.DateTimeFormat
    let built = 0
    Intl.DateTimeFormat = class extends DateTimeFormat {
      constructor(...args: ConstructorParameters<typeof DateTimeFormat>) {
        super(...args)
        built++
      }
    } as typeof DateTimeFormat
    try {
      const now = Date.parse("2024-05-15T13:45:00.000Z")
      for (const text of ["last-2-days", "yesterday", "today", "last-week", "this-month", "last-month"]) {
        assert.isTrue(IntervalArg.parse(text, { now })._tag === "Right", text)
      }
      assert.strictEqual(built, 0)
      // Any other zone still goes through Intl (one no other test uses, so no formatter of it is cached).
      IntervalArg.parse("yesterday", { now, timeZone: "Antarctica/Troll" })
      assert.isAbove(built, 0)
    } finally {
      Intl.DateTimeFormat = DateTimeFormat
    }
  })

  it("property: every calendar word is what the library's calendar gives for Etc/UTC", () => {
    fc.assert(
      fc.property(instant, word, (now, text) => {
        assert.deepStrictEqual(
          IntervalArg.parse(text, { now }),
          IntervalArg.parse(text, { now, timeZone: "Etc/UTC" }),
          text
        )
      }),
      { numRuns: 1000 }
    )
  })
})
