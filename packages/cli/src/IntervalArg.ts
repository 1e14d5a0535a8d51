/**
 * The `--interval` argument: an ISO-8601 interval (`start/end`, `start/duration`, `duration/end`), a duration ending
 * now (`P7D`, `PT6H`), or a word: `today`, `yesterday`, `this-week`, `last-week`, `this-month`, `last-month`,
 * `last-N-days`. Words count calendar days in a time zone (UTC by default); weeks start on Monday. Pure: `now` is
 * passed in, so the CLI reads it from `Clock` and tests fix it.
 *
 * @since 0.1.0
 */
import * as Interval from "@effect-genesys/analytics/Interval"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { pretty } from "./internal/parseError.js"

/** A parsed interval argument. @since 0.1.0 */
export interface IntervalArg {
  /** Canonical `YYYY-MM-DDTHH:mm:ss.sssZ/YYYY-MM-DDTHH:mm:ss.sssZ`, as queries take it. */
  readonly interval: string
  readonly startMillis: number
  readonly endMillis: number
}

/** Why an `--interval` argument was refused, and at which column (1-based) of the text. @since 0.1.0 */
export class IntervalArgError extends Schema.TaggedError<IntervalArgError>(
  "@effect-genesys/cli/IntervalArg/IntervalArgError"
)("IntervalArgError", {
  text: Schema.String,
  // Undefined when the problem is not at one position (a bad time zone).
  column: Schema.UndefinedOr(Schema.Number),
  reason: Schema.String
}) {
  /** One line: the reason and the column. */
  override get message(): string {
    return `invalid interval "${this.text}": ${this.reason}${this.column === undefined ? "" : ` (column ${this.column})`}`
  }
  /** The message, the text and a caret under the column. */
  get pretty(): string {
    return pretty("--interval", this.text, this.column, this.reason)
  }
}

/** Options of {@link parse}. @since 0.1.0 */
export interface Options {
  /** The current time in epoch milliseconds. */
  readonly now: number
  /** IANA time zone for the calendar words (default `UTC`). */
  readonly timeZone?: string | undefined
}

/** The words accepted besides ISO text, for help output. @since 0.1.0 */
export const words: ReadonlyArray<string> = [
  "today",
  "yesterday",
  "this-week",
  "last-week",
  "this-month",
  "last-month",
  "last-N-days"
]

const DAY = Interval.DAY_MILLIS

const dateFormatters = new Map<string, Intl.DateTimeFormat>()

/** The calendar date containing `millis` in a time zone, or undefined for an unknown zone. */
const localDate = (millis: number, timeZone: string): { year: number; month: number; day: number } | undefined => {
  if (timeZone === "UTC") {
    const date = new Date(millis)
    return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() }
  }
  let format = dateFormatters.get(timeZone)
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric", month: "numeric", day: "numeric" })
    } catch {
      return undefined
    }
    dateFormatters.set(timeZone, format)
  }
  const parts: Record<string, number> = {}
  for (const part of format.formatToParts(new Date(millis))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value)
  }
  return { year: parts.year!, month: parts.month!, day: parts.day! }
}

const ymd = (utcMillis: number): string => new Date(utcMillis).toISOString().slice(0, 10)

const ok = (interval: Interval.Interval): Either.Either<IntervalArg, IntervalArgError> =>
  Either.right({
    interval: Interval.format(interval.startMillis, interval.endMillis),
    startMillis: interval.startMillis,
    endMillis: interval.endMillis
  })

/**
 * Parses an `--interval` argument. Calendar words end at local midnight (`yesterday`, `last-week`, `last-month`,
 * `last-N-days`: complete days only) or at `now` (`today`, `this-week`, `this-month`); a bare duration ends at `now`.
 *
 * @since 0.1.0
 */
