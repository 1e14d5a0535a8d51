import * as Interval from "@effect-genesys/analytics/Interval"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import * as IntervalArg from "../src/IntervalArg.js"

const now = Date.parse("2024-05-15T13:45:00.000Z") // a Wednesday

const ok = (text: string, options: Partial<IntervalArg.Options> = {}) => {
  const result = IntervalArg.parse(text, { now, ...options })
  if (Either.isLeft(result)) assert.fail(result.left.pretty)
  return result.right.interval
}

const err = (text: string, options: Partial<IntervalArg.Options> = {}) => {
  const result = IntervalArg.parse(text, { now, ...options })
  if (Either.isRight(result)) return assert.fail(`expected an error for ${text}`)
  assert.strictEqual(result.left._tag, "IntervalArgError")
  assert.strictEqual(result.left.text, text)
  return result.left
}

describe("IntervalArg", () => {
  it("passes ISO intervals through in canonical form", () => {
    assert.strictEqual(
      ok("2024-05-01T00:00:00Z/2024-05-02T00:00:00Z"),
      "2024-05-01T00:00:00.000Z/2024-05-02T00:00:00.000Z"
    )
    assert.strictEqual(ok("2024-05-01T00:00:00Z/P1D"), "2024-05-01T00:00:00.000Z/2024-05-02T00:00:00.000Z")
    assert.strictEqual(ok("  2024-05-01/2024-05-03 "), "2024-05-01T00:00:00.000Z/2024-05-03T00:00:00.000Z")
    assert.strictEqual(ok("P1D/2024-05-02T00:00:00Z"), "2024-05-01T00:00:00.000Z/2024-05-02T00:00:00.000Z")
    assert.strictEqual(err("P1X/2024-05-02").column, 1)
  })

  it("reads a bare duration as ending now", () => {
    assert.strictEqual(ok("P7D"), "2024-05-08T13:45:00.000Z/2024-05-15T13:45:00.000Z")
    assert.strictEqual(ok("PT6H"), "2024-05-15T07:45:00.000Z/2024-05-15T13:45:00.000Z")
    assert.strictEqual(ok("p1w"), "2024-05-08T13:45:00.000Z/2024-05-15T13:45:00.000Z")
  })

  it("reads calendar words in UTC", () => {
    assert.strictEqual(ok("today"), "2024-05-15T00:00:00.000Z/2024-05-15T13:45:00.000Z")
    assert.strictEqual(ok("Yesterday"), "2024-05-14T00:00:00.000Z/2024-05-15T00:00:00.000Z")
    assert.strictEqual(ok("this-week"), "2024-05-13T00:00:00.000Z/2024-05-15T13:45:00.000Z")
    assert.strictEqual(ok("last-week"), "2024-05-06T00:00:00.000Z/2024-05-13T00:00:00.000Z")
    assert.strictEqual(ok("this-month"), "2024-05-01T00:00:00.000Z/2024-05-15T13:45:00.000Z")
    assert.strictEqual(ok("last-month"), "2024-04-01T00:00:00.000Z/2024-05-01T00:00:00.000Z")
    assert.strictEqual(ok("last-7-days"), "2024-05-08T00:00:00.000Z/2024-05-15T00:00:00.000Z")
    assert.strictEqual(ok("last-1-day"), "2024-05-14T00:00:00.000Z/2024-05-15T00:00:00.000Z")
    assert.strictEqual(
      ok("last-month", { now: Date.parse("2024-01-10T00:00:00Z") }),
      "2023-12-01T00:00:00.000Z/2024-01-01T00:00:00.000Z"
    )
    // On a Monday, last week is the seven days before today.
    assert.strictEqual(
      ok("last-week", { now: Date.parse("2024-05-13T09:00:00Z") }),
      "2024-05-06T00:00:00.000Z/2024-05-13T00:00:00.000Z"
    )
  })

  it("reads calendar words in a time zone, including across the UTC date line and DST", () => {
    const timeZone = "America/New_York"
    assert.strictEqual(ok("yesterday", { timeZone }), "2024-05-14T04:00:00.000Z/2024-05-15T04:00:00.000Z")
    // 02:00 UTC on the 15th is still the 14th in New York.
    assert.strictEqual(
      ok("yesterday", { timeZone, now: Date.parse("2024-05-15T02:00:00Z") }),
      "2024-05-13T04:00:00.000Z/2024-05-14T04:00:00.000Z"
    )
    // The week of the spring-forward change is one hour short.
    assert.strictEqual(
      ok("last-week", { timeZone, now: Date.parse("2024-03-13T12:00:00Z") }),
      "2024-03-04T05:00:00.000Z/2024-03-11T04:00:00.000Z"
    )
    assert.strictEqual(ok("today", { timeZone: "Asia/Tokyo" }), "2024-05-14T15:00:00.000Z/2024-05-15T13:45:00.000Z")
  })

  it("points at the column where the argument went wrong", () => {
    const start = err("2024-13-01T00:00:00Z/2024-05-01T00:00:00Z")
    assert.strictEqual(start.column, 1)
    const end = err("2024-05-01T00:00:00Z/2024-05-0x")
    assert.strictEqual(end.column, 22)
    assert.include(end.pretty, `\n  2024-05-01T00:00:00Z/2024-05-0x\n                       ^`)
    assert.strictEqual(err("  P7X").column, 3)
    assert.strictEqual(err("2024-05-01T00:00:00Z/P1X").column, 22)
    const word = err("last-wek")
    assert.strictEqual(word.column, 1)
    assert.include(word.message, "did you mean last-week?")
    assert.strictEqual(err("last-0-days").column, 6)
    assert.include(err("2024-05-02/2024-05-01").message, "before start")
    assert.strictEqual(err("").column, 1)
    assert.isUndefined(err("today", { timeZone: "Mars/Olympus" }).column)
    assert.notInclude(err("yesterday", { timeZone: "Nowhere" }).message, "\n")
  })

  const zones = fc.constantFrom("UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Pacific/Auckland")
  const instant = fc.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2040-01-01T00:00:00Z") })

  it("property: last-N-days is N calendar days ending at local midnight and re-parses to itself", () => {
    fc.assert(
      fc.property(instant, zones, fc.integer({ min: 1, max: 90 }), (at, timeZone, n) => {
        const result = IntervalArg.parse(`last-${n}-days`, { now: at, timeZone })
        assert.isTrue(Either.isRight(result))
        const { endMillis, interval, startMillis } = Either.getOrThrow(result)
        assert.isAtMost(endMillis, at)
        // The day of a clock change back lasts 25 hours: its last hour is 24 h after its midnight (fast-check found
        // Europe/Paris at 23:00 on 2022-10-30).
        assert.isAbove(endMillis, at - Interval.DAY_MILLIS - 3_600_000)
        assert.approximately(endMillis - startMillis, n * Interval.DAY_MILLIS, 3_600_000)
        assert.deepStrictEqual(Interval.parse(interval), Either.right({ startMillis, endMillis }))
      })
    )
  })

  it("property: last-week is seven days starting on a Monday, before this week", () => {
    fc.assert(
      fc.property(instant, (at) => {
        const week = Either.getOrThrow(IntervalArg.parse("last-week", { now: at }))
        assert.strictEqual(new Date(week.startMillis).getUTCDay(), 1)
        assert.strictEqual(week.endMillis - week.startMillis, 7 * Interval.DAY_MILLIS)
        assert.isAtMost(week.endMillis, at)
        assert.isAbove(week.endMillis, at - 7 * Interval.DAY_MILLIS)
      })
    )
  })

  it("property: any text either parses to an ordered interval or fails with a column inside the text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom("P", "P1", "PT", "2024", "last-", "last-x-days", "/", "P1D/P1D")),
        (text) => {
          const result = IntervalArg.parse(text, { now })
          if (Either.isRight(result)) assert.isBelow(result.right.startMillis, result.right.endMillis)
          else if (result.left.column !== undefined) {
            assert.isAtLeast(result.left.column, 1)
            assert.isAtMost(result.left.column, Math.max(1, text.length + 1))
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})
