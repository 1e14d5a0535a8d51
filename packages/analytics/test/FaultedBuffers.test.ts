// Large bodies joined into new buffers that the span worker has already written to: each such buffer is handed out
// once, only for a body it fits, and the join gives exactly the bytes `Buffer.concat` gives.
import { assert, describe, it } from "@effect/vitest"
import { Effect, FastCheck as fc } from "effect"
import { concatChunks } from "../src/internal/http/bodyText.js"
import * as FaultedBuffers from "../src/internal/http/faultedBuffers.js"
import * as SpanWorker from "../src/internal/json/spanWorker.js"

// A body larger than any buffer drops every kept one (they are all too small for it).
const dropAll = () => FaultedBuffers.take(Number.POSITIVE_INFINITY)

const split = (bytes: Uint8Array, cuts: ReadonlyArray<number>): Array<Uint8Array> => {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const chunks: Array<Uint8Array> = []
  let from = 0
  for (const to of [...at, bytes.length]) {
    chunks.push(bytes.slice(from, to))
    from = to
  }
  return chunks
}

describe("FaultedBuffers", () => {
  it("a kept buffer is handed out once, for a body it fits, as a buffer of exactly the body's length", () => {
    dropAll()
    const buffer = FaultedBuffers.faulted(FaultedBuffers.sizeFor(1_000_000))
    assert.isAtLeast(buffer.byteLength, 1_050_000)
    FaultedBuffers.keep(buffer)
    // A body much smaller than the buffer (a job's last page) does not take it: it would hold all of it.
    assert.isUndefined(FaultedBuffers.take(100_000))
    const taken = FaultedBuffers.take(1_000_000)
    assert.isDefined(taken)
    assert.strictEqual(taken!.length, 1_000_000)
    assert.strictEqual(taken!.buffer, buffer)
    assert.isUndefined(FaultedBuffers.take(1_000_000), "never handed out twice")
  })

  it("keeps at most maxKept; a large body that none fits drops them all, a small one none", () => {
    dropAll()
    for (let i = 0; i < FaultedBuffers.maxKept + 2; i++) FaultedBuffers.keep(FaultedBuffers.faulted(64 * 1024))
    assert.strictEqual(FaultedBuffers.keptCount(), FaultedBuffers.maxKept)
    assert.isUndefined(FaultedBuffers.take(100_000))
    assert.strictEqual(FaultedBuffers.keptCount(), FaultedBuffers.maxKept, "a small body leaves them")
    assert.isUndefined(FaultedBuffers.take(300_000))
    assert.strictEqual(FaultedBuffers.keptCount(), 0, "too small for pages that grew")
    // Too large for the pages a process reads now: dropped too, so that the worker makes buffers of their size.
    FaultedBuffers.keep(FaultedBuffers.faulted(FaultedBuffers.sizeFor(6_000_000)))
    assert.isUndefined(FaultedBuffers.take(1_000_000))
    assert.strictEqual(FaultedBuffers.keptCount(), 0)
  })

  it.prop(
    "a join into a kept buffer gives the bytes Buffer.concat gives, and the next join a buffer of its own",
    [fc.uint8Array({ minLength: 2, maxLength: 3000 }), fc.array(fc.nat(), { minLength: 1, maxLength: 8 })],
    ([bytes, cuts]) => {
      dropAll()
      const chunks = split(bytes, cuts)
      FaultedBuffers.keep(FaultedBuffers.faulted(FaultedBuffers.sizeFor(bytes.length)))
      const first = concatChunks(chunks, bytes.length)
      const second = concatChunks(chunks, bytes.length)
      assert.deepStrictEqual(Buffer.from(first), Buffer.concat(chunks))
      assert.deepStrictEqual(Buffer.from(second), Buffer.concat(chunks))
      if (chunks.length > 1) assert.notStrictEqual(first.buffer, second.buffer)
    },
    { fastCheck: { numRuns: 200 } }
  )

  it.effect("the span worker sends a new buffer a little larger than each page it checks, for the next joins", () =>
    Effect.gen(function* () {
      dropAll()
      // `npm test` builds before it tests: the worker's script is the build's, as in the library.
      const worker = SpanWorker.make(new URL("../dist/internal/json/nestedSpansWorker.js", import.meta.url))
      const page = new TextEncoder().encode(
        JSON.stringify({ conversations: Array.from({ length: 20_000 }, (_, i) => ({ conversationId: `c-${i}` })) })
      )
      assert.isAbove(page.length, 256 * 1024)
      // Rounds of two pages checked and one joined: the buffers keep coming while joins take them. (A buffer that
      // another file's worker sent late, of another size, is dropped by the first join.)
      for (let round = 0; round < 2 * FaultedBuffers.maxKept + 2; round++) {
        yield* worker.spans(page, "conversations", ["participants"])
        // The worker answers in order: by the second answer, the first request's buffer has come.
        yield* worker.spans(page, "conversations", ["participants"])
        const joined = concatChunks(split(page, [1000, 100_000]), page.length)
        assert.deepStrictEqual(Buffer.from(joined), Buffer.from(page))
        if (round > 0)
          assert.strictEqual(joined.buffer.byteLength, FaultedBuffers.sizeFor(page.length), `round ${round}`)
      }
    })
  )
})
