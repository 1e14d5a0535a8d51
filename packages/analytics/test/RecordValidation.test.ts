// How much of each record a read checks (`JobResultsOptions.validation`): `full` refuses a wrong type anywhere in a
// conversation, `conversation` only in the response and the conversation's own fields, and hands what is nested in a
// conversation on exactly as the server sent it. Sinks say which they need; extraction reads with that.
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Cause, Chunk, Duration, Effect, Exit, FastCheck as fc, Layer, Option, Stream, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as ConversationRecord from "../src/ConversationRecord.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
const { resultsSchema } = ConversationDetails
import { compileGuard, limitDepth } from "../src/internal/details/recordGuard.js"
import { drive } from "./GenesysHttpFixtures.js"
import * as Hostile from "./HostileHttp.js"
import { resultsPage } from "./PageArbitrary.js"
import * as PageSink from "../src/PageSink.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

const session = { sessionId: "s1", mediaType: "voice", segments: [{ segmentStart: "2026-01-05T00:01:00.000Z" }] }
const withParticipants = (i: number, participants: ReadonlyArray<unknown>) =>
  Hostile.conversation(i, { participants: [...participants] })
const good = Array.from({ length: 25 }, (_, i) => withParticipants(i, [{ purpose: "customer", sessions: [session] }]))
/** Record 12 with a session field of the wrong type, three levels below the conversation. */
const deeplyWrong = withParticipants(12, [{ purpose: "customer", sessions: [{ ...session, mediaType: 7 }] }])
const records = good.map((r, i) => (i === 12 ? deeplyWrong : r))

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const read = (
  conversations: ReadonlyArray<Record<string, unknown>>,
  validation?: ConversationDetails.RecordValidation
) =>
  Effect.gen(function* () {
    const server = Hostile.make({ conversations })
    const collect = Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
      Stream.runCollect(d.jobResults(Hostile.jobId, { pageSize: 10, validation })).pipe(
        Effect.map(Chunk.toReadonlyArray)
      )
    )
    return yield* drive(collect, { step: "1 second", maxSteps: 200 }).pipe(
      Effect.provide(Hostile.layer(server.client, { retryBudget: Duration.seconds(5) }))
    )
  })

describe("job results: how much of each record is checked", () => {
  it.effect("full (the default) refuses a wrong type nested in a participant's session", () =>
    Effect.gen(function* () {
      const error = failureOf(yield* read(records))
      assert.strictEqual(error?._tag, "Transport")
      if (error?._tag === "Transport") {
        assert.strictEqual(error.reason, "Decode")
        assert.include(error.detail, "unexpected response shape")
      }
    })
  )

  it.effect("conversation: every record, the nested ones exactly as the server sent them", () =>
    Effect.gen(function* () {
      const exit = yield* read(records, "conversation")
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.deepStrictEqual(exit.value, records)
    })
  )

  it.effect(
    "conversation still refuses a wrong type in a conversation's own field or a participant not an object",
    () =>
      Effect.gen(function* () {
        for (const bad of [
          Hostile.conversation(12, { conversationStart: 7 }),
          Hostile.conversation(12, { divisionIds: [1] }),
          withParticipants(12, ["customer"]),
          Hostile.conversation(12, { participants: { purpose: "customer" } })
        ]) {
          const error = failureOf(yield* read([...good.slice(0, 12), bad, ...good.slice(13)], "conversation"))
          assert.strictEqual(error?._tag, "Transport", JSON.stringify(bad))
        }
      })
  )
})

describe("the conversation level of the results schema", () => {
  const full = compileGuard(ConversationRecord.AnalyticsConversationAsyncQueryResponse.ast)
  const conversationLevel = compileGuard(resultsSchema("conversation").ast)

  it.prop(
    "accepts every page the full schema accepts",
    [resultsPage],
    ([page]) => {
      assert.isTrue(full(page))
      assert.isTrue(conversationLevel(page))
    },
    { fastCheck: { numRuns: 100 } }
  )

  const ownFields = ["conversationId", "conversationStart", "customerParticipation", "divisionIds", "selfServed"]
  it.prop(
    "agrees with the full schema on any value in a conversation's own field",
    [fc.constantFrom(...ownFields), fc.jsonValue()],
    ([field, value]) => {
      const page = { conversations: [Hostile.conversation(1, { [field]: value })], cursor: "c" }
      assert.strictEqual(conversationLevel(page), full(page))
    },
    { fastCheck: { numRuns: 300 } }
  )

  it("limitDepth counts levels from the record it is given", () => {
    const envelopeOnly = compileGuard(limitDepth(ConversationRecord.AnalyticsConversationAsyncQueryResponse, 1).ast)
    assert.isTrue(envelopeOnly({ conversations: [{ conversationStart: 7 }] }))
    assert.isFalse(envelopeOnly({ conversations: ["x"] }))
    assert.isFalse(envelopeOnly({ cursor: 1 }))
  })
})

describe("extraction reads with what its sink relies on", () => {
  const against = <A, E, R>(run: (plan: Extraction.Plan) => Effect.Effect<A, E, R>) =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: records })
      yield* TestClock.setTime(Date.parse("2026-01-11T00:00:00.000Z"))
      return yield* drive(Effect.flatMap(Extraction.plan({ interval: day }), run)).pipe(
        Effect.provide(
          Layer.merge(Hostile.layer(server.client, { retryBudget: Duration.seconds(5) }), CheckpointStore.layerMemory)
        )
      )
    })
  const extract = (sink: ExtractionSink.ExtractionSink) =>
    against((plan) => Extraction.run(plan, sink, { pageSize: 10 }))
  const extractDurably = (sink: PageSink.PageSink) =>
    against((plan) =>
      ExtractionWorkflow.run(plan, { pageSize: 10 }).pipe(
        Effect.provide(
          ExtractionWorkflow.layer.pipe(
            Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
            Layer.provideMerge(WorkflowEngine.layerMemory)
          )
        )
      )
    )

  it.effect("a sink that writes records as received gets them exactly; one that reads them all fails the run", () =>
    Effect.gen(function* () {
      const asReceived = ExtractionSink.memory()
      const exit = yield* extract({ ...asReceived, validation: "conversation" })
      assert.isTrue(Exit.isSuccess(exit) && exit.value.complete)
      assert.deepStrictEqual(asReceived.written, records)
      const readsAll = ExtractionSink.memory()
      const error = failureOf(yield* extract(readsAll))
      assert.strictEqual(error?._tag, "Transport")
      assert.notInclude(
        readsAll.written.map((c) => c.conversationId),
        deeplyWrong.conversationId,
        "the record with the wrong type was not written"
      )
    })
  )

  it.effect("the durable extraction too: a page sink's validation decides", () =>
    Effect.gen(function* () {
      const asReceived = PageSink.memory()
      const exit = yield* extractDurably({ ...asReceived, validation: "conversation" })
      assert.isTrue(Exit.isSuccess(exit) && exit.value.complete)
      assert.deepStrictEqual(asReceived.written, records)
      const readsAll = PageSink.memory()
      assert.isTrue(Exit.isFailure(yield* extractDurably(readsAll)))
      assert.notInclude(
        readsAll.written.map((c) => c.conversationId),
        deeplyWrong.conversationId
      )
    })
  )
})
