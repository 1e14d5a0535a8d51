/**
 * The cheap half of the generator: how many conversations each day holds, when each one starts, its id, and
 * its "plan" (media, outcome and every phase duration) — everything needed for interval and ordering decisions
 * without building the record.
 */
import { hex8 } from "./iso.js"
import { hash3, mix32, Rng } from "./random.js"

export const dayMillis = 86_400_000
/** No conversation lasts longer than this (the plan clamps long emails). */
export const maxDurationMillis = 8 * 3_600_000

/** Relative hourly arrival weights (UTC hours) for weekdays and weekends: business-hours shape. */
const weekdayHours = [
  0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.5, 1.2, 2.6, 3.6, 3.9, 3.8, 3.4, 3.6, 3.7, 3.4, 3.0, 2.4, 1.6, 1.1, 0.8, 0.6, 0.4,
  0.25
]
const weekendHours = [
  0.15, 0.1, 0.08, 0.08, 0.08, 0.12, 0.2, 0.4, 0.8, 1.2, 1.4, 1.5, 1.5, 1.4, 1.3, 1.2, 1.1, 1.0, 0.9, 0.7, 0.5, 0.4,
  0.3, 0.2
]
/** Relative daily volume by UTC weekday (0 = Sunday). */
const weekdayVolume = [0.35, 1.2, 1.1, 1.05, 1.0, 0.95, 0.5]

/**
 * About what share of `perDay` starts in the UTC hour of `millis`: the weekday's relative volume times the hour's
 * weight (without the day-to-day noise, or the normalisation over the dataset's own mix of weekdays).
 */
export const hourShare = (millis: number): number => {
  const d = new Date(millis)
  const dow = d.getUTCDay()
  const hours = dow === 0 || dow === 6 ? weekendHours : weekdayHours
  let total = 0
  for (const w of hours) total += w
  return (weekdayVolume[dow]! * hours[d.getUTCHours()]!) / total
}

const cdfOf = (weights: ReadonlyArray<number>): Float64Array => {
  const cdf = new Float64Array(weights.length + 1)
  let total = 0
  for (const w of weights) total += w
  for (let h = 0; h < weights.length; h++) cdf[h + 1] = cdf[h]! + weights[h]! / total
  cdf[weights.length] = 1
  return cdf
}
const weekdayCdf = cdfOf(weekdayHours)
const weekendCdf = cdfOf(weekendHours)

export interface Days {
  readonly spanStart: number
  readonly days: number
  /** cum[d] = first index of day d; cum[days] = size. */
  readonly cum: Float64Array
  readonly weekend: Uint8Array
  readonly size: number
}

const parseDate = (date: string): number => {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date)
  if (m === null) throw new Error(`startDate must be YYYY-MM-DD, got ${JSON.stringify(date)}`)
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))
}

export const makeDays = (options: {
  readonly seed: number
  readonly startDate: string
  readonly days: number
  readonly perDay: number
}): Days => {
  const spanStart = parseDate(options.startDate)
  const days = Math.max(0, Math.floor(options.days))
  const weights: Array<number> = []
  const weekend = new Uint8Array(days)
  let total = 0
  for (let d = 0; d < days; d++) {
    const dow = new Date(spanStart + d * dayMillis).getUTCDay()
    weekend[d] = dow === 0 || dow === 6 ? 1 : 0
    // +-10% day-to-day noise so days are not identical
    const noise = 0.9 + 0.2 * (hash3(options.seed, d, 0xda7) / 4294967296)
    const w = weekdayVolume[dow]! * noise
    weights.push(w)
    total += w
  }
  const target = Math.max(0, Math.round(options.perDay * days))
  const cum = new Float64Array(days + 1)
  let acc = 0
  for (let d = 0; d < days; d++) {
    acc += weights[d]!
    cum[d + 1] = total === 0 ? 0 : Math.round((target * acc) / total)
  }
  return { spanStart, days, cum, weekend, size: days === 0 ? 0 : cum[days]! }
}

/** The day holding `index` (binary search over the cumulative counts). */
export const dayOf = (days: Days, index: number): number => {
  let lo = 0
  let hi = days.days - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1
    if (days.cum[mid]! <= index) lo = mid
    else hi = mid - 1
  }
  return lo
}

