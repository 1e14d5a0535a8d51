import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import * as Notifications from "@effect-genesys/emulator/Notifications"
import { assert, describe, it } from "@effect/vitest"
import * as WorkflowEngine from "@effect/workflow/WorkflowEngine"
import { Chunk, Effect, Exit, Fiber, Layer, Stream, TestClock } from "effect"
import * as AvailabilityNotifications from "../src/AvailabilityNotifications.js"
import type * as ExtractionSink from "../src/ExtractionSink.js"
import * as ExtractionWorkflow from "../src/ExtractionWorkflow.js"
import * as Interval from "../src/Interval.js"
import type * as PageSink from "../src/PageSink.js"
import * as Sync from "../src/Sync.js"
import { anchorMillis, DAY, day0, emulatorOptions, HOUR } from "./ExtractionFixtures.js"
import { clientLayer, drive } from "./GenesysHttpFixtures.js"

/** A sink that upserts every page by conversation id at once, as the SQL page sink does. */
const upserting = () => {
  const rows = new Map<string, ExtractionSink.Conversation>()
  const sink: PageSink.PageSink = {
    writePage: (_key, batch) =>
      Effect.sync(() => {
        for (const c of batch) rows.set(c.conversationId!, c)
      }),
    finalize: () => Effect.sync(() => ({ conversations: rows.size, duplicates: 0 }))
  }
  return { rows, sink }
}

const engineWith = (sink: PageSink.PageSink<unknown>) =>
  ExtractionWorkflow.layer.pipe(
    Layer.provideMerge(ExtractionWorkflow.layerEnvironment({ sink })),
    Layer.provideMerge(WorkflowEngine.layerMemory)
  )

// Every live fault at once, seeded: dropped sockets, missed notifications, early channel expiries, stalled availability
// steps, and jobs that expire while paging.
const liveOrg: EmulatorOptions.Input = {
  days: 2,
  perDay: 60,
  live: { horizonDays: 2, availabilityStepMillis: HOUR, restatementRate: 0.3 },
  faults: {
    seed: 5,
    rates: { dropSocket: 0.02, missNotification: 0.3, expireChannel: 0.01, stallAvailability: 0.2, expireJob: 0.1 },
    stallSteps: 2
  }
}

