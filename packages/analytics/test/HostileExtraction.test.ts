// Extraction against the hostile server (HostileHttp.ts, from FACTS): records missing what the runner relies on,
// a duplicate straddling a resume, reconciliation short of its threshold, and a server echoing credentials.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Option, TestClock } from "effect"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { AuditRecords, drive } from "./GenesysHttpFixtures.js"
import * as Hostile from "./HostileHttp.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"
const good = Array.from({ length: 25 }, (_, i) => Hostile.conversation(i))
const idsOf = (rows: ReadonlyArray<ExtractionSink.Conversation>) => rows.map((c) => c.conversationId)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** Plans `day` (one job window: the watermark is days later) and runs it with `run` against `server`. */
const extract = <E>(
  server: ReturnType<typeof Hostile.make>,
  sink: ExtractionSink.ExtractionSink<E>,
  run: Extraction.RunOptions<E> = {},
  store: Layer.Layer<CheckpointStore.CheckpointStore> = CheckpointStore.layerMemory
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse("2026-01-11T00:00:00.000Z"))
    const plan = yield* Extraction.plan({ interval: day })
    assert.deepStrictEqual(
      plan.windows.map((w) => w.kind),
      ["job"]
    )
    return yield* Extraction.run(plan, sink, { pageSize: 10, ...run })
  }).pipe(drive, Effect.provide(Layer.merge(Hostile.layer(server.client), store)))

describe("records missing what the runner relies on", () => {
  const withBad = (bad: Record<string, unknown>) => [...good.slice(0, 13), bad, ...good.slice(13)]

  it.effect("no conversationId: RecordInvalid naming the field, window, job and page; the job is cancelled", () =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: withBad(Hostile.conversation(99, { conversationId: undefined })) })
      const exit = yield* extract(server, ExtractionSink.memory())
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "RecordInvalid")
      if (error?._tag === "RecordInvalid") {
        assert.strictEqual(error.field, "conversationId")
        assert.strictEqual(error.window, day)
        assert.strictEqual(error.jobId, Hostile.jobId)
        assert.strictEqual(error.page, 2)
        assert.include(error.message, "conversationId must be a non-empty string")
      }
      assert.strictEqual(server.requests.filter((r) => r.method === "DELETE").length, 1)
    })
  )

  it.effect("an empty conversationId or an unparseable conversationStart is RecordInvalid too, never 'foreign'", () =>
    Effect.gen(function* () {
      for (const [overrides, field] of [
        [{ conversationId: "" }, "conversationId"],
        [{ conversationStart: undefined }, "conversationStart"],
        [{ conversationStart: "yesterday" }, "conversationStart"],
        [{ conversationEnd: "later" }, "conversationEnd"]
      ] as const) {
        const server = Hostile.make({ conversations: withBad(Hostile.conversation(99, overrides)) })
        const error = failureOf(yield* extract(server, ExtractionSink.memory()))
        assert.strictEqual(error?._tag, "RecordInvalid", JSON.stringify(overrides))
        if (error?._tag === "RecordInvalid") assert.strictEqual(error.field, field)
      }
    })
  )

  it.effect("with quarantine: bad records are set aside and counted, the rest is exact", () =>
    Effect.gen(function* () {
      const noId = Hostile.conversation(98, { conversationId: undefined })
      const noStart = Hostile.conversation(99, { conversationStart: undefined })
      const server = Hostile.make({ conversations: [noId, ...good.slice(0, 20), noStart, ...good.slice(20)] })
      const quarantined: Array<Extraction.QuarantinedRecord> = []
      const sink = ExtractionSink.memory()
      const exit = yield* extract(server, sink, {
        quarantine: (entry) => Effect.sync(() => void quarantined.push(entry))
      })
      assert.isTrue(Exit.isSuccess(exit))
      assert.deepStrictEqual(idsOf(sink.written), idsOf(good))
      assert.deepStrictEqual(
        quarantined.map((q) => [q.error.field, q.record]),
        [
          // As received: the JSON the server sent.
          ["conversationId", JSON.parse(JSON.stringify(noId))],
          ["conversationStart", JSON.parse(JSON.stringify(noStart))]
        ]
      )
      if (Exit.isSuccess(exit)) {
        assert.strictEqual(exit.value.totals.quarantined, 2)
        assert.strictEqual(exit.value.windows[0]!.quarantined, 2)
        assert.strictEqual(exit.value.windows[0]!.foreign, 0)
        assert.include(Extraction.formatReport(exit.value), "quarantined    2")
      }
    })
  )
})

