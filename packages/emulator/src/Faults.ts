/**
 * Fault profiles: what goes wrong, how often, and when. A profile mixes random rates (deterministic
 * under its `seed`: the same request sequence meets the same faults) with scripted rules that fire on
 * the n-th matching request. Profiles are plain JSON (`genesys-emulator --faults file.json`) and can be
 * replaced at run time with `Emulator.setFaults`.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** 429 with `Retry-After` and code `too.many.requests.retry.after`. @since 0.1.0 */
export const RateLimitFault = Schema.Struct({
  kind: Schema.Literal("rateLimit"),
  retryAfterSeconds: Schema.optional(Schema.Number)
})

/** A 5xx `ErrorBody`. @since 0.1.0 */
export const ServerErrorFault = Schema.Struct({
  kind: Schema.Literal("serverError"),
  status: Schema.optional(Schema.Literal(500, 502, 503, 504))
})

/** The connection dies without a response (server: socket destroyed; in-process: transport error). @since 0.1.0 */
export const DropFault = Schema.Struct({ kind: Schema.Literal("drop") })

/** The response is delayed (through the Effect `Clock`). @since 0.1.0 */
export const SlowFault = Schema.Struct({ kind: Schema.Literal("slow"), delayMillis: Schema.optional(Schema.Number) })

/** The request's token is revoked; this and every later use of it gets 401. @since 0.1.0 */
export const RevokeTokenFault = Schema.Struct({ kind: Schema.Literal("revokeToken") })

/** The job submitted by this request ends FAILED with `errorMessage` instead of FULFILLED. @since 0.1.0 */
export const FailJobFault = Schema.Struct({
  kind: Schema.Literal("failJob"),
  errorMessage: Schema.optional(Schema.String)
})

/** The job submitted by this request turns EXPIRED after `afterPages` results pages (0: as it completes). @since 0.1.0 */
export const ExpireJobFault = Schema.Struct({
  kind: Schema.Literal("expireJob"),
  afterPages: Schema.optional(Schema.Number)
})

/**
 * A results request with a cursor meets a stale cursor: `"repeat"` answers the same page with the same
 * cursor again (a paging loop), `"reject"` answers 400 as if the cursor were no longer valid.
 *
 * @since 0.1.0
 */
export const StaleCursorFault = Schema.Struct({
  kind: Schema.Literal("staleCursor"),
  mode: Schema.optional(Schema.Literal("repeat", "reject"))
})

/** One fault. @since 0.1.0 */
export const Fault = Schema.Union(
  RateLimitFault,
  ServerErrorFault,
  DropFault,
  SlowFault,
  RevokeTokenFault,
  FailJobFault,
  ExpireJobFault,
  StaleCursorFault
)

/** One fault. @since 0.1.0 */
export type Fault = typeof Fault.Type

/** The name of a fault kind. @since 0.1.0 */
export type FaultKind = Fault["kind"]

/**
 * A scripted rule: counts the requests that match `method` and `path` (a glob where `*` is one path
 * segment and `**` any rest) and fires `fault` on matches number `nth` … `nth + times - 1` (1-based).
 *
 * @since 0.1.0
 */
export const ScriptRule = Schema.Struct({
  method: Schema.optional(Schema.String),
  path: Schema.optional(Schema.String),
  nth: Schema.optional(Schema.Number),
  times: Schema.optional(Schema.Number),
  fault: Fault
})

/** A scripted rule. @since 0.1.0 */
export type ScriptRule = typeof ScriptRule.Type

/** Probabilities in [0, 1]; request-level rates apply to `/api/v2` requests only. @since 0.1.0 */
export const Rates = Schema.Struct({
  rateLimit: Schema.optional(Schema.Number),
  serverError: Schema.optional(Schema.Number),
  drop: Schema.optional(Schema.Number),
  slow: Schema.optional(Schema.Number),
  revokeToken: Schema.optional(Schema.Number),
  /** Per submitted job. */
  failJob: Schema.optional(Schema.Number),
  /** Per submitted job. */
  expireJob: Schema.optional(Schema.Number),
  /** Per results request that carries a cursor. */
  staleCursor: Schema.optional(Schema.Number),
  /** Notifications, per heartbeat of a connected socket: the server drops the socket (close 1006; the channel lives). */
  dropSocket: Schema.optional(Schema.Number),
  /** Notifications, per availability event and channel: the event is not sent (the REST date still advances). */
  missNotification: Schema.optional(Schema.Number),
  /** Notifications, per heartbeat of a connected socket: the channel expires now (close 1000, HEAD 404). */
  expireChannel: Schema.optional(Schema.Number),
  /** Live mode, per due availability step: the date stalls for `stallSteps` steps, then catches up. */
  stallAvailability: Schema.optional(Schema.Number)
})

/** Fault rates. @since 0.1.0 */
export type Rates = typeof Rates.Type

/** A fault profile (all fields optional). @since 0.1.0 */
export const FaultProfile = Schema.Struct({
  /** Seed of the random draws (default: the emulator seed). */
  seed: Schema.optional(Schema.Number),
  rates: Schema.optional(Rates),
  /** Consecutive 429s once a random rate-limit burst starts (default 3). */
  rateLimitBurst: Schema.optional(Schema.Number),
  /** `Retry-After` of fault 429s (default 1). */
  retryAfterSeconds: Schema.optional(Schema.Number),
  /** Statuses drawn for random 5xx (default 500, 502, 503, 504). */
  serverErrorStatuses: Schema.optional(Schema.Array(Schema.Literal(500, 502, 503, 504))),
  /** Delay of random slow responses (default 2000). */
  slowMillis: Schema.optional(Schema.Number),
  /** Mode of random stale cursors (default "repeat"). */
  staleCursorMode: Schema.optional(Schema.Literal("repeat", "reject")),
  /** `errorMessage` of randomly failed jobs. */
  failJobMessage: Schema.optional(Schema.String),
  /** Pages served before a randomly expiring job turns EXPIRED (default 1). */
  expireJobAfterPages: Schema.optional(Schema.Number),
  /** Steps one `stallAvailability` draw holds the availability date (default 3). */
  stallSteps: Schema.optional(Schema.Number),
  script: Schema.optional(Schema.Array(ScriptRule))
})

/** A fault profile. @since 0.1.0 */
export type FaultProfile = typeof FaultProfile.Type

/** The empty profile: nothing goes wrong. @since 0.1.0 */
export const none: FaultProfile = {}

/** Decode a profile from parsed JSON. @since 0.1.0 */
export const decode: (input: unknown) => Effect.Effect<FaultProfile, ParseResult.ParseError> = Schema.decodeUnknown(
  FaultProfile,
  { onExcessProperty: "error" }
)

/** Decode a profile from JSON text. @since 0.1.0 */
export const fromJson = (text: string): Effect.Effect<FaultProfile, ParseResult.ParseError> =>
  Schema.decodeUnknown(Schema.parseJson(FaultProfile), { onExcessProperty: "error" })(text)

/** A profile with only scripted rules. @since 0.1.0 */
export const script = (...rules: ReadonlyArray<ScriptRule>): FaultProfile => ({ script: rules })

/** A profile with only random rates. @since 0.1.0 */
export const rates = (rates: Rates, seed?: number): FaultProfile => (seed === undefined ? { rates } : { rates, seed })

/** The default `errorMessage` of a failed job. @since 0.1.0 */
export const defaultFailJobMessage = "Query failed due to an internal error; please retry."
