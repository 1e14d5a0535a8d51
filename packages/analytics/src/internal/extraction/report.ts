import type { RouteSummary } from "../../AnalyticsMetrics.js"

/** @internal */
export type Phase = "submit" | "await" | "firstPage" | "paging" | "window" | "total"

/** @internal */
export const phases: ReadonlyArray<Phase> = ["submit", "await", "firstPage", "paging", "window", "total"]

/** Latency percentiles of one extraction phase, from every sample of the run (exact, not bucketed). @internal */
export interface PhaseSummary {
  readonly phase: Phase
  readonly count: number
  readonly p50Millis: number
  readonly p95Millis: number
  readonly p99Millis: number
  readonly maxMillis: number
}

const percentile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!

/** @internal */
export const summarizePhases = (samples: ReadonlyMap<Phase, ReadonlyArray<number>>): ReadonlyArray<PhaseSummary> =>
  phases.flatMap((phase) => {
    const values = [...(samples.get(phase) ?? [])].sort((a, b) => a - b)
    if (values.length === 0) return []
    return [
      {
        phase,
        count: values.length,
        p50Millis: percentile(values, 0.5),
        p95Millis: percentile(values, 0.95),
        p99Millis: percentile(values, 0.99),
        maxMillis: values[values.length - 1]!
      }
    ]
  })

const pad = (rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "))
    .join("\n")
}

const ms = (n: number): string => `${Math.round(n)} ms`

/** A fixed-width table of phase and route latencies. @internal */
export const latencyTable = (phaseRows: ReadonlyArray<PhaseSummary>, routes: ReadonlyArray<RouteSummary>): string => {
  const header = ["", "count", "p50", "p95", "p99", "max"]
  const rows: Array<ReadonlyArray<string>> = [header]
  for (const p of phaseRows) {
    rows.push([`phase ${p.phase}`, String(p.count), ms(p.p50Millis), ms(p.p95Millis), ms(p.p99Millis), ms(p.maxMillis)])
  }
  for (const r of routes) {
    rows.push([r.route, String(r.count), ms(r.p50Millis), ms(r.p95Millis), ms(r.p99Millis), ms(r.maxMillis)])
  }
  return pad(rows)
}
