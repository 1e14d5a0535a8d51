/**
 * ISO-8601 intervals as Genesys analytics queries take them (`interval: "start/end"`), parsed to epoch
 * milliseconds and formatted back; plus calendar helpers such as "the last N days in time zone Z".
 *
 * Accepted grammar (see docs/querying.md):
 * - `start/end`, `start/duration`, `duration/end`;
 * - date-time `YYYY-MM-DDThh:mm[:ss[.fraction]]` followed by `Z`, `±hh:mm`, `±hhmm` or `±hh`; without an offset it
 *   is read as UTC; a bare date `YYYY-MM-DD` means midnight UTC; fractions beyond milliseconds are truncated;
 * - duration `PnYnMnWnDTnHnMnS` (seconds may carry a fraction); years and months are calendar units applied on the
 *   wall clock of the written offset, weeks and days are 7 × 24 h and 24 h.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { formatter, wallClock } from "./internal/timeZone.js"
import { addDuration, offsetOf, parseDateTime, parseDuration } from "./internal/validator/intervalGrammar.js"

/** One day in milliseconds. @since 0.1.0 */
export const DAY_MILLIS = 86_400_000

/** A half-open time range `[startMillis, endMillis)` in epoch milliseconds. @since 0.1.0 */
export interface Interval {
  readonly startMillis: number
  readonly endMillis: number
}

/** The `QueryIssue` rules an interval can break. @since 0.1.0 */
export const IntervalRule = Schema.Literal(
  "interval.syntax",
  "interval.start",
  "interval.end",
  "interval.duration",
  "interval.empty",
  "interval.inverted",
  "interval.range",
  "interval.timeZone"
)

/** A rule an interval can break. @since 0.1.0 */
export type IntervalRule = typeof IntervalRule.Type

/**
 * Why a text is not a usable interval; `rule` is the `QueryIssue` rule the validator reports. A tagged error (so it
 * can be yielded and caught by tag) that keeps the `{ rule, message }` shape earlier callers read.
 *
 * @since 0.1.0
 */
export class IntervalError extends Schema.TaggedError<IntervalError>(
  "@effect-genesys/analytics/Interval/IntervalError"
)("IntervalError", { rule: IntervalRule, message: Schema.String }) {}

const fail = (rule: IntervalRule, message: string): Either.Either<Interval, IntervalError> =>
  Either.left(new IntervalError({ rule, message }))

// Date's own range; anything outside cannot be formatted back.
const MAX_MILLIS = 8_640_000_000_000_000

/** A checked interval: both ends representable and start strictly before end. @since 0.1.0 */
export const make = (startMillis: number, endMillis: number): Either.Either<Interval, IntervalError> => {
  if (!Number.isFinite(startMillis) || !Number.isFinite(endMillis)) {
    return fail("interval.range", "start and end must be finite")
  }
  if (Math.abs(startMillis) > MAX_MILLIS || Math.abs(endMillis) > MAX_MILLIS) {
    return fail("interval.range", "start or end is outside the representable date range")
  }
  if (endMillis === startMillis) return fail("interval.empty", "start and end are equal: the interval is empty")
  if (endMillis < startMillis) {
    return fail("interval.inverted", `end (${iso(endMillis)}) is before start (${iso(startMillis)})`)
  }
  return Either.right({ startMillis, endMillis })
}

const iso = (millis: number): string =>
  Math.abs(millis) <= MAX_MILLIS ? new Date(millis).toISOString() : String(millis)

/** Parses `start/end`, `start/duration` or `duration/end`. @since 0.1.0 */
export const parse = (text: string): Either.Either<Interval, IntervalError> => {
  if (text.length > 200) return fail("interval.syntax", `is ${text.length} characters long; an interval is at most 200`)
  const parts = text.split("/")
  if (parts.length !== 2) {
    return fail(
      "interval.syntax",
      parts.length === 1
        ? `"${text}" has no "/": write start/end, e.g. 2026-11-01T00:00:00Z/2026-11-08T00:00:00Z`
        : `"${text}" has ${parts.length - 1} "/": write exactly start/end`
    )
  }
  const [left, right] = parts as [string, string]
  if (left.startsWith("P") && right.startsWith("P")) {
    return fail("interval.syntax", "both sides are durations; one side must be a date-time")
  }
  if (left.startsWith("P")) {
    const duration = parseDuration(left)
    if (typeof duration === "string") return fail("interval.duration", `duration "${left}" ${duration}`)
    const end = parseDateTime(right)
    if (typeof end === "string") return fail("interval.end", `end "${right}" ${end}`)
    return make(addDuration(end, offsetOf(right), duration, -1), end)
  }
  const start = parseDateTime(left)
  if (typeof start === "string") return fail("interval.start", `start "${left}" ${start}`)
  if (right.startsWith("P")) {
    const duration = parseDuration(right)
    if (typeof duration === "string") return fail("interval.duration", `duration "${right}" ${duration}`)
    return make(start, addDuration(start, offsetOf(left), duration, 1))
  }
  const end = parseDateTime(right)
  if (typeof end === "string") return fail("interval.end", `end "${right}" ${end}`)
  return make(start, end)
}

