// Results pages read from their bytes at `validation: "conversation"`: the same value as JSON.parse and the Schema
// give (the same text from JSON.stringify), the same refusals with the same words, and a conversation's nested
// records parsed only when read.
import { Headers } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, FastCheck as fc, Schema, Stream } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as ConversationRecord from "../src/ConversationRecord.js"
import { pageReader } from "../src/internal/details/lazyRecords.js"
import { ownFieldsOf, recordSchema } from "../src/internal/details/recordGuard.js"
import { jsonBody } from "../src/internal/http/decodeBody.js"
import type { Exchange } from "../src/internal/http/errorBody.js"
import { drive } from "./GenesysHttpFixtures.js"
import * as Hostile from "./HostileHttp.js"
import { jsonPiece, splice } from "./JsonPieces.js"
import { resultsPage } from "./PageArbitrary.js"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

const reader = pageReader(
  ConversationRecord.AnalyticsConversationAsyncQueryResponse,
  "conversations",
  ConversationRecord.AnalyticsConversation
)
const read = reader.read
const schema = ConversationDetails.resultsSchema("conversation", "lazy")
const decode = jsonBody(schema, { route: "GET results", parseOptions: ConversationRecord.parseOptions })

const exchange = (body: string, bytes?: Uint8Array): Exchange => ({
  method: "GET",
  url: "https://api.test/results",
  route: "GET results",
  status: 200,
  headers: Headers.empty,
  body,
  bytes,
  correlationId: undefined
})

/** What the body decodes to from its bytes, and from its text alone (the way every body was read before). */
const both = (bytes: Uint8Array) => {
  const text = decoder.decode(bytes)
  return { fromBytes: decode(exchange(text, bytes)), fromText: decode(exchange(text)) }
}

const sameOutcome = (bytes: Uint8Array) => {
  const { fromBytes, fromText } = both(bytes)
  assert.strictEqual(fromBytes._tag, fromText._tag)
  if (Either.isRight(fromBytes) && Either.isRight(fromText)) {
    assert.strictEqual(JSON.stringify(fromBytes.right), JSON.stringify(fromText.right))
  }
  if (Either.isLeft(fromBytes) && Either.isLeft(fromText)) {
    assert.strictEqual(fromBytes.left.detail, fromText.left.detail)
  }
}

const session = { sessionId: "s1", mediaType: "voice", segments: [{ segmentStart: "2026-01-05T00:01:00.000Z" }] }
const participant = { participantName: 'Zoë "Z" Müller\n', purpose: "customer", sessions: [session] }
const page = (conversations: ReadonlyArray<unknown>) => ({
  conversations,
  cursor: "next",
  dataAvailabilityDate: "2026-01-06T00:00:00.000Z"
})
const good = Array.from({ length: 5 }, (_, i) => Hostile.conversation(i, { participants: [participant] }))

