// The short wirings: AuditLog.layerNoop and ConversationDetails.defaultLayer (GENESYS_* config, no audit trail).
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer, Stream } from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as ConversationDetails from "../src/ConversationDetails.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

const environment = (env: Record<string, string>) =>
  Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))

describe("AuditLog.layerNoop", () => {
  it.effect("records nothing; seal and head are genesis", () =>
    Effect.gen(function* () {
      const audit = yield* AuditLog.AuditLog
      yield* audit.record({ type: "job.submitted", jobId: "job-1" })
      assert.strictEqual(yield* audit.seal({ conversations: 1 }), AuditLog.genesis)
      assert.strictEqual(yield* audit.head, AuditLog.genesis)
    }).pipe(Effect.provide(AuditLog.layerNoop))
  )
})

describe("ConversationDetails.defaultLayer", () => {
  it.effect("builds from GENESYS_* variables and an HttpClient alone, and queries", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const expected = yield* emulator.groundTruthSync({ interval: day })
      const ids = yield* details.query({ interval: day }).pipe(
        Stream.map((c) => c.conversationId),
        Stream.runCollect
      )
      assert.isAbove(expected.length, 0)
      assert.deepStrictEqual(Array.from(ids), [...expected])
    }).pipe(
      Effect.provide(
        ConversationDetails.defaultLayer.pipe(
          Layer.provideMerge(Emulator.layerHttpClient({ startDate: "2026-01-05", days: 2, perDay: 60 })),
          Layer.provide(
            environment({
              GENESYS_API_URL: Emulator.baseUrl,
              GENESYS_LOGIN_URL: Emulator.baseUrl,
              GENESYS_CLIENT_ID: "emulator-client",
              GENESYS_CLIENT_SECRET: "emulator-secret"
            })
          )
        )
      )
    )
  )

  it.effect("without credentials it fails to build with a ConfigError naming the variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.provide(
          ConversationDetails.ConversationDetails,
          ConversationDetails.defaultLayer.pipe(
            Layer.provide(Emulator.layerHttpClient({ startDate: "2026-01-05", days: 1, perDay: 10 })),
            Layer.provide(environment({ GENESYS_API_URL: Emulator.baseUrl }))
          )
        )
      )
      assert.include(String(error), "GENESYS_CLIENT_ID")
    })
  )
})
