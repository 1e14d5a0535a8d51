import { assert, describe, it } from "@effect/vitest"
import * as RequestLog from "../src/internal/http/requestLog.js"

const entry = (n: number): RequestLog.RecordedRequest => ({
  method: "GET",
  path: `/p${n}`,
  search: "",
  status: 200,
  atMillis: n,
  correlationId: `c${n}`
})

describe("request log", () => {
  it("keeps the last `limit` requests, oldest first", () => {
    const log = RequestLog.make(3)
    for (let n = 1; n <= 5; n++) log.record(entry(n))
    assert.deepStrictEqual(
      log.list().map((r) => r.atMillis),
      [3, 4, 5]
    )
  })

  it("hands out copies and forgets everything on clear", () => {
    const log = RequestLog.make(10)
    log.record(entry(1))
    const before = log.list()
    log.record(entry(2))
    assert.strictEqual(before.length, 1)
    log.clear()
    assert.deepStrictEqual(log.list(), [])
  })
})
