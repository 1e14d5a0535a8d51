// The availability listener against the emulator's notifications API (in process, live mode, on the test clock):
// each step of the availability date arrives as an event; a dropped socket and an expired channel are lost and
// replaced by a new channel; a silent socket is lost at the heartbeat deadline.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import * as Notifications from "@effect-genesys/emulator/Notifications"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, type Duration, Effect, Fiber, Layer, Stream, TestClock } from "effect"
import * as AvailabilityNotifications from "../src/AvailabilityNotifications.js"
import { clientLayer } from "./GenesysHttpFixtures.js"

const HOUR = 3_600_000
const liveOrg: EmulatorOptions.Input = { days: 1, perDay: 20, live: { horizonDays: 1, availabilityStepMillis: HOUR } }

const withLiveEmulator = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.zipRight(
    TestClock.setTime(EmulatorOptions.liveTestAnchor(liveOrg)),
    body.pipe(Effect.provide(Notifications.layerWebSocketConstructor.pipe(Layer.provideMerge(clientLayer(liveOrg)))))
  )

/** Collects `n` events, moving the clock in steps while the listener waits. */
const take = (
  n: number,
  step: Duration.DurationInput,
  onEvent?: (e: AvailabilityNotifications.Event) => Effect.Effect<void>
) =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(
      Stream.runCollect(
        AvailabilityNotifications.listen({ heartbeatTimeout: "90 seconds", reconnect: undefined }).pipe(
          Stream.tap((e) => onEvent?.(e) ?? Effect.void),
          Stream.take(n)
        )
      )
    )
    for (let i = 0; i < 2_000 && fiber.unsafePoll() === null; i++) {
      yield* TestClock.adjust(step)
      yield* Effect.yieldNow()
    }
    return Chunk.toReadonlyArray(yield* Fiber.join(fiber))
  })

describe("AvailabilityNotifications.listen", () => {
  it.effect("announces each step of the availability date, in order, as the REST endpoint reports it", () =>
    withLiveEmulator(
      Effect.gen(function* () {
        const events = yield* take(4, "1 minute")
        assert.strictEqual(events[0]!._tag, "Connected")
        const dates = events.flatMap((e) => (e._tag === "Advanced" ? [Date.parse(e.dataAvailabilityDate)] : []))
        assert.strictEqual(dates.length, 3)
        for (let i = 1; i < dates.length; i++) assert.strictEqual(dates[i]! - dates[i - 1]!, HOUR)
        const channels = yield* Effect.flatMap(Emulator.Emulator, (e) => e.notifications.channels)
        assert.deepStrictEqual(channels.at(-1)?.topics, [AvailabilityNotifications.topic])
      })
    )
  )

  it.effect("a dropped socket and an expired channel are each lost, then a new channel is made", () =>
    withLiveEmulator(
      Effect.gen(function* () {
        const emulator = yield* Emulator.Emulator
        let channel: string | undefined
        let faults = 0
        // The first event of each channel proves its socket is up: the first channel's socket is then dropped, the
        // second channel expires, the third is left alone.
        const events = yield* take(8, "1 minute", (e) =>
          Effect.gen(function* () {
            if (e._tag === "Connected") channel = e.channelId
            if (e._tag !== "Advanced" || channel === undefined) return
            const id = channel
            channel = undefined
            faults += 1
            if (faults === 1) assert.isTrue(yield* emulator.notifications.dropSocket(id))
            if (faults === 2) assert.isTrue(yield* emulator.notifications.expireChannel(id))
          })
        )
        assert.deepStrictEqual(
          events.map((e) => e._tag),
          ["Connected", "Advanced", "Lost", "Connected", "Advanced", "Lost", "Connected", "Advanced"]
        )
      })
    )
  )

  it.effect("a socket that stays silent past the heartbeat deadline counts as lost", () =>
    withLiveEmulator(
      Effect.gen(function* () {
        const events = yield* Effect.gen(function* () {
          const fiber = yield* Effect.fork(
            Stream.runCollect(AvailabilityNotifications.listen({ heartbeatTimeout: "5 seconds" }).pipe(Stream.take(2)))
          )
          for (let i = 0; i < 200 && fiber.unsafePoll() === null; i++) {
            yield* TestClock.adjust("1 second")
            yield* Effect.yieldNow()
          }
          return Chunk.toReadonlyArray(yield* Fiber.join(fiber))
        })
        assert.deepStrictEqual(events[1], { _tag: "Lost", reason: "no message within the heartbeat deadline" })
      })
    )
  )
})
