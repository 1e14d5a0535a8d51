import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"
import { call } from "./EmulatorCall.js"

const JOBS = "/api/v2/analytics/conversations/details/jobs"
const WEEK = "2026-01-05T00:00:00.000Z/2026-01-08T00:00:00.000Z"

const options: EmulatorOptions.Input = {
  days: 3,
  perDay: 40,
  jobs: {
    queueMillis: 1000,
    runMillis: 2000,
    runMillisPerConversation: 10,
    resultTtlMillis: 3_600_000,
    resultsDefaultPageSize: 25
  }
}

const setup = (input: EmulatorOptions.Input = options) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make(input)
    const token = yield* emu.issueToken
    return { emu, token }
  })

const submit = (emu: Emulator.Service, token: string, query: unknown = { interval: WEEK }) =>
  Effect.map(call(emu, "POST", JOBS, token, query), (r) => {
    assert.strictEqual(r.status, 202)
    return r.body.jobId as string
  })

const readAll = (emu: Emulator.Service, token: string, jobId: string, pageSize?: number) =>
  Effect.gen(function* () {
    const ids: Array<string> = []
    let cursor: string | undefined
    let pages = 0
    do {
      const params = new URLSearchParams()
      if (cursor !== undefined) params.set("cursor", cursor)
      if (pageSize !== undefined) params.set("pageSize", String(pageSize))
      const r = yield* call(emu, "GET", `${JOBS}/${jobId}/results?${params}`, token)
      assert.strictEqual(r.status, 200)
      assert.isString(r.body.dataAvailabilityDate)
      for (const c of r.body.conversations ?? []) ids.push(c.conversationId)
      cursor = r.body.cursor
      pages++
    } while (cursor !== undefined && pages < 10_000)
    return { ids, pages }
  })