describe("de-duplication survives resume", () => {
  it.effect("a duplicate on both sides of the resume point is written once", () =>
    Effect.gen(function* () {
      // Pages of 10: record 5 comes again on page 3; the first run crashes writing page 3.
      const server = Hostile.make({ conversations: [...good.slice(0, 22), good[5]!, ...good.slice(22)] })
      const store = yield* Layer.build(CheckpointStore.layerMemory)
      const storeLayer = Layer.succeedContext(store)
      const sink = ExtractionSink.memory()
      let writes = 0
      const crashing: ExtractionSink.ExtractionSink<string> = {
        ...sink,
        write: (batch) => (++writes === 3 ? Effect.fail("disk gone") : sink.write(batch))
      }
      const first = yield* extract(server, crashing, { checkpointKey: "k" }, storeLayer)
      assert.deepStrictEqual(failureOf(first), "disk gone")
      const saved = yield* CheckpointStore.CheckpointStore.pipe(
        Effect.flatMap((s) => s.load("k")),
        Effect.provide(storeLayer)
      )
      const window = Option.getOrThrow(saved).windows[0]!
      assert.strictEqual(window.cursor, "c20")
      assert.strictEqual(window.seenIds?.length, 20)
      const second = yield* extract(server, sink, { checkpointKey: "k" }, storeLayer)
      assert.isTrue(Exit.isSuccess(second))
      assert.deepStrictEqual(idsOf(sink.written), idsOf(good))
      if (Exit.isSuccess(second)) {
        assert.strictEqual(second.value.totals.duplicates, 1)
        assert.isTrue(second.value.windows[0]!.resumed)
      }
      // Once the window is done, its ids leave the checkpoint.
      const done = yield* CheckpointStore.CheckpointStore.pipe(
        Effect.flatMap((s) => s.load("k")),
        Effect.provide(storeLayer)
      )
      assert.strictEqual(Option.getOrThrow(done).windows[0]!.seenIds, undefined)
    }).pipe(Effect.scoped)
  )
})

describe("reconciliation below its threshold", () => {
  // The sync query counts 30 conversations that started on the day; the job returns 25.
  const overcounting = (seen: Hostile.Seen): Hostile.Reply | undefined =>
    seen.path === Hostile.paths.query ? { status: 200, body: { totalHits: 30, conversations: [] } } : undefined

  it.effect("report.reconciled is false and requireReconciled fails ReconciliationFailed naming the window", () =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: good, fault: overcounting })
      const exit = yield* extract(server, ExtractionSink.memory(), { reconcile: true })
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) {
        const report = exit.value
        assert.strictEqual(report.reconciled, false)
        assert.strictEqual(report.reconcileThreshold, 1)
        assert.closeTo(report.accuracy!, 25 / 30, 1e-9)
        assert.include(Extraction.formatReport(report), "BELOW the 100.00 % threshold")
        const error = yield* Effect.flip(Extraction.requireReconciled(report))
        assert.strictEqual(error._tag, "ReconciliationFailed")
        assert.deepStrictEqual(
          error.windows.map((w) => [w.window, w.expected, w.extracted]),
          [[day, 30, 25]]
        )
        assert.include(error.message, "Reconciliation below 100.00 %")
      }
    })
  )

  it.effect("a threshold the window reaches passes; without reconcile there is no verdict", () =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: good, fault: overcounting })
      const exit = yield* extract(server, ExtractionSink.memory(), { reconcile: true, reconcileThreshold: 0.8 })
      assert.isTrue(Exit.isSuccess(exit) && exit.value.reconciled === true)
      if (Exit.isSuccess(exit)) assert.strictEqual(yield* Extraction.requireReconciled(exit.value), exit.value)
      const plain = yield* extract(Hostile.make({ conversations: good }), ExtractionSink.memory())
      assert.isTrue(Exit.isSuccess(plain) && plain.value.reconciled === undefined)
    })
  )
})

describe("secrets echoed by the server never reach errors or the audit log", () => {
  const secrets = [
    Hostile.clientSecret,
    `${Hostile.clientId}:${Hostile.clientSecret}`,
    btoa(`${Hostile.clientId}:${Hostile.clientSecret}`),
    Hostile.accessToken
  ]
  const echo = `secret=${Hostile.clientSecret} basic=${btoa(`${Hostile.clientId}:${Hostile.clientSecret}`)} raw=${Hostile.clientId}:${Hostile.clientSecret} token=${Hostile.accessToken}`

  const assertClean = (text: string) => {
    for (const s of secrets) assert.notInclude(text, s)
  }

  it.effect("an error body, a decode failure and a refused login that echo credentials are scrubbed", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<Hostile.Options["fault"]> = [
        (seen) =>
          seen.path === Hostile.paths.results
            ? { status: 400, body: { message: echo, code: "bad.request" } }
            : undefined,
        (seen) => (seen.path === Hostile.paths.results ? { status: 200, body: { conversations: echo } } : undefined),
        (seen) =>
          seen.path === Hostile.paths.token
            ? { status: 401, body: { error: "invalid_client", error_description: echo } }
            : undefined
      ]
      for (const fault of cases) {
        const server = Hostile.make({ conversations: good, fault })
        const exit = yield* extract(server, ExtractionSink.memory(), { maxResubmissions: 0 })
        const error = failureOf(exit)
        assert.isDefined(error)
        assertClean(String(error))
        assertClean(JSON.stringify(error))
        assertClean((error as { message: string }).message)
      }
    })
  )

  it.effect("the audit trail of a run against an echoing server holds no secret", () =>
    Effect.gen(function* () {
      let n = 0
      const server = Hostile.make({
        conversations: good,
        fault: (seen) =>
          seen.path === Hostile.paths.results && n++ < 2 ? { status: 503, body: { message: echo } } : undefined
      })
      const records = yield* Effect.gen(function* () {
        yield* TestClock.setTime(Date.parse("2026-01-11T00:00:00.000Z"))
        const plan = yield* Extraction.plan({ interval: day })
        yield* Extraction.run(plan, ExtractionSink.memory(), { pageSize: 10 })
        return yield* AuditRecords
      }).pipe(drive, Effect.provide(Layer.merge(Hostile.layer(server.client), CheckpointStore.layerMemory)))
      assert.isTrue(Exit.isSuccess(records))
      if (Exit.isSuccess(records)) {
        assert.isAbove(records.value.filter((e) => e.type === "http.retry").length, 0)
        assertClean(JSON.stringify(records.value))
      }
    })
  )
})
