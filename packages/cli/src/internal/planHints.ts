/**
 * What a plan or a report means for the data a person expects: an interval that starts or ends after now, a part
 * after the watermark (read by sync queries, provisional, conversations still going on missing), a run that found
 * nothing. Pure functions from `Extraction.Plan` / `Extraction.Report` to hint lines, printed under the plan of a dry
 * run and under the summary.
 *
 * @internal
 */
import * as Extraction from "@effect-genesys/analytics/Extraction"
import * as Interval from "@effect-genesys/analytics/Interval"
import * as Either from "effect/Either"

const bounds = (interval: string): { readonly start: number; readonly end: number } | undefined =>
  Either.match(Interval.parse(interval), {
    onLeft: () => undefined,
    onRight: (i) => ({ start: i.startMillis, end: i.endMillis })
  })

const iso = (millis: number): string => new Date(millis).toISOString()

const watermarkNote = (watermark: string): string =>
  `the watermark ${watermark} is Genesys's data-availability date: jobs read only conversations that ended before it`

/** The hint lines of a plan (empty when the plan holds no surprise). @internal */
export const planHints = (plan: Extraction.Plan): ReadonlyArray<string> => {
  const covered = bounds(plan.interval)
  const plannedAt = Date.parse(plan.plannedAt)
  const watermark = Date.parse(plan.watermark)
  if (covered === undefined || Number.isNaN(plannedAt)) return []
  if (covered.start >= plannedAt) {
    return [`the interval starts after now (${plan.plannedAt}): there is no data in it yet, nothing to extract`]
  }
  const hints: Array<string> = []
  // The plan cuts the interval at the time of planning: the requested end, where it parses, says whether it did.
  const requestedEnd = bounds(plan.requested)?.end
  if (
    requestedEnd !== undefined ? requestedEnd > plannedAt : covered.end >= plannedAt && plan.requested !== plan.interval
  ) {
    hints.push(`the interval ends after now: planned up to ${plan.plannedAt}, later conversations do not exist yet`)
  }
  if (plan.windows.length === 0) hints.push("no windows: nothing to extract")
  if (!Number.isNaN(watermark) && covered.end > watermark) {
    const provisional = plan.windows.filter((w) => w.provisional)
    const from = provisional.length > 0 ? Math.min(...provisional.map((w) => w.startMillis)) : watermark
    hints.push(
      covered.start >= watermark
        ? "the whole interval is after the watermark: sync queries read it, and the data is provisional"
        : `from ${iso(Math.max(from, covered.start))} the interval is near or after the watermark: sync queries read it, and that data is provisional`,
      watermarkNote(plan.watermark),
      "conversations still going on are not returned until they end; run again later for the settled data"
    )
  }
  return hints
}

/** The hint lines of a finished run's report (empty when it holds no surprise). @internal */
export const reportHints = (report: Extraction.Report): ReadonlyArray<string> => {
  const covered = bounds(report.interval)
  const watermark = Date.parse(report.watermark)
  const hints: Array<string> = []
  if (report.complete && report.totals.conversations === 0) {
    hints.push(
      covered !== undefined && !Number.isNaN(watermark) && covered.start >= watermark
        ? `no conversations: the interval ${report.interval} is after the watermark, and none in it has ended yet`
        : `no conversations in ${report.interval}: none matched the interval and filters (check the interval, its time zone and --where)`
    )
  }
  if (report.provisionalFrom !== undefined) {
    hints.push(
      `the data from ${report.provisionalFrom} is provisional: Genesys may still change it, and conversations still going on are missing`,
      `extract that part again once the watermark (${report.watermark}) has passed it for the settled data`
    )
  }
  return hints
}

const withHints = (text: string, label: string, hints: ReadonlyArray<string>): string =>
  hints.length === 0 ? text : `${text}\n\n${hints.map((hint) => `${label}${hint}`).join("\n")}`

/** `Extraction.formatPlan` followed by the plan's hints. @internal */
export const formatPlan = (plan: Extraction.Plan): string =>
  withHints(Extraction.formatPlan(plan), "note       ", planHints(plan))

/** `Extraction.formatReport` followed by the report's hints. @internal */
export const formatReport = (report: Extraction.Report): string =>
  withHints(Extraction.formatReport(report), "note           ", reportHints(report))
