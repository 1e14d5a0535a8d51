import { assert, describe, it } from "@effect/vitest"
import * as Query from "@effect-genesys/analytics/ConversationQuery"
import * as Q from "@effect-genesys/analytics/QueryBuilder"
import { Effect, Either, FastCheck as fc, TestClock } from "effect"

const DAY = 86_400_000
const zones = ["UTC", "Europe/Paris", "America/Los_Angeles", "Asia/Kolkata", "Pacific/Chatham"]

// Dimensions whose values are free text (the valued ones are exercised with known values below).
const freeConversation = ["conversationId", "divisionId", "externalTag"] as const
const freeSegment = ["queueId", "userId", "wrapUpCode", "ani", "dnis", "flowId", "teamId"] as const
const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}$/)
const range = fc.integer({ min: 0, max: 10_000 }).map((gte) => ({ gte, lt: gte + 1_000 }))

const conversationPredicate = fc.oneof(
  fc.tuple(fc.constantFrom(...freeConversation), word).map(([d, v]) => Q.conversation.dimension(d, v)),
  fc.constantFrom("inbound", "outbound").map((v) => Q.conversation.dimension("originatingDirection", v)),
  fc.tuple(fc.constantFrom(...Query.conversationMetrics), range).map(([m, r]) => Q.conversation.metric(m, r)),
  fc.constantFrom(...Query.conversationDimensions).map((d) => Q.conversation.exists(d))
)

const segmentPredicate = fc.oneof(
  fc.tuple(fc.constantFrom(...freeSegment), word).map(([d, v]) => Q.segment.dimension(d, v)),
  fc.constantFrom("voice", "chat", "email", "message").map((v) => Q.segment.dimension("mediaType", v)),
  fc.constantFrom(...Query.segmentDimensions).map((d) => Q.segment.notExists(d)),
  range.map((r) => Q.segment.metric("tSegmentDuration", r)),
  fc.tuple(word, word).map(([p, v]) => Q.segment.property(p, "string", v))
)

const items = <P>(predicate: fc.Arbitrary<P>) =>
  fc.array(
    fc.oneof(
      predicate,
      fc.array(predicate, { minLength: 1, maxLength: 3 }).map(([first, ...rest]) => Q.anyOf(first!, ...rest)),
      fc.array(predicate, { minLength: 1, maxLength: 3 }).map(([first, ...rest]) => Q.allOf(first!, ...rest))
    ),
    { minLength: 1, maxLength: 3 }
  )

type Step = <D extends Q.Draft>(draft: D) => D

const filterSteps: fc.Arbitrary<ReadonlyArray<Step>> = fc.array(
  fc.oneof(
    fc
      .tuple(fc.constantFrom("and", "or") as fc.Arbitrary<"and" | "or">, items(conversationPredicate))
      .map(([type, [first, ...rest]]) => Q.filterConversations(type, first!, ...rest)),
    fc
      .tuple(fc.constantFrom("and", "or") as fc.Arbitrary<"and" | "or">, items(segmentPredicate))
      .map(([type, [first, ...rest]]) => Q.filterSegments(type, first!, ...rest)),
    fc
      .constantFrom("Finished", "InReview")
      .map((v) => Q.filterEvaluations("and", Q.evaluation.dimension("evaluationStatus", v))),
    range.map((r) => Q.filterSurveys("and", Q.survey.metric("oSurveyTotalScore", r))),
    fc.constant(Q.filterResolutions("and", Q.resolution.metric("nNextContactAvoided", "1"))),
    fc
      .array(word, { minLength: 1, maxLength: 5 })
      .map(([first, ...rest]) => Q.filterSegments("and", Q.segment.oneOf("queueId", [first!, ...rest])))
  ),
  { maxLength: 3 }
)

const intervalFor = (maxDays: number) =>
  fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: maxDays }), fc.constantFrom(...zones)).map(([n, zone]) => Q.lastDays(n, zone)),
    fc.integer({ min: 1, max: maxDays * 24 }).map((h) => Q.lastHours(h)),
    fc
      .tuple(
        fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2034, 0, 1) }),
        fc.integer({ min: 1, max: maxDays }),
        fc.constantFrom(...zones)
      )
      .map(([start, n, zone]) => Q.calendarDays(new Date(start).toISOString().slice(0, 10), n, zone)),
    fc
      .tuple(
        fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2034, 0, 1) }),
        fc.integer({ min: 1, max: maxDays * DAY })
      )
      .map(([start, length]) => Q.between(start, new Date(start + length)))
  )

const now = fc.integer({ min: Date.UTC(2016, 0, 1), max: Date.UTC(2034, 0, 1) })

const order = fc.tuple(
  fc.constantFrom(
    "conversationStart",
    "conversationEnd",
    "segmentStart",
    "segmentEnd"
  ) as fc.Arbitrary<"conversationStart">,
  fc.constantFrom("asc", "desc", "unordered") as fc.Arbitrary<"asc">
)

