/**
 * Live data: what a conversation looks like at an emulator time. Before it ends it is open (cut at that time:
 * no `conversationEnd`, running segments without `segmentEnd`, nothing that happens later); after it ends it is
 * the generated record; a seeded fraction is restated some time after the end (the wrap-up code of its agents'
 * wrap-up segments changes). Every form is a pure function of `(seed, index, t)`, so ground truth needs no state.
 */
import type { Dataset } from "../../Generator.js"
import type { LiveOptions } from "../../EmulatorOptions.js"
import { hash3 } from "./random.js"
import { maxDurationMillis, plan } from "./shape.js"
import type { Conversation, Participant, Segment, Session } from "./types.js"

const RESTATE_SALT = 0x5e57a7e
const TWO32 = 4_294_967_296

/** When conversation `index` is restated (epoch millis), or `undefined` if it never is. */
export const restatedAt = (dataset: Dataset, live: LiveOptions, index: number): number | undefined => {
  const seed = dataset.options.seed
  if (hash3(seed, index, RESTATE_SALT) / TWO32 >= live.restatementRate) return undefined
  const outcome = plan(seed, index).outcome
  if (outcome !== "answered" && outcome !== "outbound") return undefined
  const delay = Math.floor((hash3(seed, index, RESTATE_SALT + 1) / TWO32) * live.restatementWindowMillis)
  return dataset.endMillis(index) + Math.max(60_000, delay)
}

/** The restated record: every agent wrap-up segment gets another code of the catalog (seeded). */
export const restate = (dataset: Dataset, index: number, conversation: Conversation): Conversation => {
  const codes = dataset.catalog.wrapUpCodes
  const shift = 1 + (hash3(dataset.options.seed, index, RESTATE_SALT + 2) % Math.max(1, codes.length - 1))
  const recode = (segment: Segment): Segment => {
    if (segment.wrapUpCode === undefined) return segment
    const at = codes.findIndex((code) => code.id === segment.wrapUpCode)
    return { ...segment, wrapUpCode: codes[(Math.max(0, at) + shift) % codes.length]!.id }
  }
  return {
    ...conversation,
    participants: conversation.participants.map((participant) =>
      participant.purpose !== "agent"
        ? participant
        : {
            ...participant,
            sessions: participant.sessions.map((session) => ({ ...session, segments: session.segments.map(recode) }))
          }
    )
  }
}

const before = (iso: string | undefined, t: number) => iso === undefined || Date.parse(iso) <= t

/** Conversation `conversation` as it stands at `t`, before its end: only what has happened by then. */
export const openAt = (conversation: Conversation, t: number): Conversation => {
  const session = (s: Session): Session | undefined => {
    const segments: Array<Segment> = []
    for (const segment of s.segments) {
      if (Date.parse(segment.segmentStart) > t) continue
      if (before(segment.segmentEnd, t)) segments.push(segment)
      else {
        // A running segment: no end and no way it ended yet.
        const { disconnectType: _d, segmentEnd: _e, ...running } = segment
        segments.push(running)
      }
    }
    if (segments.length === 0) return undefined
    const open: { -readonly [K in keyof Session]: Session[K] } = {
      ...s,
      segments,
      metrics: s.metrics.filter((m) => before(m.emitDate, t))
    }
    if (s.mediaEndpointStats !== undefined) {
      const stats = s.mediaEndpointStats.filter((m) => before(m.eventTime, t))
      if (stats.length > 0) open.mediaEndpointStats = stats
      else delete open.mediaEndpointStats
    }
    if (s.flow?.outcomes !== undefined) {
      open.flow = {
        ...s.flow,
        outcomes: s.flow.outcomes
          .filter((o) => before(o.flowOutcomeStartTimestamp, t))
          .map((o) => {
            if (before(o.flowOutcomeEndTimestamp, t)) return o
            const { flowOutcomeEndTimestamp: _end, ...running } = o
            return running
          })
      }
    }
    return open
  }
  const participants: Array<Participant> = []
  for (const p of conversation.participants) {
    const sessions = p.sessions.flatMap((s) => session(s) ?? [])
    if (sessions.length > 0) participants.push({ ...p, sessions })
  }
  const { conversationEnd: _end, evaluations, surveys, resolutions, conferenceStart, ...rest } = conversation
  const open: { -readonly [K in keyof Conversation]: Conversation[K] } = { ...rest, participants }
  if (conferenceStart !== undefined && before(conferenceStart, t)) open.conferenceStart = conferenceStart
  const early = <A extends { readonly eventTime: string }>(items: ReadonlyArray<A> | undefined) =>
    items?.filter((item) => before(item.eventTime, t))
  const e = early(evaluations)
  const s = early(surveys)
  const r = early(resolutions)
  if (e !== undefined && e.length > 0) open.evaluations = e
  if (s !== undefined && s.length > 0) open.surveys = s
  if (r !== undefined && r.length > 0) open.resolutions = r
  return open
}

/** Conversation `index` as it stands at `t` (open, ended, or restated). */
export const formAt = (dataset: Dataset, live: LiveOptions, index: number, t: number): Conversation => {
  const conversation = dataset.conversation(index)
  if (dataset.endMillis(index) > t) return openAt(conversation, t)
  const restated = restatedAt(dataset, live, index)
  return restated !== undefined && restated <= t ? restate(dataset, index, conversation) : conversation
}

/** The dataset as it stands at `t`: `conversation(i)` is the form at `t`, everything else unchanged. */
export const viewAt = (dataset: Dataset, live: LiveOptions, t: number): Dataset => ({
  ...dataset,
  conversation: (index) => formAt(dataset, live, index, t)
})

/** One restatement. */
export interface Restatement {
  readonly index: number
  readonly conversationId: string
  readonly endMillis: number
  readonly restatedAtMillis: number
}

/** Conversations that ended in `[fromMillis, toMillis)` and were restated by `t`, in index order. */
export const restatements = (
  dataset: Dataset,
  live: LiveOptions,
  fromMillis: number,
  toMillis: number,
  t: number
): Array<Restatement> => {
  const out: Array<Restatement> = []
  const from = dataset.lowerBound(fromMillis - maxDurationMillis)
  const to = dataset.lowerBound(Math.min(toMillis, t))
  for (let index = from; index < to; index++) {
    const end = dataset.endMillis(index)
    if (end < fromMillis || end >= toMillis) continue
    const at = restatedAt(dataset, live, index)
    if (at !== undefined && at <= t) {
      out.push({ index, conversationId: dataset.conversationId(index), endMillis: end, restatedAtMillis: at })
    }
  }
  return out
}
