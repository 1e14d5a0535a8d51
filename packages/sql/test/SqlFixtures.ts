const iso = (base: number, seconds: number) => new Date(base + seconds * 1000).toISOString()

/**
 * A deterministic conversation: customer, IVR with a flow, agent with segments, metrics and (optionally) an
 * ongoing wrap-up, plus attributes, an evaluation and a survey on every third one.
 */
export const conversation = (i: number, options?: { readonly wrapUpEnded?: boolean; readonly tag?: string }): any => {
  const base = Date.UTC(2024, 4, 1, 8) + i * 600_000
  const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`
  return {
    conversationId: id,
    conversationStart: iso(base, 0),
    conversationEnd: iso(base, 420),
    originatingDirection: i % 2 === 0 ? "inbound" : "outbound",
    divisionIds: ["div-1"],
    externalTag: options?.tag ?? `tag, "${i}"`,
    mediaStatsMinConversationMos: 4.2,
    selfServed: i % 5 === 0,
    participants: [
      {
        participantId: `${id}-c`,
        purpose: "customer",
        attributes: { language: "en", case: `c-${i}` },
        sessions: [
          {
            sessionId: `${id}-cs`,
            mediaType: "voice",
            recording: true,
            segments: [{ segmentStart: iso(base, 0), segmentEnd: iso(base, 420), segmentType: "interact" }],
            metrics: [{ name: "nConnected", value: 1, emitDate: iso(base, 0) }]
          }
        ]
      },
      {
        participantId: `${id}-i`,
        purpose: "ivr",
        sessions: [
          {
            sessionId: `${id}-is`,
            mediaType: "voice",
            segments: [{ segmentStart: iso(base, 0), segmentEnd: iso(base, 40), segmentType: "ivr" }],
            flow: {
              flowId: "flow-1",
              flowName: "Main",
              issuedCallback: false,
              outcomes: [{ flowOutcomeId: "o-1", flowOutcomeValue: "SUCCESS", flowOutcomeStartTimestamp: iso(base, 5) }]
            }
          }
        ]
      },
      {
        participantId: `${id}-a`,
        purpose: "agent",
        userId: `user-${i % 3}`,
        sessions: [
          {
            sessionId: `${id}-as`,
            mediaType: "voice",
            segments: [
              { segmentStart: iso(base, 60), segmentEnd: iso(base, 360), segmentType: "interact", queueId: "q1" },
              {
                segmentStart: iso(base, 360),
                segmentType: "wrapup",
                wrapUpCode: "w1",
                ...(options?.wrapUpEnded ? { segmentEnd: iso(base, 420) } : {})
              }
            ],
            metrics: [
              { name: "tTalk", value: 300_000, emitDate: iso(base, 360) },
              { name: "tHandle", value: 360_000 + i, emitDate: iso(base, 420) }
            ]
          }
        ]
      }
    ],
    ...(i % 3 === 0
      ? {
          evaluations: [{ evaluationId: `ev-${i}`, oTotalScore: 90, released: true }],
          surveys: [{ surveyId: `sv-${i}`, surveyPromoterScore: 9 }]
        }
      : {})
  }
}

export const conversations = (n: number, options?: { readonly wrapUpEnded?: boolean; readonly tag?: string }) =>
  Array.from({ length: n }, (_, i) => conversation(i, options))