export const parse = (text: string, options: Options): Either.Either<IntervalArg, IntervalArgError> => {
  const timeZone = options.timeZone ?? "UTC"
  const lead = text.length - text.trimStart().length
  const body = text.trim()
  const error = (column: number | undefined, reason: string) =>
    Either.left(new IntervalArgError({ text, column, reason }))
  if (body === "") return error(1, "is empty: give an ISO interval such as P7D or start/end, or a word like yesterday")
  if (!Number.isFinite(options.now)) return error(undefined, "the current time is not a number")

  const fromInterval = (
    result: Either.Either<Interval.Interval, Interval.IntervalError>,
    columnOf: (rule: Interval.IntervalError["rule"]) => number | undefined
  ) => (Either.isRight(result) ? ok(result.right) : error(columnOf(result.left.rule), result.left.message))

  if (/^[pP]/.test(body) && !body.includes("/")) {
    // A duration ending now: reuse the library's `duration/end` grammar so durations mean the same everywhere.
    return fromInterval(Interval.parse(`${body.toUpperCase()}/${new Date(options.now).toISOString()}`), () => lead + 1)
  }
  if (/^\d/.test(body) || /^[pP]/.test(body)) {
    const slash = body.indexOf("/")
    const right = slash < 0 ? lead + 1 : lead + slash + 2
    return fromInterval(Interval.parse(body), (rule) =>
      rule === "interval.end" || (rule === "interval.duration" && !body.startsWith("P"))
        ? right
        : rule === "interval.syntax" && slash >= 0
          ? lead + slash + 1
          : lead + 1
    )
  }

  const word = body.toLowerCase()
  const today = localDate(options.now, timeZone)
  if (today === undefined) return error(undefined, `"${timeZone}" is not an IANA time zone such as Europe/Paris or UTC`)
  const todayUtc = Date.UTC(today.year, today.month - 1, today.day)
  // In UTC (the default) a calendar day is midnight to midnight UTC, 24 h, computed here: the first `Intl` formatter a
  // process builds, which the library's calendar days use for any zone, costs some 12 ms of the command's start.
  const calendarDays = (startUtc: number, count: number) =>
    timeZone === "UTC"
      ? Interval.make(startUtc, startUtc + count * DAY)
      : Interval.calendarDays(ymd(startUtc), count, timeZone)
  const days = (startUtc: number, count: number) => fromInterval(calendarDays(startUtc, count), () => lead + 1)
  const untilNow = (startUtc: number) => {
    const start = calendarDays(startUtc, 1)
    return Either.isLeft(start)
      ? error(lead + 1, start.left.message)
      : fromInterval(Interval.make(start.right.startMillis, options.now), () => lead + 1)
  }
  const weekday = (new Date(todayUtc).getUTCDay() + 6) % 7 // Monday = 0
  const firstOfMonth = Date.UTC(today.year, today.month - 1, 1)
  switch (word) {
    case "today":
      return untilNow(todayUtc)
    case "yesterday":
      return days(todayUtc - DAY, 1)
    case "this-week":
      return untilNow(todayUtc - weekday * DAY)
    case "last-week":
      return days(todayUtc - (weekday + 7) * DAY, 7)
    case "this-month":
      return untilNow(firstOfMonth)
    case "last-month": {
      const first = Date.UTC(today.year, today.month - 2, 1)
      return days(first, Math.round((firstOfMonth - first) / DAY))
    }
  }
  const lastN = /^last-(\d+)-days?$/.exec(word)
  if (lastN !== null) {
    const n = Number(lastN[1])
    if (n < 1 || n > 3660) return error(lead + 6, `the day count must be between 1 and 3660, not ${lastN[1]}`)
    return days(todayUtc - n * DAY, n)
  }
  const suggestion = words.find((w) => w.startsWith(word.slice(0, 4)))
  return error(
    lead + 1,
    `"${body}" is not an interval: use an ISO interval (start/end, start/P1D), a duration ending now (P7D, PT6H) ` +
      `or one of ${words.join(", ")}${suggestion === undefined ? "" : ` (did you mean ${suggestion}?)`}`
  )
}
