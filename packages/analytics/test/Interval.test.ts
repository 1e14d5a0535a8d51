import { assert, describe, it } from "@effect/vitest"
import * as Interval from "@effect-genesys/analytics/Interval"
import { Either, FastCheck as fc } from "effect"

const ok = (text: string) => Either.getOrThrow(Interval.parse(text))
const rule = (text: string) => Either.flip(Interval.parse(text)).pipe(Either.getOrThrow).rule

const utc = Date.UTC
const zones = ["UTC", "Europe/Paris", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham"]
const instant = fc.integer({ min: utc(1990, 0, 1), max: utc(2090, 0, 1) })

describe("Interval.parse", () => {
  it("accepts start/end with Z, offsets, fractions, minutes-only and bare dates", () => {
    assert.deepStrictEqual(ok("2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z"), {
      startMillis: utc(2026, 10, 1),
      endMillis: utc(2026, 10, 8)
    })
    assert.strictEqual(ok("2026-11-01T01:00:00+01:00/2026-11-02T00:00:00Z").startMillis, utc(2026, 10, 1))
    assert.strictEqual(ok("2026-11-01T00:00:00-0530/2026-11-02T00:00:00Z").startMillis, utc(2026, 10, 1, 5, 30))
    assert.strictEqual(ok("2026-11-01T00:00:00-05/2026-11-02T00:00:00Z").startMillis, utc(2026, 10, 1, 5))
    assert.strictEqual(ok("2026-11-01T00:00:00.123456Z/2026-11-02T00:00Z").startMillis, utc(2026, 10, 1, 0, 0, 0, 123))
    assert.strictEqual(ok("2026-11-01T00:00/2026-11-02").endMillis, utc(2026, 10, 2))
  })

  it("accepts start/duration and duration/end, with calendar months", () => {
    assert.deepStrictEqual(ok("2026-11-01T00:00:00Z/P7D"), {
      startMillis: utc(2026, 10, 1),
      endMillis: utc(2026, 10, 8)
    })
    assert.deepStrictEqual(ok("P1W/2026-11-08T00:00:00Z"), {
      startMillis: utc(2026, 10, 1),
      endMillis: utc(2026, 10, 8)
    })
    assert.strictEqual(ok("2026-11-01T00:00:00Z/PT1H30M").endMillis, utc(2026, 10, 1, 1, 30))
    assert.strictEqual(ok("2026-11-01T00:00:00Z/PT0.5S").endMillis, utc(2026, 10, 1, 0, 0, 0, 500))
    assert.strictEqual(ok("2026-01-31T00:00:00Z/P1M").endMillis, utc(2026, 1, 28))
    assert.strictEqual(ok("2024-01-31T00:00:00Z/P1M").endMillis, utc(2024, 1, 29))
    assert.strictEqual(ok("P1Y/2026-03-01T00:00:00Z").startMillis, utc(2025, 2, 1))
    // months are applied on the wall clock of the written offset
    assert.strictEqual(ok("2026-01-31T00:00:00+02:00/P1M").endMillis, utc(2026, 1, 27, 22))
  })

  it("fails with a tagged IntervalError carrying the rule and the message", () => {
    const error = Either.flip(Interval.parse("2026-11-08T00:00:00Z/2026-11-01T00:00:00Z")).pipe(Either.getOrThrow)
    assert.instanceOf(error, Interval.IntervalError)
    assert.strictEqual(error._tag, "IntervalError")
    assert.strictEqual(error.rule, "interval.inverted")
    assert.strictEqual(error.message, "end (2026-11-01T00:00:00.000Z) is before start (2026-11-08T00:00:00.000Z)")
  })

  it("rejects each kind of bad interval with its rule", () => {
    assert.strictEqual(rule("2026-11-01T00:00:00Z"), "interval.syntax")
    assert.strictEqual(rule("a/b/c"), "interval.syntax")
    assert.strictEqual(rule("P1D/P2D"), "interval.syntax")
    assert.strictEqual(rule("2026-13-01T00:00:00Z/P1D"), "interval.start")
    assert.strictEqual(rule("2026-02-29T00:00:00Z/P1D"), "interval.start")
    assert.strictEqual(rule("2026-11-01T24:00:00Z/P1D"), "interval.start")
    assert.strictEqual(rule("2026-11-01 00:00:00Z/P1D"), "interval.start")
    assert.strictEqual(rule("2026-11-01Z/P1D"), "interval.start")
    assert.strictEqual(rule("yesterday/P1D"), "interval.start")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/tomorrow"), "interval.end")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/P"), "interval.duration")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/PT"), "interval.duration")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/P1H"), "interval.duration")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/PT0S"), "interval.empty")
    assert.strictEqual(rule("2026-11-01T00:00:00Z/2026-11-01T00:00:00Z"), "interval.empty")
    assert.strictEqual(rule("2026-11-08T00:00:00Z/2026-11-01T00:00:00Z"), "interval.inverted")
    assert.strictEqual(rule(`${"9".repeat(1_000_000)}/P1D`), "interval.syntax")
  })

  it.prop(
    "format then parse is the identity",
    [instant, fc.integer({ min: 1, max: 90 * 86_400_000 })],
    ([start, length]) => {
      const text = Interval.format(start, start + length)
      assert.deepStrictEqual(ok(text), { startMillis: start, endMillis: start + length })
      assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    }
  )

  it.prop(
    "start/duration and duration/end agree with start/end",
    [instant, fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 1, max: 3599 })],
    ([start, d, h, s]) => {
      const millis = ((d * 24 + h) * 3600 + s) * 1000
      const iso = (m: number) => new Date(m).toISOString()
      assert.deepStrictEqual(ok(`${iso(start)}/P${d}DT${h}H${s}S`), { startMillis: start, endMillis: start + millis })
      assert.deepStrictEqual(ok(`P${d}DT${h}H${s}S/${iso(start + millis)}`), {
        startMillis: start,
        endMillis: start + millis
      })
    }
  )

  it.prop("never throws on arbitrary text", [fc.string({ maxLength: 80 })], ([text]) => {
    const result = Interval.parse(text)
    if (Either.isRight(result)) assert.isBelow(result.right.startMillis, result.right.endMillis)
  })
})

