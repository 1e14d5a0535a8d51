/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as Effect from "effect/Effect"

const seconds = (millis: number) => {
  const s = Math.max(0, Math.round(millis / 1000))
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`
      : `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`
}

/** The progress line: windows, pages, conversations, rate and a rough ETA from the windows left. @internal */
export const line = (p: Extraction.Progress): string => {
  const rate = p.elapsedMillis > 0 ? (p.conversations * 1000) / p.elapsedMillis : 0
  const eta =
    p.windowsDone > 0 && p.windowsDone < p.windows
      ? ` · ETA ${seconds((p.elapsedMillis * (p.windows - p.windowsDone)) / p.windowsDone)}`
      : ""
  return `windows ${p.windowsDone}/${p.windows} · pages ${p.pages} · conversations ${p.conversations} · ${rate.toFixed(0)}/s · ${seconds(p.elapsedMillis)}${eta}`
}

/** The progress line while a request waits to be retried. @internal */
export const retryLine = (info: GenesysHttp.RetryInfo): string =>
  `retrying ${info.route} (${info.reason}): attempt ${info.attempt} in ${(info.delayMillis / 1000).toFixed(1)}s, failing for ${seconds(info.elapsedMillis)}`

/** Writes one retry line on stderr, on a terminal over the progress line being redrawn. @internal */
export const printRetry = (info: GenesysHttp.RetryInfo, terminal: boolean = process.stderr.isTTY === true): void => {
  process.stderr.write(`${terminal ? "\r\x1b[K" : ""}genesys-analytics: ${retryLine(info)}\n`)
}

/**
 * Progress on stderr when it is a terminal; nothing otherwise. Retries are printed either way, one line each (why,
 * which attempt, how long the wait), so a slow run says what it is waiting for. The last progress is kept either way:
 * an interrupted run says where it stopped.
 *
 * @internal
 */
export const make = (
  enabled: boolean = process.stderr.isTTY === true
): {
  readonly onProgress: (p: Extraction.Progress) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
  readonly last: () => Extraction.Progress | undefined
  readonly onRetry: (info: GenesysHttp.RetryInfo) => Effect.Effect<void>
} => {
  let shown = false
  let last: Extraction.Progress | undefined
  return {
    onProgress: (p) =>
      Effect.sync(() => {
        last = p
        if (!enabled) return
        shown = true
        process.stderr.write(`\r\x1b[K${line(p)}`)
      }),
    clear: Effect.sync(() => {
      if (shown) process.stderr.write("\r\x1b[K")
    }),
    last: () => last,
    // A retry shows why and when the next attempt comes, so a storm of 5xx is visible instead of a frozen line; the
    // progress line is drawn again under it by the next progress.
    onRetry: (info) =>
      Effect.sync(() => {
        printRetry(info, enabled)
        if (enabled && last !== undefined) process.stderr.write(line(last))
      })
  }
}

/** Runs `effect` with every retry of its requests printed as a line on stderr. @internal */
export const withRetryLines = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  GenesysHttp.withRetryObserver(effect, (info) => Effect.sync(() => printRetry(info)))
