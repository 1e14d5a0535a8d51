// Pages checked beside the main thread: the worker's check (`nestedSpans`) accepts only JSON, finds each nested field
// where the reader meets it, and a page read with its spans is the page read without them, whatever their starts and
// their number say (their ends, and the check of the whole body, are the worker's: the main thread trusts them).
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import * as ConversationRecord from "../src/ConversationRecord.js"
import { resultsSchema } from "../src/internal/details/cursorPages.js"
import { pageReader } from "../src/internal/details/lazyRecords.js"
import { preparationOf } from "../src/internal/http/decodeBody.js"
import { isJson } from "../src/internal/json/byteScan.js"
import { nestedSpans } from "../src/internal/json/nestedSpans.js"
import * as SpanWorker from "../src/internal/json/spanWorker.js"
import * as Hostile from "./HostileHttp.js"
import { jsonPiece, splice } from "./JsonPieces.js"
import { resultsPage } from "./PageArbitrary.js"

const encoder = new TextEncoder()
const nested = new Set(["participants"])
const spansOf = (bytes: Uint8Array) => nestedSpans(bytes, "conversations", nested)

/** A span source on this thread, with what it answers changed by `lie`. */
const inThread = (
  lie: (spans: Int32Array | undefined) => Int32Array | undefined = (s) => s
): SpanWorker.SpanWorker => ({
  spans: (bytes) => Effect.sync(() => lie(spansOf(bytes)))
})

const readerWith = (worker: SpanWorker.SpanWorker) =>
  pageReader(
    ConversationRecord.AnalyticsConversationAsyncQueryResponse,
    "conversations",
    ConversationRecord.AnalyticsConversation,
    { worker, minBytes: 0 }
  )

const alone = pageReader(
  ConversationRecord.AnalyticsConversationAsyncQueryResponse,
  "conversations",
  ConversationRecord.AnalyticsConversation
)

/** The page read after `reader.prepare`, as text (accessors read). */
const readAfterPrepare = (reader: ReturnType<typeof readerWith>, bytes: Uint8Array) =>
  Effect.gen(function* () {
    if (reader.prepare !== undefined) yield* reader.prepare(bytes)
    return JSON.stringify(reader.read(bytes))
  })

const participant = { purpose: "customer", sessions: [{ sessionId: "s1", mediaType: "voice" }] }
const page = (n: number) => ({
  conversations: Array.from({ length: n }, (_, i) =>
    Hostile.conversation(i, { participants: i % 3 === 0 ? [] : [participant, participant] })
  ),
  cursor: "next",
  dataAvailabilityDate: "2026-01-06T00:00:00.000Z"
})

