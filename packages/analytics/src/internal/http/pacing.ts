/**
 * Proactive pacing as a combinator: each attempt waits for the pacer first (before its token is asked for),
 * and the pacer observes how it ended, with the `inin-ratelimit-*` headers of its response when there was one.
 *
 * @internal
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import { rateLimitHeaders } from "./errorBody.js"
import * as HttpEvents from "./httpEvents.js"
import type { Pacer } from "./pacer.js"

/** Metrics and `HttpEvents.onRateLimitWait` for a pacing wait. @internal */
const reportPacingWait = (route: string, waitMillis: number): Effect.Effect<void> =>
  Effect.zipRight(
    AnalyticsMetrics.recordRateLimitWait("pacing", waitMillis),
    HttpEvents.report("onRateLimitWait", { route, cause: "pacing", waitMillis })
  )

/** Paces every attempt with `pacer` (unchanged client when `undefined`). @internal */
export const withPacing =
  (pacer: Pacer | undefined, route: string) =>
  <E, R>(client: HttpClient.HttpClient.With<E, R>): HttpClient.HttpClient.With<E, R> =>
    pacer === undefined
      ? client
      : HttpClient.transformResponse(client, (attempt) =>
          // Every paced attempt is observed exactly once, however it ends, so the in-flight count stays exact.
          Effect.uninterruptibleMask((restore) =>
            Effect.flatMap(restore(pacer.acquire), (waited) =>
              restore(attempt).pipe(
                Effect.onExit((exit) =>
                  Effect.zipRight(
                    pacer.observe(Exit.isSuccess(exit) ? rateLimitHeaders(exit.value.headers) : undefined),
                    waited > 0 && !Exit.isInterrupted(exit) ? reportPacingWait(route, waited) : Effect.void
                  )
                )
              )
            )
          )
        )