export const dayRange = (days: Days, day: number): { readonly from: number; readonly to: number } =>
  day < 0
    ? { from: 0, to: 0 }
    : day >= days.days
      ? { from: days.size, to: days.size }
      : {
          from: days.cum[day]!,
          to: days.cum[day + 1]!
        }

const inverseCdf = (cdf: Float64Array, p: number): number => {
  let h = 0
  while (h < 23 && cdf[h + 1]! <= p) h++
  const lo = cdf[h]!
  const width = cdf[h + 1]! - lo
  const within = width > 0 ? (p - lo) / width : 0
  return (h + Math.min(within, 0.999999)) * 3_600_000
}

/**
 * Start of conversation `index`: the j-th of n arrivals of its day is placed at the inverse CDF of the day's
 * hourly shape at (j + u) / n, so starts never decrease with the index.
 */
export const startMillis = (seed: number, days: Days, index: number): number => {
  const d = dayOf(days, index)
  const from = days.cum[d]!
  const n = days.cum[d + 1]! - from
  const u = hash3(seed, index, 0x57a7) / 4294967296
  const p = (index - from + u) / n
  return days.spanStart + d * dayMillis + Math.floor(inverseCdf(days.weekend[d] === 1 ? weekendCdf : weekdayCdf, p))
}

/** First index whose start is >= millis. */
export const lowerBound = (days: Days, seed: number, millis: number): number => {
  let lo = 0
  let hi = days.size
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (startMillis(seed, days, mid) < millis) lo = mid + 1
    else hi = mid
  }
  return lo
}

// ---- ids: the first 32 bits encode the index through an invertible mix keyed by the seed ----

const C1 = 0x2c1b3c6d
const C2 = 0x297a2d39
const inverseOdd = (a: number): number => {
  let x = a
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(a, x))
  return x
}
const C1inv = inverseOdd(C1)
const C2inv = inverseOdd(C2)

const encodeIndex = (seed: number, index: number): number => {
  let x = (index ^ mix32(seed ^ 0x1d)) >>> 0
  x = Math.imul(x, C1)
  x ^= x >>> 16
  x = Math.imul(x, C2)
  x ^= x >>> 16
  return x >>> 0
}

const decodeIndex = (seed: number, word: number): number => {
  let x = word
  x ^= x >>> 16
  x = Math.imul(x, C2inv)
  x ^= x >>> 16
  x = Math.imul(x, C1inv)
  return (x ^ mix32(seed ^ 0x1d)) >>> 0
}

export const conversationId = (seed: number, index: number): string => {
  const w0 = encodeIndex(seed, index)
  const w1 = hash3(seed, index, 0x1d1)
  const w2 = hash3(seed, index, 0x1d2)
  const w3 = hash3(seed, index, 0x1d3)
  const b = hex8(w1)
  const c = hex8(((w2 & 0x0fffffff) | 0x40000000) >>> 0)
  const d = hex8(((w3 & 0x3fffffff) | 0x80000000) >>> 0)
  return `${hex8(w0)}-${b.slice(0, 4)}-${c.slice(0, 4)}-${d.slice(0, 4)}-${b.slice(4)}${c.slice(4)}${d.slice(4)}`
}

export const indexOfId = (seed: number, id: string): number | undefined => {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id)) return undefined
  return decodeIndex(seed, Number.parseInt(id.slice(0, 8), 16))
}

// ---- plan ----

export type Media = "voice" | "chat" | "email" | "message" | "callback"
export type Outcome = "answered" | "abandoned" | "selfServed" | "outbound"
export type Transfer = "none" | "blind" | "consult" | "conference"

export interface Plan {
  readonly media: Media
  readonly outcome: Outcome
  readonly queue: number
  readonly flow: number
  /** Time in the IVR / routing flow (0 when none). */
  readonly ivrMs: number
  /** Time in queue until answer (includes alertMs) or until abandon. */
  readonly waitMs: number
  readonly alertMs: number
  /** Outbound/callback dialing time before the agent talks. */
  readonly dialMs: number
  /** Agent 1 talk time, without holds. */
  readonly talkMs: number
  /** Agent 1 holds as [offset into the talk, duration] pairs, sorted. */
  readonly holds: ReadonlyArray<readonly [number, number]>
  readonly acwMs: number
  readonly transfer: Transfer
  readonly queue2: number
  /** Blind: queue time of the second leg (includes alert2Ms). Consult/conference: time until agent 2 answers. */
  readonly wait2Ms: number
  readonly alert2Ms: number
  /** Consult: agent 1 and 2 talking while the customer holds. Conference: all three together. */
  readonly overlapMs: number
  readonly talk2Ms: number
  readonly acw2Ms: number
  readonly durationMillis: number
}

