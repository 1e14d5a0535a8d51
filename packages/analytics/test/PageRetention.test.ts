// Memory while streaming (issue 17): once the consumer has a page, nothing of the library may keep its records alive
// while the next page is fetched, or a stream holds two pages at once (a stage keeps its last emitted chunk until it
// emits again). Each test registers every record delivered for finalization and, at every page request, forces a full
// GC and counts those not collected: the count of records retained by the library, not a timing.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { HttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { type Chunk, Effect, Exit, Layer, Stream } from "effect"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import { auditMemory, clientOptions, drive, emulatorDefaults, turnsUntil } from "./GenesysHttpFixtures.js"

const twoDays = "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z"

// A full, synchronous collection without starting the worker with --expose-gc: a context created after the flag
// is set gets `gc`.
const fullGc: () => void = (() => {
  v8.setFlagsFromString("--expose-gc")
  return vm.runInNewContext("gc") as () => void
})()

/**
 * Every record the consumer received, registered for finalization, and how many were alive at each page request.
 *
 * A record nothing references can survive a few full collections: one received just before the request stayed alive
 * through several (as a `WeakRef` target, Node's kept-objects list held it; registered for finalization, a heap
 * snapshot's collection freed what `gc()` had not). While the request waits in `beforePage`, the stream cannot move,
 * so what the library keeps stays kept: the count collects again, up to `rounds` times, until nothing is left.
 */
const tracker = (rounds = 10) => {
  let received = 0
  let collected = 0
  let sentinelsCollected = 0
  const registry = new FinalizationRegistry<"record" | "sentinel">((held) => {
    if (held === "record") collected++
    else sentinelsCollected++
  })
  const aliveAtRequest: Array<number> = []
  // Allocated in its own frame: a value still in a register of the frame that collects would be reachable.
  const registerSentinel = () => registry.register({ sentinel: true }, "sentinel")
  // V8 runs a registry's callbacks for the cells a collection cleared in a later task: once the sentinel's has run,
  // so have those of the records that collection freed.
  const collectAndAwaitCallbacks = Effect.gen(function* () {
    const awaited = sentinelsCollected + 1
    registerSentinel()
    fullGc()
    yield* turnsUntil("finalization callbacks", () => sentinelsCollected >= awaited)
    return received - collected
  })
  const countAlive = Effect.gen(function* () {
    let alive = yield* collectAndAwaitCallbacks
    for (let round = 1; round < rounds && alive > 0; round++) alive = yield* collectAndAwaitCallbacks
    aliveAtRequest.push(alive)
  })
  return {
    aliveAtRequest,
    receive: (chunk: Chunk.Chunk<object>) =>
      Effect.sync(() => {
        for (const record of chunk) registry.register(record, "record")
        received += chunk.length
      }),
    count: countAlive
  }
}

const isPageRequest = (url: string) => url.includes("/results") || url.endsWith("/details/query")

/** `GenesysHttpFixtures.clientLayer` with `beforePage` run as each page is requested. */
const watchedLayer = (beforePage: Effect.Effect<void>) => {
  const watched = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.tapRequest((request) => (isPageRequest(request.url) ? beforePage : Effect.void))
    )
  ).pipe(Layer.provideMerge(Emulator.layerHttpClient(emulatorDefaults)))
  const base = Layer.mergeAll(watched, GenesysConfig.layer(clientOptions()).pipe(Layer.orDie), auditMemory)
  const auth = GenesysAuth.layer.pipe(Layer.provideMerge(base))
  const http = GenesysHttp.layerWithoutAuth.pipe(Layer.provideMerge(auth))
  return ConversationDetails.layerWithoutHttp.pipe(Layer.provideMerge(http))
}

const streamed = <E>(stream: (details: ConversationDetails.Service) => Stream.Stream<object, E>) =>
  Effect.gen(function* () {
    const t = tracker()
    const exit = yield* drive(
      Effect.flatMap(ConversationDetails.ConversationDetails, (details) =>
        Stream.runForEachChunk(stream(details), t.receive)
      ).pipe(Effect.provide(watchedLayer(t.count)))
    )
    assert.isTrue(Exit.isSuccess(exit), Exit.isFailure(exit) ? String(exit.cause) : "")
    return t.aliveAtRequest
  })

describe("page retention", () => {
  it.effect("runJob: no record of an earlier page is reachable while the next page is requested", () =>
    Effect.gen(function* () {
      const alive = yield* streamed((details) => details.runJob({ interval: twoDays }, { pageSize: 20 }))
      // 120 conversations in pages of 20: 6 result requests.
      assert.deepStrictEqual(alive, [0, 0, 0, 0, 0, 0])
    })
  )

  it.effect("query: no record of an earlier page is reachable while the next page is requested", () =>
    Effect.gen(function* () {
      const alive = yield* streamed((details) =>
        details.query({ interval: twoDays, paging: { pageSize: 25, pageNumber: 1 } })
      )
      // 120 conversations in pages of 25: 5 page requests.
      assert.deepStrictEqual(alive, [0, 0, 0, 0, 0])
    })
  )
})
