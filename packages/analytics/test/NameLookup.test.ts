// NameLookup: names → ids over the emulator's list endpoints (paged, read once per layer), names in every filter of a
// query, ids left alone without a request, unknown and ambiguous names as one error listing the candidates, and
// names beside the ids of aggregate rows.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Exit, Layer, Stream } from "effect"
import fc from "fast-check"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as Names from "../src/internal/lookups/names.js"
import * as NameLookup from "../src/NameLookup.js"
import { fakeHttp } from "./DetailsFixtures.js"
import { clientLayer, drive, requestsTo } from "./GenesysHttpFixtures.js"

const layer = NameLookup.makeWith({ pageSize: 4 }).pipe(
  Effect.map((service) => Layer.succeed(NameLookup.NameLookup, service)),
  Layer.unwrapEffect,
  Layer.provideMerge(clientLayer())
)

describe("NameLookup over the emulator", () => {
  it.effect("resolves names in filter, conversationFilters and segmentFilters; lists read once, over pages", () =>
    Effect.gen(function* () {
      const exit = yield* drive(
        Effect.gen(function* () {
          const emulator = yield* Emulator.Emulator
          const lookup = yield* NameLookup.NameLookup
          const { queues, users, wrapUpCodes } = emulator.dataset.catalog
          const [first, second] = wrapUpCodes
          // Generated users share names (as real ones do): the test takes one whose name is unique.
          const user = users.find((u) => users.filter((v) => v.name === u.name).length === 1)!
          const query = {
            interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z",
            filter: {
              type: "or",
              predicates: [
                { dimension: "wrapUpCode", value: first!.name },
                { dimension: "wrapUpCode", value: second!.name.toUpperCase() }
              ],
              clauses: [{ type: "and", predicates: [{ dimension: "queueId", value: queues[2]!.name }] }]
            },
            conversationFilters: [{ type: "and", predicates: [{ dimension: "userId", value: user.name }] }],
            segmentFilters: [{ type: "and", predicates: [{ dimension: "queueId", value: queues[0]!.id }] }]
          }
          const resolved = yield* lookup.resolveQuery(query)
          const again = yield* lookup.resolve("wrapUpCode", first!.name)
          const lists = yield* requestsTo("GET", "/api/v2/routing/wrapupcodes")
          return { emulator, resolved, again, lists: lists.length, query, user }
        })
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isFailure(exit)) return
      const { again, emulator, lists, query, resolved, user } = exit.value
      const { queues, wrapUpCodes } = emulator.dataset.catalog
      assert.deepStrictEqual(
        resolved.filter.predicates.map((p) => p.value),
        [wrapUpCodes[0]!.id, wrapUpCodes[1]!.id]
      )
      assert.strictEqual(resolved.filter.clauses[0]!.predicates[0]!.value, queues[2]!.id)
      assert.strictEqual(resolved.conversationFilters[0]!.predicates[0]!.value, user.id)
      assert.strictEqual(resolved.segmentFilters[0]!.predicates[0]!.value, queues[0]!.id)
      assert.strictEqual(again, wrapUpCodes[0]!.id)
      // The input is not modified; every page of the wrap-up codes read once (4 per page).
      assert.strictEqual(query.filter.predicates[0]!.value, wrapUpCodes[0]!.name)
      assert.strictEqual(lists, Math.ceil(wrapUpCodes.length / 4))
    }).pipe(Effect.provide(layer))
  )

  it.effect("an unknown name fails UnresolvedNames with the path, the value and the nearest names; nothing else", () =>
    Effect.gen(function* () {
      const exit = yield* drive(
        Effect.gen(function* () {
          const lookup = yield* NameLookup.NameLookup
          return yield* Effect.flip(
            lookup.resolveQuery({
              filter: {
                type: "and",
                predicates: [
                  { dimension: "wrapUpCode", value: "Resolvd" },
                  { dimension: "queueId", value: "No Such Queue At All" }
                ]
              }
            })
          )
        })
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isFailure(exit)) return
      const error = exit.value
      assert.strictEqual(error._tag, "UnresolvedNames")
      if (error._tag !== "UnresolvedNames") return
      assert.deepStrictEqual(
        error.problems.map((p) => [p.path, p.dimension, p.name, p.reason, p.source]),
        [
          ["$.filter.predicates[0].value", "wrapUpCode", "Resolvd", "unknown", "GET /api/v2/routing/wrapupcodes"],
          ["$.filter.predicates[1].value", "queueId", "No Such Queue At All", "unknown", "GET /api/v2/routing/queues"]
        ]
      )
      assert.deepStrictEqual(
        error.problems[0]!.candidates.map((c) => c.name),
        ["Resolved"]
      )
      assert.include(error.message, `wrapUpCode "Resolvd" matches no entry`)
      assert.include(error.message, `did you mean "Resolved"?`)
    }).pipe(Effect.provide(layer))
  )

  it.effect("withNames puts the names beside the ids of rows; columns prints them after each id", () =>
    Effect.gen(function* () {
      const exit = yield* drive(
        Effect.gen(function* () {
          const emulator = yield* Emulator.Emulator
          const lookup = yield* NameLookup.NameLookup
          const code = emulator.dataset.catalog.wrapUpCodes[3]!
          const row = {
            group: { wrapUpCode: code.id, mediaType: "voice", queueId: "not-a-queue" },
            bucketStart: "2026-01-05T00:00:00.000Z",
            bucketEnd: "2026-01-06T00:00:00.000Z",
            metric: "nConnected",
            kind: "metric" as const,
            stats: { count: 3 }
          }
          const named = yield* Stream.runCollect(
            Stream.make(row).pipe(lookup.withNames(["wrapUpCode", "queueId", "mediaType"]))
          )
          return { code, named: Chunk.toReadonlyArray(named) }
        })
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (Exit.isFailure(exit)) return
      const { code, named } = exit.value
      assert.deepStrictEqual(named[0]!.names, { wrapUpCode: code.name })
      const columns = NameLookup.columns(named[0]!, { wrapUpCode: code.id, queueId: "not-a-queue", metric: "m" })
      assert.deepStrictEqual(Object.keys(columns), ["wrapUpCode", "wrapUpCodeName", "queueId", "queueIdName", "metric"])
      assert.strictEqual(columns.wrapUpCodeName, code.name)
      assert.strictEqual(columns.queueIdName, undefined)
    }).pipe(Effect.provide(layer))
  )
})

describe("NameLookup over a scripted list", () => {
  const entities = [
    { id: "a1", name: "Sales" },
    { id: "a2", name: "sales" },
    { id: "b", name: "Support" },
    { id: "c", name: "SALES" }
  ]
  const service = (list = entities) => {
    const fake = fakeHttp((request) =>
      Effect.succeed({
        entities: list.slice((Number(request.params.pageNumber) - 1) * 100, Number(request.params.pageNumber) * 100),
        pageCount: Math.ceil(list.length / 100)
      })
    )
    return {
      fake,
      lookup: NameLookup.make.pipe(Effect.provide(Layer.succeed(GenesysHttp.GenesysHttp, fake.http)))
    }
  }

  it.effect("an exact match wins; a name matching several entries case-insensitively is ambiguous", () =>
    Effect.gen(function* () {
      const { lookup } = service()
      const l = yield* lookup
      assert.strictEqual(yield* l.resolve("queue", "Sales"), "a1")
      assert.strictEqual(yield* l.resolve("queue", "SUPPORT"), "b")
      const error = yield* Effect.flip(l.resolve("queue", "sAlEs"))
      assert.strictEqual(error._tag, "UnresolvedNames")
      if (error._tag !== "UnresolvedNames") return
      assert.deepStrictEqual(error.problems[0]!.reason, "ambiguous")
      assert.deepStrictEqual(
        error.problems[0]!.candidates.map((c) => c.id),
        ["a1", "a2", "c"]
      )
      assert.include(error.message, `"Sales" (a1), "sales" (a2), "SALES" (c); use the id`)
    })
  )

  it.effect("ids (UUIDs) and non-matching operators are sent as they are, without a request", () =>
    Effect.gen(function* () {
      const { fake, lookup } = service()
      const l = yield* lookup
      const query = {
        filter: {
          type: "and",
          predicates: [
            { dimension: "wrapUpCode", value: "7c9e6679-7425-40de-944b-e07fc1f90ae7" },
            { dimension: "queueId", operator: "exists" },
            { dimension: "mediaType", value: "voice" }
          ]
        }
      }
      assert.deepStrictEqual(yield* l.resolveQuery(query), query)
      assert.strictEqual(fake.seen.length, 0)
    })
  )

  it.effect("a list longer than a page is read to its last page", () =>
    Effect.gen(function* () {
      const many = Array.from({ length: 250 }, (_, i) => ({ id: `id-${i}`, name: `Queue ${i}` }))
      const { fake, lookup } = service(many)
      const l = yield* lookup
      assert.strictEqual(yield* l.resolve("queue", "Queue 249"), "id-249")
      assert.deepStrictEqual(
        fake.seen.map((r) => r.params.pageNumber),
        ["1", "2", "3"]
      )
    })
  )
})

describe("names (pure)", () => {
  it("a name present once is found, by exact name or any casing when unique", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), {
          minLength: 1,
          maxLength: 20,
          selector: (s) => s.toLowerCase()
        }),
        fc.nat(),
        (names, k) => {
          const entities = names.map((name, i) => ({ id: `id${i}`, name }))
          const i = k % names.length
          const exact = Names.match(names[i]!, entities)
          const upper = Names.match(names[i]!.toUpperCase(), entities)
          return (
            exact._tag === "Found" &&
            exact.id === `id${i}` &&
            (upper._tag === "Found" ? upper.id === `id${i}` : upper._tag !== "Ambiguous" || names[i]! !== "")
          )
        }
      )
    )
  })

  it("isId: UUIDs only", () => {
    assert.isTrue(Names.isId("7C9E6679-7425-40DE-944B-E07FC1F90AE7"))
    assert.isFalse(Names.isId("Issue Resolved"))
    assert.isFalse(Names.isId("7c9e6679742540de944be07fc1f90ae7"))
  })
})
