// Large bodies joined into spare buffers: the same bytes as a fresh join, a buffer used again only after the view
// `join` returned (which a page's records keep) is garbage, every other view of a recycled buffer detached (never the
// next body's bytes), and a body whose buffer was recycled refused rather than read as empty.
import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import { afterEach, vi } from "vitest"
import * as ConversationRecord from "../src/ConversationRecord.js"
import * as BodyBuffers from "../src/internal/http/bodyBuffers.js"
import { bytesBody } from "../src/internal/http/bodyText.js"
import { pageReader } from "../src/internal/details/lazyRecords.js"

const MiB = 1 << 20

/** A pool whose collections the test makes happen: `collect(bytes)` is "that view is garbage". */
const manual = (options?: Partial<BodyBuffers.Options>) => {
  const watched = new Map<object, ArrayBuffer>()
  let collected: ((held: ArrayBuffer) => void) | undefined
  const buffers = BodyBuffers.make({
    minBytes: 1024,
    maxSpare: 4,
    idleMillis: 60_000,
    ...options,
    whenCollected: (callback) => {
      collected = callback
      return (target, held) => {
        assert.isFalse(watched.has(target), "a view watched twice")
        watched.set(target, held)
      }
    }
  })
  const collect = (target: object) => {
    const held = watched.get(target)
    assert.isDefined(held, "collecting a view nobody watches")
    watched.delete(target)
    collected!(held!)
  }
  return { buffers, collect, watched }
}

const bytesOf = (length: number, seed: number) => {
  const bytes = new Uint8Array(length)
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff
  return bytes
}

const chunked = (bytes: Uint8Array, size: number) => {
  const chunks: Array<Uint8Array> = []
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.slice(i, i + size))
  return chunks
}

afterEach(() => {
  vi.useRealTimers()
})

describe("BodyBuffers", () => {
  it("joins small or single-chunk bodies as Buffer.concat does, outside the pool", () => {
    const { buffers } = manual()
    const small = bytesOf(1000, 1)
    assert.deepStrictEqual([...buffers.join(chunked(small, 100), small.length)], [...small])
    const single = bytesOf(5000, 2)
    assert.strictEqual(buffers.join([single], single.length), single)
    assert.deepStrictEqual(buffers.counts(), { allocated: 0, reused: 0, recycled: 0, spare: 0 })
  })

  it("uses a buffer again only once its view is collected, and detaches every other view of it", () => {
    const { buffers, collect } = manual()
    const first = bytesOf(3000, 3)
    const a = buffers.join(chunked(first, 700), first.length)
    assert.deepStrictEqual([...a], [...first])
    const view = a.subarray(10, 20)
    buffers.recycleWhenUnreachable(a)

    // Not collected yet: the next body gets fresh memory, and the first page is intact.
    const second = bytesOf(2500, 4)
    const b = buffers.join(chunked(second, 600), second.length)
    assert.notStrictEqual(b.buffer, a.buffer)
    assert.deepStrictEqual([...a], [...first])
    assert.strictEqual(buffers.counts().allocated, 2)

    collect(a)
    assert.strictEqual(a.byteLength, 0, "the recycled page's view is detached")
    assert.strictEqual(view.byteLength, 0, "so is any view made from it")
    const third = bytesOf(2900, 5)
    const c = buffers.join(chunked(third, 1000), third.length)
    assert.deepStrictEqual([...c], [...third])
    // The spare held the first body's 3,000 bytes: past the third's 2,900, its buffer reads zeros.
    assert.isTrue(new Uint8Array(c.buffer, c.byteOffset + c.byteLength).every((byte) => byte === 0))
    assert.deepStrictEqual(buffers.counts(), { allocated: 2, reused: 1, recycled: 1, spare: 0 })
  })

  it("watches a buffer once, however often it is handed over, and never one it did not join", () => {
    const { buffers, watched } = manual()
    const bytes = buffers.join(chunked(bytesOf(4000, 6), 1000), 4000)
    buffers.recycleWhenUnreachable(bytes)
    buffers.recycleWhenUnreachable(bytes)
    buffers.recycleWhenUnreachable(bytes.subarray(0, 100))
    buffers.recycleWhenUnreachable(Buffer.from(bytes.buffer, 0, 4000))
    buffers.recycleWhenUnreachable(new Uint8Array(4000))
    assert.strictEqual(watched.size, 1)
  })

  it("keeps at most maxSpare buffers, the smallest that fits taken first", () => {
    const { buffers, collect } = manual({ maxSpare: 2 })
    const pages = [3 * MiB, 1.5 * MiB, 2.5 * MiB].map((size, i) => {
      const bytes = buffers.join(chunked(bytesOf(size, i), 64 * 1024), size)
      buffers.recycleWhenUnreachable(bytes)
      return bytes
    })
    for (const bytes of pages) collect(bytes)
    assert.deepStrictEqual(buffers.counts(), { allocated: 3, reused: 0, recycled: 3, spare: 2 })
    // Spares of 3 and 2 MiB (rounded up): a body of 1.9 MiB takes the 2 MiB one, so 2.9 MiB still finds the other.
    const smallSize = Math.floor(1.9 * MiB)
    const small = buffers.join(chunked(bytesOf(smallSize, 7), 64 * 1024), smallSize)
    assert.strictEqual(small.buffer.byteLength, 2 * MiB)
    const largeSize = Math.floor(2.9 * MiB)
    const large = buffers.join(chunked(bytesOf(largeSize, 8), 64 * 1024), largeSize)
    assert.strictEqual(large.buffer.byteLength, 3 * MiB)
    assert.strictEqual(buffers.counts().reused, 2)
  })

  it("lets its spare buffers go after idleMillis without a join", () => {
    vi.useFakeTimers()
    const { buffers, collect } = manual({ idleMillis: 1_000 })
    const bytes = buffers.join(chunked(bytesOf(4000, 9), 1000), 4000)
    buffers.recycleWhenUnreachable(bytes)
    collect(bytes)
    vi.advanceTimersByTime(600)
    assert.strictEqual(buffers.counts().spare, 1)
    vi.advanceTimersByTime(500)
    assert.strictEqual(buffers.counts().spare, 0)
  })

  it("joins any bodies, recycled in any order, into exactly their bytes", () =>
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ length: fc.integer({ min: 1024, max: 20_000 }), chunk: fc.integer({ min: 1, max: 5000 }) }),
          { minLength: 1, maxLength: 12 }
        ),
        fc.array(fc.nat(), { maxLength: 12 }),
        (bodies, collectOrder) => {
          const { buffers, collect, watched } = manual({ maxSpare: 3 })
          const live: Array<{ bytes: Uint8Array; expected: Uint8Array; watched: boolean }> = []
          for (const [i, body] of bodies.entries()) {
            const expected = bytesOf(body.length, i)
            const bytes = buffers.join(chunked(expected, body.chunk), body.length)
            assert.deepStrictEqual(bytes, Buffer.from(expected))
            buffers.recycleWhenUnreachable(bytes)
            live.push({ bytes, expected, watched: watched.has(bytes) })
            const pick = collectOrder[i]
            const collectable = live.filter((page) => page.watched)
            if (pick !== undefined && pick % 2 === 0 && collectable.length > 0) {
              const gone = collectable[pick % collectable.length]!
              live.splice(live.indexOf(gone), 1)
              collect(gone.bytes)
            }
            // Every page not collected still holds its own bytes.
            for (const page of live) assert.deepStrictEqual(page.bytes, Buffer.from(page.expected))
          }
        }
      )
    ))

  it("refuses to decode a body whose buffer was recycled, where it would read as empty", () => {
    const { buffers, collect } = manual()
    const text = JSON.stringify({ conversations: [], totalHits: 0, filler: "x".repeat(3000) })
    const bytes = buffers.join(chunked(new TextEncoder().encode(text), 500), Buffer.byteLength(text))
    const body = bytesBody(bytes)
    buffers.recycleWhenUnreachable(bytes)
    collect(bytes)
    assert.throws(() => body.text(), /recycled/)
  })
})

