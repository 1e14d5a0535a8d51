import type { RouteSummary } from "../../AnalyticsMetrics.js"
import type * as Extraction from "../../Extraction.js"

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

/** What `windowReports` reads of a window's progress. @internal */
export interface WindowProgress {
  readonly state: {
    readonly state: string
    readonly jobId?: string | undefined
    readonly pagesDone: number
    readonly conversations: number
  }
  readonly stats: {
    readonly resubmissions: number
    readonly duplicates: number
    readonly foreign: number
    readonly quarantined: number
    readonly latencyMillis: number
  }
  readonly resumed: boolean
  readonly reconciliation?: Extraction.Reconciliation | undefined
}

/** One window's report. @internal */
export const windowReport = (w: Extraction.Window, p: WindowProgress): Extraction.WindowReport => ({
  id: w.id,
  kind: w.kind,
  interval: w.interval,
  provisional: w.provisional,
  ...(p.state.jobId !== undefined ? { jobId: p.state.jobId } : {}),
  conversations: p.state.conversations,
  pages: p.state.pagesDone,
  resubmissions: p.stats.resubmissions,
  duplicates: p.stats.duplicates,
  foreign: p.stats.foreign,
  quarantined: p.stats.quarantined,
  latencyMillis: p.stats.latencyMillis,
  resumed: p.resumed,
  ...(p.reconciliation !== undefined ? { reconciliation: p.reconciliation } : {})
})

/** The counts announced with `extraction.completed` and the seal. @internal */
export const counts = (windows: ReadonlyArray<Extraction.WindowReport>) => ({
  conversations: windows.reduce((n, w) => n + w.conversations, 0),
  pages: windows.reduce((n, w) => n + w.pages, 0),
  windows: windows.length
})

/** Everything the report is assembled from. @internal */
export interface ReportInput {
  readonly plan: Pick<Extraction.Plan, "interval" | "watermark" | "windows">
  readonly windows: ReadonlyArray<Extraction.WindowReport>
  readonly complete: boolean
  readonly requests: number
  readonly retries: number
  readonly rateLimited: number
  readonly phases: ReadonlyArray<PhaseSummary>
  readonly routes: ReadonlyArray<RouteSummary>
  readonly concurrency: { readonly initial: number; readonly final: number }
  /** The threshold, when reconciliation ran. */
  readonly reconcileThreshold: number | undefined
  readonly auditHead: string
}

/** The completeness report that ends a run. @internal */
export const assemble = (input: ReportInput): Extraction.Report => {
  const { plan, windows } = input
  const sum = (f: (w: Extraction.WindowReport) => number) => windows.reduce((n, w) => n + f(w), 0)
  const firstProvisional = plan.windows.find((w) => w.provisional)
  const accuracies = windows.flatMap((w) => (w.reconciliation !== undefined ? [w.reconciliation.accuracy] : []))
  const threshold = input.reconcileThreshold
  return {
    interval: plan.interval,
    watermark: plan.watermark,
    ...(firstProvisional !== undefined
      ? { provisionalFrom: new Date(firstProvisional.startMillis).toISOString() }
      : {}),
    windows,
    totals: {
      conversations: sum((w) => w.conversations),
      pages: sum((w) => w.pages),
      requests: input.requests,
      retries: input.retries,
      rateLimited: input.rateLimited,
      duplicates: sum((w) => w.duplicates),
      resubmissions: sum((w) => w.resubmissions),
      quarantined: sum((w) => w.quarantined)
    },
    phases: input.phases,
    routes: input.routes,
    complete: input.complete,
    concurrency: input.concurrency,
    ...(accuracies.length > 0 ? { accuracy: Math.min(...accuracies) } : {}),
    ...(threshold !== undefined
      ? { reconcileThreshold: threshold, reconciled: accuracies.every((a) => a >= threshold) }
      : {}),
    auditHead: input.auditHead
  }
}
