/**
 * Fast `yyyy-MM-ddTHH:mm:ss.SSSZ` formatting: the generator writes dozens of timestamps per conversation and
 * `Date#toISOString` dominated its profile.
 */

const two: Array<string> = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : `${i}`))
const three: Array<string> = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"))

let cachedDay = Number.NaN
let cachedPrefix = ""

/** Format epoch milliseconds as an ISO-8601 UTC timestamp with milliseconds. */
export const iso = (millis: number): string => {
  const day = Math.floor(millis / 86_400_000)
  if (day !== cachedDay) {
    // only the date part is cached (a pure memo, never observable)
    cachedDay = day
    cachedPrefix = new Date(day * 86_400_000).toISOString().slice(0, 11)
  }
  let rest = millis - day * 86_400_000
  const h = Math.floor(rest / 3_600_000)
  rest -= h * 3_600_000
  const m = Math.floor(rest / 60_000)
  rest -= m * 60_000
  const s = Math.floor(rest / 1000)
  const ms = rest - s * 1000
  return `${cachedPrefix}${two[h]}:${two[m]}:${two[s]}.${three[ms]}Z`
}

const byteHex: Array<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

/** 8 lowercase hex digits of an unsigned 32-bit integer. */
export const hex8 = (n: number): string =>
  byteHex[(n >>> 24) & 0xff]! + byteHex[(n >>> 16) & 0xff]! + byteHex[(n >>> 8) & 0xff]! + byteHex[n & 0xff]!
