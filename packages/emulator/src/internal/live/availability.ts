/**
 * The data-availability date of an org. Without live mode it is `now - availabilityLagMillis`, moving
 * continuously. In live mode it moves in steps of `availabilityStepMillis` (a step is due when `now - lag` crosses
 * a multiple of the step), and a step can be suppressed: by a stall (`stall`, or the `stallAvailability` fault
 * rate, each draw stalling `stallSteps` steps) the date stays where it is and catches up at the first step after
 * the stall. Each due step is decided once, the first time anything asks at or after it, so the date never goes
 * back even when the fault profile changes.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import type { FaultProfile } from "../../Faults.js"
import { hash3 } from "../data/random.js"

const STALL_SALT = 0x57a11
const TWO32 = 4_294_967_296

/** The availability date of one org. */
export interface Availability {
  /** The date at emulator time `t` (times asked must not decrease much: steps are decided once). */
  readonly at: (t: number) => number
  /** The emulator time of the next due step after `t` (`Infinity` without live mode). */
  readonly nextStepAfter: (t: number) => number
  /** Suppress the steps due in `[t, t + durationMillis)`. */
  readonly stall: (t: number, durationMillis: number) => void
  /** How many due steps were suppressed so far (by a stall or the `stallAvailability` rate). */
  readonly stalledSteps: () => number
}

/** The availability of an org under `options`, the fault profile read through `profile`. */
export const make = (options: EmulatorOptions, profile: () => FaultProfile, seed: number): Availability => {
  const lag = options.jobs.availabilityLagMillis
  const live = options.live
  if (live === undefined) {
    return { at: (t) => t - lag, nextStepAfter: () => Number.POSITIVE_INFINITY, stall: () => {}, stalledSteps: () => 0 }
  }
  const step = live.availabilityStepMillis
  const stalls: Array<{ readonly from: number; readonly until: number }> = []
  let checked: number | undefined
  let current = 0
  let suppressedThrough = Number.NEGATIVE_INFINITY
  let stalled = 0

  const at = (t: number): number => {
    const due = Math.floor((t - lag) / step)
    if (checked === undefined) {
      checked = due
      current = due * step
      return current
    }
    // A clock that jumps far ahead needs only the last steps (the date is the last one not suppressed).
    for (let k = Math.max(checked + 1, due - 10_000); k <= due; k++) {
      const dueAt = k * step + lag
      let suppressed = k <= suppressedThrough || stalls.some((s) => dueAt >= s.from && dueAt < s.until)
      if (!suppressed) {
        const p = profile()
        const rate = p.rates?.stallAvailability ?? 0
        if (rate > 0 && hash3(p.seed ?? seed, k, STALL_SALT) / TWO32 < rate) {
          suppressedThrough = k + Math.max(1, p.stallSteps ?? 3) - 1
          suppressed = true
        }
      }
      if (suppressed) stalled++
      else current = k * step
    }
    checked = Math.max(checked, due)
    return current
  }

  const nextStepAfter = (t: number): number => (Math.floor((t - lag) / step) + 1) * step + lag

  const stall = (t: number, durationMillis: number) => {
    at(t)
    stalls.push({ from: t, until: t + durationMillis })
  }

  return { at, nextStepAfter, stall, stalledSteps: () => stalled }
}
