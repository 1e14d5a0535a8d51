import { assert, describe, it } from "@effect/vitest"
import * as FilterEngine from "../src/FilterEngine.js"
import type * as Generator from "../src/Generator.js"

const seg = (
  segmentType: string,
  start: string,
  end: string,
  extra: Partial<Generator.Segment> = {}
): Generator.Segment => ({
  segmentStart: `2026-01-05T10:${start}.000Z`,
  segmentEnd: `2026-01-05T10:${end}.000Z`,
  segmentType,
  ...extra
})

/** A hand-built inbound voice call: customer, acd (queue Q1), agent A1 with a hold and a wrap-up. */
const fixture: Generator.ConversationWithoutAttributes = {
  conversationId: "c-1",
  conversationStart: "2026-01-05T10:00:00.000Z",
  conversationEnd: "2026-01-05T10:09:00.000Z",
  originatingDirection: "inbound",
  divisionIds: ["div-a", "div-b"],
  mediaStatsMinConversationMos: 4.2,
  externalTag: "CRM-1",
  participants: [
    {
      participantId: "p-c",
      purpose: "customer",
      sessions: [
        {
          sessionId: "s-c",
          mediaType: "voice",
          direction: "inbound",
          ani: "tel:+15550001",
          dnis: "tel:+18005550100",
          addressFrom: "Jane.Doe@Example.com",
          metrics: [],
          segments: [
            seg("interact", "00:00", "08:00", {
              disconnectType: "endpoint",
              properties: [
                { property: "priorityTier", propertyType: "integer", value: "3" },
                { property: "vip", propertyType: "bool", value: "true" }
              ]
            })
          ]
        }
      ]
    },
    {
      participantId: "p-q",
      purpose: "acd",
      sessions: [
        {
          sessionId: "s-q",
          mediaType: "voice",
          direction: "inbound",
          metrics: [
            { name: "nOffered", value: 1, emitDate: "2026-01-05T10:01:00.000Z" },
            { name: "tAcd", value: 60000, emitDate: "2026-01-05T10:02:00.000Z" }
          ],
          segments: [seg("interact", "01:00", "02:00", { queueId: "Q1", requestedRoutingSkillIds: ["sk-1", "sk-2"] })]
        }
      ]
    },
    {
      participantId: "p-a",
      purpose: "agent",
      userId: "A1",
      sessions: [
        {
          sessionId: "s-a",
          mediaType: "voice",
          direction: "inbound",
          flow: {
            flowId: "F1",
            flowName: "Main",
            flowVersion: "1.0",
            flowType: "INBOUNDCALL",
            entryType: "dnis",
            entryReason: "x",
            exitReason: "TRANSFER",
            startingLanguage: "en-us",
            endingLanguage: "en-us",
            outcomes: [
              {
                flowOutcome: "o1:SUCCESS",
                flowOutcomeId: "o1",
                flowOutcomeValue: "SUCCESS",
                flowOutcomeStartTimestamp: "2026-01-05T10:00:10.000Z"
              }
            ]
          },
          metrics: [
            { name: "tTalk", value: 120000, emitDate: "2026-01-05T10:04:00.000Z" },
            { name: "tTalk", value: 180000, emitDate: "2026-01-05T10:08:00.000Z" },
            { name: "tHeld", value: 60000, emitDate: "2026-01-05T10:05:00.000Z" }
          ],
          segments: [
            seg("interact", "02:00", "04:00", { queueId: "Q1" }),
            seg("hold", "04:00", "05:00", { queueId: "Q1" }),
            seg("interact", "05:00", "08:00", { queueId: "Q1", disconnectType: "peer" }),
            seg("wrapup", "08:00", "09:00", { queueId: "Q2", wrapUpCode: "W1", wrapUpNote: "note" })
          ]
        }
      ]
    }
  ],
  evaluations: [
    {
      evaluationId: "e1",
      evaluatorId: "A9",
      userId: "A1",
      queueId: "Q1",
      formId: "F",
      formName: "Form",
      contextId: "ctx",
      eventTime: "2026-01-06T00:00:00.000Z",
      evaluationStatus: "Finished",
      assigneeApplicable: true,
      deleted: false,
      released: true,
      rescored: false,
      systemSubmitted: false,
      oTotalScore: 80,
      oTotalCriticalScore: 90
    }
  ],
  surveys: [
    {
      surveyId: "sv1",
      surveyFormId: "SF",
      surveyFormContextId: "SFC",
      surveyFormName: "CSAT",
      surveyStatus: "Finished",
      surveyType: "Voice",
      queueId: "Q1",
      userId: "A1",
      eventTime: "2026-01-05T11:00:00.000Z",
      surveyPartialResponse: false,
      surveyPromoterScore: 9,
      oSurveyTotalScore: 90
    }
  ],
  resolutions: [{ eventTime: "2026-01-08T00:00:00.000Z", queueId: "Q1", userId: "A1", nNextContactAvoided: 1 }]
}