const apply = <D extends Q.Draft>(draft: D, steps: ReadonlyArray<Step>): D => steps.reduce((d, step) => step(d), draft)

describe("QueryBuilder", () => {
  it.prop(
    "sync queries built from valid parts always validate",
    [filterSteps, now, fc.option(order), fc.option(fc.integer({ min: 1, max: 100 })), fc.boolean()],
    ([filters, at, ordering, pageSize, aggregate]) =>
      fc.assert(
        fc.property(intervalFor(filters.length > 0 ? 31 : 7), (interval) => {
          let draft = apply(Q.query(interval), filters)
          if (ordering) draft = Q.orderBy(ordering[0], ordering[1])(draft)
          if (pageSize !== null) draft = Q.paging(pageSize, Math.floor(100_000 / pageSize))(draft)
          if (aggregate)
            draft = Q.aggregate(
              Q.termFrequency("wrapUpCode", 10),
              Q.numericRange("tHandle", [{ gte: 0, lt: 60_000 }])
            )(draft)
          const built = Q.buildAt(draft, at)
          assert.isTrue(Either.isRight(built), Either.isLeft(built) ? built.left.message : "")
        }),
        { numRuns: 3 }
      )
  )

  it.prop(
    "job queries built from valid parts always validate",
    [filterSteps, now, intervalFor(31), fc.option(fc.integer({ min: 1, max: 1_000_000 })), fc.boolean()],
    ([filters, at, interval, limit, startOfDay]) => {
      let draft = apply(Q.job(interval), filters)
      if (limit !== null) draft = Q.limit(limit)(draft)
      if (startOfDay) draft = Q.startOfDayIntervalMatching()(draft)
      const built = Q.buildAt(draft, at)
      assert.isTrue(Either.isRight(built), Either.isLeft(built) ? built.left.message : "")
    }
  )

  it.effect("resolves relative intervals with the Clock (TestClock)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 3, 12))
      const query = yield* Q.query(Q.lastDays(7, "Europe/Paris")).pipe(
        Q.filterSegments("and", Q.segment.dimension("mediaType", "voice"), Q.segment.oneOf("queueId", ["q-1", "q-2"])),
        Q.orderBy("conversationStart", "desc"),
        Q.paging(100),
        Q.build
      )
      assert.deepStrictEqual(query, {
        interval: "2026-10-26T23:00:00.000Z/2026-11-02T23:00:00.000Z",
        segmentFilters: [
          {
            type: "and",
            predicates: [{ type: "dimension", dimension: "mediaType", value: "voice" }],
            clauses: [
              {
                type: "or",
                predicates: [
                  { type: "dimension", dimension: "queueId", value: "q-1" },
                  { type: "dimension", dimension: "queueId", value: "q-2" }
                ]
              }
            ]
          }
        ],
        orderBy: "conversationStart",
        order: "desc",
        paging: { pageSize: 100, pageNumber: 1 }
      })
      yield* TestClock.adjust("1 day")
      const later = yield* Q.build(Q.job(Q.lastHours(6)))
      assert.strictEqual(later.interval, "2026-11-04T06:00:00.000Z/2026-11-04T12:00:00.000Z")
    })
  )

  it.effect("reports what the validator finds, and bad time zones, as QueryInvalid", () =>
    Effect.gen(function* () {
      const tooLong = yield* Effect.flip(Q.build(Q.query(Q.lastDays(8))))
      assert.strictEqual(tooLong._tag, "QueryInvalid")
      assert.deepStrictEqual(
        tooLong.issues.map((i) => [i.path, i.rule]),
        [["$.interval", "interval.maxDays"]]
      )
      const zone = yield* Effect.flip(Q.build(Q.query(Q.lastDays(1, "Europe/Pariss"))))
      assert.strictEqual(zone._tag, "QueryInvalid")
      assert.deepStrictEqual(
        zone.issues.map((i) => [i.path, i.rule, i.message]),
        [["$.interval", "interval.timeZone", '"Europe/Pariss" is not an IANA time zone such as Europe/Paris or UTC']]
      )
      const paging = yield* Effect.flip(Q.query(Q.lastDays(1)).pipe(Q.paging(100, 2000), Q.build))
      assert.strictEqual(paging._tag, "QueryInvalid")
      assert.deepStrictEqual(
        paging.issues.map((i) => [i.path, i.rule]),
        [["$.paging", "paging.maxResults"]]
      )
    })
  )

  it("drafts are immutable", () => {
    const base = Q.query("2026-11-01T00:00:00Z/P1D")
    const filtered = Q.filterSegments("and", Q.segment.exists("wrapUpCode"))(base)
    assert.deepStrictEqual(base.body, {})
    assert.strictEqual(filtered.body.segmentFilters?.length, 1)
  })
})
