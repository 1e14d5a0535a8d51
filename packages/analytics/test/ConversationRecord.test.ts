import { assert, describe, it } from "@effect/vitest"
import * as Record from "@effect-genesys/analytics/ConversationRecord"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import fixture from "./fixtures/record-voice-conversation.json" with { type: "json" }

const decodeConversation = Schema.decodeUnknownEither(Record.AnalyticsConversation)
const decodeWithout = Schema.decodeUnknownEither(Record.AnalyticsConversationWithoutAttributes)

const clone = <A>(a: A): any => structuredClone(a)

describe("ConversationRecord", () => {
  it("decodes a realistic job conversation (participants with attributes, flow, metrics, segments)", () => {
    const decoded = Either.getOrThrow(decodeConversation(fixture))
    assert.deepStrictEqual(decoded, fixture as unknown as Record.AnalyticsConversation)
    assert.strictEqual(decoded.participants?.[0]?.attributes?.intent, "billing")
    assert.strictEqual(decoded.participants?.[1]?.sessions?.[0]?.flow?.outcomes?.[0]?.flowOutcomeValue, "SUCCESS")
    // date-times stay ISO strings
    assert.strictEqual(decoded.conversationStart, "2026-11-02T09:14:03.512Z")
  })

  it("keeps unknown fields at every level", () => {
    const input = clone(fixture)
    input.brandNewField = { nested: [1, 2] }
    input.participants[3].sessions[0].segments[1].futureFlag = true
    input.participants[3].sessions[0].metrics[0].unit = "ms"
    const decoded: any = Either.getOrThrow(decodeConversation(input))
    assert.deepStrictEqual(decoded.brandNewField, { nested: [1, 2] })
    assert.strictEqual(decoded.participants[3].sessions[0].segments[1].futureFlag, true)
    assert.strictEqual(decoded.participants[3].sessions[0].metrics[0].unit, "ms")
  })

  it("accepts enum values newer than the swagger", () => {
    const input = clone(fixture)
    input.participants[0].purpose = "aiAgent"
    input.participants[0].sessions[0].mediaType = "hologram"
    input.participants[0].sessions[0].segments[0].segmentType = "thinking"
    input.participants[0].sessions[0].requestedRoutings = ["Standard", "Telepathic"]
    const decoded = Either.getOrThrow(decodeConversation(input))
    assert.strictEqual(decoded.participants?.[0]?.purpose, "aiAgent")
    assert.strictEqual(decoded.participants?.[0]?.sessions?.[0]?.mediaType, "hologram")
  })

  it("rejects wrong types, naming the path", () => {
    const cases: ReadonlyArray<readonly [(c: any) => void, string]> = [
      [(c) => (c.conversationStart = 1_700_000_000_000), "conversationStart"],
      [(c) => (c.participants = {}), "participants"],
      [(c) => (c.participants[3].sessions[0].metrics[0].value = "12"), "value"],
      [(c) => (c.participants[3].sessions[0].metrics[0].value = 1.5), "value"],
      [(c) => (c.participants[0].sessions[0].mediaType = 7), "mediaType"],
      [(c) => (c.participants[0].attributes = { n: 1 }), "attributes"],
      [(c) => (c.divisionIds = [null]), "divisionIds"],
      [(c) => (c.customerParticipation = "true"), "customerParticipation"],
      [(c) => (c.participants[1].sessions[0].flow = "f"), "flow"]
    ]
    for (const [mutate, key] of cases) {
      const input = clone(fixture)
      mutate(input)
      const result = decodeConversation(input)
      assert.isTrue(Either.isLeft(result), `mutation of ${key} must fail`)
      if (Either.isLeft(result)) assert.include(result.left.message, `["${key}"]`)
    }
  })

  it("the sync type has no attributes but keeps them as an unknown field if present", () => {
    const decoded: any = Either.getOrThrow(decodeWithout(fixture))
    assert.strictEqual(decoded.participants[0].attributes.intent, "billing")
  })

  it("decodes the envelopes", () => {
    const page = Either.getOrThrow(
      Schema.decodeUnknownEither(Record.AnalyticsConversationQueryResponse)({
        conversations: [fixture],
        aggregations: [
          { type: "termFrequency", dimension: "wrapUpCode", count: 1, results: [{ value: "wc", count: 1 }] }
        ],
        totalHits: 1
      })
    )
    assert.strictEqual(page.totalHits, 1)
    const jobPage = Either.getOrThrow(
      Schema.decodeUnknownEither(Record.AnalyticsConversationAsyncQueryResponse)({
        conversations: [fixture],
        cursor: "abc",
        dataAvailabilityDate: "2026-11-02T00:00:00.000Z"
      })
    )
    assert.strictEqual(jobPage.cursor, "abc")
    const status = Either.getOrThrow(
      Schema.decodeUnknownEither(Record.AsyncQueryStatus)({
        state: "FULFILLED",
        submissionDate: "2026-11-02T00:00:00Z"
      })
    )
    assert.strictEqual(status.state, "FULFILLED")
    assert.isTrue(Either.isRight(Schema.decodeUnknownEither(Record.AsyncQueryStatus)({ state: "ARCHIVED" })))
    const badJobId = Either.flip(Schema.decodeUnknownEither(Record.AsyncQueryResponse)({ jobId: 42 })).pipe(
      Either.getOrThrow
    )
    assert.strictEqual(badJobId._tag, "ParseError")
    assert.include(badJobId.message, '["jobId"]')
  })

  it("decodes a nested ErrorBody with a limit", () => {
    const body = {
      message: "Rate limit exceeded",
      code: "too.many.requests",
      status: 429,
      contextId: "ctx-1",
      messageParams: { seconds: "3" },
      limit: { namespace: "analytics", key: "details.jobs.concurrent.access.max", value: 5 },
      errors: [{ message: "inner", errors: [{ code: "deeper" }] }]
    }
    const decoded = Either.getOrThrow(Schema.decodeUnknownEither(Record.ErrorBody)(body))
    assert.strictEqual(decoded.errors?.[0]?.errors?.[0]?.code, "deeper")
    const badStatus = Either.flip(
      Schema.decodeUnknownEither(Record.ErrorBody)({ ...body, errors: [{ status: "429" }] })
    ).pipe(Either.getOrThrow)
    assert.strictEqual(badStatus._tag, "ParseError")
    assert.include(badStatus.message, '["status"]')
  })

  it("exports the parse options that keep unknown fields", () => {
    assert.deepStrictEqual(Record.parseOptions, { onExcessProperty: "preserve" })
    const decoded: any = Either.getOrThrow(
      Schema.decodeUnknownEither(Record.AnalyticsFlow, Record.parseOptions)({ flowId: "f", x: 1 })
    )
    assert.strictEqual(decoded.x, 1)
  })

  it("decodes 10 000 conversations (timing is logged, not asserted)", () => {
    // Shallow copies share nested objects; the decoder still visits every field of every one.
    const conversations = Array.from({ length: 10_000 }, (_, i) => ({ ...fixture, conversationId: `c-${i}` }))
    const started = performance.now()
    const result = Schema.decodeUnknownEither(Schema.Array(Record.AnalyticsConversation))(conversations)
    const elapsed = performance.now() - started
    assert.isTrue(Either.isRight(result))
    console.log(`decoded 10 000 conversations in ${elapsed.toFixed(0)} ms`)
  })

  it.prop(
    "the fast path agrees with the plain Struct on generated and corrupted records",
    [
      Arbitrary.make(bareStruct(Record.AnalyticsSession)),
      fc.array(fc.tuple(fc.nat(), fc.anything()), { maxLength: 3 })
    ],
    ([session, corruptions]) => {
      const fast = Schema.decodeUnknownEither(Record.AnalyticsSession)
      const slow = Schema.decodeUnknownEither(bareStruct(Record.AnalyticsSession))
      assert.isTrue(Either.isRight(fast(session)))
      const corrupted: any = { ...session }
      const keys = Object.keys(corrupted)
      for (const [i, junk] of corruptions) if (keys.length > 0) corrupted[keys[i % keys.length]!] = junk
      assert.strictEqual(Either.isRight(fast(corrupted)), Either.isRight(slow(corrupted)))
    },
    { fastCheck: { numRuns: 200 } }
  )
})

/** The Struct inside a record Schema (the fast-path wrapper's type parameter). */
const bareStruct = <A>(schema: Schema.Schema<A>): Schema.Schema<A> => {
  const ast = schema.ast
  return Schema.make(ast._tag === "Declaration" ? ast.typeParameters[0]! : ast)
}
