/** The pipeline on the emulator's clock: fault delays, dropped connections and defects turned into 500s. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Option, TestClock } from "effect"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Faults from "../src/Faults.js"
import * as FaultSwitch from "../src/internal/http/faultSwitch.js"
import * as Handler from "../src/internal/http/handler.js"
import * as Pipeline from "../src/internal/http/pipeline.js"
import * as RequestLog from "../src/internal/http/requestLog.js"
import type { Dispatch } from "../src/internal/http/routes.js"
import * as Tokens from "../src/internal/http/tokens.js"
import { json } from "../src/internal/http/wire.js"

const AVAILABILITY = "/api/v2/analytics/conversations/details/jobs/availability"
const options = EmulatorOptions.resolve({})

const setup = (profile: Faults.FaultProfile, dispatch: Dispatch) =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const tokens = Tokens.make(options)
    const log = RequestLog.make(10)
    const faults = FaultSwitch.make(profile, 1)
    const pipeline = Pipeline.make({ options, tokens, faults, log, dispatch })
    const handle = Handler.make(pipeline, clock.currentTimeMillis, clock)
    const token = tokens.issue(yield* clock.currentTimeMillis)
    const get = handle({ method: "GET", url: AVAILABILITY, headers: { authorization: `Bearer ${token}` }, body: "" })
    return { get, log }
  })

const ok: Dispatch = (_route, _request, _search, t) => json(200, { t })

describe("request handler", () => {
  it.effect("a slow fault answers after its delay on the Clock, at the later time", () =>
    Effect.gen(function* () {
      const { get, log } = yield* setup(Faults.script({ fault: { kind: "slow", delayMillis: 1_500 } }), ok)
      const fiber = yield* Effect.fork(get)
      yield* TestClock.adjust("1499 millis")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("1 millis")
      const answer = yield* Fiber.join(fiber)
      assert.deepStrictEqual(JSON.parse(answer.body as string), { t: 1_500 })
      assert.strictEqual(log.list()[0]!.atMillis, 1_500)
    })
  )

  it.effect("a drop fault fails with ConnectionDropped and records status 0", () =>
    Effect.gen(function* () {
      const { get, log } = yield* setup(Faults.script({ fault: { kind: "drop" } }), ok)
      const exit = yield* Effect.exit(get)
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag === "ConnectionDropped")
      assert.deepInclude(log.list()[0]!, { method: "GET", path: AVAILABILITY, status: 0 })
    })
  )

  it.effect("a bug in a route answers the platform's 500, recorded, never a defect", () =>
    Effect.gen(function* () {
      const { get, log } = yield* setup({}, () => {
        throw new Error("bug")
      })
      const answer = yield* get
      assert.strictEqual(answer.status, 500)
      const body = JSON.parse(answer.body as string)
      assert.strictEqual(body.code, "internal.server.error")
      assert.strictEqual(body.contextId, answer.headers["inin-correlation-id"])
      assert.strictEqual(log.list()[0]!.status, 500)
    })
  )
})
