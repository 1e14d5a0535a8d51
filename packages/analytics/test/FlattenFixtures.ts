import * as fc from "fast-check"

// Small pools so that generated records repeat ids, starts and names: the cases the key scheme must survive.
const id = fc.option(fc.constantFrom("a", "b", "c", "a|b", "#1", "x\\y"), { nil: undefined })
const time = fc.option(
  fc.constantFrom("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:05.000Z", "2024-05-01T10:01:00.000Z"),
  { nil: undefined }
)
const text = fc.option(
  fc.oneof(
    fc.constantFrom("plain", "with,comma", 'with "quote"', "line\nbreak", " padded ", "cr\r\nlf", ""),
    fc.string()
  ),
  { nil: undefined }
)

const defined = <T extends Record<string, unknown>>(record: T): T => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v
  return out as T
}

const segment = fc
  .record({
    segmentStart: time,
    segmentEnd: time,
    segmentType: fc.option(fc.constantFrom("interact", "hold", "wrapup"), { nil: undefined }),
    queueId: id,
    wrapUpNote: text,
    conference: fc.option(fc.boolean(), { nil: undefined }),
    wrapUpTags: fc.option(fc.array(fc.string(), { maxLength: 2 }), { nil: undefined })
  })
  .map(defined)

const metric = fc
  .record({
    name: fc.option(fc.constantFrom("tHandle", "tTalk", "nConnected"), { nil: undefined }),
    value: fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: undefined }),
    emitDate: time
  })
  .map(defined)

const flow = fc
  .record({
    flowId: id,
    flowName: text,
    outcomes: fc.option(
      fc.array(fc.record({ flowOutcomeId: id, flowOutcomeStartTimestamp: time, flowOutcomeValue: text }).map(defined), {
        maxLength: 3
      }),
      { nil: undefined }
    )
  })
  .map(defined)

const session = fc
  .record({
    sessionId: id,
    mediaType: fc.option(fc.constantFrom("voice", "chat", "email"), { nil: undefined }),
    ani: text,
    recording: fc.option(fc.boolean(), { nil: undefined }),
    segments: fc.option(fc.array(segment, { maxLength: 4 }), { nil: undefined }),
    metrics: fc.option(fc.array(metric, { maxLength: 4 }), { nil: undefined }),
    flow: fc.option(flow, { nil: undefined })
  })
  .map(defined)

const participant = fc
  .record({
    participantId: id,
    purpose: fc.option(fc.constantFrom("customer", "agent", "ivr", "acd"), { nil: undefined }),
    participantName: text,
    attributes: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3 }), {
      nil: undefined
    }),
    sessions: fc.option(fc.array(session, { maxLength: 3 }), { nil: undefined })
  })
  .map(defined)

/** Random conversation records, structurally like `AnalyticsConversation`, with awkward ids and text. */
export const conversation = fc
  .record({
    conversationId: fc.uuid(),
    conversationStart: time,
    conversationEnd: time,
    originatingDirection: fc.option(fc.constantFrom("inbound", "outbound"), { nil: undefined }),
    divisionIds: fc.option(fc.array(fc.uuid(), { maxLength: 2 }), { nil: undefined }),
    externalTag: text,
    mediaStatsMinConversationMos: fc.option(fc.double({ min: 1, max: 5, noNaN: true }), { nil: undefined }),
    participants: fc.option(fc.array(participant, { maxLength: 4 }), { nil: undefined }),
    evaluations: fc.option(fc.array(fc.record({ evaluationId: id, oTotalScore: fc.integer() }).map(defined)), {
      nil: undefined
    }),
    surveys: fc.option(fc.array(fc.record({ surveyId: id, surveyStatus: text }).map(defined), { maxLength: 2 }), {
      nil: undefined
    }),
    resolutions: fc.option(
      fc.array(fc.record({ eventTime: time, queueId: id, nNextContactAvoided: fc.nat() }).map(defined), {
        maxLength: 2
      }),
      { nil: undefined }
    )
  })
  .map(defined)

/** A fixed, realistic voice conversation: customer → IVR → queue → agent, with attributes. */
export const voiceCall = {
  conversationId: "c0ffee00-0000-4000-8000-000000000001",
  conversationStart: "2024-05-01T10:00:00.000Z",
  conversationEnd: "2024-05-01T10:07:30.000Z",
  originatingDirection: "inbound",
  divisionIds: ["d1"],
  participants: [
    {
      participantId: "p-customer",
      purpose: "customer",
      participantName: 'Smith, "Jo"',
      attributes: { language: "en", note: "line1\nline2" },
      sessions: [
        {
          sessionId: "s-customer",
          mediaType: "voice",
          direction: "inbound",
          ani: "tel:+15550100",
          segments: [
            {
              segmentStart: "2024-05-01T10:00:00.000Z",
              segmentEnd: "2024-05-01T10:07:30.000Z",
              segmentType: "interact"
            }
          ],
          metrics: [{ name: "nConnected", value: 1, emitDate: "2024-05-01T10:00:00.000Z" }]
        }
      ]
    },
    {
      participantId: "p-ivr",
      purpose: "ivr",
      sessions: [
        {
          sessionId: "s-ivr",
          mediaType: "voice",
          segments: [
            { segmentStart: "2024-05-01T10:00:00.000Z", segmentEnd: "2024-05-01T10:00:40.000Z", segmentType: "ivr" }
          ],
          flow: {
            flowId: "f1",
            flowName: "Main IVR",
            flowType: "INBOUNDCALL",
            outcomes: [
              {
                flowOutcomeId: "o1",
                flowOutcomeValue: "SUCCESS",
                flowOutcomeStartTimestamp: "2024-05-01T10:00:10.000Z"
              }
            ]
          }
        }
      ]
    },
    {
      participantId: "p-agent",
      purpose: "agent",
      userId: "u1",
      sessions: [
        {
          sessionId: "s-agent",
          mediaType: "voice",
          segments: [
            {
              segmentStart: "2024-05-01T10:01:00.000Z",
              segmentEnd: "2024-05-01T10:06:00.000Z",
              segmentType: "interact",
              queueId: "q1"
            },
            { segmentStart: "2024-05-01T10:06:00.000Z", segmentType: "wrapup", wrapUpCode: "w1", queueId: "q1" }
          ],
          metrics: [
            { name: "tTalk", value: 300000, emitDate: "2024-05-01T10:06:00.000Z" },
            { name: "tHandle", value: 390000, emitDate: "2024-05-01T10:07:30.000Z" }
          ]
        }
      ]
    }
  ]
}
