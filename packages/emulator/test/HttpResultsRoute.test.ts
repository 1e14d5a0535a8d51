import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Generator from "../src/Generator.js"
import * as ConversationCache from "../src/internal/http/conversationCache.js"
import { encodeCursor } from "../src/internal/http/cursors.js"
import * as JobStore from "../src/internal/http/jobStore.js"
import * as ResultsRoute from "../src/internal/http/resultsRoute.js"
import { isApiError, type WireResponse } from "../src/internal/http/wire.js"

const options = EmulatorOptions.resolve({
  jobs: { queueMillis: 0, runMillis: 0, runMillisPerConversation: 0, resultsMaxPageSize: 3, resultsDefaultPageSize: 2 }
})
const dataset = Generator.make({ seed: options.seed, startDate: "2026-01-05", days: 1, perDay: 10 })
const decoder = new TextDecoder()

const setup = () => {
  const jobs = JobStore.make(options)
  const id = jobs.create({
    t: 0,
    availabilityMillis: 0,
    indices: [0, 1, 2, 3, 4],
    failMessage: undefined,
    expireAfterPages: undefined
  })
  const results = ResultsRoute.make(options, dataset, jobs, new ConversationCache.ByteLru(1_000_000))
  return { jobs, job: jobs.get(id)!, results }
}
const bodyOf = (r: WireResponse) => JSON.parse(typeof r.body === "string" ? r.body : decoder.decode(r.body))

describe("results route", () => {
  it("resolves the page size: default, maximum refused or clamped, malformed and zero refused", () => {
    assert.strictEqual(ResultsRoute.resultsPageSize(null, options.jobs), 2)
    assert.strictEqual(ResultsRoute.resultsPageSize("3", options.jobs), 3)
    const above = ResultsRoute.resultsPageSize("4", options.jobs)
    assert.isTrue(isApiError(above) && above.message === "pageSize may not exceed 3")
    assert.strictEqual(ResultsRoute.resultsPageSize("4", { ...options.jobs, resultsPageSizeAboveMax: "clamp" }), 3)
    const zero = ResultsRoute.resultsPageSize("0", options.jobs)
    assert.isTrue(isApiError(zero) && zero.message === "pageSize must be greater than 0")
    const text = ResultsRoute.resultsPageSize("2x", options.jobs)
    assert.isTrue(isApiError(text) && text.code === "bad.request" && text.fieldName === "pageSize")
  })

  it("reads the offset of a cursor of this job only, and refuses it under a rejecting stale-cursor fault", () => {
    const { job } = setup()
    assert.strictEqual(ResultsRoute.cursorOffset(job, null, undefined), 0)
    assert.strictEqual(ResultsRoute.cursorOffset(job, encodeCursor(job.id, 4), undefined), 4)
    const foreign = ResultsRoute.cursorOffset(job, encodeCursor("other", 1), undefined)
    assert.isTrue(isApiError(foreign) && foreign.message === "Invalid cursor")
    const beyond = ResultsRoute.cursorOffset(job, encodeCursor(job.id, 6), undefined)
    assert.isTrue(isApiError(beyond) && beyond.message === "Invalid cursor")
    const stale = ResultsRoute.cursorOffset(job, encodeCursor(job.id, 2), "reject")
    assert.isTrue(isApiError(stale) && stale.message === "The cursor is no longer valid")
  })

  it("pages by cursor with a read-ahead hint for the next page, and none on the last", () => {
    const { job, results } = setup()
    const first = results(job.id, new URLSearchParams(), 0, undefined) as WireResponse
    assert.strictEqual(bodyOf(first).conversations.length, 2)
    assert.strictEqual(bodyOf(first).cursor, encodeCursor(job.id, 2))
    assert.deepStrictEqual(first.readAhead, { key: job.id, indices: [2, 3] })
    const last = results(job.id, new URLSearchParams({ cursor: encodeCursor(job.id, 4) }), 0, undefined)
    assert.isFalse(isApiError(last))
    if (isApiError(last)) return
    assert.strictEqual(bodyOf(last).conversations.length, 1)
    assert.isUndefined(bodyOf(last).cursor)
    assert.isUndefined(last.readAhead)
    assert.strictEqual(job.pagesServed, 2)
  })

  it("a repeating stale cursor serves its page again, with the same cursor and no read-ahead", () => {
    const { job, results } = setup()
    const cursor = encodeCursor(job.id, 2)
    const page = results(job.id, new URLSearchParams({ cursor }), 0, "repeat") as WireResponse
    assert.strictEqual(bodyOf(page).cursor, cursor)
    assert.isUndefined(page.readAhead)
  })

  it("answers 404 for unknown and expired jobs, and the configured status before FULFILLED", () => {
    const { jobs, job, results } = setup()
    const unknown = results("nope", new URLSearchParams(), 0, undefined)
    assert.isTrue(isApiError(unknown) && unknown.status === 404)
    jobs.cancel(job, 0)
    const cancelled = results(job.id, new URLSearchParams(), 0, undefined)
    assert.isTrue(
      isApiError(cancelled) &&
        cancelled.status === 400 &&
        cancelled.message === `Results are not available for job ${job.id} in state CANCELLED`
    )
    const fresh = setup()
    const expired = fresh.results(fresh.job.id, new URLSearchParams(), options.jobs.resultTtlMillis, undefined)
    assert.isTrue(
      isApiError(expired) &&
        expired.status === 404 &&
        expired.message === `Results for job ${fresh.job.id} have expired`
    )
  })
})