const mediaWeights = [0.55, 0.14, 0.1, 0.13, 0.08]
const medias: ReadonlyArray<Media> = ["voice", "chat", "email", "message", "callback"]
/** Queues able to take each medium (indices into the catalog's queue list, see Catalog.ts queueDefs). */
export const queuesFor: Record<Media, ReadonlyArray<number>> = {
  voice: [0, 1, 2, 3, 4, 5, 6, 9],
  chat: [0, 1, 4, 6, 7],
  email: [2, 3, 4, 8, 9],
  message: [1, 3, 7, 9],
  callback: [0, 1, 5]
}
/** Flow index per medium (Catalog.ts flowDefs). */
const flowsFor: Record<Media, ReadonlyArray<number>> = {
  voice: [0, 0, 0, 1, 2],
  chat: [3],
  email: [4],
  message: [5],
  callback: []
}

const talkMedian: Record<Media, number> = {
  voice: 240_000,
  chat: 540_000,
  email: 420_000,
  message: 720_000,
  callback: 200_000
}

/** The plan of conversation `index`: a pure function of (seed, index) drawn from its own stream. */
export const plan = (seed: number, index: number): Plan => {
  const r = new Rng(seed, index, 0x9a1)
  const media = medias[r.weighted(mediaWeights)]!
  const queues = queuesFor[media]
  const queue = queues[r.int(0, queues.length - 1)]!
  const flows = flowsFor[media]
  const flow = flows.length === 0 ? -1 : flows[r.int(0, flows.length - 1)]!
  const roll = r.next()
  let outcome: Outcome
  if (media === "voice" && roll < 0.12) outcome = "outbound"
  else if (media === "voice" && roll < 0.2) outcome = "selfServed"
  else if ((media === "voice" || media === "chat") && roll < 0.28) outcome = "abandoned"
  else if (media === "message" && roll < 0.05) outcome = "abandoned"
  else outcome = "answered"

  const ivrMs =
    outcome === "outbound" || media === "callback"
      ? 0
      : media === "voice"
        ? r.logNormal(outcome === "selfServed" ? 95_000 : 45_000, 0.5)
        : r.int(800, 4_000)
  let alertMs = 0
  let waitMs = 0
  let dialMs = 0
  let talkMs = 0
  let acwMs = 0
  const holds: Array<readonly [number, number]> = []
  let transfer: Transfer = "none"
  let queue2 = queue
  let wait2Ms = 0
  let alert2Ms = 0
  let overlapMs = 0
  let talk2Ms = 0
  let acw2Ms = 0
  if (outcome === "abandoned") {
    waitMs = r.logNormal(media === "voice" ? 70_000 : 150_000, 0.9)
  } else if (outcome === "answered" || outcome === "outbound") {
    alertMs = r.int(2_000, media === "email" ? 30_000 : 14_000)
    waitMs = outcome === "outbound" ? 0 : alertMs + r.logNormal(media === "email" ? 1_200_000 : 35_000, 1.0)
    dialMs = outcome === "outbound" || media === "callback" ? r.int(4_000, 25_000) : 0
    if (outcome === "outbound") alertMs = 0
    talkMs = r.logNormal(talkMedian[media], 0.7)
    if (media === "voice" || media === "callback") {
      const nHolds = r.chance(0.25) ? (r.chance(0.3) ? 2 : 1) : 0
      let cursor = 0
      for (let h = 0; h < nHolds; h++) {
        const offset = cursor + r.int(10_000, Math.max(10_001, Math.floor(talkMs / (nHolds + 1))))
        if (offset >= talkMs) break
        holds.push([offset, r.logNormal(40_000, 0.6)])
        cursor = offset
      }
    }
    acwMs = r.logNormal(media === "email" ? 60_000 : 25_000, 0.6)
    const t = r.next()
    if (outcome === "answered" && (media === "voice" || media === "chat")) {
      transfer =
        t < 0.07
          ? "blind"
          : media === "voice" && t < 0.11
            ? "consult"
            : media === "voice" && t < 0.13
              ? "conference"
              : "none"
    }
    if (transfer !== "none") {
      const qs = queuesFor[media]
      queue2 = qs[(qs.indexOf(queue) + 1 + r.int(0, qs.length - 2)) % qs.length]!
      alert2Ms = r.int(2_000, 12_000)
      wait2Ms = transfer === "blind" ? alert2Ms + r.logNormal(30_000, 0.9) : alert2Ms
      overlapMs = transfer === "blind" ? 0 : r.logNormal(50_000, 0.5)
      talk2Ms = r.logNormal(talkMedian[media] * 0.8, 0.6)
      acw2Ms = r.logNormal(25_000, 0.6)
    }
  }
  // Clamp very long conversations (emails) so every lifetime stays under maxDurationMillis.
  const budget = maxDurationMillis - 3_600_000
  if (ivrMs + waitMs + talkMs + talk2Ms > budget) {
    const scale = budget / (ivrMs + waitMs + talkMs + talk2Ms)
    waitMs = Math.max(alertMs, Math.floor(waitMs * scale))
    talkMs = Math.max(1_000, Math.floor(talkMs * scale))
    talk2Ms = Math.floor(talk2Ms * scale)
  }
  const p: Omit<Plan, "durationMillis"> = {
    media,
    outcome,
    queue,
    flow,
    ivrMs,
    waitMs,
    alertMs,
    dialMs,
    talkMs,
    holds,
    acwMs,
    transfer,
    queue2,
    wait2Ms,
    alert2Ms,
    overlapMs,
    talk2Ms,
    acw2Ms
  }
  return { ...p, durationMillis: timeline(p).end }
}

