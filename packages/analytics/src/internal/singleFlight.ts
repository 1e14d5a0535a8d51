// Calls with one key made while an earlier call with that key runs wait for its outcome instead of running again: two
// polls of one job's status (its schedule's and its forecast's) must not spend two requests of the rate limit on the
// same answer. The run belongs to no caller: a caller interrupted (a race's loser) stops waiting, and the run is
// interrupted only once no caller waits for it, so its outcome (and what it audits) is never cut off while one does.
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

interface Flight<A, E> {
  readonly outcome: Deferred.Deferred<A, E>
  run: Fiber.RuntimeFiber<unknown> | undefined
  waiters: number
}

/** `run` shared by the calls with the same key that overlap in time. @internal */
export const make = <K, A, E, R>(run: (key: K) => Effect.Effect<A, E, R>): ((key: K) => Effect.Effect<A, E, R>) => {
  const flights = new Map<K, Flight<A, E>>()
  // Joining or starting is one synchronous step, so no two calls can both start a run.
  const join = (key: K) =>
    Effect.sync(() => {
      const current = flights.get(key)
      if (current !== undefined) {
        current.waiters++
        return { flight: current, starts: false }
      }
      const flight: Flight<A, E> = { outcome: Deferred.unsafeMake<A, E>(FiberId.none), run: undefined, waiters: 1 }
      flights.set(key, flight)
      return { flight, starts: true }
    })
  const settle = (key: K, flight: Flight<A, E>) => () => {
    if (flights.get(key) === flight) flights.delete(key)
  }
  const leave = (key: K, flight: Flight<A, E>) =>
    Effect.suspend(() => {
      flight.waiters--
      if (flight.waiters > 0 || flight.run === undefined) return Effect.void
      settle(key, flight)()
      return Fiber.interrupt(flight.run)
    })
  return (key) =>
    Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(join(key), ({ flight, starts }) =>
        Effect.zipRight(
          starts
            ? Effect.tap(
                Effect.forkDaemon(
                  // Forked inside the mask, the run would inherit it and could never be interrupted.
                  Effect.flatMap(Effect.exit(Effect.interruptible(Effect.suspend(() => run(key)))), (exit) =>
                    Effect.zipRight(Effect.sync(settle(key, flight)), Deferred.done(flight.outcome, exit))
                  )
                ),
                (fiber) =>
                  Effect.sync(() => {
                    flight.run = fiber
                  })
              )
            : Effect.void,
          restore(Deferred.await(flight.outcome)).pipe(Effect.onInterrupt(() => leave(key, flight)))
        )
      )
    )
}