// Whole syncs driven on the test clock: 7 and 17 s here with the rest of the suite beside them, which a loaded CI
// machine can stretch past the default 30 s (a property of 10 s here did, in CI).
describe("Sync on the in-memory engine", { timeout: 120_000 }, () => {
  it.effect("back-fills, then follows the availability date until everything up to `until` is settled: exact", () =>
    Effect.gen(function* () {
      const { rows, sink } = upserting()
      const store = Sync.memoryStore()
      const until = new Date(day0 + 3 * DAY).toISOString()
      const exit = yield* drive(
        Stream.runCollect(
          Sync.run({
            from: new Date(day0).toISOString(),
            until,
            // This emulator's availability date moves continuously: poll it as seldom as the tail.
            tailEvery: "6 hours",
            pollEvery: "6 hours"
          })
        ).pipe(Effect.provide(engineWith(sink)), Effect.provideService(Sync.Store, store)),
        { step: "5 minutes", maxSteps: 5_000 }
      )
      assert.isTrue(Exit.isSuccess(exit), String(exit))
      if (!Exit.isSuccess(exit)) return
      const events = Chunk.toReadonlyArray(exit.value)
      const cycles = events.filter((e) => e._tag === "CycleCompleted")
      assert.isAbove(cycles.length, 1, "a back-fill, then cycles as the availability date moved")
      assert.deepStrictEqual(events.at(-1)?._tag, "Done")
      assert.isAtLeast(Date.parse(store.current()!), Date.parse(until))
      // Each later cycle starts the restatement window (48 h) behind the settled point of the one before.
      for (let i = 1; i < cycles.length; i++) {
        const previous = cycles[i - 1]!
        if (previous._tag !== "CycleCompleted" || cycles[i]!._tag !== "CycleCompleted") continue
        const from = Date.parse((cycles[i] as { from: string }).from)
        assert.strictEqual(from, Math.max(day0, Date.parse(previous.settledUntil) - 48 * HOUR))
      }
      const truth = yield* Effect.flatMap(Emulator.Emulator, (e) =>
        e.groundTruthSync({ interval: Interval.format(day0, day0 + 3 * DAY) })
      )
      assert.deepStrictEqual([...rows.keys()].sort(), [...truth].sort())
    }).pipe(
      Effect.provide(clientLayer(emulatorOptions, { paging: { jobPageSize: 25 } })),
      // The emulator is built on the test clock: set it first.
      (body) => Effect.zipRight(TestClock.setTime(anchorMillis), body)
    )
  )

  it.effect(
    "on a live org with every live fault: availability steps, restatements, an interrupted sync continued: exact",
    () =>
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        const { rows, sink } = upserting()
        const store = Sync.memoryStore()
        const start = yield* emulator.nowMillis
        const from = `${emulator.options.startDate}T00:00:00.000Z`
        const until = new Date(start + 8 * HOUR).toISOString()
        // Tail and polling every 6 hours: the hourly cycles can only come from the availability notifications.
        const options = {
          from,
          until,
          tailEvery: "6 hours",
          pollEvery: "6 hours",
          // The clock moves in 5-minute steps here: heartbeats arrive in bursts, so the deadline is long.
          notifications: AvailabilityNotifications.listen({ heartbeatTimeout: "30 minutes" }),
          // A tenth of the jobs expire: with the default two resubmissions a window's three jobs all expire one time in
          // a thousand, and the two syncs submit ~30 jobs, so ~3 % of runs ended on a NotFound (which is what running
          // out of resubmissions must do, and is tested elsewhere). Here the faults must be survived: one window in 10^7.
          extraction: { maxResubmissions: 6 }
        } as const
        const sync = (engine: ReturnType<typeof engineWith>) =>
          Stream.runCollect(Sync.run(options)).pipe(Effect.provide(engine), Effect.provideService(Sync.Store, store))
        // The first sync is stopped after a few cycles, mid-run (a crash: its engine and journal are gone)...
        const first = yield* Effect.fork(
          Emulator.runWithTestClock(sync(engineWith(sink)), { step: "5 minutes", maxSteps: 40 })
        )
        const stopped = yield* Fiber.await(first)
        assert.isTrue(Exit.isFailure(stopped), "the first sync was still running when stopped")
        const settledBefore = store.current()
        assert.isDefined(settledBefore)
        // ...and a new one continues from the settled point in the store.
        const exit = yield* drive(sync(engineWith(sink)), { step: "5 minutes", maxSteps: 5_000 })
        assert.isTrue(Exit.isSuccess(exit), String(exit))
        if (Exit.isSuccess(exit)) {
          const events = Chunk.toReadonlyArray(exit.value)
          assert.isAtLeast(events.filter((e) => e._tag === "CycleCompleted").length, 5, "a cycle per announced step")
          assert.isTrue(events.some((e) => e._tag === "NotificationsConnected"))
          // The socket faults did happen (losses and new channels). Jobs expiring while paging are drawn per job too, but
          // how many jobs each of the two syncs submits depends on where the first one was stopped: not asserted.
          assert.isAbove(events.filter((e) => e._tag === "NotificationsLost").length, 0, "a socket was lost")
        }
        const settled = Date.parse(store.current()!)
        assert.isAtLeast(settled, Date.parse(until))
        const truth = yield* emulator.groundTruthSettled({ interval: `${from}/${until}` })
        const restated = yield* emulator.restatements(`${from}/${new Date(settled).toISOString()}`)
        assert.isAbove(restated.length, 0, "some conversations changed after they ended")
        const missing = truth.filter((c) => !rows.has(c.conversationId))
        if (missing.length > 0) {
          console.log(
            "DEBUG",
            JSON.stringify({
              from,
              until,
              start: new Date(start).toISOString(),
              settled: new Date(settled).toISOString(),
              settledBefore,
              truth: truth.length,
              rows: rows.size,
              missing: missing.length,
              sample: missing.slice(0, 3).map((c) => [c.conversationStart, c.conversationEnd])
            })
          )
          if (Exit.isSuccess(exit))
            console.log(
              "CYCLES",
              JSON.stringify(
                Chunk.toReadonlyArray(exit.value).map((e) =>
                  e._tag === "CycleCompleted"
                    ? [
                        e.from,
                        e.to,
                        e.settledUntil,
                        e.conversations,
                        e.report.windows.map((w) => [w.kind, w.interval, w.conversations])
                      ]
                    : e
                )
              )
            )
        }
        for (const conversation of truth) {
          // Every settled conversation is in the sink in its current form, restated ones as restated.
          assert.deepStrictEqual(rows.get(conversation.conversationId), conversation)
        }
        // What else the sink holds is the provisional tail: conversations not ended by the settled point.
        const settledIds = new Set(truth.map((c) => c.conversationId))
        for (const [id, row] of rows) {
          if (settledIds.has(id)) continue
          const end = row.conversationEnd === undefined ? Number.POSITIVE_INFINITY : Date.parse(row.conversationEnd)
          assert.isAbove(end, settled, `${id} is in the sink but neither settled nor provisional`)
        }
      }).pipe(
        Effect.provide(
          Notifications.layerWebSocketConstructor.pipe(
            Layer.provideMerge(clientLayer(liveOrg, { paging: { jobPageSize: 25 } }))
          )
        ),
        // The sync reads the time from the Clock, as in production: the emulator's clock is the test clock, unshifted.
        (body) => Effect.zipRight(TestClock.setTime(EmulatorOptions.liveTestAnchor(liveOrg)), body)
      )
  )
})
