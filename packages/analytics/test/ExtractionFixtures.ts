// The three-day emulator both extraction engines are tested against.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import * as Effect from "effect/Effect"
import * as Interval from "../src/Interval.js"

export const DAY = Interval.DAY_MILLIS
export const HOUR = 3_600_000
export const day0 = Date.parse("2026-01-05T00:00:00.000Z")
// Emulator "now" is 10:00 the day after the data ends, when every conversation has ended, so nothing
// changes while a test runs; jobs see data up to 04:00 of the second day (30 h availability lag).
export const anchorMillis = day0 + 3 * DAY + 10 * HOUR
export const watermarkMillis = day0 + DAY + 4 * HOUR
export const emulatorOptions: EmulatorOptions.Input = {
  seed: 11,
  startDate: "2026-01-05",
  days: 3,
  perDay: 80,
  anchorMillis,
  jobs: {
    queueMillis: 1_000,
    runMillis: 2_000,
    runMillisPerConversation: 0,
    resultsDefaultPageSize: 25,
    availabilityLagMillis: anchorMillis - watermarkMillis
  }
}
export const threeDays = Interval.format(day0, day0 + 3 * DAY)

/**
 * Six days from a Thursday (Saturday and Sunday hold far fewer conversations than the weekdays), all settled: six
 * one-day job windows of unequal size. Jobs take 3 s plus `runMillisPerConversation` a conversation.
 */
export const sixDaysFromThursday = (runMillisPerConversation = 0) => {
  const start = Date.parse("2026-01-08T00:00:00.000Z")
  const days = 6
  const anchor = start + days * DAY + 10 * HOUR
  const emulator: EmulatorOptions.Input = {
    seed: 11,
    startDate: "2026-01-08",
    days,
    perDay: 150,
    anchorMillis: anchor,
    jobs: { queueMillis: 1_000, runMillis: 2_000, runMillisPerConversation, availabilityLagMillis: HOUR }
  }
  return { days, anchorMillis: anchor, interval: Interval.format(start, start + days * DAY), emulator }
}

/** The emulator holds every aggregate query for a minute: the volume a plan asks for never comes in time. */
export const volumeQueryNeverAnswers = Effect.flatMap(Emulator.Emulator, (e) =>
  e.setFaults({
    script: [
      {
        method: "POST",
        path: "/api/v2/analytics/conversations/aggregates/query",
        fault: { kind: "slow", delayMillis: 60_000 }
      }
    ]
  })
)
