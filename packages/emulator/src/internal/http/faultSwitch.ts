/**
 * The fault profile in force and its evolving state (rule counters, draw sequence, bursts). `setFaults`
 * replaces it at run time, so the routes read the profile through this holder rather than keep a copy.
 */
import type { FaultProfile } from "../../Faults.js"
import * as FaultEngine from "./faultEngine.js"

/** The faults of one emulated org. */
export interface FaultSwitch {
  /** Decide the faults of the next request and advance the state. */
  readonly decide: (target: FaultEngine.FaultTarget) => FaultEngine.Decision
  /** The profile in force. */
  readonly profile: () => FaultProfile
  /** Replace the profile (`undefined`: none); counters and draws restart. */
  readonly reset: (profile: FaultProfile | undefined) => void
}

/** A switch starting with `profile`; draws default to `seed`. */
export const make = (profile: FaultProfile | undefined, seed: number): FaultSwitch => {
  let state = FaultEngine.initial(profile, seed)
  return {
    decide: (target) => {
      const [decision, next] = FaultEngine.decide(state, target)
      state = next
      return decision
    },
    profile: () => state.profile,
    reset: (p) => {
      state = FaultEngine.initial(p, seed)
    }
  }
}
