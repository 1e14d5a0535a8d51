import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as Faults from "../src/Faults.js"
import { call } from "./EmulatorCall.js"

const AVAILABILITY = "/api/v2/analytics/conversations/details/jobs/availability"
const JOBS = "/api/v2/analytics/conversations/details/jobs"
const INTERVAL = "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z"
const base = { days: 2, perDay: 40, jobs: { queueMillis: 100, runMillis: 100, runMillisPerConversation: 0 } }

const statuses = (emu: Emulator.Service, token: string, n: number) =>
  Effect.forEach(Array.from({ length: n }), () =>
    call(emu, "GET", AVAILABILITY, token).pipe(
      Effect.map((r) => r.status),
      Effect.catchTag("ConnectionDropped", () => Effect.succeed(0))
    )
  )

describe("scripted faults", () => {
  it.effect("fire on the nth matching request for `times` requests", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        ...base,
        rateLimit: { count: 1000, windowSeconds: 60 },
        faults: Faults.script(
          { path: AVAILABILITY, nth: 2, times: 2, fault: { kind: "serverError", status: 503 } },
          { nth: 5, fault: { kind: "rateLimit", retryAfterSeconds: 7 } }
        )
      })
      const token = yield* emu.issueToken
      assert.deepStrictEqual(yield* statuses(emu, token, 6), [200, 503, 503, 200, 429, 200])
      const r = yield* Effect.gen(function* () {
        yield* emu.setFaults(Faults.script({ fault: { kind: "rateLimit", retryAfterSeconds: 7 } }))
        return yield* call(emu, "GET", AVAILABILITY, token)
      })
      assert.strictEqual(r.headers["retry-after"], "7")
      assert.strictEqual(r.body.code, "too.many.requests.retry.after")
    })
  )

  it.effect("each 5xx status has an ErrorBody", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(base)
      const token = yield* emu.issueToken
      for (const [status, code] of [
        [500, "internal.server.error"],
        [502, "bad.gateway"],
        [503, "service.unavailable"],
        [504, "request.timeout"]
      ] as const) {
        yield* emu.setFaults(Faults.script({ fault: { kind: "serverError", status } }))
        const r = yield* call(emu, "GET", AVAILABILITY, token)
        assert.strictEqual(r.status, status)
        assert.strictEqual(r.body.code, code)
        assert.strictEqual(r.body.contextId, r.headers["inin-correlation-id"])
      }
    })
  )

  it.effect("drop: the in-process handler fails like a transport error", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.Emulator
      yield* emu.setFaults(Faults.script({ path: "/oauth/token", fault: { kind: "drop" } }))
      const client = yield* HttpClient.HttpClient
      const result = yield* client
        .execute(
          HttpClientRequest.post(`${Emulator.baseUrl}/oauth/token`).pipe(
            HttpClientRequest.basicAuth("emulator-client", "emulator-secret"),
            HttpClientRequest.bodyUrlParams({ grant_type: "client_credentials" })
          )
        )
        .pipe(Effect.either)
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) {
        assert.strictEqual(result.left._tag, "RequestError")
        assert.strictEqual(result.left._tag === "RequestError" ? result.left.reason : "", "Transport")
      }
      assert.strictEqual((yield* emu.requests)[0]?.status, 0)
    }).pipe(Effect.provide(Emulator.layerHttpClient(base)))
  )

  it.effect("slow: the response waits on the Clock", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        ...base,
        faults: Faults.script({ fault: { kind: "slow", delayMillis: 5000 } })
      })
      const token = yield* emu.issueToken
      const fiber = yield* Effect.fork(call(emu, "GET", AVAILABILITY, token))
      yield* TestClock.adjust("4999 millis")
      assert.isTrue((yield* Fiber.poll(fiber))._tag === "None")
      yield* TestClock.adjust("1 millis")
      const r = yield* Fiber.join(fiber)
      assert.strictEqual(r.status, 200)
    })
  )

  it.effect("revokeToken: the token is dead from that request on", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...base, faults: Faults.script({ nth: 2, fault: { kind: "revokeToken" } }) })
      const token = yield* emu.issueToken
      const codes = yield* Effect.forEach([1, 2, 3], () => call(emu, "GET", AVAILABILITY, token))
      assert.deepStrictEqual(
        codes.map((r) => r.status),
        [200, 401, 401]
      )
      assert.strictEqual(codes[1]!.body.code, "bad.credentials")
      assert.strictEqual((yield* call(emu, "GET", AVAILABILITY, yield* emu.issueToken)).status, 200)
    })
  )

  it.effect("failJob: the job ends FAILED with errorMessage", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        ...base,
        faults: Faults.script({ nth: 2, fault: { kind: "failJob", errorMessage: "boom" } })
      })
      const token = yield* emu.issueToken
      const ok = (yield* call(emu, "POST", JOBS, token, { interval: INTERVAL })).body.jobId
      const failed = (yield* call(emu, "POST", JOBS, token, { interval: INTERVAL })).body.jobId
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${ok}`, token)).body.state, "FULFILLED")
      const status = yield* call(emu, "GET", `${JOBS}/${failed}`, token)
      assert.strictEqual(status.status, 200)
      assert.strictEqual(status.body.state, "FAILED")
      assert.strictEqual(status.body.errorMessage, "boom")
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${failed}/results`, token)).status, 400)
    })
  )

  it.effect("expireJob: the job turns EXPIRED after the given number of pages", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        ...base,
        faults: Faults.script({ fault: { kind: "expireJob", afterPages: 1 } })
      })
      const token = yield* emu.issueToken
      const jobId = (yield* call(emu, "POST", JOBS, token, { interval: INTERVAL })).body.jobId
      yield* TestClock.adjust("1 second")
      const first = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1`, token)
      assert.strictEqual(first.status, 200)
      const second = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1`, token)
      assert.strictEqual(second.status, 404)
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${jobId}`, token)).body.state, "EXPIRED")

      yield* emu.setFaults(Faults.script({ fault: { kind: "expireJob", afterPages: 0 } }))
      const never = (yield* call(emu, "POST", JOBS, token, { interval: INTERVAL })).body.jobId
      yield* TestClock.adjust("1 second")
      assert.strictEqual(yield* emu.jobState(never), "EXPIRED")
    })
  )

  it.effect("staleCursor: repeat hands back the same cursor, reject answers 400", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(base)
      const token = yield* emu.issueToken
      const jobId = (yield* call(emu, "POST", JOBS, token, { interval: INTERVAL })).body.jobId
      yield* TestClock.adjust("1 second")
      const first = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1`, token)
      const cursor = first.body.cursor as string | undefined
      // Needs at least two results in the generated data.
      assert.isString(cursor)
      yield* emu.setFaults(Faults.script({ fault: { kind: "staleCursor", mode: "repeat" } }))
      const again = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1&cursor=${cursor}`, token)
      assert.strictEqual(again.status, 200)
      assert.strictEqual(again.body.cursor, cursor)
      yield* emu.setFaults(Faults.script({ fault: { kind: "staleCursor", mode: "reject" } }))
      const rejected = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1&cursor=${cursor}`, token)
      assert.strictEqual(rejected.status, 400)
      assert.strictEqual(rejected.body.details[0].fieldName, "cursor")
      yield* emu.setFaults(undefined)
      const fine = yield* call(emu, "GET", `${JOBS}/${jobId}/results?pageSize=1&cursor=${cursor}`, token)
      assert.notStrictEqual(fine.body.cursor, cursor)
    })
  )
})