// The process's own pool and a real collector: a page's buffer is not used again while a record with an unread nested
// field can reach it, and is once none can.
describe("BodyBuffers.shared with the page reader", () => {
  V8.setFlagsFromString("--expose-gc")
  const gc = Vm.runInNewContext("gc") as () => void

  const reader = pageReader(
    ConversationRecord.AnalyticsConversationAsyncQueryResponse,
    "conversations",
    ConversationRecord.AnalyticsConversation
  )
  const participant = (i: number) => ({ participantId: `p${i}`, purpose: "customer", participantName: "x".repeat(200) })
  const conversation = (i: number) => ({
    conversationId: `c${i}`,
    conversationStart: "2026-01-05T00:00:00.000Z",
    participants: [participant(i), participant(i + 1)]
  })
  const pageBytes = (count: number) =>
    new TextEncoder().encode(
      JSON.stringify({ conversations: Array.from({ length: count }, (_, i) => conversation(i)) })
    )

  const collections = async (times: number) => {
    for (let i = 0; i < times; i++) {
      gc()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }

  it("keeps a page while its records can read it, and recycles it once they cannot", async () => {
    const shared = BodyBuffers.shared
    const expected = pageBytes(4000)
    assert.isAbove(expected.length, MiB)
    const before = shared.counts().recycled
    let bytes: Uint8Array | undefined = shared.join(chunked(expected, 64 * 1024), expected.length)
    let page = reader.read(bytes) as { conversations: Array<{ participants: unknown }> } | undefined
    assert.isDefined(page)
    bytes = undefined

    await collections(5)
    assert.strictEqual(shared.counts().recycled, before, "recycled while records could still read the page")
    // Other bodies joined meanwhile do not take its buffer: its records still read their own participants.
    const other = pageBytes(3000)
    shared.join(chunked(other, 64 * 1024), other.length)
    assert.deepStrictEqual(page!.conversations[3999]!.participants, [participant(3999), participant(4000)])

    page = undefined
    for (let i = 0; i < 20 && shared.counts().recycled === before; i++) await collections(1)
    assert.isAbove(shared.counts().recycled, before, "never recycled once no record could reach the page")
  })
})