describe("job lifecycle", () => {
  it.effect("QUEUED (202) → PENDING (202) → FULFILLED (200) with the documented dates", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const size = (yield* emu.groundTruthJob({ interval: WEEK })).length
      const submittedAt = yield* emu.nowMillis
      const jobId = yield* submit(emu, token)
      const queued = yield* call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual(queued.status, 202)
      assert.deepStrictEqual(queued.body, { state: "QUEUED", submissionDate: new Date(submittedAt).toISOString() })
      yield* TestClock.adjust("1 second")
      const pending = yield* call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual(pending.status, 202)
      assert.strictEqual(pending.body.state, "PENDING")
      const runMillis = 2000 + 10 * size
      yield* TestClock.adjust(runMillis - 1)
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}`, token)).body.state, "PENDING")
      yield* TestClock.adjust(1)
      const done = yield* call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual(done.status, 200)
      const completedAt = submittedAt + 1000 + runMillis
      assert.deepStrictEqual(done.body, {
        state: "FULFILLED",
        submissionDate: new Date(submittedAt).toISOString(),
        completionDate: new Date(completedAt).toISOString(),
        expirationDate: new Date(completedAt + 3_600_000).toISOString()
      })
      assert.strictEqual(yield* emu.jobState(jobId), "FULFILLED")
    })
  )

  it.effect("a job that matches more conversations runs longer", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const narrow = {
        interval: WEEK,
        conversationFilters: [
          { type: "and", predicates: [{ dimension: "conversationId", value: emu.dataset.conversationId(0) }] }
        ]
      }
      const wide = { interval: WEEK }
      const narrowSize = (yield* emu.groundTruthJob(narrow)).length
      const wideSize = (yield* emu.groundTruthJob(wide)).length
      const a = yield* submit(emu, token, narrow)
      const b = yield* submit(emu, token, wide)
      yield* TestClock.adjust(1000 + 2000 + 10 * narrowSize)
      assert.strictEqual(yield* emu.jobState(a), "FULFILLED")
      assert.strictEqual(yield* emu.jobState(b), wideSize > narrowSize ? "PENDING" : "FULFILLED")
      yield* TestClock.adjust(10 * (wideSize - narrowSize))
      assert.strictEqual(yield* emu.jobState(b), "FULFILLED")
    })
  )

  it.effect("results page by cursor; the pages join to the ground truth; participants carry attributes", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const truth = yield* emu.groundTruthJob({ interval: WEEK })
      assert.isAbove(truth.length, 14)
      const jobId = yield* submit(emu, token)
      yield* TestClock.adjust("1 hour")
      const { ids, pages } = yield* readAll(emu, token, jobId, 7)
      assert.deepStrictEqual(ids, [...truth])
      assert.strictEqual(pages, Math.max(1, Math.ceil(truth.length / 7)))
      const first = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1`, token)
      const participants = first.body.conversations.flatMap((c: any) => c.participants)
      assert.isTrue(participants.some((p: any) => typeof p.attributes === "object"))
      const defaultPage = yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)
      assert.strictEqual((defaultPage.body.conversations ?? []).length, Math.min(25, truth.length))
    })
  )

  it.effect("job results never include data past the availability date", () =>
    Effect.gen(function* () {
      const probe = yield* Emulator.make(options)
      // The org's "now" is mid-dataset: the last day is newer than the availability date.
      const anchor = probe.dataset.spanEndMillis - 86_400_000 / 2
      const { emu, token } = yield* setup({
        ...options,
        anchorMillis: anchor,
        jobs: { ...options.jobs, availabilityLagMillis: 86_400_000 }
      })
      const jobId = yield* submit(emu, token)
      yield* TestClock.adjust("1 hour")
      const r = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1000`, token)
      assert.isAbove(r.body.conversations.length, 0)
      const availability = Date.parse(r.body.dataAvailabilityDate)
      assert.strictEqual(availability, anchor - 86_400_000)
      for (const c of r.body.conversations ?? []) assert.isAtMost(Date.parse(c.conversationEnd), availability)
    })
  )
})

describe("results before completion, cancellation, expiry", () => {
  it.effect("results of a running job: 400 by default, 404 when configured", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const jobId = yield* submit(emu, token)
      const r = yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)
      assert.strictEqual(r.status, 400)
      assert.strictEqual(r.body.code, "bad.request")
      const other = yield* setup({ ...options, jobs: { ...options.jobs, resultsNotReadyStatus: 404 } })
      const id2 = yield* submit(other.emu, other.token)
      assert.strictEqual((yield* call(other.emu, "GET", `${JOBS}/${id2}/results`, other.token)).status, 404)
    })
  )

  it.effect("DELETE answers 204 and the job is CANCELLED (200)", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const jobId = yield* submit(emu, token)
      yield* TestClock.adjust("500 millis")
      const del = yield* call(emu, "DELETE", `${JOBS}/${jobId}`, token)
      assert.strictEqual(del.status, 204)
      assert.isUndefined(del.body)
      const status = yield* call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual(status.status, 200)
      assert.strictEqual(status.body.state, "CANCELLED")
      assert.isString(status.body.completionDate)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}`, token)).body.state, "CANCELLED")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)).status, 400)
    })
  )

  it.effect("results expire after the TTL: EXPIRED, and results 404", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const jobId = yield* submit(emu, token)
      yield* TestClock.adjust("59 minutes")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)).status, 200)
      yield* TestClock.adjust("2 minutes")
      const status = yield* call(emu, "GET", `${JOBS}/${jobId}`, token)
      assert.strictEqual(status.body.state, "EXPIRED")
      const results = yield* call(emu, "GET", `${JOBS}/${jobId}/results`, token)
      assert.strictEqual(results.status, 404)
      assert.strictEqual(results.body.code, "not.found")
    })
  )

  it.effect("unknown job ids are 404 for status, results and delete", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      for (const [method, url] of [
        ["GET", `${JOBS}/nope`],
        ["GET", `${JOBS}/nope/results`],
        ["DELETE", `${JOBS}/nope`]
      ] as const) {
        const r = yield* call(emu, method, url, token)
        assert.strictEqual(r.status, 404)
        assert.strictEqual(r.body.code, "not.found")
      }
    })
  )

  it.effect("bad cursors and page sizes are 400; pageSize above the maximum can be clamped", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const jobId = yield* submit(emu, token)
      yield* TestClock.adjust("1 minute")
      for (const q of ["cursor=garbage", "cursor=bm9wZToxMA", "pageSize=0", "pageSize=abc", "pageSize=1001"]) {
        const r = yield* call(emu, "GET", `${JOBS}/${jobId}/results?${q}`, token)
        assert.strictEqual(r.status, 400, q)
        assert.strictEqual(r.body.code, "bad.request")
      }
      const clamp = yield* setup({
        ...options,
        jobs: { ...options.jobs, resultsMaxPageSize: 5, resultsPageSizeAboveMax: "clamp" }
      })
      const id2 = yield* submit(clamp.emu, clamp.token)
      yield* TestClock.adjust("1 minute")
      const r = yield* call(clamp.emu, "GET", `${JOBS}/${id2}/results?pageSize=1000`, clamp.token)
      assert.strictEqual(r.status, 200)
      assert.isAtMost((r.body.conversations ?? []).length, 5)
    })
  )

  it.effect("a job body is validated like a query", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup()
      const r = yield* call(emu, "POST", JOBS, token, { order: "asc" })
      assert.strictEqual(r.status, 400)
      assert.match(r.body.message, /interval/)
      const bad = yield* call(emu, "POST", JOBS, token, { interval: WEEK, limit: "ten" })
      assert.strictEqual(bad.status, 400)
    })
  )
})

describe("concurrent job limit", () => {
  it.effect("429 with limit {namespace: analytics, key, value} past maxConcurrent; room again once jobs finish", () =>
    Effect.gen(function* () {
      const { emu, token } = yield* setup({ ...options, jobs: { ...options.jobs, maxConcurrent: 2 } })
      yield* submit(emu, token)
      const cancelled = yield* submit(emu, token)
      const r = yield* call(emu, "POST", JOBS, token, { interval: WEEK })
      assert.strictEqual(r.status, 429)
      assert.deepStrictEqual(r.body.limit, {
        namespace: "analytics",
        key: "conversation.details.jobs.concurrent.access.max",
        value: 2
      })
      assert.strictEqual(r.body.status, 429)
      yield* call(emu, "DELETE", `${JOBS}/${cancelled}`, token)
      assert.strictEqual((yield* call(emu, "POST", JOBS, token, { interval: WEEK })).status, 202)
      assert.strictEqual((yield* call(emu, "POST", JOBS, token, { interval: WEEK })).status, 429)
      yield* TestClock.adjust("1 hour")
      assert.strictEqual((yield* call(emu, "POST", JOBS, token, { interval: WEEK })).status, 202)
    })
  )
})
