/**
 * One request from arrival to answer: correlation id and faults first (a dropped or slowed request still
 * counts), then admission, the token endpoint or bearer authentication, the rate limit and the route.
 * Every answer is enveloped and recorded exactly once.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import * as Admission from "./admission.js"
import { envelope } from "./envelope.js"
import type { Decision } from "./faultEngine.js"
import type { FaultSwitch } from "./faultSwitch.js"
import { Salt, uuid } from "./ids.js"
import * as RateLimit from "./rateLimit.js"
import type { RequestLog } from "./requestLog.js"
import * as RequestTarget from "./requestTarget.js"
import type { Dispatch } from "./routes.js"
import type { TokenStore } from "./tokens.js"
import { type ApiError, isApiError, type RawRequest, type WireResponse } from "./wire.js"

/** A request once its id and faults are decided. */
export interface Prepared {
  readonly t: number
  readonly correlationId: string
  readonly target: RequestTarget.RequestTarget
  readonly decision: Decision
}

/** The synchronous steps of answering; `handler.ts` adds time (delays) and dropped connections. */
export interface Pipeline {
  /** Number the request, find its target and decide its faults (always, even for a request then dropped). */
  readonly prepare: (request: RawRequest, t: number) => Prepared
  /** The answer at `p.t`, recorded; a bug answers 500 as a real org would, never a defect in the caller. */
  readonly answer: (request: RawRequest, p: Prepared) => WireResponse
  /** Record a dropped connection (status 0). */
  readonly recordDrop: (request: RawRequest, p: Prepared) => void
}

/** The parts a pipeline runs through. */
export interface Parts {
  readonly options: EmulatorOptions
  readonly tokens: TokenStore
  readonly faults: FaultSwitch
  readonly log: RequestLog
  readonly dispatch: Dispatch
}

/** A pipeline over `parts`. */
export const make = ({ dispatch, faults, log, options, tokens }: Parts): Pipeline => {
  let counter = 0

  const prepare = (request: RawRequest, t: number): Prepared => {
    counter++
    const correlationId = uuid(options.seed, counter, Salt.correlation)
    const target = RequestTarget.of(request)
    return { t, correlationId, target, decision: faults.decide(target.fault) }
  }

  const record = (request: RawRequest, p: Prepared, status: number) =>
    log.record({
      method: request.method,
      path: p.target.path,
      search: p.target.search,
      status,
      atMillis: p.t,
      correlationId: p.correlationId
    })

  const finish = (request: RawRequest, p: Prepared, response: WireResponse | ApiError, extra = {}) => {
    const out = envelope(response, p.correlationId, request.method, extra)
    record(request, p, out.status)
    return out
  }

  const respond = (request: RawRequest, p: Prepared): WireResponse => {
    const { decision, t } = p
    const admission = Admission.admit(request, p.target.matched, decision, options.maxBodyBytes)
    if (admission._tag === "Refused") return finish(request, p, admission.error, admission.headers)
    const route = admission.matched.route
    if (route._tag === "Token") return finish(request, p, tokens.endpoint(request, t))
    const revoke = decision.terminal?.kind === "revokeToken"
    const token = tokens.authenticate(request.headers.authorization, t, revoke)
    if (isApiError(token)) return finish(request, p, token)
    const limit = RateLimit.admit(token, t, options.rateLimit)
    if (decision.terminal?.kind === "rateLimit") {
      const retryAfter = decision.terminal.retryAfterSeconds ?? faults.profile().retryAfterSeconds ?? 1
      return finish(request, p, RateLimit.tooManyRequests(retryAfter), limit.headers)
    }
    if (limit.exceeded) return finish(request, p, RateLimit.tooManyRequests(limit.resetSeconds), limit.headers)
    const search = new URLSearchParams(p.target.search)
    return finish(request, p, dispatch(route, request, search, t, decision), limit.headers)
  }

  const answer = (request: RawRequest, p: Prepared): WireResponse => {
    try {
      return respond(request, p)
    } catch {
      return finish(request, p, Admission.serverError(500))
    }
  }

  return { prepare, answer, recordDrop: (request, p) => record(request, p, 0) }
}
