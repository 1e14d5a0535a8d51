import type { Fault, FaultProfile, ScriptRule } from "../../Faults.js"
import { mix } from "./ids.js"

/** What the router knows about a request when faults are decided. */
export interface FaultTarget {
  readonly method: string
  readonly path: string
  /** Under `/api/v2`. */
  readonly api: boolean
  /** `POST …/details/jobs`. */
  readonly submit: boolean
  /** `GET …/jobs/{id}/results` with a `cursor`. */
  readonly cursor: boolean
}

/** The faults that hit one request. */
export interface Decision {
  readonly delayMillis: number
  /** rateLimit, serverError, drop or revokeToken: replaces the normal answer. */
  readonly terminal: Fault | undefined
  /** failJob / expireJob for a submission. */
  readonly job: ReadonlyArray<Fault>
  /** staleCursor for a results request. */
  readonly staleCursor: "repeat" | "reject" | undefined
}

export interface FaultState {
  readonly profile: FaultProfile
  readonly seed: number
  readonly seq: number
  readonly ruleCounts: ReadonlyArray<number>
  readonly burstRemaining: number
}

export const initial = (profile: FaultProfile | undefined, defaultSeed: number): FaultState => {
  const p = profile ?? {}
  return {
    profile: p,
    seed: p.seed ?? defaultSeed,
    seq: 0,
    ruleCounts: (p.script ?? []).map(() => 0),
    burstRemaining: 0
  }
}

const globCache = new Map<string, RegExp>()
const glob = (pattern: string): RegExp => {
  let re = globCache.get(pattern)
  if (re === undefined) {
    const body = pattern
      .split("**")
      .map((part) =>
        part
          .split("*")
          .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join("[^/]*")
      )
      .join(".*")
    re = new RegExp(`^${body}$`)
    globCache.set(pattern, re)
  }
  return re
}

const jobKinds: ReadonlySet<string> = new Set(["failJob", "expireJob"])

const applies = (rule: ScriptRule, target: FaultTarget): boolean => {
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method) return false
  if (!glob(rule.path ?? "/api/v2/**").test(target.path)) return false
  if (jobKinds.has(rule.fault.kind)) return target.submit
  if (rule.fault.kind === "staleCursor") return target.cursor
  return true
}

const KIND_SALT = {
  rateLimit: 1,
  serverError: 2,
  drop: 3,
  slow: 4,
  revokeToken: 5,
  failJob: 6,
  expireJob: 7,
  staleCursor: 8,
  status: 9
} as const

/** Uniform [0, 1) from (seed, request sequence number, salt): independent per fault kind. */
const draw = (state: FaultState, salt: number): number => mix(state.seed, state.seq, salt) / 4294967296

const hit = (state: FaultState, rate: number | undefined, salt: number): boolean =>
  rate !== undefined && rate > 0 && draw(state, salt) < rate

/** Decide the faults of one request; pure. */
export const decide = (state0: FaultState, target: FaultTarget): readonly [Decision, FaultState] => {
  const seq = state0.seq + 1
  const state: FaultState = { ...state0, seq }
  const profile = state.profile
  let delayMillis = 0
  let terminal: Fault | undefined
  const job: Array<Fault> = []
  let staleCursor: "repeat" | "reject" | undefined

  const apply = (fault: Fault) => {
    switch (fault.kind) {
      case "slow":
        delayMillis = Math.max(delayMillis, fault.delayMillis ?? profile.slowMillis ?? 2000)
        break
      case "failJob":
      case "expireJob":
        job.push(fault)
        break
      case "staleCursor":
        staleCursor ??= fault.mode ?? profile.staleCursorMode ?? "repeat"
        break
      default:
        terminal ??= fault
    }
  }

  const rules = profile.script ?? []
  const ruleCounts = state.ruleCounts.slice()
  rules.forEach((rule, i) => {
    if (!applies(rule, target)) return
    const n = (ruleCounts[i] ?? 0) + 1
    ruleCounts[i] = n
    const nth = rule.nth ?? 1
    if (n >= nth && n < nth + (rule.times ?? 1)) apply(rule.fault)
  })

  let burstRemaining = state.burstRemaining
  const rates = profile.rates
  if (target.api) {
    if (burstRemaining > 0) {
      burstRemaining--
      apply({ kind: "rateLimit" })
    } else if (hit(state, rates?.rateLimit, KIND_SALT.rateLimit)) {
      burstRemaining = Math.max(0, (profile.rateLimitBurst ?? 3) - 1)
      apply({ kind: "rateLimit" })
    }
    if (rates !== undefined) {
      if (hit(state, rates.drop, KIND_SALT.drop)) apply({ kind: "drop" })
      if (hit(state, rates.serverError, KIND_SALT.serverError)) {
        const statuses = profile.serverErrorStatuses ?? [500, 502, 503, 504]
        const status = statuses[Math.floor(draw(state, KIND_SALT.status) * statuses.length)] ?? 500
        apply({ kind: "serverError", status })
      }
      if (hit(state, rates.revokeToken, KIND_SALT.revokeToken)) apply({ kind: "revokeToken" })
      if (hit(state, rates.slow, KIND_SALT.slow)) apply({ kind: "slow" })
      if (target.submit && hit(state, rates.failJob, KIND_SALT.failJob)) apply({ kind: "failJob" })
      if (target.submit && hit(state, rates.expireJob, KIND_SALT.expireJob)) apply({ kind: "expireJob" })
      if (target.cursor && hit(state, rates.staleCursor, KIND_SALT.staleCursor)) apply({ kind: "staleCursor" })
    }
  }

  return [
    { delayMillis, terminal, job, staleCursor },
    { ...state, ruleCounts, burstRemaining }
  ]
}