/** The canonical text Genesys documents: `YYYY-MM-DDTHH:mm:ss.sssZ/YYYY-MM-DDTHH:mm:ss.sssZ`. @since 0.1.0 */
export const format = (startMillis: number, endMillis: number): string =>
  `${new Date(startMillis).toISOString()}/${new Date(endMillis).toISOString()}`

/** `format` of an `Interval`. @since 0.1.0 */
export const formatInterval = (interval: Interval): string => format(interval.startMillis, interval.endMillis)

/** Length of an interval in (fractional) 24-hour days. @since 0.1.0 */
export const days = (interval: Interval): number => (interval.endMillis - interval.startMillis) / DAY_MILLIS

/** Consecutive windows of at most `stepMillis` covering the interval, in order. @since 0.1.0 */
export const split = (interval: Interval, stepMillis: number): ReadonlyArray<Interval> => {
  if (!(stepMillis > 0)) return [interval]
  const windows: Array<Interval> = []
  for (let start = interval.startMillis; start < interval.endMillis; start += stepMillis) {
    windows.push({ startMillis: start, endMillis: Math.min(start + stepMillis, interval.endMillis) })
  }
  return windows
}

const offsetAt = (timeZone: string, millis: number): number => {
  const wall = wallClock(timeZone, millis)
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second)
  return asUtc - (millis - (((millis % 1000) + 1000) % 1000))
}

/**
 * Epoch milliseconds of the first instant of a calendar date in a time zone: local midnight, or where a
 * daylight-saving jump skips midnight, the instant the day begins. Each candidate applies the offset in force
 * some hours before or after; only one that really shows the date is kept (a single fixed-point step can land
 * on the wrong side of a transition that happens later the same day).
 */
const midnight = (timeZone: string, year: number, month: number, day: number): number => {
  const guess = Date.UTC(year, month - 1, day)
  const onDate = (millis: number) => {
    const wall = wallClock(timeZone, millis)
    return wall.year === year && wall.month === month && wall.day === day
  }
  const candidates = [-36, -12, 0, 12, 36]
    .map((hours) => guess - offsetAt(timeZone, guess + hours * 3_600_000))
    .filter((millis) => onDate(millis) && !onDate(millis - 60_000))
  return candidates.length > 0 ? Math.min(...candidates) : guess - offsetAt(timeZone, guess)
}

const checkTimeZone = (timeZone: string): IntervalError | undefined => {
  try {
    formatter(timeZone)
    return undefined
  } catch {
    return new IntervalError({
      rule: "interval.timeZone",
      message: `"${timeZone}" is not an IANA time zone such as Europe/Paris or UTC`
    })
  }
}

/** The calendar day `YYYY-MM-DD` in a time zone, midnight to midnight. @since 0.1.0 */
export const day = (date: string, timeZone = "UTC"): Either.Either<Interval, IntervalError> => days_(date, 1, timeZone)

/** `count` calendar days starting on `date` (`YYYY-MM-DD`) in a time zone. @since 0.1.0 */
export const calendarDays = (date: string, count: number, timeZone = "UTC"): Either.Either<Interval, IntervalError> =>
  days_(date, count, timeZone)

const days_ = (date: string, count: number, timeZone: string): Either.Either<Interval, IntervalError> => {
  const zoneError = checkTimeZone(timeZone)
  if (zoneError) return Either.left(zoneError)
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (match === null || typeof parseDateTime(date) === "string") {
    return fail("interval.start", `"${date}" is not a calendar date YYYY-MM-DD`)
  }
  if (!Number.isInteger(count) || count < 1)
    return fail("interval.empty", `day count ${count} must be a positive integer`)
  const [year, month, dayOfMonth] = [Number(match[1]), Number(match[2]), Number(match[3])]
  const end = new Date(Date.UTC(year, month - 1, dayOfMonth + count))
  return make(
    midnight(timeZone, year, month, dayOfMonth),
    midnight(timeZone, end.getUTCFullYear(), end.getUTCMonth() + 1, end.getUTCDate())
  )
}

/**
 * The last `n` complete calendar days before the day containing `nowMillis`, in a time zone: from local midnight
 * `n` days ago to local midnight today. Across a daylight-saving change the result is 1 h longer or shorter than
 * `n` × 24 h. @since 0.1.0
 */
export const lastDays = (n: number, timeZone: string, nowMillis: number): Either.Either<Interval, IntervalError> => {
  const zoneError = checkTimeZone(timeZone)
  if (zoneError) return Either.left(zoneError)
  if (!Number.isInteger(n) || n < 1) return fail("interval.empty", `day count ${n} must be a positive integer`)
  const today = wallClock(timeZone, nowMillis)
  const start = new Date(Date.UTC(today.year, today.month - 1, today.day - n))
  return make(
    midnight(timeZone, start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate()),
    midnight(timeZone, today.year, today.month, today.day)
  )
}

/** The last `millis` before `nowMillis` (e.g. the last 6 hours), ending exactly at now. @since 0.1.0 */
export const lastMillis = (millis: number, nowMillis: number): Either.Either<Interval, IntervalError> =>
  make(nowMillis - millis, nowMillis)