describe("results pages read from their bytes", () => {
  it.prop(
    "any page the Schema accepts reads to the value JSON.parse gives, the same text under JSON.stringify",
    [resultsPage, fc.boolean()],
    ([arbitraryPage, pretty]) => {
      const text = JSON.stringify(arbitraryPage, null, pretty ? 1 : undefined)
      const value = read(encoder.encode(text))
      const expected = JSON.parse(text)
      if (Either.isLeft(decode(exchange(text)))) return assert.isUndefined(value)
      assert.isDefined(value)
      assert.strictEqual(JSON.stringify(value), JSON.stringify(expected))
      assert.deepStrictEqual(value, expected)
    },
    { fastCheck: { numRuns: 100 } }
  )

  it("a conversation's nested records are kept as bytes and parsed on first read, once", () => {
    const value = read(encoder.encode(JSON.stringify(page(good)))) as {
      conversations: Array<Record<string, unknown>>
    }
    const first = value.conversations[0]!
    const descriptor = Object.getOwnPropertyDescriptor(first, "participants")
    assert.isFunction(descriptor?.get)
    assert.isTrue(descriptor?.enumerable)
    assert.strictEqual(typeof first.conversationId, "string")
    const participants = first.participants
    assert.deepStrictEqual(participants, [participant])
    assert.strictEqual(first.participants, participants)
    // Keys in the order the server sent them, as JSON.parse keeps them.
    assert.deepStrictEqual(Object.keys(first), Object.keys(good[0]!))
  })

  it("a nested field can be replaced, and a frozen record still reads it", () => {
    const value = read(encoder.encode(JSON.stringify(page(good)))) as {
      conversations: Array<Record<string, unknown>>
    }
    const [first, second] = value.conversations
    first!.participants = []
    assert.deepStrictEqual(first!.participants, [])
    Object.freeze(second)
    assert.deepStrictEqual(second!.participants, [participant])
  })

  it("refuses what the strict read refuses, with the same words, and reads nothing the strict read would not", () => {
    const cases = [
      page([...good, Hostile.conversation(9, { conversationStart: 7 })]),
      page([...good, Hostile.conversation(9, { participants: ["customer"] })]),
      page([...good, Hostile.conversation(9, { participants: { purpose: "customer" } })]),
      page([...good, Hostile.conversation(9, { divisionIds: [1] })]),
      { ...page(good), cursor: 5 },
      { ...page(good), conversations: {} }
    ]
    for (const body of cases) {
      const bytes = encoder.encode(JSON.stringify(body))
      assert.isUndefined(read(bytes), JSON.stringify(body).slice(-120))
      assert.isTrue(Either.isLeft(both(bytes).fromBytes))
      sameOutcome(bytes)
    }
  })

  it("a body that is not JSON deep inside a participant is refused as not JSON, as before", () => {
    const text = JSON.stringify(page(good)).replace('"purpose":"customer"', '"purpose":tru')
    const bytes = encoder.encode(text)
    assert.isUndefined(read(bytes))
    const { fromBytes } = both(bytes)
    assert.isTrue(Either.isLeft(fromBytes) && fromBytes.left.detail.includes("not JSON"))
    sameOutcome(bytes)
  })

  it("what JSON.parse reads its own way (a __proto__ key, a repeated key) is left to it", () => {
    const withProto = JSON.stringify(page(good)).replace('{"conversationId"', '{"__proto__":{"x":1},"conversationId"')
    const repeated = JSON.stringify(page(good)).replace(
      '{"conversationId"',
      '{"conversationStart":"x","conversationId"'
    )
    for (const text of [withProto, repeated]) {
      const bytes = encoder.encode(text)
      assert.isUndefined(read(bytes))
      sameOutcome(bytes)
    }
  })

  it("property: any splice into a page decodes from its bytes as from its text (value, or refusal and its words)", () => {
    const text = JSON.stringify(page(good))
    const edit = fc.tuple(fc.nat(text.length), fc.nat(4), jsonPiece)
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 2 }), (edits) => {
        sameOutcome(encoder.encode(splice(text, edits)))
      }),
      { numRuns: 1500 }
    )
  })

  it("property: bytes that are not UTF-8 in any string decode as TextDecoder decodes them", () => {
    const text = JSON.stringify(page(good))
    const quotes = [...text.matchAll(/"/g)].map((m) => m.index)
    fc.assert(
      fc.property(fc.constantFrom(...quotes), fc.uint8Array({ minLength: 1, maxLength: 6 }), (at, raw) => {
        const bytes = encoder.encode(text)
        const spliced = new Uint8Array([
          ...bytes.subarray(0, at + 1),
          ...raw.map((b) => b | 0x80),
          ...bytes.subarray(at + 1)
        ])
        sameOutcome(spliced)
      }),
      { numRuns: 1000 }
    )
  })
})

describe("ownFieldsOf", () => {
  const item = recordSchema(Schema.Struct({ a: Schema.String }))
  it("splits off the nested records, unless one is required (its presence would go unchecked)", () => {
    const optional = ownFieldsOf(
      recordSchema(
        Schema.Struct({ id: Schema.String, items: Schema.optionalWith(Schema.Array(item), { exact: true }) })
      )
    )
    assert.deepStrictEqual([...(optional?.nested ?? [])], ["items"])
    assert.isTrue(optional?.guard({ id: "x", items: "not read" }))
    assert.isFalse(optional?.guard({ id: 1 }))
    assert.isUndefined(ownFieldsOf(recordSchema(Schema.Struct({ id: Schema.String, items: Schema.Array(item) }))))
  })
})

describe("job results over a transport that gives bytes", () => {
  const results = (validation: ConversationDetails.RecordValidation, nested?: ConversationDetails.NestedRecords) =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: good })
      const collect = Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
        Stream.runCollect(d.jobResults(Hostile.jobId, { pageSize: 2, validation, nested })).pipe(
          Effect.map(Chunk.toReadonlyArray)
        )
      )
      return yield* drive(collect, { step: "1 second", maxSteps: 50 }).pipe(
        Effect.flatten,
        Effect.provide(Hostile.layer(server.client, { retryBudget: Duration.seconds(5) }))
      )
    })

  const lazyFields = (records: ReadonlyArray<object>) =>
    records.map((record) => typeof Object.getOwnPropertyDescriptor(record, "participants")?.get === "function")

  it.effect(
    "nested: lazy reads records from the bytes, nested records parsed when read; parsed (the default) and full parse them with the page",
    () =>
      Effect.gen(function* () {
        const lazy = yield* results("conversation", "lazy")
        const parsed = yield* results("conversation")
        const whole = yield* results("full", "lazy")
        for (const records of [lazy, parsed, whole]) assert.strictEqual(JSON.stringify(records), JSON.stringify(good))
        assert.deepStrictEqual(
          lazyFields(lazy),
          good.map(() => true)
        )
        assert.deepStrictEqual(
          lazyFields(parsed),
          good.map(() => false)
        )
        assert.deepStrictEqual(
          lazyFields(whole),
          good.map(() => false)
        )
      })
  )
})
