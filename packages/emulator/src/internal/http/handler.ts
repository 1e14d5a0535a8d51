/** The pipeline as an Effect on the emulator's clock: fault delays are `Clock` sleeps, drops are failures. */
import type * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type { Pipeline } from "./pipeline.js"
import type { RawRequest, WireResponse } from "./wire.js"

/** The connection was dropped by a fault: no response exists. */
export class ConnectionDropped extends Data.TaggedError("ConnectionDropped")<{
  readonly method: string
  readonly url: string
}> {
  override get message(): string {
    return `Connection dropped by the emulator (fault) during ${this.method} ${this.url}`
  }
}

/**
 * A request handler; `now` is the emulator's time and `clock` sleeps through fault delays and, when `latency` is
 * given, through its next draw (every request, the token endpoint's and dropped ones included).
 */
export const make =
  (pipeline: Pipeline, now: Effect.Effect<number>, clock: Clock.Clock, latency?: () => number) =>
  (request: RawRequest): Effect.Effect<WireResponse, ConnectionDropped> =>
    Effect.flatMap(now, (t) => {
      const p = pipeline.prepare(request, t)
      const delayMillis = p.decision.delayMillis + (latency === undefined ? 0 : latency())
      const answer: Effect.Effect<WireResponse, ConnectionDropped> =
        p.decision.terminal?.kind === "drop"
          ? Effect.suspend(() => {
              pipeline.recordDrop(request, p)
              return Effect.fail(new ConnectionDropped({ method: request.method, url: request.url }))
            })
          : // Answered at the time after the delay: a slow response sees the clock move on.
            Effect.flatMap(now, (t2) => Effect.sync(() => pipeline.answer(request, { ...p, t: t2 })))
      return delayMillis > 0 ? Effect.zipRight(clock.sleep(Duration.millis(delayMillis)), answer) : answer
    })
