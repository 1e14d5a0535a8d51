/**
 * The serialised-conversation cache behind job results: its byte budget and LRU order, and that a results
 * page assembled from cached bytes is byte-identical to `JSON.stringify` of the page object.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestContext } from "effect"
import * as fc from "fast-check"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Faults from "../src/Faults.js"
import { parseArgs } from "../src/internal/http/cli.js"
import * as ConversationCache from "../src/internal/http/conversationCache.js"
import * as Internals from "../src/internal/http/internals.js"
import * as Wire from "../src/internal/http/wire.js"

const JOBS = "/api/v2/analytics/conversations/details/jobs"

const bytesOf = (length: number, fill = 1) => new Uint8Array(length).fill(fill)

describe("ByteLru", () => {
  it("evicts the least recently used entries past the budget and counts bytes exactly", () => {
    const cache = new ConversationCache.ByteLru(10)
    cache.set(1, bytesOf(4))
    cache.set(2, bytesOf(4))
    assert.isDefined(cache.get(1)) // 1 is now the most recent
    cache.set(3, bytesOf(4)) // 12 > 10: 2 goes
    assert.deepStrictEqual(cache.keys(), [1, 3])
    assert.deepStrictEqual(cache.stats(), { budget: 10, bytes: 8, entries: 2, hits: 1, misses: 0 })
    assert.isUndefined(cache.get(2))
    assert.strictEqual(cache.stats().misses, 1)
    cache.set(1, bytesOf(2)) // replacing re-counts and refreshes
    assert.deepStrictEqual(cache.keys(), [3, 1])
    assert.strictEqual(cache.stats().bytes, 6)
    cache.set(4, bytesOf(11)) // larger than the whole budget: not kept, nothing evicted
    assert.deepStrictEqual(cache.keys(), [3, 1])
    cache.set(3, bytesOf(11)) // and a key replaced by an oversized value is gone
    assert.deepStrictEqual(cache.keys(), [1])
    assert.strictEqual(cache.stats().bytes, 2)
    for (const budget of [0, -1, Number.NaN]) {
      const disabled = new ConversationCache.ByteLru(budget)
      disabled.set(1, bytesOf(1))
      assert.deepStrictEqual(disabled.stats(), { budget: 0, bytes: 0, entries: 0, hits: 0, misses: 0 })
    }
  })

  it("never exceeds its budget and matches a model LRU under any operations", () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.array(
          fc.oneof(
            fc.record({ op: fc.constant("set" as const), key: fc.nat(12), size: fc.nat(40) }),
            fc.record({ op: fc.constant("get" as const), key: fc.nat(12) })
          ),
          { maxLength: 80 }
        ),
        (budget, ops) => {
          const cache = new ConversationCache.ByteLru(budget)
          let model: Array<[number, number]> = [] // [key, size], least recent first
          for (const o of ops) {
            if (o.op === "get") {
              const hit = model.find(([k]) => k === o.key)
              assert.strictEqual(cache.get(o.key)?.length, hit?.[1])
              if (hit !== undefined) model = [...model.filter(([k]) => k !== o.key), hit]
            } else {
              cache.set(o.key, bytesOf(o.size))
              model = model.filter(([k]) => k !== o.key)
              if (o.size <= budget) model.push([o.key, o.size])
              while (model.reduce((n, [, s]) => n + s, 0) > budget) model.shift()
            }
            const stats = cache.stats()
            assert.isAtMost(stats.bytes, budget)
            assert.strictEqual(
              stats.bytes,
              model.reduce((n, [, s]) => n + s, 0)
            )
            assert.deepStrictEqual(
              cache.keys(),
              model.map(([k]) => k)
            )
          }
        }
      )
    ))
})

describe("pageBytes", () => {
  it("is the UTF-8 of JSON.stringify({ conversations, ...rest })", () =>
    fc.assert(
      fc.property(
        fc.array(fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue()), { maxLength: 6 }),
        fc.dictionary(
          // Integer-like keys come first in any JavaScript object, so `pageBytes` is specified for the others.
          fc.string({ unit: "grapheme" }).filter((k) => k !== "conversations" && !/^(0|[1-9]\d*)$/.test(k)),
          fc.jsonValue()
        ),
        (conversations, rest) => {
          const parts = conversations.map((c) => ConversationCache.encode(JSON.stringify(c)))
          const actual = Buffer.from(ConversationCache.pageBytes(parts, rest))
          assert.isTrue(actual.equals(Buffer.from(JSON.stringify({ conversations, ...rest }), "utf8")))
        }
      )
    ))
})

const encodeCursor = (jobId: string, offset: number) =>
  btoa(`${jobId}:${offset}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

const immediateJobs = { queueMillis: 0, runMillis: 0, runMillisPerConversation: 0 }

interface Setup {
  readonly emu: Emulator.Service
  readonly token: string
  readonly jobId: string
  readonly indices: ReadonlyArray<number>
}

// A TestClock that never moves: the emulator's now (and so each page's dataAvailabilityDate) is fixed.
const setup = (input: EmulatorOptions.Input): Setup =>
  Effect.runSync(
    Effect.gen(function* () {
      const emu = yield* Emulator.make(input)
      const token = yield* emu.issueToken
      const end = new Date(emu.dataset.spanEndMillis).toISOString()
      const query = { interval: `${emu.options.startDate}T00:00:00.000Z/${end}` }
      const submitted = yield* emu.handleRaw({
        method: "POST",
        url: JOBS,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(query)
      })
      const jobId = (JSON.parse(submitted.body!) as { jobId: string }).jobId
      const ids = yield* emu.groundTruthJob(query)
      return { emu, token, jobId, indices: ids.map((id) => emu.dataset.indexOfId(id)!) }
    }).pipe(Effect.provide(TestContext.TestContext))
  )

const resultsRequest = (s: Setup, pageSize: number, cursor: string | undefined) => ({
  method: "GET",
  url: `${JOBS}/${s.jobId}/results?pageSize=${pageSize}${cursor === undefined ? "" : `&cursor=${cursor}`}`,
  headers: { authorization: `Bearer ${s.token}` },
  body: ""
})

describe("job results from the cache", () => {
  it("are byte-identical to JSON.stringify of the page, cold, warm and under eviction", () =>
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
          pastLastPage: fc.constantFrom("omit" as const, "empty" as const),
          // 0: disabled; small: evicts inside one page; large: keeps everything.
          cacheBytes: fc.constantFrom(0, 20_000, 64 * 1024 * 1024),
          requests: fc.array(
            fc.record({ pageSize: fc.integer({ min: 1, max: 40 }), at: fc.double({ min: 0, max: 1.1, noNaN: true }) }),
            {
              minLength: 1,
              maxLength: 6
            }
          ),
          repeat: fc.boolean()
        }),
        ({ seed, pastLastPage, cacheBytes, requests, repeat }) => {
          const s = setup({
            seed,
            days: 2,
            perDay: 30,
            cacheBytes,
            sync: { pastLastPage },
            jobs: immediateJobs,
            ...(repeat ? { faults: Faults.script({ fault: { kind: "staleCursor", mode: "repeat" } }) } : {})
          })
          const internals = Internals.get(s.emu)!
          const availability = new Date(Effect.runSync(s.emu.availabilityMillis)).toISOString()
          let firstWithCursor = true
          for (const { pageSize, at } of requests) {
            // `at` past 1 asks at the very end (an empty page); 0 without a cursor is the first page.
            const offset = Math.min(s.indices.length, Math.floor(at * s.indices.length))
            const cursor = at === 0 ? undefined : encodeCursor(s.jobId, offset)
            const from = cursor === undefined ? 0 : offset
            const page = s.indices.slice(from, from + pageSize)
            const repeated = repeat && cursor !== undefined && firstWithCursor
            if (cursor !== undefined) firstWithCursor = false
            const expected: Record<string, unknown> = {}
            if (page.length > 0 || pastLastPage === "empty") {
              expected.conversations = page.map((i) => s.emu.dataset.conversation(i))
            }
            if (repeated) expected.cursor = cursor
            else if (from + pageSize < s.indices.length) expected.cursor = encodeCursor(s.jobId, from + pageSize)
            expected.dataAvailabilityDate = availability
            const text = JSON.stringify(expected)
            const wire = Effect.runSync(internals.handle(resultsRequest(s, pageSize, cursor)))
            assert.strictEqual(wire.status, 200)
            if (expected.conversations !== undefined) assert.instanceOf(wire.body, Uint8Array)
            assert.isTrue(Buffer.from(wire.body!).equals(Buffer.from(text, "utf8")))
            // What `handleRaw` and the in-process client give: the same bytes decoded.
            assert.strictEqual(Wire.toRawResponse(wire).body, text)
            assert.isAtMost(internals.cache.stats().bytes, cacheBytes)
          }
        }
      ),
      { numRuns: 40 }
    ))

  it("serves a re-read from the cache and keeps nothing with cacheBytes 0", () => {
    const read = (cacheBytes: number) => {
      const s = setup({ days: 2, perDay: 30, cacheBytes, jobs: immediateJobs })
      const internals = Internals.get(s.emu)!
      const first = Effect.runSync(s.emu.handleRaw(resultsRequest(s, 1000, undefined)))
      const second = Effect.runSync(s.emu.handleRaw(resultsRequest(s, 1000, undefined)))
      assert.strictEqual(first.body, second.body)
      return { n: s.indices.length, stats: internals.cache.stats() }
    }
    const on = read(64 * 1024 * 1024)
    assert.isAbove(on.n, 0)
    assert.strictEqual(on.stats.entries, on.n)
    assert.strictEqual(on.stats.misses, on.n)
    assert.strictEqual(on.stats.hits, on.n)
    const off = read(0)
    assert.strictEqual(off.stats.entries, 0)
    assert.strictEqual(off.stats.hits, 0)
  })

  it("the bin's --cache-mb and --no-read-ahead set the options", () => {
    const parsed = parseArgs(["--port", "0", "--cache-mb", "64", "--no-read-ahead"])
    assert.strictEqual(parsed._tag, "Ok")
    if (parsed._tag === "Ok") {
      assert.strictEqual(parsed.options.cacheBytes, 64 * 1024 * 1024)
      assert.strictEqual(parsed.options.readAhead, false)
    }
    const zero = parseArgs(["--port", "0", "--cache-mb=0"])
    assert.strictEqual(zero._tag === "Ok" ? zero.options.cacheBytes : undefined, 0)
    assert.strictEqual(parseArgs(["--port", "0", "--cache-mb", "x"])._tag, "Invalid")
    assert.strictEqual(parseArgs(["--port", "0", "--no-read-ahead=yes"])._tag, "Invalid")
  })
})
