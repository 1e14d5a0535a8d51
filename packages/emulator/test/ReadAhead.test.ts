/**
 * The server's read-ahead: after a job's submission it generates the job's results into the cache, after a results
 * page with a next cursor the next page, and changes nothing a client or the request log can see (bodies, statuses, correlation ids, job
 * expiry after N pages).
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Faults from "../src/Faults.js"
import * as Internals from "../src/internal/http/internals.js"
import * as ReadAhead from "../src/internal/http/readAhead.js"
import * as Server from "../src/Server.js"

const JOBS = "/api/v2/analytics/conversations/details/jobs"
const QUERY = { interval: "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z" }
const PAGE = 17

/** A local server from 5 January 2026, seen from the 10th, whose jobs are done as soon as they are submitted. */
const serverOptions = {
  port: 0,
  startDate: "2026-01-05",
  anchorMillis: Date.parse("2026-01-10T00:00:00.000Z"),
  jobs: { queueMillis: 0, runMillis: 0, runMillisPerConversation: 0 }
}

/** Requests to the server at `url`, and the bearer header of a token it issued. */
const signedIn = (url: string) =>
  Effect.gen(function* () {
    const send = (path: string, init: RequestInit = {}) =>
      Effect.promise(async () => {
        const response = await fetch(`${url}${path}`, init)
        return {
          status: response.status,
          correlationId: response.headers.get("inin-correlation-id"),
          body: await response.text()
        }
      })
    const token = JSON.parse(
      (yield* send("/oauth/token", {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa("emulator-client:emulator-secret")}`,
          "content-type": "application/x-www-form-urlencoded"
        },
        body: "grant_type=client_credentials"
      })).body
    ).access_token as string
    const auth = { authorization: `Bearer ${token}` }
    const submit = (query: object) =>
      send(JOBS, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify(query)
      })
    return { send, auth, submit }
  })

const session = (readAhead: boolean, cacheBytes?: number) =>
  Effect.gen(function* () {
    const server = yield* Server.start({
      ...serverOptions,
      days: 2,
      perDay: 60,
      readAhead,
      ...(cacheBytes === undefined ? {} : { cacheBytes }),
      faults: Faults.script({ method: "POST", path: JOBS, fault: { kind: "expireJob", afterPages: 3 } })
    })
    const internals = Internals.get(server.emulator)!
    const { auth, send, submit } = yield* signedIn(server.url)
    const submitted = yield* submit(QUERY)
    const jobId = JSON.parse(submitted.body).jobId as string
    const indices = (yield* server.emulator.groundTruthJob(QUERY)).map((id) => server.emulator.dataset.indexOfId(id)!)
    assert.isAbove(indices.length, 4 * PAGE)
    // The job's results are built while it runs, before any page is asked for.
    yield* Effect.promise(internals.readAhead.idle)
    const cachedAtSubmission = indices.filter((i) => internals.cache.has(i)).length

    const responses = [submitted]
    // Per page with a next cursor: how many of the next page's conversations were cached before it was asked.
    const cachedAhead: Array<number> = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const r = yield* send(
        `${JOBS}/${jobId}/results?pageSize=${PAGE}${cursor === undefined ? "" : `&cursor=${cursor}`}`,
        {
          headers: auth
        }
      )
      responses.push(r)
      if (r.status !== 200) break
      cursor = JSON.parse(r.body).cursor
      if (cursor === undefined) break
      yield* Effect.promise(internals.readAhead.idle)
      const next = indices.slice((page + 1) * PAGE, (page + 2) * PAGE)
      cachedAhead.push(next.filter((i) => internals.cache.has(i)).length)
    }
    responses.push(yield* send(`${JOBS}/${jobId}`, { headers: auth }))
    return {
      responses,
      requests: yield* server.emulator.requests,
      cachedAtSubmission,
      jobSize: indices.length,
      cachedAhead,
      stats: internals.cache.stats()
    }
  })

describe("Server read-ahead", () => {
  it.scoped(
    "warms a submitted job's results and the next page, and changes no response, request record or job expiry",
    () =>
      Effect.gen(function* () {
        const ahead = yield* session(true)
        // Too small a cache for the whole job (~120 conversations of ~6 KB), room enough for two pages of 17.
        const pagesOnly = yield* session(true, 400_000)
        const plain = yield* session(false)
        for (const other of [ahead, pagesOnly]) {
          assert.deepStrictEqual(other.responses, plain.responses)
          assert.deepStrictEqual(other.requests, plain.requests)
        }
        // The job expired after its third page, read-ahead or not.
        assert.deepStrictEqual(
          ahead.responses.map((r) => r.status),
          [202, 200, 200, 200, 404, 200]
        )
        assert.strictEqual(JSON.parse(ahead.responses.at(-1)!.body).state, "EXPIRED")
        assert.deepStrictEqual(ahead.cachedAhead, [PAGE, PAGE, PAGE])
        assert.deepStrictEqual(plain.cachedAhead, [0, 0, 0])
        assert.strictEqual(ahead.cachedAtSubmission, ahead.jobSize)
        assert.strictEqual(plain.cachedAtSubmission, 0)
        // Pages 1 to 3 came from the warmed cache; without read-ahead every page was generated.
        assert.strictEqual(ahead.stats.hits, 3 * PAGE)
        assert.strictEqual(plain.stats.hits, 0)
        // Without the job warmed at submission, each next page was warmed while the one before was read.
        assert.strictEqual(pagesOnly.cachedAtSubmission, 0)
        assert.deepStrictEqual(pagesOnly.cachedAhead, [PAGE, PAGE, PAGE])
        assert.strictEqual(pagesOnly.stats.hits, 2 * PAGE)
      })
  )

  it.scoped(
    "a job's results are warmed only into the cache's unused budget, so jobs submitted at once evict none of each other's",
    () =>
      Effect.gen(function* () {
        const days = ["2026-01-05", "2026-01-06", "2026-01-07"].map((d) => ({
          interval: `${d}T00:00:00.000Z/${d}T23:59:59.999Z`
        }))
        const options = { ...serverOptions, days: 3, perDay: 60 }
        const probe = yield* Server.start(options)
        const dayIndices = yield* Effect.forEach(days, (query) =>
          Effect.map(probe.emulator.groundTruthJob(query), (ids) =>
            ids.map((id) => probe.emulator.dataset.indexOfId(id)!)
          )
        )
        const bytesOf = (indices: ReadonlyArray<number>) =>
          indices.reduce((n, i) => n + Buffer.byteLength(JSON.stringify(probe.emulator.dataset.conversation(i))), 0)
        const largest = Math.max(...dayIndices.map(bytesOf))
        // Room for two days, and a day fits in half of it: page read-ahead's rule alone would warm the third day too.
        const server = yield* Server.start({ ...options, cacheBytes: Math.ceil(2.2 * largest) })
        const internals = Internals.get(server.emulator)!
        const { submit } = yield* signedIn(server.url)
        // Submitted at once: each sees the same free room unless what the others will add is counted.
        const submitted = yield* Effect.forEach(days, (query) => submit(query), { concurrency: "unbounded" })
        assert.deepStrictEqual(
          submitted.map((r) => r.status),
          [202, 202, 202]
        )
        yield* Effect.promise(internals.readAhead.idle)
        const cached = dayIndices.map((indices) => indices.filter((i) => internals.cache.has(i)).length)
        assert.isAbove(dayIndices[0]!.length, 40)
        assert.deepStrictEqual(
          cached.map((n, day) => (n === 0 ? "none" : n === dayIndices[day]!.length ? "whole" : `${n}`)).sort(),
          ["none", "whole", "whole"],
          "two days warmed whole, the third not at all: it would have evicted one of the others"
        )
      })
  )

  it.scoped("a job that will fail is not warmed, and a cancelled job's warm-up stops", () =>
    Effect.gen(function* () {
      const server = yield* Server.start({
        ...serverOptions,
        days: 2,
        perDay: 2_000,
        faults: Faults.script({ method: "POST", path: JOBS, nth: 1, fault: { kind: "failJob" } })
      })
      const internals = Internals.get(server.emulator)!
      const { auth, send, submit } = yield* signedIn(server.url)
      const failing = yield* submit(QUERY)
      assert.strictEqual(failing.status, 202)
      assert.strictEqual(internals.readAhead.pending(), 0, "nothing to build for a job that will fail")
      const kept = JSON.parse((yield* submit(QUERY)).body).jobId as string
      assert.isAbove(internals.readAhead.pending(), 0)
      const cancelled = yield* send(`${JOBS}/${kept}`, { method: "DELETE", headers: auth })
      assert.strictEqual(cancelled.status, 204)
      assert.strictEqual(internals.readAhead.pending(), 0, "the cancelled job's warm-up was dropped")
      const size = (yield* server.emulator.groundTruthJob(QUERY)).length
      assert.isBelow(internals.cache.stats().entries, size)
    })
  )

  it("a failure while warming drops that warm-up and keeps serving the others", async () => {
    const filled: Array<number> = []
    const readAhead = ReadAhead.make((index) => {
      if (index === 2) throw new Error("generator bug")
      filled.push(index)
    })
    readAhead.schedule("job-a", [1, 2, 3])
    readAhead.schedule("job-b", [10, 11])
    await readAhead.idle()
    assert.deepStrictEqual(filled, [1, 10, 11])
  })
})