const m = (query: FilterEngine.FiltersLike, options?: Partial<FilterEngine.MatchOptions>) =>
  FilterEngine.matches(fixture, query, options)
const seg1 = (predicates: ReadonlyArray<FilterEngine.PredicateLike>, type = "and") => ({
  segmentFilters: [{ type, predicates }]
})
const conv1 = (predicates: ReadonlyArray<FilterEngine.PredicateLike>, type = "and") => ({
  conversationFilters: [{ type, predicates }]
})

describe("FilterEngine", () => {
  it("matches everything without filters", () => {
    assert.isTrue(m({}))
    assert.isTrue(m({ segmentFilters: [] }))
    assert.isFalse(FilterEngine.hasFilters({ segmentFilters: [] }))
  })

  it("conversation dimensions: matches (case-insensitive, multi-valued), exists, notExists, range", () => {
    assert.isTrue(m(conv1([{ dimension: "originatingDirection", value: "INBOUND" }])))
    assert.isFalse(m(conv1([{ dimension: "originatingDirection", value: "outbound" }])))
    assert.isTrue(m(conv1([{ dimension: "divisionId", value: "div-b" }])))
    assert.isFalse(m(conv1([{ dimension: "divisionId", value: "div-c" }])))
    assert.isTrue(m(conv1([{ dimension: "externalTag", operator: "exists" }])))
    assert.isFalse(m(conv1([{ dimension: "externalTag", operator: "notExists" }])))
    assert.isTrue(m(conv1([{ dimension: "conversationInitiator", operator: "notExists" }])))
    assert.isTrue(m(conv1([{ dimension: "mediaStatsMinConversationMos", range: { gte: 4, lt: 4.5 } }])))
    assert.isFalse(m(conv1([{ dimension: "mediaStatsMinConversationMos", range: { gt: 4.2 } }])))
    assert.isTrue(m(conv1([{ dimension: "mediaStatsMinConversationMos", range: { lte: 4.2 } }])))
    assert.isTrue(m(conv1([{ dimension: "conversationStart", value: "2026-01-05T10:00:00Z" }])))
    assert.isTrue(m(conv1([{ dimension: "conversationEnd", range: { gte: Date.parse("2026-01-05T10:08:59.000Z") } }])))
  })

  it("conversation metrics: the sum of session metrics of that name", () => {
    assert.isTrue(m(conv1([{ metric: "tTalk", value: "300000" }])))
    assert.isTrue(m(conv1([{ type: "metric", metric: "tTalk", range: { gt: 250000, lt: 350000 } }])))
    assert.isFalse(m(conv1([{ metric: "tTalk", range: { lt: 200000 } }])))
    assert.isTrue(m(conv1([{ metric: "tAbandon", operator: "notExists" }])))
    assert.isFalse(m(conv1([{ metric: "tAbandon", operator: "exists" }])))
    assert.isTrue(m(conv1([{ metric: "nOffered", value: "1" }])))
  })

  it("filter and clause types combine predicates; filters and arrays are AND-ed", () => {
    const yes = { dimension: "originatingDirection", value: "inbound" }
    const no = { dimension: "originatingDirection", value: "outbound" }
    assert.isTrue(m(conv1([no, yes], "or")))
    assert.isFalse(m(conv1([no, yes], "and")))
    assert.isTrue(
      m({ conversationFilters: [{ type: "and", predicates: [yes], clauses: [{ type: "or", predicates: [no, yes] }] }] })
    )
    assert.isFalse(
      m({
        conversationFilters: [{ type: "and", predicates: [yes], clauses: [{ type: "and", predicates: [no, yes] }] }]
      })
    )
    assert.isTrue(
      m({ conversationFilters: [{ type: "or", predicates: [no], clauses: [{ type: "and", predicates: [yes] }] }] })
    )
    assert.isFalse(
      m({
        conversationFilters: [
          { type: "or", predicates: [yes] },
          { type: "or", predicates: [no] }
        ]
      })
    )
    assert.isFalse(m({ ...conv1([yes]), ...seg1([{ dimension: "purpose", value: "supervisor" }]) }))
    assert.isTrue(m({ ...conv1([yes]), ...seg1([{ dimension: "purpose", value: "Customer" }]) }))
  })

  it("segment dimensions read the segment, its session, flow and participant", () => {
    assert.isTrue(m(seg1([{ dimension: "purpose", value: "agent" }])))
    assert.isTrue(m(seg1([{ dimension: "userId", value: "a1" }])))
    assert.isTrue(m(seg1([{ dimension: "mediaType", value: "voice" }])))
    assert.isTrue(m(seg1([{ dimension: "ani", value: "tel:+15550001" }])))
    assert.isTrue(m(seg1([{ dimension: "queueId", value: "Q2" }])))
    assert.isTrue(m(seg1([{ dimension: "wrapUpCode", value: "W1" }])))
    assert.isTrue(m(seg1([{ dimension: "segmentType", value: "hold" }])))
    assert.isFalse(m(seg1([{ dimension: "segmentType", value: "ivr" }])))
    assert.isTrue(m(seg1([{ dimension: "disconnectType", value: "endpoint" }])))
    assert.isTrue(m(seg1([{ dimension: "flowId", value: "F1" }])))
    assert.isTrue(m(seg1([{ dimension: "flowOutcomeValue", value: "success" }])))
    assert.isTrue(m(seg1([{ dimension: "requestedRoutingSkillId", value: "sk-2" }])))
    assert.isTrue(m(seg1([{ dimension: "segmentEnd", range: { gte: Date.parse("2026-01-05T10:09:00.000Z") } }])))
    assert.isTrue(m(seg1([{ dimension: "wrapUpNote", operator: "exists" }])))
  })

  it("segment metric tSegmentDuration and property predicates", () => {
    assert.isTrue(m(seg1([{ metric: "tSegmentDuration", value: "480000" }])))
    assert.isTrue(m(seg1([{ metric: "tSegmentDuration", range: { gte: 420000 } }])))
    assert.isFalse(m(seg1([{ metric: "tSegmentDuration", range: { gt: 480000 } }])))
    assert.isTrue(m(seg1([{ type: "property", property: "priorityTier", propertyType: "integer", range: { gte: 3 } }])))
    assert.isFalse(m(seg1([{ property: "priorityTier", propertyType: "integer", range: { gt: 3 } }])))
    assert.isTrue(m(seg1([{ property: "vip", propertyType: "bool", value: "TRUE" }])))
    assert.isFalse(m(seg1([{ property: "vip", propertyType: "string", value: "true" }])))
    assert.isTrue(m(seg1([{ property: "missing", operator: "notExists" }])))
  })

  it("several segment predicates must hold on the same segment unless segmentScope is anySegment", () => {
    const q = seg1([
      { dimension: "purpose", value: "customer" },
      { dimension: "queueId", value: "Q1" }
    ])
    assert.isFalse(m(q))
    assert.isTrue(m(q, { segmentScope: "anySegment" }))
    assert.isTrue(
      m(
        seg1([
          { dimension: "purpose", value: "agent" },
          { dimension: "queueId", value: "Q2" }
        ])
      )
    )
    // separate filters are each satisfied by some segment
    assert.isTrue(
      m({
        segmentFilters: [
          { type: "and", predicates: [{ dimension: "purpose", value: "customer" }] },
          { type: "and", predicates: [{ dimension: "queueId", value: "Q1" }] }
        ]
      })
    )
  })

  it("partial email addresses match only when enabled (jobs)", () => {
    const q = seg1([{ dimension: "addressFrom", value: "jane.doe@example.c" }])
    assert.isFalse(m(q))
    assert.isTrue(m(q, { partialEmailMatch: true }))
    assert.isTrue(m(seg1([{ dimension: "addressFrom", value: "jane.doe@example.com" }])))
  })

  it("evaluation, survey and resolution filters match one object", () => {
    assert.isTrue(
      m({
        evaluationFilters: [
          {
            type: "and",
            predicates: [
              { dimension: "evaluationStatus", value: "finished" },
              { metric: "oTotalScore", range: { gte: 80 } }
            ]
          }
        ]
      })
    )
    assert.isFalse(
      m({ evaluationFilters: [{ type: "and", predicates: [{ metric: "oTotalScore", range: { gt: 80 } }] }] })
    )
    assert.isTrue(m({ evaluationFilters: [{ type: "and", predicates: [{ dimension: "released", value: "true" }] }] }))
    assert.isTrue(
      m({ surveyFilters: [{ type: "and", predicates: [{ dimension: "surveyPromoterScore", value: "9" }] }] })
    )
    assert.isTrue(
      m({
        surveyFilters: [{ type: "and", predicates: [{ metric: "oSurveyTotalScore", range: { gte: 90, lte: 90 } }] }]
      })
    )
    assert.isTrue(
      m({ resolutionFilters: [{ type: "and", predicates: [{ metric: "nNextContactAvoided", value: "1" }] }] })
    )
    assert.isFalse(
      m({ resolutionFilters: [{ type: "and", predicates: [{ metric: "nNextContactAvoided", value: "0" }] }] })
    )
    const bare = { ...fixture, evaluations: [] }
    assert.isFalse(
      FilterEngine.matches(bare, {
        evaluationFilters: [{ type: "and", predicates: [{ dimension: "evaluationId", operator: "exists" }] }]
      })
    )
  })

  it("exposes dimension values and conversation metrics", () => {
    assert.deepStrictEqual([...new Set(FilterEngine.segmentDimensionValues(fixture, "queueId"))].sort(), ["Q1", "Q2"])
    assert.deepStrictEqual(FilterEngine.conversationDimensionValues(fixture, "divisionId"), ["div-a", "div-b"])
    assert.strictEqual(FilterEngine.conversationMetric(fixture, "tTalk"), 300000)
    assert.isUndefined(FilterEngine.conversationMetric(fixture, "tAbandon"))
  })
})