describe("pages checked beside the main thread", () => {
  it("the spans are the nested fields, where they start and end", () => {
    const text = JSON.stringify(page(4))
    const spans = spansOf(encoder.encode(text))!
    assert.strictEqual(spans.length, 8)
    for (let k = 0; k < spans.length; k += 2) {
      assert.deepStrictEqual(JSON.parse(text.slice(spans[k], spans[k + 1])), page(4).conversations[k / 2]!.participants)
      assert.isTrue(text.slice(0, spans[k]).endsWith('"participants":'))
    }
  })

  it("a body that is not JSON has no spans: trailing text, a cut, a bad literal inside a participant", () => {
    const text = JSON.stringify(page(3))
    for (const bad of [`${text} x`, text.slice(0, -1), text.replace('"purpose":"customer"', '"purpose":tru')]) {
      assert.isUndefined(spansOf(encoder.encode(bad)), bad.slice(-40))
    }
  })

  it.effect.prop(
    "a spliced page is checked as JSON.parse reads it, and reads with its spans as without them",
    [fc.array(fc.tuple(fc.nat(600), fc.nat(3), jsonPiece), { maxLength: 3 })],
    ([edits]) =>
      Effect.gen(function* () {
        const bytes = encoder.encode(splice(JSON.stringify(page(3)), edits))
        const spans = spansOf(bytes)
        if (spans !== undefined) assert.isTrue(isJson(bytes), "spans only for JSON")
        const withSpans = yield* readAfterPrepare(readerWith(inThread()), bytes)
        assert.strictEqual(withSpans, JSON.stringify(alone.read(bytes)))
      }),
    { fastCheck: { numRuns: 300 } }
  )

  it.effect.prop(
    "any page the Schema accepts reads with its spans as without them",
    [resultsPage],
    ([arbitraryPage]) =>
      Effect.gen(function* () {
        const bytes = encoder.encode(JSON.stringify(arbitraryPage))
        const withSpans = yield* readAfterPrepare(readerWith(inThread()), bytes)
        assert.strictEqual(withSpans, JSON.stringify(alone.read(bytes)))
      }),
    { fastCheck: { numRuns: 100 } }
  )

  it.effect("spans that do not fit the page (moved, missing, one too many, none) read it as without them", () =>
    Effect.gen(function* () {
      const bytes = encoder.encode(JSON.stringify(page(5)))
      const expected = JSON.stringify(alone.read(bytes))
      assert.isDefined(expected)
      const lies: ReadonlyArray<(s: Int32Array | undefined) => Int32Array | undefined> = [
        (s) => s!.map((v, k) => (k === 2 ? v + 1 : v)),
        (s) => s!.slice(0, s!.length - 2),
        (s) => Int32Array.from([...s!, s!.at(-2)!, s!.at(-1)!]),
        () => new Int32Array(0),
        () => undefined
      ]
      for (const lie of lies) assert.strictEqual(yield* readAfterPrepare(readerWith(inThread(lie)), bytes), expected)
    })
  )

  it.effect("a page checked with spans still refuses what the Schema refuses, nested records included", () =>
    Effect.gen(function* () {
      const body = page(2)
      const refused = [
        Hostile.conversation(9, { conversationStart: 7 }),
        Hostile.conversation(9, { participants: ["customer"] }),
        Hostile.conversation(9, { participants: { purpose: "customer" } })
      ]
      for (const record of refused) {
        const bytes = encoder.encode(JSON.stringify({ ...body, conversations: [...body.conversations, record] }))
        assert.isUndefined(yield* readAfterPrepare(readerWith(inThread()), bytes), JSON.stringify(record))
      }
    })
  )

  it("only streams that read ahead have their pages checked on the worker", () => {
    assert.isDefined(preparationOf(resultsSchema("conversation", "lazy", true)))
    assert.isUndefined(preparationOf(resultsSchema("conversation", "lazy", false)))
    assert.isUndefined(preparationOf(resultsSchema("conversation", "lazy")))
    assert.isUndefined(preparationOf(resultsSchema("conversation", "parsed", true)))
  })

  it.effect("the worker thread answers what nestedSpans answers here; one that cannot start answers nothing", () =>
    Effect.gen(function* () {
      // `npm test` builds before it tests: the worker's script is the build's, as in the library.
      const worker = SpanWorker.make(new URL("../dist/internal/json/nestedSpansWorker.js", import.meta.url))
      const big = encoder.encode(JSON.stringify(page(400)))
      const notJson = encoder.encode(`${JSON.stringify(page(3)).slice(0, -1)},}`)
      const answers = yield* Effect.all(
        [
          worker.spans(big, "conversations", ["participants"]),
          worker.spans(notJson, "conversations", ["participants"])
        ],
        { concurrency: "unbounded" }
      )
      assert.deepStrictEqual(answers[0], spansOf(big))
      assert.isUndefined(answers[1])
      // Again, with the buffers it handed back.
      assert.deepStrictEqual(yield* worker.spans(big, "conversations", ["participants"]), spansOf(big))

      const missing = SpanWorker.make(new URL("./no-such-worker.js", import.meta.url))
      assert.isUndefined(yield* missing.spans(big, "conversations", ["participants"]))
      assert.isUndefined(yield* missing.spans(big, "conversations", ["participants"]))
    })
  )
})
