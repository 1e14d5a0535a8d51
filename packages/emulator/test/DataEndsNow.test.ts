// Where the data is: at the current time (or anchorMillis) on a live clock, the fixed 2026-01-05 dataset under
// TestClock, and exactly where an explicit startDate puts it.
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorOptions from "../src/EmulatorOptions.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const anchor = Date.parse("2026-03-10T15:00:00.000Z")
const iso = (millis: number) => new Date(millis).toISOString()

describe("EmulatorOptions.endingAt", () => {
  it("without startDate: the days before the end's day plus that day, now at the end", () => {
    assert.deepStrictEqual(EmulatorOptions.endingAt({ days: 7, perDay: 5 }, anchor), {
      days: 8,
      perDay: 5,
      startDate: "2026-03-03",
      anchorMillis: anchor
    })
    assert.deepStrictEqual(EmulatorOptions.endingAt({}, anchor), {
      days: EmulatorOptions.defaults.days + 1,
      startDate: "2026-03-03",
      anchorMillis: anchor
    })
  })

  it("an explicit startDate is kept as it is", () => {
    const input = { startDate: "2026-01-05", days: 2 }
    assert.strictEqual(EmulatorOptions.endingAt(input, anchor), input)
  })
})

describe("Emulator.make: where the data ends", () => {
  it.effect("under TestClock: the fixed default dataset, now just after it", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ days: 2, perDay: 10 })
      assert.strictEqual(emulator.options.startDate, "2026-01-05")
      assert.strictEqual(emulator.options.days, 2)
      assert.strictEqual(yield* emulator.nowMillis, EmulatorOptions.anchorOf(emulator.options))
    })
  )

  it.live("on a live clock: the data ends at the current time", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ days: 2, perDay: 10 })
      const now = yield* emulator.nowMillis
      assert.isAtMost(Math.abs(now - Date.now()), 5_000)
      const today = Math.floor(now / DAY) * DAY
      assert.strictEqual(emulator.dataset.spanStartMillis, today - 2 * DAY)
      assert.strictEqual(emulator.dataset.spanEndMillis, today + DAY)
    })
  )

  it.live("on a live clock with anchorMillis: data up to the anchor, none after it", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ days: 2, perDay: 400, anchorMillis: anchor })
      assert.strictEqual(emulator.options.startDate, "2026-03-08")
      const lastSixHours = yield* emulator.groundTruthSync({ interval: `${iso(anchor - 6 * HOUR)}/${iso(anchor)}` })
      assert.isAbove(lastSixHours.length, 0)
      // The anchor's day is generated whole, but a query sees only the conversations that ended by "now".
      const day = emulator.dataset.dayRange(2)
      const anchorDay = yield* emulator.groundTruthSync({ interval: `2026-03-10T00:00:00.000Z/${iso(anchor)}` })
      assert.isAbove(anchorDay.length, 0)
      assert.isBelow(anchorDay.length, day.to - day.from)
      assert.isTrue(anchorDay.every((id) => emulator.dataset.endMillis(emulator.dataset.indexOfId(id)!) <= anchor))
      // Jobs see what ended before the data-availability date (now - 2 h), as on the platform.
      assert.isAbove(
        (yield* emulator.groundTruthJob({ interval: `${iso(anchor - 6 * HOUR)}/${iso(anchor)}` })).length,
        0
      )
    })
  )

  it.live("on a live clock with startDate: the data where the options put it", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.make({ startDate: "2026-01-05", days: 2, perDay: 10 })
      assert.strictEqual(emulator.dataset.spanStartMillis, Date.parse("2026-01-05T00:00:00.000Z"))
      assert.strictEqual(emulator.options.days, 2)
    })
  )
})
