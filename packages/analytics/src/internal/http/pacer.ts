/**
 * Proactive pacing from the `inin-ratelimit-*` headers: at full speed until the window's budget is mostly
 * spent, then the remaining requests are spread evenly over the time left in the window, and when nothing
 * is left the next request waits for the window to reset. A 429 is then rare rather than routine.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"

interface Window {
  readonly allowed: number
  /** The highest `inin-ratelimit-count` answered in this window. */
  readonly count: number
  readonly resetAtMillis: number
  /** Earliest time the next paced request may go. */
  readonly nextAtMillis: number
}

interface State {
  readonly window: Window | undefined
  /** Requests sent and not yet observed: the platform may not have counted them in the latest response. */
  readonly inFlight: number
}

type Limits = { readonly count: number; readonly allowed: number; readonly resetMillis: number }

/** The pacer of one client (Genesys counts per token, so one per `GenesysHttp`). @internal */
export interface Pacer {
  /** Waits as long as pacing asks and counts the request in flight; returns the milliseconds waited. */
  readonly acquire: Effect.Effect<number>
  /** Ends an attempt acquired before, with the rate-limit headers of its response when there were any. */
  readonly observe: (limits: Limits | undefined) => Effect.Effect<void>
}

/** Margin after the announced reset, since `inin-ratelimit-reset` is rounded to whole seconds. @internal */
const resetMarginMillis = 250

/** How far apart two announcements of one window's reset can be: `inin-ratelimit-reset` is in whole seconds. */
const roundingMillis = 1_000

/** @internal */
export const make = (threshold: number): Effect.Effect<Pacer> =>
  Effect.map(Ref.make<State>({ window: undefined, inFlight: 0 }), (ref) => {
    const slot = (now: number) =>
      Ref.modify(ref, (state): readonly [number, State] => {
        const inFlight = state.inFlight + 1
        const w = state.window
        if (w === undefined || now >= w.resetAtMillis) return [0, { window: undefined, inFlight }]
        // Counting requests still in flight as spent keeps concurrent callers inside the budget.
        const remaining = w.allowed - w.count - state.inFlight
        if (remaining <= 0) {
          // Budget spent: wait for the reset; the next response describes the new window.
          return [w.resetAtMillis + resetMarginMillis - now, { window: w, inFlight }]
        }
        if (w.count + state.inFlight < threshold * w.allowed) return [0, { window: w, inFlight }]
        const at = Math.max(now, w.nextAtMillis)
        const interval = Math.max(0, (w.resetAtMillis - at) / remaining)
        return [at - now, { window: { ...w, nextAtMillis: at + interval }, inFlight }]
      })
    return {
      acquire: Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.flatMap(slot(now), (wait) =>
          wait > 0
            ? Effect.as(Effect.sleep(wait), wait).pipe(
                Effect.onInterrupt(() =>
                  Ref.update(ref, (state) => ({ ...state, inFlight: Math.max(0, state.inFlight - 1) }))
                )
              )
            : Effect.succeed(0)
        )
      ),
      observe: (limits) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(ref, (state) => {
            const inFlight = Math.max(0, state.inFlight - 1)
            if (limits === undefined) return { inFlight, window: state.window }
            const announced = now + limits.resetMillis
            const known = state.window !== undefined && now < state.window.resetAtMillis ? state.window : undefined
            // A reset further out than whole-second rounding explains: the platform has started a new window.
            const current = known !== undefined && announced <= known.resetAtMillis + roundingMillis ? known : undefined
            // Within a window each `inin-ratelimit-reset` bounds the reset from above (the emulator rounds up; the
            // platform's rounding is not documented), so the tightest bound is up to a second closer than the latest.
            const resetAtMillis = current === undefined ? announced : Math.min(current.resetAtMillis, announced)
            return {
              inFlight,
              window: {
                allowed: limits.allowed,
                // Answers to concurrent requests arrive in any order: the window has counted at least the highest.
                count: current === undefined ? limits.count : Math.max(current.count, limits.count),
                resetAtMillis,
                nextAtMillis: current?.nextAtMillis ?? now
              }
            }
          })
        )
    }
  })
