// The hand reader of aggregate responses (internal/aggregates/responseReader.ts) against the Schema it stands in for:
// where it answers, it answers what the Schema decodes, key order included (an NDJSON output writes what it gets); it
// answers every body the Schema accepts without an odd key; and it refuses (says it is unsure) whatever the Schema
// refuses.
import { assert, describe, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import * as fc from "fast-check"
import * as Headers from "@effect/platform/Headers"
import * as AggregateRecord from "../src/AggregateRecord.js"
import { QueryResponse, readQueryResponse, readResultsPage } from "../src/internal/aggregates/responseReader.js"
import type { Exchange } from "../src/internal/http/errorBody.js"
import { jsonBody } from "../src/internal/http/decodeBody.js"

const decodeQuery = Schema.decodeUnknownEither(AggregateRecord.AggregateQueryResponse)
const decodePage = Schema.decodeUnknownEither(AggregateRecord.AsyncAggregateQueryResponse)

/** A field's value: mostly of its type, sometimes `null` (absent to the Schema), sometimes of a wrong type (`bad`). */
const field = <A>(valid: fc.Arbitrary<A>, bad: boolean) =>
  bad
    ? fc.oneof(
        { weight: 6, arbitrary: valid },
        fc.constant(null),
        fc.string(),
        fc.double(),
        fc.boolean(),
        fc.constant([])
      )
    : fc.oneof({ weight: 6, arbitrary: valid }, fc.constant(null))

/** An object of some of `fields` and some keys the Schema does not know, in a shuffled order. */
const objectOf = (fields: Record<string, fc.Arbitrary<unknown>>) =>
  fc
    .tuple(
      fc.record(fields, { requiredKeys: [] }),
      fc.dictionary(fc.constantFrom("extra", "note", "zz", "a1"), fc.jsonValue(), { maxKeys: 2 })
    )
    .chain(([known, extra]) =>
      fc.shuffledSubarray(Object.entries({ ...extra, ...known }), {
        minLength: Object.keys({ ...extra, ...known }).length
      })
    )
    .map((entries) => Object.fromEntries(entries))

const response = (bad: boolean, withCursor: boolean) => {
  const stats = objectOf(
    Object.fromEntries(AggregateRecord.statNames.map((name) => [name, field(fc.double({ noNaN: true }), bad)]))
  )
  const metric = objectOf({
    metric: field(fc.constantFrom("nOffered", "tHandle", "oServiceLevel"), bad),
    qualifier: field(fc.string({ maxLength: 4 }), bad),
    stats: field(stats, bad)
  })
  const view = objectOf({ name: field(fc.string({ maxLength: 4 }), bad), stats: field(stats, bad) })
  const bucket = objectOf({
    interval: field(fc.constant("2026-12-05T00:00:00.000Z/2026-12-05T01:00:00.000Z"), bad),
    metrics: field(fc.array(metric, { maxLength: 3 }), bad),
    views: field(fc.array(view, { maxLength: 2 }), bad)
  })
  const group = bad
    ? fc.dictionary(fc.constantFrom("queueId", "mediaType"), fc.oneof(fc.string(), fc.integer(), fc.constant(null)))
    : fc.dictionary(fc.constantFrom("queueId", "mediaType", "direction"), fc.string({ maxLength: 6 }))
  const container = objectOf({ group: field(group, bad), data: field(fc.array(bucket, { maxLength: 3 }), bad) })
  return objectOf({
    results: field(fc.array(container, { maxLength: 3 }), bad),
    ...(withCursor ? { cursor: field(fc.string({ maxLength: 8 }), bad) } : {})
  })
}

const cases = [
  { name: "the sync query's response", read: readQueryResponse, decode: decodeQuery, withCursor: false },
  { name: "a job's results page", read: readResultsPage, decode: decodePage, withCursor: true }
] as const

describe("aggregate response reader", () => {
  for (const { decode, name, read, withCursor } of cases) {
    it(`${name}: a body the Schema accepts is read, as the Schema decodes it`, () =>
      fc.assert(
        fc.property(response(false, withCursor), (body) => {
          const expected = decode(body, AggregateRecord.parseOptions)
          assert.isTrue(Either.isRight(expected), "the Schema accepts every body of this generator")
          const value = read(body)
          assert.isDefined(value, "the reader answers")
          assert.strictEqual(JSON.stringify(value), JSON.stringify(Either.getOrThrow(expected)))
          assert.deepStrictEqual(value, Either.getOrThrow(expected))
        }),
        { numRuns: 300 }
      ))

    it(`${name}: with wrong types about, it answers only what the Schema decodes`, () =>
      fc.assert(
        fc.property(response(true, withCursor), (body) => {
          const expected = decode(body, AggregateRecord.parseOptions)
          const value = read(body)
          if (Either.isLeft(expected)) assert.isUndefined(value, "the Schema refuses it")
          else if (value !== undefined) assert.strictEqual(JSON.stringify(value), JSON.stringify(expected.right))
        }),
        { numRuns: 500 }
      ))
  }

  it("is unsure of a body that is not an object, and of a `__proto__` key", () => {
    for (const body of [[], null, "x", 3, JSON.parse('{"__proto__":{"a":1},"results":[]}')]) {
      assert.isUndefined(readQueryResponse(body))
    }
    assert.isUndefined(readQueryResponse({ results: [{ group: JSON.parse('{"__proto__":"a"}') }] }))
  })

  it("keeps the Schema's order: the keys it does not know first, then its own in its order; a null is absent", () => {
    const value = readQueryResponse(
      JSON.parse('{"results":[{"data":[{"metrics":[{"stats":{"sum":2,"zz":1,"count":null,"max":3}}]}],"extra":1}]}')
    )
    assert.strictEqual(
      JSON.stringify(value),
      '{"results":[{"extra":1,"data":[{"metrics":[{"stats":{"zz":1,"max":3,"sum":2}}]}]}]}'
    )
  })

  it("is what the request pipeline's decode takes from a body's bytes, a view into a shared buffer too", () => {
    const text =
      '{"results":[{"group":{"queueId":"q1"},"data":[{"interval":"a/b","metrics":[{"metric":"nOffered","stats":{"count":3}}]}]}],"extra":null}'
    // A small body of two chunks joined by Buffer.concat: a view into Node's buffer pool, at an offset.
    const half = Math.floor(text.length / 2)
    const bytes = Buffer.concat([Buffer.from(text.slice(0, half)), Buffer.from(text.slice(half))])
    const exchange: Exchange = {
      method: "POST",
      url: "http://127.0.0.1/api/v2/analytics/conversations/aggregates/query",
      route: "POST /api/v2/analytics/conversations/aggregates/query",
      status: 200,
      headers: Headers.empty,
      bytes,
      // The reader works from the bytes: the text is only for the Schema's way, which must not be taken here.
      get body(): string {
        throw new Error("the body's text was read: the reader did not answer")
      },
      correlationId: undefined
    }
    const decoded = jsonBody(QueryResponse, { route: exchange.route, parseOptions: AggregateRecord.parseOptions })(
      exchange
    )
    const expected = Either.getOrThrow(decodeQuery(JSON.parse(text), AggregateRecord.parseOptions))
    assert.strictEqual(JSON.stringify(Either.getOrThrow(decoded)), JSON.stringify(expected))
  })
})
