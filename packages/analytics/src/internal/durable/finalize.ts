// The last step of an extraction: the sink made final, reconciliation, the completion audited and sealed, the report.
import * as Activity from "@effect/workflow/Activity"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import type * as Extraction from "../../Extraction.js"
import { dayOf } from "../extraction/ledger.js"
import * as Reconcile from "../extraction/reconcile.js"
import * as internalReport from "../extraction/report.js"
import type { ExecutionRef } from "./environment.js"
import type { Plan, RunSettings, WindowOutcome } from "./schemas.js"
import { StepError } from "./schemas.js"
import { withServices } from "./windowSteps.js"

/** The report as the journal stores it (plain JSON). @internal */
export const ReportJson = Schema.Unknown as unknown as Schema.Schema<Extraction.Report>

/** Finalizes the sink with the windows' final pages and assembles the report. @internal */
export const finalize = (input: {
  readonly execution: ExecutionRef
  readonly plan: typeof Plan.Type
  readonly settings: RunSettings
  readonly outcomes: ReadonlyArray<WindowOutcome>
  /** Windows whose outcome came from an earlier generation of the run. */
  readonly resumed: ReadonlySet<string>
  readonly startedAt: number
}) =>
  Activity.make({
    name: "finalize",
    success: ReportJson,
    error: StepError,
    execute: withServices(input.execution, (s) =>
      Effect.gen(function* () {
        const { outcomes, plan } = input
        const finalized = yield* s.sink.finalize(
          outcomes.map((o) => ({ window: o.id, attempt: o.attempt, pages: o.pages }))
        )
        const days = new Map<number, number>()
        for (const o of outcomes)
          for (const [d, n] of Object.entries(o.days)) days.set(Number(d), (days.get(Number(d)) ?? 0) + n)
        const reconciliations = input.settings.reconcile
          ? yield* Reconcile.reconcile({
              windows: plan.windows,
              settled: Reconcile.settledOf(plan),
              filters: plan.filters as Extraction.Filters,
              validator: s.validator,
              details: s.details,
              extractedIn: (startMillis, endMillis) => {
                let n = 0
                for (let d = dayOf(startMillis); d < dayOf(endMillis); d++) n += days.get(d) ?? 0
                return n
              }
            })
          : new Map<string, Extraction.Reconciliation>()
        const byId = new Map(outcomes.map((o) => [o.id, o]))
        const windows = plan.windows.map((w) => {
          const o = byId.get(w.id)!
          return internalReport.windowReport(w, {
            state: { state: "done", jobId: o.jobId, pagesDone: o.pages, conversations: o.conversations },
            stats: o,
            resumed: input.resumed.has(w.id),
            reconciliation: reconciliations.get(w.id)
          })
        })
        const finishedAt = yield* Clock.currentTimeMillis
        const counts = { ...internalReport.counts(windows), conversations: finalized.conversations }
        yield* s.audit.record({
          type: "extraction.completed",
          window: plan.interval,
          queryHash: plan.planHash,
          latencyMillis: Math.max(0, finishedAt - input.startedAt),
          counts
        })
        const auditHead = yield* s.audit.seal(counts)
        yield* s.notify({ type: "extraction.completed", window: plan.interval, counts, auditHead, status: "completed" })
        // Metrics are the process's: in the embedded deployment that is the run; on a cluster, this runner's share.
        const metrics = yield* AnalyticsMetrics.snapshot
        const report = internalReport.assemble({
          plan,
          windows,
          complete: true,
          requests: AnalyticsMetrics.summarize(metrics).reduce((n, r) => n + r.count, 0),
          retries: metrics.retries,
          rateLimited: metrics.rateLimited,
          phases: internalReport.summarizePhases(
            new Map([
              ["window", outcomes.map((o) => o.latencyMillis)],
              ["total", [Math.max(0, finishedAt - input.startedAt)]]
            ])
          ),
          routes: AnalyticsMetrics.summarize(metrics),
          concurrency: { initial: input.settings.concurrency, final: input.settings.concurrency },
          reconcileThreshold: input.settings.reconcile ? (input.settings.reconcileThreshold ?? 1) : undefined,
          auditHead
        })
        // Duplicates found across pages at finalize are dropped there; the distinct count is the exact total.
        return {
          ...report,
          totals: {
            ...report.totals,
            conversations: finalized.conversations,
            duplicates: report.totals.duplicates + finalized.duplicates
          }
        }
      })
    )
  })
