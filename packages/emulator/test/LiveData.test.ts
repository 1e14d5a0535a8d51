// Live mode's data: arrivals as the clock runs, open conversations that end later, restatements inside the window,
// the availability date in steps, `speed`, and ground truth that follows all of it. Everything on the TestClock.
import { assert, describe, it } from "@effect/vitest"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import { Chunk, Effect, Layer, Stream, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import { call } from "./EmulatorCall.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const iso = (millis: number) => new Date(millis).toISOString()
const QUERY = "/api/v2/analytics/conversations/details/query"

const live = (options: Partial<EmulatorOptions.LiveOptions> = {}, rest: EmulatorOptions.Input = {}) =>
  Emulator.make({ days: 1, perDay: 600, live: { horizonDays: 3, ...options }, ...rest })

describe("live mode: data", () => {
  it.effect("starts at a fixed instant under TestClock, with data before and after it", () =>
    Effect.gen(function* () {
      const emu = yield* live()
      const now = yield* emu.nowMillis
      assert.strictEqual(now, EmulatorOptions.liveTestAnchor({ days: 1 }))
      assert.strictEqual(emu.options.startDate, "2026-01-05")
      assert.strictEqual(emu.options.days, 1 + 1 + 3)
      assert.isAbove(emu.dataset.spanEndMillis, now + 3 * 24 * HOUR - 1)
    })
  )

  it.effect("conversations keep arriving as the clock runs", () =>
    Effect.gen(function* () {
      const emu = yield* live()
      const now = yield* emu.nowMillis
      const interval = `${iso(now - 12 * HOUR)}/${iso(now + 12 * HOUR)}`
      const before = yield* emu.groundTruthSync({ interval })
      yield* TestClock.adjust("3 hours")
      const after = yield* emu.groundTruthSync({ interval })
      assert.isAbove(after.length, before.length + 10)
      assert.deepStrictEqual(after.slice(0, before.length), before)
    })
  )

  it.effect("a conversation is served open while it runs and ended afterwards", () =>
    Effect.gen(function* () {
      const emu = yield* live()
      const token = yield* emu.issueToken
      const now = yield* emu.nowMillis
      const page = yield* call(emu, "POST", QUERY, token, {
        interval: `${iso(now - 6 * HOUR)}/${iso(now + HOUR)}`,
        paging: { pageSize: 200, pageNumber: 1 }
      })
      assert.strictEqual(page.status, 200)
      const open = (page.body.conversations as Array<any>).filter((c) => c.conversationEnd === undefined)
      assert.isAbove(open.length, 0)
      for (const c of open) {
        for (const p of c.participants) {
          for (const s of p.sessions) {
            for (const seg of s.segments) assert.isAtMost(Date.parse(seg.segmentStart), now)
            for (const m of s.metrics) assert.isAtMost(Date.parse(m.emitDate), now)
          }
        }
        // some segment is still running
        const running = c.participants.flatMap((p: any) => p.sessions.flatMap((s: any) => s.segments))
        assert.isTrue(running.some((seg: any) => seg.segmentEnd === undefined))
      }
      const id = open[0].conversationId
      const byId = yield* call(emu, "GET", `/api/v2/analytics/conversations/${id}/details`, token)
      assert.strictEqual(byId.status, 200)
      assert.isUndefined(byId.body.conversationEnd)
      // Not settled: no job sees it.
      const jobIds = yield* emu.groundTruthJob({ interval: `${iso(now - 6 * HOUR)}/${iso(now + HOUR)}` })
      assert.notInclude(jobIds, id)
      yield* TestClock.adjust("9 hours")
      const ended = yield* call(emu, "GET", `/api/v2/analytics/conversations/${id}/details`, token)
      assert.isString(ended.body.conversationEnd)
      assert.isTrue(
        ended.body.participants.every((p: any) =>
          p.sessions.every((s: any) => s.segments.every((g: any) => g.segmentEnd !== undefined))
        )
      )
    })
  )

  it.effect("the availability date advances in steps, not continuously", () =>
    Effect.gen(function* () {
      const emu = yield* live({ availabilityStepMillis: 15 * MINUTE })
      const token = yield* emu.issueToken
      const read = Effect.map(
        call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", token),
        (a) => Date.parse(a.body.dataAvailabilityDate)
      )
      const first = yield* read
      assert.strictEqual(first % (15 * MINUTE), 0)
      const now = yield* emu.nowMillis
      assert.isAtMost(first, now - emu.options.jobs.availabilityLagMillis)
      const seen = new Set<number>([first])
      for (let i = 0; i < 12; i++) {
        yield* TestClock.adjust("5 minutes")
        const a = yield* read
        assert.strictEqual(a % (15 * MINUTE), 0)
        seen.add(a)
      }
      // 60 minutes in 5-minute looks: four steps of 15 minutes, never anything between.
      assert.deepStrictEqual(
        [...seen],
        [first, first + 15 * MINUTE, first + 30 * MINUTE, first + 45 * MINUTE, first + 60 * MINUTE]
      )
    })
  )

  it.effect("speed N runs N× the clock", () =>
    Effect.gen(function* () {
      const emu = yield* live({ speed: 60 })
      const start = yield* emu.nowMillis
      yield* TestClock.adjust("1 minute")
      assert.strictEqual((yield* emu.nowMillis) - start, HOUR)
      assert.strictEqual((yield* emu.availabilityMillis) % HOUR, 0)
    })
  )

  it.effect("restatements: a seeded fraction changes its wrap-up code inside the window after it ends", () =>
    Effect.gen(function* () {
      const emu = yield* live({ restatementRate: 0.3 })
      const start = yield* emu.nowMillis
      const window = emu.options.live!.restatementWindowMillis
      const interval = `${iso(start - 24 * HOUR)}/${iso(start)}`
      const early = yield* emu.groundTruthSettled({ interval })
      const earlyById = new Map(early.map((c) => [c.conversationId, c]))
      assert.deepStrictEqual(yield* emu.restatements(`${iso(start)}/${iso(start + 2 * HOUR)}`), [])
      yield* TestClock.adjust("50 hours")
      const token = yield* emu.issueToken
      const now = yield* emu.nowMillis
      const restated = yield* emu.restatements(interval)
      assert.isAbove(restated.length, 5)
      const codes = (c: any) =>
        c.participants.flatMap((p: any) => p.sessions.flatMap((s: any) => s.segments.map((g: any) => g.wrapUpCode)))
      for (const r of restated) {
        assert.isAtLeast(r.restatedAtMillis, r.endMillis + MINUTE)
        assert.isBelow(r.restatedAtMillis, r.endMillis + window)
        assert.isAtMost(r.restatedAtMillis, now)
      }
      // Deterministic: the same seed restates the same conversations.
      // (a twin built now starts at the same anchor, 50 hours earlier in emulated time)
      const twin = yield* live({ restatementRate: 0.3 })
      assert.deepStrictEqual(
        yield* twin.restatements(interval),
        restated.filter((r) => r.restatedAtMillis <= start)
      )
      // Served restated by id, by the sync query and in the settled truth; the others unchanged.
      const settled = yield* emu.groundTruthSettled({ interval })
      const settledById = new Map(settled.map((c) => [c.conversationId, c]))
      let changedSeen = 0
      for (const r of restated) {
        const before = earlyById.get(r.conversationId)
        const after = settledById.get(r.conversationId)
        assert.isDefined(after)
        const byId = yield* call(emu, "GET", `/api/v2/analytics/conversations/${r.conversationId}/details`, token)
        assert.deepStrictEqual(codes(byId.body), codes(after))
        if (before !== undefined && r.restatedAtMillis > start) {
          assert.notDeepEqual(codes(before), codes(after))
          changedSeen++
        }
      }
      assert.isAbove(changedSeen, 0)
      const restatedIds = new Set(restated.map((r) => r.conversationId))
      for (const c of early) {
        if (!restatedIds.has(c.conversationId)) assert.deepStrictEqual(settledById.get(c.conversationId), c)
      }
    })
  )

  it.effect("a job serves the restated form, and the settled truth is what the job returns", () =>
    Effect.gen(function* () {
      const emu = yield* live({ restatementRate: 0.5 })
      yield* TestClock.adjust("30 hours")
      const token = yield* emu.issueToken
      const now = yield* emu.nowMillis
      const interval = `${iso(now - 36 * HOUR)}/${iso(now)}`
      const restated = new Set((yield* emu.restatements(interval)).map((r) => r.conversationId))
      assert.isAbove(restated.size, 0)
      const truth = yield* emu.groundTruthSettled({ interval })
      const submit = yield* call(emu, "POST", "/api/v2/analytics/conversations/details/jobs", token, { interval })
      assert.strictEqual(submit.status, 202)
      yield* TestClock.adjust("1 minute")
      const served: Array<any> = []
      let cursor: string | undefined
      do {
        const page = yield* call(
          emu,
          "GET",
          `/api/v2/analytics/conversations/details/jobs/${submit.body.jobId}/results${cursor === undefined ? "" : `?cursor=${cursor}`}`,
          token
        )
        assert.strictEqual(page.status, 200)
        served.push(...(page.body.conversations ?? []))
        cursor = page.body.cursor
      } while (cursor !== undefined)
      // The truth was taken a minute before the job; nothing settled or restated in between would change it here
      // unless a step passed, so compare the job with a truth taken at submission time.
      assert.deepStrictEqual(
        served.map((c) => c.conversationId),
        truth.map((c) => c.conversationId)
      )
      const byId = new Map(truth.map((c) => [c.conversationId, c]))
      let checked = 0
      for (const c of served) {
        if (restated.has(c.conversationId)) {
          assert.deepStrictEqual(c, JSON.parse(JSON.stringify(byId.get(c.conversationId))))
          checked++
        }
      }
      assert.isAbove(checked, 0)
    })
  )
})

describe("live mode: the library reads it", () => {
  it.effect("ConversationDetails.query decodes open conversations and the job sees only settled ones", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const emulator = yield* Emulator.Emulator
      const now = yield* emulator.nowMillis
      const query = { interval: `${iso(now - 6 * HOUR)}/${iso(now + HOUR)}` }
      const conversations = Chunk.toReadonlyArray(yield* Stream.runCollect(details.query(query)))
      const ids: ReadonlyArray<string | undefined> = conversations.map((c) => c.conversationId)
      assert.deepStrictEqual(ids, yield* emulator.groundTruthSync(query))
      assert.isTrue(conversations.some((c) => c.conversationEnd === undefined))
      const settled = yield* details.runJob(query).pipe(
        Stream.map((c) => c.conversationId),
        Stream.runCollect,
        Emulator.runWithTestClock
      )
      assert.deepStrictEqual(Chunk.toReadonlyArray(settled), yield* emulator.groundTruthJob(query))
    }).pipe(
      Effect.provide(
        ConversationDetails.layer.pipe(
          Layer.provideMerge(Emulator.layerHttpClient({ days: 1, perDay: 300, live: { horizonDays: 1 } })),
          Layer.provide(
            GenesysConfig.layer({
              apiUrl: Emulator.baseUrl,
              clientId: "emulator-client",
              clientSecret: "emulator-secret"
            })
          ),
          Layer.provide(AuditLog.layerNoop)
        )
      )
    )
  )
})

describe("live mode: speed and tokens", () => {
  it.effect("expires_in is the token's lifetime in the client's time (emulated lifetime / speed)", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10, live: { speed: 60, horizonDays: 1 } })
      const answer = yield* emu.handleRaw({
        method: "POST",
        url: "/oauth/token",
        headers: {
          authorization: `Basic ${btoa("emulator-client:emulator-secret")}`,
          "content-type": "application/x-www-form-urlencoded"
        },
        body: "grant_type=client_credentials"
      })
      const { access_token, expires_in } = JSON.parse(answer.body!)
      assert.strictEqual(expires_in, 86_400 / 60)
      const use = Effect.map(
        call(emu, "GET", "/api/v2/analytics/conversations/details/jobs/availability", access_token),
        (a) => a.status
      )
      yield* TestClock.adjust(`${expires_in - 1} seconds`)
      assert.strictEqual(yield* use, 200)
      yield* TestClock.adjust("2 seconds")
      assert.strictEqual(yield* use, 401)
    })
  )
})
