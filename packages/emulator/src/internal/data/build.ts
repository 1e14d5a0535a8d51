/**
 * The expensive half of the generator: the full conversation record, built from the plan (shape.ts) plus a
 * second random stream for names, ids and decorations. Every session metric is computed from the segments it
 * describes, so metrics and timings agree by construction.
 */
import type { Catalog, Queue, User } from "../../Catalog.js"
import { iso } from "./iso.js"
import { Rng } from "./random.js"
import { plan as planOf, timeline, type Plan } from "./shape.js"
import type {
  Conversation,
  Evaluation,
  Flow,
  MediaEndpointStat,
  Participant,
  Property,
  Resolution,
  Segment,
  Session,
  SessionMetric,
  Survey
} from "./types.js"

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

const metric = (name: string, value: number, emitMillis: number): SessionMetric => ({
  name,
  value,
  emitDate: iso(emitMillis)
})

const phone = (r: Rng, prefix: string): string => `tel:+${prefix}${String(r.int(1_000_000, 9_999_999))}`

const notes = [
  "Customer asked about the latest invoice.",
  "Resolved on first contact.",
  "Escalated to tier 2; ticket opened.",
  "Customer will call back after checking details.",
  "Updated contact details.",
  "Explained the cancellation policy."
]
const tiers = ["bronze", "silver", "gold", "platinum"]
const intents = ["billing", "support", "sales", "cancel", "other"]
const messageTypes = ["sms", "whatsapp", "facebook", "webmessaging"]
const edgeIds = ["e1d9c2a4-5b7f-4c3e-9a21-7f3b5c2d1e0a", "a4b3c2d1-0f9e-4d8c-8b7a-6a5b4c3d2e1f"]

interface SegmentSpan {
  readonly type: string
  readonly start: number
  readonly end: number
  readonly extra?: Partial<Mutable<Segment>>
}

const toSegments = (spans: ReadonlyArray<SegmentSpan>, base: Partial<Mutable<Segment>>): Array<Segment> =>
  spans
    .filter((s) => s.end > s.start || s.type === "ivr")
    .map((s) => ({
      segmentStart: iso(s.start),
      segmentEnd: iso(s.end),
      segmentType: s.type,
      ...base,
      ...s.extra
    }))

/** Talk of an agent split by holds into interact/hold spans starting at `start`. */
const talkSpans = (
  start: number,
  talkMs: number,
  holds: ReadonlyArray<readonly [number, number]>,
  extra: Partial<Mutable<Segment>>
): { spans: Array<SegmentSpan>; end: number } => {
  const spans: Array<SegmentSpan> = []
  let t = start
  let talked = 0
  for (const [offset, duration] of holds) {
    const talkPart = offset - talked
    if (talkPart > 0) spans.push({ type: "interact", start: t, end: t + talkPart, extra })
    t += talkPart
    talked = offset
    spans.push({ type: "hold", start: t, end: t + duration, extra })
    t += duration
  }
  spans.push({ type: "interact", start: t, end: t + (talkMs - talked), extra })
  return { spans, end: t + (talkMs - talked) }
}

/** Agent session metrics computed from the agent's own segments. */
const agentMetrics = (
  spans: ReadonlyArray<SegmentSpan>,
  extras: ReadonlyArray<SessionMetric>
): Array<SessionMetric> => {
  const out: Array<SessionMetric> = []
  let talk = 0
  let held = 0
  let acw = 0
  let lastTalkEnd = 0
  let handleEnd = 0
  for (const s of spans) {
    const d = s.end - s.start
    if (s.type === "alert") {
      out.push(metric("tAlert", d, s.end))
    } else if (s.type === "interact") {
      talk += d
      lastTalkEnd = s.end
      out.push(metric("tTalk", d, s.end))
    } else if (s.type === "hold") {
      held += d
      out.push(metric("tHeld", d, s.end), metric("tHeldComplete", d, s.end))
    } else if (s.type === "dialing" || s.type === "contacting") {
      out.push(metric(s.type === "dialing" ? "tDialing" : "tContacting", d, s.end))
    } else if (s.type === "wrapup") {
      acw += d
    }
    handleEnd = Math.max(handleEnd, s.end)
  }
  if (talk > 0) out.push(metric("tTalkComplete", talk, lastTalkEnd), metric("nConnected", 1, firstTalkStart(spans)))
  if (acw > 0) out.push(metric("tAcw", acw, handleEnd))
  if (talk + held + acw > 0) out.push(metric("tHandle", talk + held + acw, handleEnd))
  out.push(...extras)
  return out
}

