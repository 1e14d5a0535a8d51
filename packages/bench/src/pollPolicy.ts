/**
 * The library's default poll policy in words, for the reports: they describe what the runs used.
 *
 * @since 0.3.0
 */
import { defaultPollPolicy, pollDelayMillis } from "@effect-genesys/analytics/GenesysConfig"
import * as Duration from "effect/Duration"

/** The policy, and when its first polls come after a submission (without jitter). @since 0.3.0 */
export const describeDefaultPoll = (): { readonly policy: string; readonly times: string } => {
  const p = defaultPollPolicy
  const initial = Duration.toMillis(p.initialDelay)
  const max = Duration.toMillis(p.maxDelay)
  const times: Array<number> = []
  for (let t = initial; times.length < 12; t += pollDelayMillis(p, t)) times.push(Math.round(t / 100) / 10)
  return {
    policy: `every ${initial / 1000} s while the job is young, then ${Math.round((p.factor - 1) * 100)} % of its age apart, max ${
      max / 1000
    } s, ±20 % jitter`,
    times: times.join(", ")
  }
}
