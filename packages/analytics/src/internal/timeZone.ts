// Wall-clock readings in an IANA time zone, through one cached `Intl.DateTimeFormat` per zone: the calendar words
// of `Interval` and the aggregate buckets both need them, and a formatter costs far more to build than to use.

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The cached formatter of `timeZone` (throws a RangeError for a zone the runtime does not know). */
export const formatter = (timeZone: string): Intl.DateTimeFormat => {
  let result = formatters.get(timeZone)
  if (result === undefined) {
    result = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formatters.set(timeZone, result)
  }
  return result
}

/** A wall-clock reading, to the second. */
export interface Wall {
  readonly year: number
  readonly month: number
  readonly day: number
  readonly hour: number
  readonly minute: number
  readonly second: number
}

/** What a clock in `timeZone` reads at `millis`. */
export const wallClock = (timeZone: string, millis: number): Wall => {
  const fields: Record<string, number> = {}
  for (const part of formatter(timeZone).formatToParts(new Date(millis))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value)
  }
  return {
    year: fields.year!,
    month: fields.month!,
    day: fields.day!,
    hour: fields.hour!,
    minute: fields.minute!,
    second: fields.second!
  }
}

/** The wall clock of `millis` in `timeZone`, written as if it were UTC (milliseconds kept). */
export const wallAsUtc = (timeZone: string, millis: number): number => {
  const wall = wallClock(timeZone, millis)
  const ms = ((millis % 1000) + 1000) % 1000
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second, ms)
}
