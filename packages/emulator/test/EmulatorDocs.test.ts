/** The examples of docs/testing.md, run as written. */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, it } from "@effect/vitest"
import { Chunk, Effect, Layer, Stream } from "effect"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as Faults from "@effect-genesys/emulator/Faults"

const TestLayer = ConversationDetails.layer.pipe(
  Layer.provideMerge(Emulator.layerHttpClient({ days: 3, perDay: 100 })),
  Layer.provide(
    GenesysConfig.layer({ apiUrl: Emulator.baseUrl, clientId: "emulator-client", clientSecret: "emulator-secret" })
  ),
  Layer.provide(AuditLog.layerMemory({ actor: "emulator-client", region: "emulator" }))
)

const query = { interval: "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z" }

it.effect("a sync query returns exactly the ground truth", () =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails.ConversationDetails
    const emulator = yield* Emulator.Emulator
    const ids = yield* details.query(query).pipe(
      Stream.map((c) => c.conversationId),
      Stream.runCollect
    )
    assert.deepStrictEqual(Chunk.toReadonlyArray(ids), yield* emulator.groundTruthSync(query))
  }).pipe(Effect.provide(TestLayer))
)

it.effect("a job runs to completion under TestClock", () =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails.ConversationDetails
    const emulator = yield* Emulator.Emulator
    const ids = yield* details.runJob(query).pipe(
      Stream.map((c) => c.conversationId),
      Stream.runCollect,
      Emulator.runWithTestClock
    )
    assert.deepStrictEqual(Chunk.toReadonlyArray(ids), yield* emulator.groundTruthJob(query))
  }).pipe(Effect.provide(TestLayer))
)

it.effect("a 429 is retried after Retry-After", () =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails.ConversationDetails
    const emulator = yield* Emulator.Emulator
    yield* emulator.setFaults(
      Faults.script({
        path: "/api/v2/analytics/conversations/details/query",
        fault: { kind: "rateLimit", retryAfterSeconds: 2 }
      })
    )
    const total = yield* Emulator.runWithTestClock(details.queryTotalHits(query))
    assert.strictEqual(total, (yield* emulator.groundTruthSync(query)).length)
    const statuses = (yield* emulator.requests).filter((r) => r.path.endsWith("/query")).map((r) => r.status)
    assert.deepStrictEqual(statuses, [429, 200])
  }).pipe(Effect.provide(TestLayer))
)

it.effect("my code gets a token", () =>
  Effect.gen(function* () {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post("https://login.mypurecloud.com/oauth/token").pipe(
        HttpClientRequest.basicAuth("emulator-client", "emulator-secret"),
        HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
      )
    )
    assert.strictEqual(response.status, 200)
  }).pipe(Effect.provide(Emulator.layerHttpClient()))
)
