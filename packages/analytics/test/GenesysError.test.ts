import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import * as GenesysError from "../src/GenesysError.js"

describe("GenesysError", () => {
  it.effect("QueryInvalid lists every issue in its message and is catchable by tag", () =>
    Effect.gen(function* () {
      const error = new GenesysError.QueryInvalid({
        issues: [
          new GenesysError.QueryIssue({ path: "$.interval", rule: "interval.order", message: "start is after end" }),
          new GenesysError.QueryIssue({
            path: "$.segmentFilter",
            rule: "unknownKey",
            message: "unknown key",
            suggestion: "segmentFilters"
          })
        ]
      })
      assert.include(error.message, "2 problems")
      assert.include(error.message, `did you mean "segmentFilters"`)
      assert.isTrue(GenesysError.isGenesysError(error))
      const exit = yield* Effect.exit(error)
      assert.isTrue(Exit.isFailure(exit))
      const tag = yield* Effect.catchTag(error, "QueryInvalid", (e) => Effect.succeed(e._tag))
      assert.strictEqual(tag, "QueryInvalid")
    })
  )

  it("RateLimited message carries limit, retry delay and correlation id", () => {
    const error = new GenesysError.RateLimited({
      status: 429,
      code: "too.many.requests.retry.after",
      retryAfterMillis: 3000,
      correlationId: "c-1",
      limitNamespace: "analytics",
      limitKey: "jobs.concurrent",
      limitValue: 2
    })
    assert.include(error.message, "retry after 3000 ms")
    assert.include(error.message, "correlationId=c-1")
    assert.include(error.message, "analytics/jobs.concurrent=2")
  })
})
