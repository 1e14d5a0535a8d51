import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as JobStore from "../src/internal/http/jobStore.js"

const options = EmulatorOptions.resolve({
  jobs: { queueMillis: 1_000, runMillis: 2_000, runMillisPerConversation: 10, resultTtlMillis: 60_000 }
})
const submission = (extra: Partial<JobStore.Submission> = {}): JobStore.Submission => ({
  t: 0,
  availabilityMillis: -5,
  indices: [1, 2, 3, 4],
  failMessage: undefined,
  expireAfterPages: undefined,
  ...extra
})

describe("job store state machine", () => {
  it("QUEUED → PENDING → FULFILLED → EXPIRED, with a run time that grows with the result", () => {
    const store = JobStore.make(options)
    const job = store.get(store.create(submission()))!
    // 1000 queued + 2000 run + 4 conversations × 10.
    assert.strictEqual(job.completedAt, 3_040)
    assert.deepStrictEqual(
      [0, 999, 1_000, 3_039, 3_040, 63_039, 63_040].map((t) => store.stateAt(job, t)),
      ["QUEUED", "QUEUED", "PENDING", "PENDING", "FULFILLED", "FULFILLED", "EXPIRED"]
    )
  })

  it("a failJob fault ends in FAILED; cancelling a failed job changes nothing", () => {
    const store = JobStore.make(options)
    const job = store.get(store.create(submission({ failMessage: "boom" })))!
    assert.strictEqual(store.stateAt(job, 3_040), "FAILED")
    store.cancel(job, 4_000)
    assert.strictEqual(store.stateAt(job, 4_000), "FAILED")
  })

  it("cancels QUEUED, PENDING and FULFILLED jobs, and counts only live jobs as active", () => {
    const store = JobStore.make(options)
    const a = store.get(store.create(submission()))!
    const b = store.get(store.create(submission({ t: 500 })))!
    assert.strictEqual(store.activeCount(600), 2)
    store.cancel(a, 600)
    assert.strictEqual(store.stateAt(a, 600), "CANCELLED")
    assert.strictEqual(a.cancelledAt, 600)
    assert.strictEqual(store.activeCount(600), 1)
    assert.strictEqual(store.activeCount(b.completedAt), 0)
    store.cancel(b, b.completedAt)
    assert.strictEqual(store.stateAt(b, b.completedAt + 1), "CANCELLED")
  })

  it("an expireJob fault expires the job after its N-th page, or at completion for N = 0", () => {
    const store = JobStore.make(options)
    const two = store.get(store.create(submission({ expireAfterPages: 2 })))!
    store.pageServed(two, 4_000)
    assert.strictEqual(store.stateAt(two, 4_001), "FULFILLED")
    store.pageServed(two, 5_000)
    assert.strictEqual(store.stateAt(two, 5_000), "EXPIRED")
    assert.strictEqual(two.expiredAt, 5_000)
    const zero = store.get(store.create(submission({ expireAfterPages: 0 })))!
    assert.strictEqual(store.stateAt(zero, zero.completedAt), "EXPIRED")
  })

  it("ids are deterministic from the seed and distinct per submission", () => {
    const a = JobStore.make(options)
    const b = JobStore.make(options)
    const ids = [a.create(submission()), a.create(submission())]
    assert.deepStrictEqual(ids, [b.create(submission()), b.create(submission())])
    assert.notStrictEqual(ids[0], ids[1])
    assert.isUndefined(a.get("unknown"))
  })
})
