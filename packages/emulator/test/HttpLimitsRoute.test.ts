/** The org limits endpoint: the concurrent-jobs limits the emulator enforces, under the keys its 429s name. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Emulator from "../src/Emulator.js"
import { call } from "./EmulatorCall.js"

describe("GET /api/v2/organizations/limits/namespaces/{namespaceName}", () => {
  it.effect("analytics lists the concurrent-jobs limit that a submission past it is refused with", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 2, perDay: 10, jobs: { maxConcurrent: 3 } })
      const token = yield* emu.issueToken
      const listing = yield* call(emu, "GET", "/api/v2/organizations/limits/namespaces/analytics", token)
      assert.strictEqual(listing.status, 200)
      const detailLimit = listing.body.entities.find((l: any) => l.key.includes("details.jobs.concurrent"))
      assert.deepStrictEqual(detailLimit, {
        key: "conversation.details.jobs.concurrent.access.max",
        namespace: "analytics",
        value: 3
      })
      const job = { interval: "2020-01-01T00:00:00Z/2020-01-02T00:00:00Z" }
      let refused: any
      for (let i = 0; i < 4 && refused === undefined; i++) {
        const r = yield* call(emu, "POST", "/api/v2/analytics/conversations/details/jobs", token, job)
        if (r.status === 429) refused = r.body
      }
      assert.deepStrictEqual(refused?.limit, detailLimit)
    })
  )

  it.effect("another namespace is an empty listing; the path needs a token", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10 })
      const token = yield* emu.issueToken
      const other = yield* call(emu, "GET", "/api/v2/organizations/limits/namespaces/architect", token)
      assert.deepStrictEqual([other.status, other.body], [200, { entities: [] }])
      const anonymous = yield* call(emu, "GET", "/api/v2/organizations/limits/namespaces/analytics", "nope")
      assert.strictEqual(anonymous.status, 401)
    })
  )
})
