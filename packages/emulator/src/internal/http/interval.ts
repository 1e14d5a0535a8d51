/**
 * ISO-8601 interval parsing as the platform accepts it: `start/end`, `start/duration`, `duration/end`.
 * Instants without a zone are UTC. Durations accept weeks, days, hours, minutes and seconds (calendar
 * months and years are refused: their length depends on the date).
 */

const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/

export const parseInstant = (text: string): number | undefined => {
  const m = INSTANT.exec(text)
  if (m === null) return undefined
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone = "Z"] = m
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  // Hour 24 is refused, as Java date-time parsers refuse it.
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined
  const millis = Number(`0.${frac || "0"}`) * 1000
  const base = Date.UTC(year, month - 1, day, hour, minute, second, Math.floor(millis))
  // Date.UTC rolls 2026-02-31 over into March; the platform rejects such dates.
  const check = new Date(Date.UTC(year, month - 1, day))
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day)
    return undefined
  let offset = 0
  if (zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const oh = Number(digits.slice(0, 2))
    const om = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (oh > 18 || om > 59) return undefined
    offset = sign * (oh * 60 + om) * 60_000
  }
  return base - offset
}

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/

export const parseDuration = (text: string): number | undefined => {
  if (text === "P" || text.endsWith("T")) return undefined
  const m = DURATION.exec(text)
  if (m === null) return undefined
  const [, w = "0", d = "0", h = "0", mi = "0", s = "0"] = m
  return (
    Number(w) * 7 * 86_400_000 +
    Number(d) * 86_400_000 +
    Number(h) * 3_600_000 +
    Number(mi) * 60_000 +
    Math.round(Number(s.replace(",", ".")) * 1000)
  )
}

export interface Interval {
  readonly startMillis: number
  readonly endMillis: number
}

/** `undefined` when the text is not an interval; `end <= start` is reported by the caller. */
export const parseInterval = (text: string): Interval | undefined => {
  const parts = text.split("/")
  if (parts.length !== 2) return undefined
  const [a, b] = parts as [string, string]
  if (a.startsWith("P")) {
    const duration = parseDuration(a)
    const end = parseInstant(b)
    return duration === undefined || end === undefined ? undefined : { startMillis: end - duration, endMillis: end }
  }
  const start = parseInstant(a)
  if (start === undefined) return undefined
  if (b.startsWith("P")) {
    const duration = parseDuration(b)
    return duration === undefined ? undefined : { startMillis: start, endMillis: start + duration }
  }
  const end = parseInstant(b)
  return end === undefined ? undefined : { startMillis: start, endMillis: end }
}