const firstTalkStart = (spans: ReadonlyArray<SegmentSpan>): number => {
  for (const s of spans) if (s.type === "interact") return s.start
  return spans[0]?.start ?? 0
}

export const conversation = (
  seed: number,
  catalog: Catalog,
  index: number,
  startMillis: number,
  conversationId: string
): Conversation => {
  const p: Plan = planOf(seed, index)
  const tl = timeline(p)
  const r = new Rng(seed, index, 0xb17d)
  const t0 = startMillis
  const at = (rel: number) => t0 + rel
  const queue1: Queue = catalog.queues[p.queue % catalog.queues.length]!
  const queue2: Queue = catalog.queues[p.queue2 % catalog.queues.length]!
  const agents1 = catalog.usersOfQueue(queue1.id)
  const agent1: User = agents1[r.int(0, agents1.length - 1)]!
  const agents2 = catalog.usersOfQueue(queue2.id).filter((u) => u.id !== agent1.id)
  const agent2: User = agents2.length > 0 ? agents2[r.int(0, agents2.length - 1)]! : catalog.users[0]!
  const media = p.media
  const sessionMedia = media
  const voiceLike = media === "voice" || media === "callback"
  const outbound = p.outcome === "outbound"
  const direction = outbound ? "outbound" : "inbound"
  const customerAddress =
    media === "email"
      ? `customer${r.int(1, 99999)}@mail.example.org`
      : media === "chat"
        ? `chat-visitor-${r.int(1, 99999)}`
        : phone(r, "1555")
  const dnis = voiceLike ? `tel:+1800555${String(1000 + (p.queue % 10) * 7)}` : undefined
  const orgAddress = media === "email" ? "support@contact.example.com" : (dnis ?? "web")
  const subject =
    media === "email" ? r.pick(["Invoice question", "Order status", "Account access", "Complaint"]) : undefined
  const customerEnd = at(tl.customerEnd)
  const end = at(tl.end)
  const answeredCount = p.outcome === "answered" || p.outcome === "outbound"
  const participants: Array<Participant> = []
  const messageType = media === "message" ? r.pick(messageTypes) : undefined
  const baseSession = (): Partial<Mutable<Session>> => ({
    mediaType: sessionMedia,
    direction,
    ...(voiceLike
      ? {
          ani: outbound ? orgAddress : customerAddress,
          dnis: outbound ? customerAddress : orgAddress,
          edgeId: r.pick(edgeIds)
        }
      : {}),
    ...(voiceLike && !outbound ? { sessionDnis: orgAddress } : {}),
    addressFrom: outbound ? orgAddress : customerAddress,
    addressTo: outbound ? customerAddress : orgAddress,
    ...(messageType !== undefined ? { messageType } : {})
  })
  const customerProps: Array<Property> = []
  if (r.chance(0.15)) {
    customerProps.push(
      { property: "priorityTier", propertyType: "integer", value: String(r.int(1, 5)) },
      { property: "vip", propertyType: "bool", value: r.chance(0.3) ? "true" : "false" },
      { property: "journeyScore", propertyType: "real", value: (r.int(0, 100) / 100).toFixed(2) }
    )
  }

  // ---- customer / external ----
  const customerSessionId = r.uuid()
  const customerDisconnect = p.outcome === "answered" && r.chance(0.4) ? "peer" : "endpoint"
  const customerSegExtra: Partial<Mutable<Segment>> = {
    ...(subject !== undefined ? { subject } : {}),
    ...(customerProps.length > 0 ? { properties: customerProps } : {})
  }
  const customerSpans: Array<SegmentSpan> = outbound
    ? [
        {
          type: "interact",
          start: at(tl.talkStart),
          end: customerEnd,
          extra: { ...customerSegExtra, disconnectType: customerDisconnect }
        }
      ]
    : [
        {
          type: "interact",
          start: t0,
          end: customerEnd,
          extra: { ...customerSegExtra, disconnectType: customerDisconnect }
        }
      ]
  const customerMetrics: Array<SessionMetric> = []
  const customerSession: Mutable<Session> = {
    sessionId: customerSessionId,
    ...(baseSession() as { mediaType: string; direction: "inbound" | "outbound" }),
    ...(voiceLike
      ? { protocolCallId: r.uuid(), provider: "Edge", remote: outbound ? "Called party" : "Customer" }
      : {}),
    ...(media === "message" ? { provider: "PureCloud Messaging", mediaCount: r.int(0, 3) } : {}),
    ...(media === "callback"
      ? { callbackNumbers: [customerAddress], callbackUserName: `Caller ${r.int(100, 999)}` }
      : {}),
    metrics: customerMetrics,
    segments: []
  }
  if (media === "callback") customerSession.mediaType = "callback"
  let mos: number | undefined
  let rFactor: number | undefined
  if (media === "voice" && customerEnd > at(tl.talkStart)) {
    mos = Math.round((3.6 + r.next() * 0.9) * 1000) / 1000
    rFactor = Math.round((70 + r.next() * 23) * 1000) / 1000
    const packets = Math.round((customerEnd - t0) / 20)
    const stat: MediaEndpointStat = {
      codecs: [r.pick(["audio/opus", "audio/PCMU"])],
      discardedPackets: r.int(0, 40),
      duplicatePackets: r.int(0, 5),
      eventTime: iso(customerEnd),
      invalidPackets: 0,
      maxLatencyMs: r.int(20, 220),
      minMos: mos,
      minRFactor: rFactor,
      overrunPackets: r.int(0, 10),
      receivedPackets: packets,
      underrunPackets: r.int(0, 10)
    }
    customerSession.mediaEndpointStats = [stat]
  }
  customerSession.segments = toSegments(customerSpans, {})
  if (media === "message" || media === "chat") customerMetrics.push(metric("nConversations", 1, t0))
  const customerAttributes: Record<string, string> = {
    "Customer.Tier": r.pick(tiers),
    "Customer.AccountNumber": String(r.int(10_000_000, 99_999_999)),
    "ivr.Intent": r.pick(intents),
    "ivr.Language": r.pick(["en-us", "en-us", "es-us", "fr-ca"])
  }
  const customer: Mutable<Participant> = {
    participantId: r.uuid(),
    participantName: outbound ? "Called party" : media === "email" ? customerAddress : `Customer ${r.int(100, 999)}`,
    purpose: outbound ? "external" : "customer",
    ...(r.chance(0.2) ? { externalContactId: r.uuid() } : {}),
    sessions: [customerSession],
    attributes: customerAttributes
  }
  participants.push(customer)

  // ---- IVR / routing flow ----
  let selfServed: boolean | undefined
  if (p.ivrMs > 0 && p.flow >= 0) {
    const f = catalog.flows[p.flow % catalog.flows.length]!
    const ivrEnd = at(tl.queueIn)
    const transferred = p.outcome !== "selfServed"
    const outcomes = f.outcomes.map((o, k) => {
      const s = t0 + Math.floor(((k + 0.2) * p.ivrMs) / (f.outcomes.length + 1))
      const success = r.chance(0.8)
      return {
        flowOutcome: `${o.id}:${success ? "SUCCESS" : "FAILURE"}`,
        flowOutcomeId: o.id,
        flowOutcomeValue: success ? "SUCCESS" : "FAILURE",
        flowOutcomeStartTimestamp: iso(s),
        ...(success ? { flowOutcomeEndTimestamp: iso(s + Math.floor(p.ivrMs / (f.outcomes.length + 2))) } : {})
      }
    })
    const flow: Flow = {
      flowId: f.id,
      flowName: f.name,
      flowVersion: f.version,
      flowType: f.flowType,
      entryType: media === "voice" ? "dnis" : "direct",
      entryReason: media === "voice" ? orgAddress : f.id,
      exitReason: transferred ? "TRANSFER" : "DISCONNECT",
      ...(transferred
        ? { transferType: "ACD", transferTargetAddress: queue1.id, transferTargetName: queue1.name }
        : {}),
      issuedCallback: false,
      startingLanguage: "en-us",
      endingLanguage: "en-us",
      outcomes
    }
    const ivrSpans: Array<SegmentSpan> = [
      { type: "ivr", start: t0, end: ivrEnd, extra: { disconnectType: transferred ? "transfer" : "peer" } }
    ]
    const ivrMetrics: Array<SessionMetric> = [
      metric("nFlow", 1, t0),
      metric("tIvr", ivrEnd - t0, ivrEnd),
      metric("tFlow", ivrEnd - t0, ivrEnd),
      metric(transferred ? "tFlowOut" : "tFlowDisconnect", ivrEnd - t0, ivrEnd),
      ...(transferred ? [metric("nFlowOutcome", outcomes.length, ivrEnd)] : [])
    ]
    for (const o of outcomes) {
      if (o.flowOutcomeValue === "FAILURE") ivrMetrics.push(metric("nFlowOutcomeFailed", 1, ivrEnd))
    }
    selfServed = !transferred
    participants.push({
      participantId: r.uuid(),
      participantName: f.name,
      purpose: media === "voice" ? "ivr" : "workflow",
      sessions: [
        {
          sessionId: r.uuid(),
          ...(baseSession() as { mediaType: string; direction: "inbound" | "outbound" }),
          ...(voiceLike ? { remote: f.name } : {}),
          flowInType: media === "voice" ? "dnis" : "direct",
          ...(transferred ? { flowOutType: "acd" } : {}),
          flow,
          metrics: ivrMetrics,
          segments: toSegments(ivrSpans, {})
        }
      ]
    })
  }

  // ---- ACD leg(s) ----
  const acdSession = (queue: Queue, start: number, endAt: number, answered: boolean, alert: number): Session => {
    const skillIds = r.chance(0.6) ? queue.skillIds : []
    const languageId = r.chance(0.3) ? r.pick(catalog.languages).id : undefined
    const extra: Partial<Mutable<Segment>> = {
      queueId: queue.id,
      disconnectType: answered ? "transfer" : "peer",
      ...(skillIds.length > 0 ? { requestedRoutingSkillIds: skillIds } : {}),
      ...(languageId !== undefined ? { requestedLanguageId: languageId } : {}),
      ...(r.chance(0.1)
        ? { scoredAgents: [{ scoredAgentId: r.pick(catalog.usersOfQueue(queue.id)).id, agentScore: r.int(10, 99) }] }
        : {})
    }
    const wait = endAt - start
    const metrics: Array<SessionMetric> = [metric("nOffered", 1, start), metric("tAcd", wait, endAt)]
    if (answered) metrics.push(metric("tAnswered", wait, endAt), metric("tWait", wait - alert, endAt))
    else {
      metrics.push(metric("tAbandon", wait, endAt), metric("tWait", wait, endAt))
      if (wait < 10_000) metrics.push(metric("tShortAbandon", wait, endAt))
    }
    if (wait > 20_000 && answered) metrics.push(metric("nOverSla", 1, endAt))
    return {
      sessionId: r.uuid(),
      ...(baseSession() as { mediaType: string; direction: "inbound" | "outbound" }),
      ...(voiceLike ? { remote: queue.name } : {}),
      requestedRoutings: ["Standard"],
      usedRouting: "Standard",
      metrics,
      segments: toSegments([{ type: "interact", start, end: endAt, extra }], {})
    }
  }
  const divisionIds = new Set<string>()
  if (!outbound && p.outcome !== "selfServed") {
    participants.push({
      participantId: r.uuid(),
      participantName: queue1.name,
      purpose: "acd",
      sessions: [acdSession(queue1, at(tl.queueIn), at(tl.answered), p.outcome !== "abandoned", p.alertMs)]
    })
    divisionIds.add(queue1.divisionId)
  }
  if (p.transfer === "blind") {
    participants.push({
      participantId: r.uuid(),
      participantName: queue2.name,
      purpose: "acd",
      sessions: [acdSession(queue2, at(tl.leg2Start), at(tl.agent2Answered), true, p.alert2Ms)]
    })
    divisionIds.add(queue2.divisionId)
  }
  if (outbound) divisionIds.add(queue1.divisionId)
  if (divisionIds.size === 0) divisionIds.add(catalog.flows[Math.max(0, p.flow)]!.divisionId)

  // ---- agents ----
  const wrapUpCode = () =>
    catalog.wrapUpCodes[
      r.weighted(catalog.wrapUpCodes.map((_, k) => (k === catalog.wrapUpCodes.length - 1 ? 0.3 : 10 / (k + 1))))
    ]!
  const wrapExtra = (queue: Queue): Partial<Mutable<Segment>> => {
    const code = wrapUpCode()
    return {
      queueId: queue.id,
      wrapUpCode: code.id,
      ...(r.chance(0.3) ? { wrapUpNote: r.pick(notes) } : {}),
      ...(r.chance(0.1) ? { wrapUpTags: [r.pick(["follow-up", "vip", "complaint"])] } : {})
    }
  }
  const agentParticipant = (
    user: User,
    spans: Array<SegmentSpan>,
    extras: Array<SessionMetric>,
    queue: Queue
  ): Participant => ({
    participantId: r.uuid(),
    participantName: user.name,
    purpose: "agent",
    userId: user.id,
    teamId: user.teamId,
    ...(r.chance(0.05) ? { flaggedReason: "general" as const } : {}),
    screenRecording: r.chance(0.1),
    sessions: [
      {
        sessionId: r.uuid(),
        ...(baseSession() as { mediaType: string; direction: "inbound" | "outbound" }),
        ...(voiceLike
          ? { remote: outbound ? "Called party" : customer.participantName!, recording: r.chance(0.8) }
          : {}),
        ...(outbound ? {} : { usedRouting: "Standard", selectedAgentId: user.id, routingRing: 1 }),
        metrics: agentMetrics(spans, extras),
        segments: toSegments(spans, { queueId: queue.id })
      }
    ]
  })
  let conferenceStart: number | undefined
  if (answeredCount) {
    const spans1: Array<SegmentSpan> = []
    const extras1: Array<SessionMetric> = []
    if (outbound) {
      spans1.push({ type: "dialing", start: t0, end: t0 + Math.floor(p.dialMs / 3) })
      spans1.push({ type: "contacting", start: t0 + Math.floor(p.dialMs / 3), end: at(tl.talkStart) })
      extras1.push(
        metric("nOutbound", 1, t0),
        metric("nOutboundAttempted", 1, t0),
        metric("nOutboundConnected", 1, at(tl.talkStart))
      )
    } else {
      spans1.push({ type: "alert", start: at(tl.answered) - p.alertMs, end: at(tl.answered) })
      if (media === "callback") {
        spans1.push({ type: "dialing", start: at(tl.answered), end: at(tl.talkStart) })
        extras1.push(metric("nCallbackAttempts", 1, at(tl.answered)))
      }
    }
    const talk = talkSpans(at(tl.talkStart), p.talkMs, p.holds, {})
    spans1.push(...talk.spans)
    const last1 = spans1[spans1.length - 1]!
    if (p.transfer === "none") {
      spans1[spans1.length - 1] = {
        ...last1,
        extra: { disconnectType: customerDisconnect === "peer" ? "client" : "peer" }
      }
    } else if (p.transfer === "blind") {
      spans1[spans1.length - 1] = { ...last1, extra: { disconnectType: "transfer" } }
      extras1.push(metric("nTransferred", 1, at(tl.agent1End)), metric("nBlindTransferred", 1, at(tl.agent1End)))
    } else if (p.transfer === "consult") {
      spans1.push({
        type: "hold",
        start: at(tl.leg2Start),
        end: at(tl.agent1End),
        extra: { disconnectType: "consultTransfer" }
      })
      extras1.push(
        metric("nConsult", 1, at(tl.leg2Start)),
        metric("nTransferred", 1, at(tl.agent1End)),
        metric("nConsultTransferred", 1, at(tl.agent1End))
      )
    } else {
      conferenceStart = at(tl.agent2Answered)
      spans1.push({
        type: "interact",
        start: at(tl.leg2Start),
        end: at(tl.agent1End),
        extra: { conference: true, disconnectType: "conferenceTransfer" }
      })
      extras1.push(metric("nTransferred", 1, at(tl.agent1End)))
    }
    spans1.push({ type: "wrapup", start: at(tl.agent1End), end: at(tl.agent1End) + p.acwMs, extra: wrapExtra(queue1) })
    participants.push(agentParticipant(agent1, spans1, extras1, queue1))

    if (p.transfer !== "none") {
      const spans2: Array<SegmentSpan> = [
        { type: "alert", start: at(tl.agent2Answered) - p.alert2Ms, end: at(tl.agent2Answered) }
      ]
      if (p.transfer === "conference") {
        spans2.push({
          type: "interact",
          start: at(tl.agent2Answered),
          end: at(tl.agent1End),
          extra: { conference: true }
        })
      } else if (p.transfer === "consult") {
        spans2.push({ type: "interact", start: at(tl.agent2Answered), end: at(tl.agent1End) })
      }
      spans2.push({
        type: "interact",
        start: at(tl.agent2Answered) + (p.transfer === "blind" ? 0 : p.overlapMs),
        end: customerEnd,
        extra: { disconnectType: customerDisconnect === "peer" ? "client" : "peer" }
      })
      spans2.push({ type: "wrapup", start: customerEnd, end: customerEnd + p.acw2Ms, extra: wrapExtra(queue2) })
      participants.push(agentParticipant(agent2, spans2, [], queue2))
      divisionIds.add(queue2.divisionId)
    }
  }

  // ---- evaluations, surveys, resolutions ----
  const lastAgent = p.transfer !== "none" ? agent2 : agent1
  const lastQueue = p.transfer === "blind" ? queue2 : queue1
  const evaluations: Array<Evaluation> = []
  const surveys: Array<Survey> = []
  const resolutions: Array<Resolution> = []
  if (answeredCount && r.chance(0.06)) {
    const form = r.pick(catalog.evaluationForms)
    const evaluator = r.pick(catalog.users)
    const status = r.pick(["Finished", "Finished", "Finished", "InProgress", "Pending", "InReview"] as const)
    evaluations.push({
      evaluationId: r.uuid(),
      evaluatorId: evaluator.id,
      userId: agent1.id,
      queueId: queue1.id,
      formId: form.id,
      formName: form.name,
      contextId: form.contextId,
      eventTime: iso(end + r.int(3_600_000, 3 * 86_400_000)),
      evaluationStatus: status,
      assigneeApplicable: true,
      assigneeId: evaluator.id,
      deleted: false,
      released: status === "Finished",
      rescored: r.chance(0.05),
      systemSubmitted: false,
      oTotalScore: r.int(40, 100),
      oTotalCriticalScore: r.int(60, 100)
    })
  }
  if (answeredCount && !outbound && r.chance(0.05)) {
    const form = r.pick(catalog.surveyForms)
    const completed = r.chance(0.7)
    const score = r.int(0, 10)
    surveys.push({
      surveyId: r.uuid(),
      surveyFormId: form.id,
      surveyFormContextId: form.contextId,
      surveyFormName: form.name,
      surveyStatus: completed ? "Finished" : "Pending",
      surveyType: voiceLike ? "Voice" : "Web",
      queueId: lastQueue.id,
      userId: lastAgent.id,
      eventTime: iso(end + r.int(60_000, 3_600_000)),
      ...(completed ? { surveyCompletedDate: iso(end + r.int(3_600_000, 7_200_000)) } : {}),
      surveyPartialResponse: completed && r.chance(0.1),
      ...(completed ? { surveyPromoterScore: score, oSurveyTotalScore: score * 10 } : {})
    })
  }
  if (answeredCount && r.chance(0.3)) {
    resolutions.push({
      eventTime: iso(end + 72 * 3_600_000),
      queueId: lastQueue.id,
      userId: lastAgent.id,
      nNextContactAvoided: r.chance(0.75) ? 1 : 0
    })
  }

  const result: Mutable<Conversation> = {
    conversationId,
    conversationStart: iso(t0),
    conversationEnd: iso(end),
    originatingDirection: outbound ? "outbound" : "inbound",
    divisionIds: [...divisionIds],
    participants
  }
  if (conferenceStart !== undefined) result.conferenceStart = iso(conferenceStart)
  if (media === "message" || media === "chat") {
    result.conversationInitiator = "customer"
    result.customerParticipation = p.outcome !== "abandoned" || r.chance(0.5)
  }
  if (media === "message") result.originatingSocialMediaPublic = false
  if (mos !== undefined && rFactor !== undefined) {
    result.mediaStatsMinConversationMos = mos
    result.mediaStatsMinConversationRFactor = rFactor
  }
  if (selfServed !== undefined) result.selfServed = selfServed
  if (r.chance(0.05)) result.externalTag = `CRM-${r.int(100000, 999999)}`
  if (answeredCount && r.chance(0.1)) result.knowledgeBaseIds = [r.pick(catalog.knowledgeBaseIds)]
  if (evaluations.length > 0) result.evaluations = evaluations
  if (surveys.length > 0) result.surveys = surveys
  if (resolutions.length > 0) result.resolutions = resolutions
  return result
}
