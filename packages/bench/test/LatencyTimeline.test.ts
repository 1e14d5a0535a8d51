/** The scenario-6 timeline read from an emulator's request log: submissions, ends, first FULFILLED, pages, idle slots. */
import { assert, describe, it } from "@effect/vitest"
import * as Timeline from "../src/latencyTimeline.js"
import type { RecordedRequest } from "../src/protocol.js"

const jobs = "/api/v2/analytics/conversations/details/jobs"
const r = (atMillis: number, method: string, path: string, status = 200): RecordedRequest => ({
  method,
  path,
  search: "",
  status,
  atMillis
})
const model = { queueMillis: 1000, runMillis: 2000, runMillisPerConversation: 1, maxConcurrent: 2 }

describe("latency timeline", () => {
  it("matches submissions to jobs in order and measures overshoot, pages and idle slots", () => {
    const log = [
      r(1000, "POST", "/oauth/token"),
      r(1200, "POST", jobs, 202),
      r(1300, "POST", jobs, 202),
      r(2200, "GET", `${jobs}/a`, 202),
      r(2300, "GET", `${jobs}/b`, 202),
      r(5000, "GET", `${jobs}/b`, 200),
      r(5200, "GET", `${jobs}/b/results`),
      r(5600, "GET", `${jobs}/b/results`),
      r(6500, "GET", `${jobs}/a`, 200),
      r(6700, "GET", `${jobs}/a/results`),
      r(7000, "GET", `${jobs}/x/results`, 429)
    ]
    const t = Timeline.timeline(log, model, (id) => (id === "a" ? { conversations: 2000 } : { conversations: 500 }))
    assert.deepStrictEqual(
      t.jobs.map((j) => [j.jobId, j.submittedAt, j.doneAt, j.seenAt, j.polls, j.pages, j.meanPageGap]),
      [
        ["a", 200, 5200, 5500, 2, 1, undefined],
        ["b", 300, 3800, 4000, 2, 2, 400]
      ]
    )
    assert.strictEqual(t.endAt, 6000)
    assert.strictEqual(t.meanOvershoot, 250)
    // b seen at 4.0 s, a's last page at 5.7 s.
    assert.strictEqual(t.tailMillis, 1700)
    // Two slots from 0.2 s to 5.2 s hold 5 s + 3.5 s of jobs.
    assert.closeTo(t.idleSlotSeconds, 1.5, 1e-9)
    assert.deepStrictEqual(t.requests, { token: 1, submit: 2, status: 4, pages: 4, other: 0, rateLimited: 1 })
  })

  it("takes a job's end from its completion date when given", () => {
    const log = [r(0, "POST", jobs, 202), r(4000, "GET", `${jobs}/a`, 200)]
    const t = Timeline.timeline(log, model, () => ({ completedAtMillis: 3500 }))
    assert.strictEqual(t.jobs[0]?.doneAt, 3500)
    assert.strictEqual(t.jobs[0]?.seenAt, 4000)
  })
})