/** Relative instants of a plan's phases (milliseconds from conversationStart). */
export interface Timeline {
  /** IVR ends / queue entered. */
  readonly queueIn: number
  /** Agent 1 answered (outbound: dialing starts at 0 and the callee answers at talkStart). */
  readonly answered: number
  readonly talkStart: number
  /** Agent 1 stops interacting with the customer (transfer, consult end, conference leave, or call end). */
  readonly agent1End: number
  /** Agent 2 is offered / alerted (second leg). */
  readonly leg2Start: number
  readonly agent2Answered: number
  /** The customer disconnects. */
  readonly customerEnd: number
  readonly end: number
}

export const heldMs = (p: Pick<Plan, "holds">): number => {
  let held = 0
  for (const [, d] of p.holds) held += d
  return held
}

export const timeline = (p: Omit<Plan, "durationMillis">): Timeline => {
  const queueIn = p.ivrMs
  if (p.outcome === "selfServed") {
    return {
      queueIn,
      answered: queueIn,
      talkStart: queueIn,
      agent1End: queueIn,
      leg2Start: queueIn,
      agent2Answered: queueIn,
      customerEnd: queueIn,
      end: queueIn
    }
  }
  if (p.outcome === "abandoned") {
    const e = queueIn + p.waitMs
    return { queueIn, answered: e, talkStart: e, agent1End: e, leg2Start: e, agent2Answered: e, customerEnd: e, end: e }
  }
  const answered = queueIn + p.waitMs
  const talkStart = answered + p.dialMs
  const talk1 = p.talkMs + heldMs(p)
  let agent1End: number
  let leg2Start: number
  let agent2Answered: number
  let customerEnd: number
  switch (p.transfer) {
    case "none":
      agent1End = talkStart + talk1
      leg2Start = agent1End
      agent2Answered = agent1End
      customerEnd = agent1End
      break
    case "blind":
      agent1End = talkStart + talk1
      leg2Start = agent1End
      agent2Answered = leg2Start + p.wait2Ms
      customerEnd = agent2Answered + p.talk2Ms
      break
    case "consult":
    case "conference":
      leg2Start = talkStart + talk1
      agent2Answered = leg2Start + p.alert2Ms
      agent1End = agent2Answered + p.overlapMs
      customerEnd = agent1End + p.talk2Ms
      break
  }
  const wrap1 = agent1End + p.acwMs
  const wrap2 = p.transfer === "none" ? 0 : customerEnd + p.acw2Ms
  return {
    queueIn,
    answered,
    talkStart,
    agent1End,
    leg2Start,
    agent2Answered,
    customerEnd,
    end: Math.max(wrap1, wrap2, customerEnd)
  }
}
