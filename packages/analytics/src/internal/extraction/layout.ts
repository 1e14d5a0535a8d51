import * as Interval from "../../Interval.js"

/** @internal */
export type WindowKind = "job" | "query"

/** @internal */
export interface PlannedWindow {
  readonly id: string
  readonly kind: WindowKind
  /** Interval sent to Genesys for this window. */
  readonly interval: string
  readonly startMillis: number
  readonly endMillis: number
  /** Newer than the watermark: Genesys may still change these conversations. */
  readonly provisional: boolean
}

/** @internal */
export interface PlanInput {
  readonly startMillis: number
  readonly endMillis: number
  readonly watermarkMillis: number
  readonly nowMillis: number
  readonly jobWindowMillis: number
  readonly queryWindowMillis: number
  readonly settleLookbackMillis: number
  /**
   * Cuts the settled span into job windows; `null`, or none given: `jobWindowMillis` steps aligned to UTC midnight.
   */
  readonly jobCuts?: ((startMillis: number, endMillis: number) => ReadonlyArray<[number, number]> | null) | undefined
}

/** @internal */
export interface PlanLayout {
  /** The interval actually covered: the requested one, cut at now. */
  readonly startMillis: number
  readonly endMillis: number
  readonly windows: ReadonlyArray<PlannedWindow>
}

/**
 * A week: the longest window `"auto"` makes, so one job never holds more than a week of an org's conversations.
 *
 * @internal
 */
export const maxAutoWindowMillis = 7 * Interval.DAY_MILLIS

/**
 * Whole days per job window such that the settled span makes twice as many windows as jobs may run at once: while
 * one wave of jobs runs on the platform, the wave before it is paged (reading results is not free: a page of 1,000
 * conversations takes about a second to serve and read), so neither the job slots nor the paging wait on the other.
 * Past a week a window, the span is cut into more such waves of equal windows (the week keeps a job, and the sync
 * query that reconciles it, within the platform's limits).
 *
 * @internal
 */
export const autoJobWindowMillis = (input: {
  readonly startMillis: number
  readonly settledEndMillis: number
  readonly jobs: number
}): number => {
  const days = Math.max(0, input.settledEndMillis - input.startMillis) / Interval.DAY_MILLIS
  const perRound = 2 * Math.max(1, input.jobs)
  // Rounds of two waves of equal windows, as few as the one-week cap allows.
  const rounds = Math.max(1, Math.ceil(days / ((maxAutoWindowMillis / Interval.DAY_MILLIS) * perRound)))
  const perWindow = Math.ceil(days / (perRound * rounds)) * Interval.DAY_MILLIS
  return Math.min(maxAutoWindowMillis, Math.max(Interval.DAY_MILLIS, perWindow))
}

// Steps are aligned to multiples of the step from the UTC midnight of the start, so windows of whole days are UTC
// days, a step that divides a day cuts every day the same way, and a multi-day step makes no short first window.
const alignedSplit = (startMillis: number, endMillis: number, stepMillis: number): Array<[number, number]> => {
  const out: Array<[number, number]> = []
  const origin = Math.floor(startMillis / Interval.DAY_MILLIS) * Interval.DAY_MILLIS
  let cursor = startMillis
  while (cursor < endMillis) {
    const next = Math.min(endMillis, origin + (Math.floor((cursor - origin) / stepMillis) + 1) * stepMillis)
    out.push([cursor, next])
    cursor = next
  }
  return out
}

/**
 * Jobs read the data lake, which holds a conversation only once it ended before the watermark; the sync
 * query sees everything. So job windows cover starts before the watermark and query windows cover starts
 * after it, plus a look-back before it for conversations that started earlier but were still open.
 * Which window owns a conversation is decided by `owns`, so the two kinds never both emit one.
 *
 * @internal
 */
export const layout = (input: PlanInput): PlanLayout => {
  const start = input.startMillis
  const end = Math.min(input.endMillis, Math.max(input.startMillis, input.nowMillis))
  const watermark = Math.min(Math.max(input.watermarkMillis, start), end)
  const windows: Array<PlannedWindow> = []
  const push = (kind: WindowKind, [s, e]: [number, number]) =>
    windows.push({
      id: `${kind}-${String(windows.length).padStart(3, "0")}`,
      kind,
      interval: Interval.format(s, e),
      startMillis: s,
      endMillis: e,
      provisional: kind === "query"
    })
  const jobRanges = input.jobCuts?.(start, watermark) ?? alignedSplit(start, watermark, input.jobWindowMillis)
  for (const range of jobRanges) push("job", range)
  const tailStart = Math.max(start, input.watermarkMillis - input.settleLookbackMillis)
  for (const range of alignedSplit(Math.min(tailStart, end), end, input.queryWindowMillis)) push("query", range)
  return { startMillis: start, endMillis: end, windows }
}

/** The fields of a conversation that decide its owner. @internal */
export interface Times {
  readonly startMillis: number
  readonly endMillis: number | undefined
}

/**
 * True when this window must emit the conversation: it started in the window and, for a job window, it
 * had ended by the watermark (else the query tail owns it); for a query window, it had not.
 *
 * @internal
 */
export const owns = (window: PlannedWindow, watermarkMillis: number, times: Times): boolean => {
  if (times.startMillis < window.startMillis || times.startMillis >= window.endMillis) return false
  const settled = times.endMillis !== undefined && times.endMillis <= watermarkMillis
  return window.kind === "job" ? settled : !settled
}

/** @internal */
export const timesOf = (conversation: {
  readonly conversationStart?: string | undefined
  readonly conversationEnd?: string | undefined
}): Times | undefined => {
  if (conversation.conversationStart === undefined) return undefined
  const startMillis = Date.parse(conversation.conversationStart)
  if (Number.isNaN(startMillis)) return undefined
  const end = conversation.conversationEnd === undefined ? Number.NaN : Date.parse(conversation.conversationEnd)
  return { startMillis, endMillis: Number.isNaN(end) ? undefined : end }
}

/** True when a window's bounds are whole UTC days, so start-day sync counts can reconcile it. @internal */
export const isDayAligned = (window: { readonly startMillis: number; readonly endMillis: number }): boolean =>
  window.startMillis % Interval.DAY_MILLIS === 0 && window.endMillis % Interval.DAY_MILLIS === 0
