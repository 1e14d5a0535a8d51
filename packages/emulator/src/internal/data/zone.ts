/**
 * Time-zone arithmetic for aggregate buckets: wall-clock fields of an instant in an IANA zone, the instant of
 * a wall-clock time, and the granularity step (calendar months and days move the wall clock, so a `P1D` bucket
 * spanning a DST change is 23 or 25 hours; hours, minutes and seconds are exact durations).
 */

const formats = new Map<string, Intl.DateTimeFormat>()

const format = (zone: string): Intl.DateTimeFormat => {
  let f = formats.get(zone)
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric"
    })
    formats.set(zone, f)
  }
  return f
}

/** Whether `zone` is an IANA zone the runtime knows. */
export const isTimeZone = (zone: string): boolean => {
  try {
    format(zone)
    return true
  } catch {
    return false
  }
}

/** Wall-clock time of `t` in `zone`, as the epoch millis of that wall time read as UTC. */
const wallMillis = (t: number, zone: string): number => {
  const parts: Record<string, number> = {}
  for (const p of format(zone).formatToParts(new Date(t))) if (p.type !== "literal") parts[p.type] = Number(p.value)
  const ms = ((t % 1000) + 1000) % 1000
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!, ms)
}

/** The UTC offset of `zone` at `t`, in milliseconds. */
export const offsetAt = (t: number, zone: string): number => wallMillis(t, zone) - t

/** The instant of wall time `wall` (UTC-read millis) in `zone`; in a spring-forward gap, the later offset. */
export const fromWall = (wall: number, zone: string): number => {
  let t = wall - offsetAt(wall, zone)
  const o = offsetAt(t, zone)
  if (wall - o !== t) t = wall - o
  return t
}

/** A granularity: calendar months and days, then an exact duration. */
export interface Step {
  readonly months: number
  readonly days: number
  readonly millis: number
}

const GRANULARITY = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/

/** An ISO-8601 duration as a step; `undefined` when malformed or zero. */
export const parseStep = (text: string): Step | undefined => {
  if (text === "P" || text.endsWith("T")) return undefined
  const m = GRANULARITY.exec(text)
  if (m === null) return undefined
  const [, y = "0", mo = "0", w = "0", d = "0", h = "0", mi = "0", s = "0"] = m
  const step = {
    months: Number(y) * 12 + Number(mo),
    days: Number(w) * 7 + Number(d),
    millis: Number(h) * 3_600_000 + Number(mi) * 60_000 + Math.round(Number(s.replace(",", ".")) * 1000)
  }
  return step.months + step.days + step.millis > 0 ? step : undefined
}

/** `t` moved by `step` in `zone`: months and days on the wall clock, then the exact part. */
export const addStep = (t: number, step: Step, zone: string): number => {
  let next = t
  if (step.months > 0 || step.days > 0) {
    const wall = new Date(wallMillis(t, zone))
    const moved = Date.UTC(
      wall.getUTCFullYear(),
      wall.getUTCMonth() + step.months,
      wall.getUTCDate() + step.days,
      wall.getUTCHours(),
      wall.getUTCMinutes(),
      wall.getUTCSeconds(),
      wall.getUTCMilliseconds()
    )
    next = fromWall(moved, zone)
  }
  return next + step.millis
}

/** Bucket starts of `[start, end)` by `step` in `zone` (the last bucket ends at `end`). */
export const bucketStarts = (start: number, end: number, step: Step | undefined, zone: string): Array<number> => {
  if (step === undefined) return [start]
  const starts: Array<number> = []
  for (let t = start; t < end; ) {
    starts.push(t)
    const next = addStep(t, step, zone)
    t = next > t ? next : t + 1
  }
  return starts
}