describe("random faults", () => {
  const profile: Faults.FaultProfile = {
    seed: 42,
    rates: { rateLimit: 0.05, serverError: 0.1, drop: 0.05, revokeToken: 0 },
    rateLimitBurst: 2
  }

  const run = (p: Faults.FaultProfile) =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ ...base, rateLimit: { count: 10_000, windowSeconds: 60 }, faults: p })
      return yield* statuses(emu, yield* emu.issueToken, 300)
    })

  it.effect("are deterministic under a seed and differ across seeds", () =>
    Effect.gen(function* () {
      const a = yield* run(profile)
      const b = yield* run(profile)
      const c = yield* run({ ...profile, seed: 43 })
      assert.deepStrictEqual(a, b)
      assert.notDeepEqual(a, c)
      const count = (s: number) => a.filter((x) => x === s).length
      assert.isAbove(count(200), 150)
      assert.isAbove(count(0), 0)
      assert.isAbove(count(429), 0)
      assert.isAbove(count(500) + count(502) + count(503) + count(504), 0)
    })
  )

  it.effect("a rate-limit burst lasts rateLimitBurst requests", () =>
    Effect.gen(function* () {
      const s = yield* run({ seed: 7, rates: { rateLimit: 0.02 }, rateLimitBurst: 3 })
      const runs: Array<number> = []
      let current = 0
      for (const x of s) {
        if (x === 429) current++
        else if (current > 0) {
          runs.push(current)
          current = 0
        }
      }
      assert.isAbove(runs.length, 0)
      for (const r of runs) assert.strictEqual(r % 3, 0)
    })
  )

  it.effect("failJob and expireJob rates apply per submitted job", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({
        ...base,
        jobs: { ...base.jobs, maxConcurrent: 1000 },
        rateLimit: { count: 10_000, windowSeconds: 60 },
        faults: { seed: 3, rates: { failJob: 0.5 }, failJobMessage: "flaky" }
      })
      const token = yield* emu.issueToken
      const ids = yield* Effect.forEach(Array.from({ length: 40 }), () =>
        Effect.map(call(emu, "POST", JOBS, token, { interval: INTERVAL }), (r) => r.body.jobId as string)
      )
      yield* TestClock.adjust("1 minute")
      const states = yield* Effect.forEach(ids, (id) => emu.jobState(id))
      assert.isAbove(states.filter((s) => s === "FAILED").length, 5)
      assert.isAbove(states.filter((s) => s === "FULFILLED").length, 5)
      const failed = ids[states.indexOf("FAILED")]!
      assert.strictEqual((yield* call(emu, "GET", `${JOBS}/${failed}`, token)).body.errorMessage, "flaky")
    })
  )
})

describe("profiles as JSON", () => {
  it.effect("decode a valid profile and reject an invalid one", () =>
    Effect.gen(function* () {
      const text = JSON.stringify({
        seed: 1,
        rates: { serverError: 0.1 },
        script: [{ method: "POST", path: "/api/v2/**/jobs", nth: 1, fault: { kind: "failJob" } }]
      })
      const profile = yield* Faults.fromJson(text)
      assert.strictEqual(profile.script?.[0]?.fault.kind, "failJob")
      const bad = yield* Effect.either(Faults.fromJson(JSON.stringify({ script: [{ fault: { kind: "meteor" } }] })))
      assert.isTrue(Either.isLeft(bad))
      if (Either.isLeft(bad)) {
        assert.strictEqual(bad.left._tag, "ParseError")
        assert.include(bad.left.message, '["kind"]')
        assert.include(bad.left.message, 'actual "meteor"')
      }
      const typo = yield* Effect.either(Faults.fromJson(JSON.stringify({ rate: { drop: 1 } })))
      assert.isTrue(Either.isLeft(typo))
      if (Either.isLeft(typo)) {
        assert.strictEqual(typo.left._tag, "ParseError")
        assert.include(typo.left.message, '["rate"]')
        assert.include(typo.left.message, "is unexpected")
      }
    })
  )
})
