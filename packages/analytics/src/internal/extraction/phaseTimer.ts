import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as report from "./report.js"

/** Latency samples per extraction phase, for the report's percentiles. @internal */
export interface PhaseTimer {
  readonly sample: (phase: report.Phase, millis: number) => void
  /** Runs `effect` and samples its duration under `phase`. */
  readonly timed: <A, E, R>(phase: report.Phase, effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /** Runs `f` over every page, sampling `firstPage` and `paging` from `since`. */
  readonly forEachPage: <A, E, E2, R>(
    pages: Stream.Stream<A, E, R>,
    since: number,
    f: (page: A) => Effect.Effect<void, E2, R>
  ) => Effect.Effect<void, E | E2, R>
  readonly samples: ReadonlyMap<report.Phase, ReadonlyArray<number>>
}

/** @internal */
export const make = (): PhaseTimer => {
  const samples = new Map<report.Phase, Array<number>>()
  const sample = (phase: report.Phase, millis: number) => {
    const list = samples.get(phase)
    if (list) list.push(millis)
    else samples.set(phase, [millis])
  }
  const elapsedSince = (since: number) => Effect.map(Clock.currentTimeMillis, (now) => now - since)
  return {
    sample,
    samples,
    timed: (phase, effect) =>
      Effect.flatMap(Clock.currentTimeMillis, (t0) =>
        Effect.tap(effect, () => Effect.map(elapsedSince(t0), (millis) => sample(phase, millis)))
      ),
    forEachPage: (pages, since, f) =>
      Effect.suspend(() => {
        let first = true
        const onPage = (page: Parameters<typeof f>[0]) =>
          first
            ? Effect.zipRight(
                Effect.map(elapsedSince(since), (millis) => {
                  sample("firstPage", millis)
                  first = false
                }),
                f(page)
              )
            : f(page)
        return Effect.zipRight(
          Stream.runForEach(pages, onPage),
          Effect.map(elapsedSince(since), (millis) => sample("paging", millis))
        )
      })
  }
}
