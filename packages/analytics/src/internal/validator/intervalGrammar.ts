// ISO-8601 date-time and duration parsing, exactly the subset documented in docs/querying.md.

const DAY = 86_400_000

const dateTimePattern =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

/** Milliseconds of a date-time, or a reason it is not one. */
export const parseDateTime = (text: string): number | string => {
  if (text.length > 64) return "is too long to be a date-time"
  const match = dateTimePattern.exec(text)
  if (match === null) return "is not an ISO-8601 date-time such as 2026-11-01T00:00:00.000Z"
  const [, y, mo, d, h, mi, s, fraction, zone] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = h === undefined ? 0 : Number(h)
  const minute = mi === undefined ? 0 : Number(mi)
  const second = s === undefined ? 0 : Number(s)
  if (month < 1 || month > 12) return `has month ${mo}`
  if (day < 1 || day > daysInMonth(year, month)) return `has day ${d}, which ${y}-${mo} does not have`
  if (hour > 23) return `has hour ${h} (use 00 to 23)`
  if (minute > 59) return `has minute ${mi}`
  if (second > 59) return `has second ${s} (leap seconds are not accepted)`
  if (h === undefined && zone !== undefined) return "has an offset but no time of day"
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000)
  let offset = 0
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const offsetHours = Number(digits.slice(0, 2))
    const offsetMinutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (offsetHours > 18 || offsetMinutes > 59) return `has offset ${zone}`
    offset = sign * (offsetHours * 60 + offsetMinutes) * 60_000
  }
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  // Date.UTC maps years 0-99 to 1900-1999.
  const fixed = year < 100 ? new Date(utc).setUTCFullYear(year) : utc
  return fixed - offset
}

/** The offset in milliseconds written in a date-time (0 for Z or none), for calendar arithmetic. */
export const offsetOf = (text: string): number => {
  const match = dateTimePattern.exec(text)
  const zone = match?.[8]
  if (zone === undefined || zone === "Z") return 0
  const sign = zone.startsWith("-") ? -1 : 1
  const digits = zone.slice(1).replace(":", "")
  return sign * (Number(digits.slice(0, 2)) * 60 + (digits.length > 2 ? Number(digits.slice(2, 4)) : 0)) * 60_000
}

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

/** An ISO-8601 duration: years and months are calendar units, the rest fixed milliseconds. */
export interface Duration {
  readonly months: number
  readonly millis: number
}

const durationPattern =
  /^P(?:(\d{1,6})Y)?(?:(\d{1,6})M)?(?:(\d{1,6})W)?(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9})(?:\.(\d{1,9}))?S)?)?$/

/** A duration, or a reason it is not one. */
export const parseDuration = (text: string): Duration | string => {
  if (text.length > 64) return "is too long to be a duration"
  const match = durationPattern.exec(text)
  if (match === null || text === "P" || text.endsWith("T")) {
    return "is not an ISO-8601 duration such as P7D, PT12H or P1DT6H"
  }
  const [, y, mo, w, d, h, mi, s, fraction] = match
  const n = (v: string | undefined) => (v === undefined ? 0 : Number(v))
  const millis =
    n(w) * 7 * DAY +
    n(d) * DAY +
    n(h) * 3_600_000 +
    n(mi) * 60_000 +
    n(s) * 1000 +
    (fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000))
  return { months: n(y) * 12 + n(mo), millis }
}

/** `start + duration`, doing month arithmetic on the wall clock of the written offset. */
export const addDuration = (startMillis: number, offset: number, duration: Duration, sign: 1 | -1): number => {
  let result = startMillis
  if (duration.months !== 0) {
    const local = new Date(startMillis + offset)
    const day = local.getUTCDate()
    local.setUTCDate(1)
    local.setUTCMonth(local.getUTCMonth() + sign * duration.months)
    local.setUTCDate(Math.min(day, daysInMonth(local.getUTCFullYear(), local.getUTCMonth() + 1)))
    result = local.getTime() - offset
  }
  return result + sign * duration.millis
}