describe("Interval calendar helpers", () => {
  it("lastDays ends at local midnight today and spans n calendar days", () => {
    const now = utc(2026, 10, 3, 12)
    assert.strictEqual(
      Interval.formatInterval(Either.getOrThrow(Interval.lastDays(7, "Europe/Paris", now))),
      "2026-10-26T23:00:00.000Z/2026-11-02T23:00:00.000Z"
    )
    // crosses the end of daylight-saving time on 2026-10-25: one hour longer
    assert.strictEqual(
      Interval.days(Either.getOrThrow(Interval.lastDays(7, "Europe/Paris", utc(2026, 9, 28)))),
      7 + 1 / 24
    )
    assert.strictEqual(
      Either.flip(Interval.lastDays(7, "Mars/Olympus", now)).pipe(Either.getOrThrow).rule,
      "interval.timeZone"
    )
    assert.strictEqual(Either.flip(Interval.lastDays(0, "UTC", now)).pipe(Either.getOrThrow).rule, "interval.empty")
  })

  it("lastDays: a daylight-saving change later the same day does not move midnight (Pacific/Chatham, 2088)", () => {
    // Found by the property below: DST starts at 02:45 on the day whose midnight is asked for.
    const now = 3_746_949_300_000
    assert.deepStrictEqual(
      Interval.lastDays(1, "Pacific/Chatham", now),
      Either.right({ startMillis: now - 86_400_000, endMillis: now })
    )
  })

  it.prop(
    "lastDays: whole local days, end at the latest midnight not after now",
    [fc.integer({ min: 1, max: 40 }), fc.constantFrom(...zones), instant],
    ([n, zone, now]) => {
      const interval = Either.getOrThrow(Interval.lastDays(n, zone, now))
      assert.isAtMost(interval.endMillis, now)
      assert.isAbove(interval.endMillis, now - 86_400_000 - 3_600_000)
      assert.isAtMost(Math.abs(interval.endMillis - interval.startMillis - n * 86_400_000), 3_600_000)
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone,
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23"
      })
      assert.strictEqual(local.format(interval.endMillis), "00:00")
    }
  )

  it("day and calendarDays", () => {
    assert.strictEqual(
      Interval.formatInterval(Either.getOrThrow(Interval.day("2026-03-29", "Europe/Paris"))),
      "2026-03-28T23:00:00.000Z/2026-03-29T22:00:00.000Z"
    )
    assert.strictEqual(Interval.days(Either.getOrThrow(Interval.calendarDays("2026-11-01", 31))), 31)
    const error = Either.flip(Interval.day("2026-02-30")).pipe(Either.getOrThrow)
    assert.strictEqual(error._tag, "IntervalError")
    assert.strictEqual(error.rule, "interval.start")
    assert.strictEqual(error.message, '"2026-02-30" is not a calendar date YYYY-MM-DD')
  })

  it("split covers the interval with consecutive windows", () => {
    const windows = Interval.split({ startMillis: 0, endMillis: 10 }, 4)
    assert.deepStrictEqual(windows, [
      { startMillis: 0, endMillis: 4 },
      { startMillis: 4, endMillis: 8 },
      { startMillis: 8, endMillis: 10 }
    ])
  })
})
