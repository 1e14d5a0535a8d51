/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"

// `--reconcile` used to print a low accuracy and still exit 0, though exit 0 promises the output is exact. A
// reconciled window is accepted when its extracted count is within (1 - threshold) of the sync query's `totalHits`
// on either side (default threshold 1: equal); any other window makes the run exit 4.

/** A reconciled window outside the threshold. @internal */
export interface Shortfall {
  readonly interval: string
  readonly expected: number
  readonly extracted: number
  readonly accuracy: number
}

/** The reconciled windows of a report outside `threshold` (a fraction in (0, 1]). @internal */
export const shortfalls = (report: Extraction.Report, threshold: number): ReadonlyArray<Shortfall> => {
  const out: Array<Shortfall> = []
  for (const w of report.windows) {
    const r = w.reconciliation
    if (r === undefined) continue
    const off = Math.abs(r.extracted - r.expected) / Math.max(r.expected, 1)
    // A tiny epsilon: 0.95 written as a fraction must accept exactly 95 of 100.
    if (off > 1 - threshold + 1e-9) out.push({ interval: w.interval, ...r })
  }
  return out
}

const percent = (x: number) => `${(x * 100).toFixed(2)} %`

/** The one-line message of a failed reconciliation. @internal */
export const message = (found: ReadonlyArray<Shortfall>, threshold: number): string => {
  const first = found[0]!
  const more = found.length > 1 ? ` (and ${found.length - 1} more window${found.length > 2 ? "s" : ""})` : ""
  return (
    `reconciliation failed: ${first.interval} has ${first.extracted} conversations, the sync query counts ` +
    `${first.expected} (${percent(first.accuracy)}, threshold ${percent(threshold)})${more}; the output is not exact`
  )
}
