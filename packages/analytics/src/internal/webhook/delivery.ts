// Sending one event: signed attempts, each cut off by a timeout, retried with backoff while the failure is
// transient (transport, timeout, 408, 429, 5xx); a 4xx refusal is final at once.
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type { Options } from "../../Webhook.js"
import { type PendingEvent, prepare } from "./pendingEvent.js"
import * as wire from "./wire.js"

/** Why one attempt failed, and whether another may follow. */
export class AttemptError extends Data.TaggedError("AttemptError")<{
  readonly retryable: boolean
  readonly reason: string
}> {}

/** True for a 2xx answer. */
export const isSuccess = (status: number): boolean => status >= 200 && status < 300
/** True for answers worth another attempt: 408, 429 and 5xx. */
export const isRetryable = (status: number): boolean => status >= 500 || status === 408 || status === 429

/** The retry policy of one event, with `Options`' defaults applied. */
export interface Policy {
  readonly attemptTimeout: Duration.Duration
  readonly maxAttempts: number
  readonly backoff: Schedule.Schedule<unknown>
}

/** The policy of `options`: 10 s per attempt, 6 attempts, exponential from 500 ms capped at 30 s, jittered. */
export const policy = (options: Options): Policy => ({
  attemptTimeout: Duration.decode(options.attemptTimeout ?? "10 seconds"),
  maxAttempts: Math.max(1, options.maxAttempts ?? 6),
  backoff: Schedule.exponential(options.backoff ?? "500 millis").pipe(
    Schedule.union(Schedule.spaced(options.maxBackoff ?? "30 seconds")),
    Schedule.jittered
  )
})

/** What sending needs: the client, where, the signing secret, the policy, and a hook counting attempts. */
export interface Dependencies {
  readonly client: HttpClient.HttpClient
  readonly url: URL
  readonly secret: string
  readonly policy: Policy
  readonly onAttempt: Effect.Effect<void>
}

/** How sending ended: delivered, or failed for good after `attempts` attempts, saying why. */
export type Outcome =
  | { readonly _tag: "Delivered" }
  | { readonly _tag: "Failed"; readonly attempts: number; readonly reason: string }

const attempt = ({ client, onAttempt, policy, secret, url }: Dependencies, pending: PendingEvent, n: number) =>
  Effect.gen(function* () {
    const prepared = yield* prepare(pending)
    yield* onAttempt
    const request = yield* wire.signedRequest(url, secret, prepared, n, yield* Clock.currentTimeMillis)
    const response = yield* client.execute(request).pipe(
      Effect.timeoutFail({
        duration: policy.attemptTimeout,
        onTimeout: () => new AttemptError({ retryable: true, reason: "timed out" })
      }),
      Effect.catchTags({
        RequestError: (e) => Effect.fail(new AttemptError({ retryable: true, reason: `transport: ${e.reason}` })),
        ResponseError: (e) =>
          Effect.fail(
            new AttemptError({ retryable: isRetryable(e.response.status), reason: `HTTP ${e.response.status}` })
          )
      })
    )
    if (!isSuccess(response.status)) {
      return yield* new AttemptError({ retryable: isRetryable(response.status), reason: `HTTP ${response.status}` })
    }
  })

/** Sends `pending` under the policy; never fails, the outcome says how it went. */
export const make =
  (dependencies: Dependencies) =>
  (pending: PendingEvent): Effect.Effect<Outcome> =>
    Effect.gen(function* () {
      let n = 0
      const exit = yield* Effect.suspend(() => attempt(dependencies, pending, ++n)).pipe(
        Effect.retry({
          schedule: dependencies.policy.backoff,
          times: dependencies.policy.maxAttempts - 1,
          while: (e) => e.retryable
        }),
        Effect.exit
      )
      if (Exit.isSuccess(exit)) return { _tag: "Delivered" } as const
      const reason = Option.match(Cause.failureOption(exit.cause), {
        onNone: () => "unexpected defect",
        onSome: (e) => e.reason
      })
      return { _tag: "Failed", attempts: n, reason } as const
    })
