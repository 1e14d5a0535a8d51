// Each HTTP attempt is a client span named after its route, with the attempt number counted over the retries of one
// request (here a 401 answered by re-authentication, then a second send) and the status received.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Tracer } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { clientLayer } from "./GenesysHttpFixtures.js"

const AVAILABILITY = "GET /api/v2/analytics/conversations/details/jobs/availability"

/** The default tracer, keeping every span it makes. */
const recording = Effect.map(Effect.tracer, (base) => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (...args) => {
      const span = base.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => base.context(f, fiber)
  })
  return { tracer, spans }
})

describe("HTTP attempt spans", () => {
  it.effect("one client span per attempt: route, attempt over the retries, status", () =>
    Effect.gen(function* () {
      const { spans, tracer } = yield* recording
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* Effect.withTracer(
        Effect.gen(function* () {
          yield* details.availability()
          yield* emulator.revokeTokens
          yield* details.availability()
        }),
        tracer
      )
      const attempts = spans
        .filter((s) => s.name === AVAILABILITY)
        .map((s) => [s.kind, s.attributes.get("genesys.attempt"), s.attributes.get("http.response.status_code")])
      assert.deepStrictEqual(attempts, [
        ["client", 1, 200],
        ["client", 1, 401],
        ["client", 2, 200]
      ])
      const token = spans.filter((s) => s.name === "POST /oauth/token")
      assert.strictEqual(token.length, 2)
      assert.isTrue(token.every((s) => s.attributes.get("genesys.route") === "POST /oauth/token"))
    }).pipe(Effect.provide(clientLayer()))
  )
})
