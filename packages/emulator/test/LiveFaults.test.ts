// Live-mode faults: a missed notification (the REST date still advances), an availability stall that catches up,
// a dropped socket (1006, the channel lives) and an early channel expiry (1000, HEAD 404), each imperatively and by
// a seeded rate of the fault profile. In process, on the TestClock.
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Queue, Stream, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"
import type * as Faults from "../src/Faults.js"
import * as Notifications from "../src/Notifications.js"

const HOUR = 3_600_000
const CHANNELS = "/api/v2/notifications/channels"
const TOPIC = Notifications.availabilityTopic

/** A live emulator with one channel subscribed to the availability topic and a socket collecting its frames. */
const subscribed = (input: EmulatorOptions.Input = {}) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make({ days: 1, perDay: 20, live: { horizonDays: 2 }, ...input })
    const token = yield* emu.issueToken
    const rest = (method: string, url: string, json?: unknown) =>
      Effect.map(
        emu.handleRaw({
          method,
          url,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: json === undefined ? "" : JSON.stringify(json)
        }),
        (raw) => ({ status: raw.status, body: raw.body === undefined ? undefined : JSON.parse(raw.body) })
      )
    const { id } = (yield* rest("POST", CHANNELS)).body
    yield* rest("PUT", `${CHANNELS}/${id}/subscriptions`, [{ id: TOPIC }])
    const socket = yield* emu.notifications.connect(id)
    const frames = yield* Queue.unbounded<Notifications.NotificationFrame>()
    yield* Effect.forkScoped(Stream.runForEach(socket.frames, (f) => Queue.offer(frames, f)))
    const drain = Effect.map(Queue.takeAll(frames), Chunk.toReadonlyArray)
    const events = Effect.map(drain, (all) =>
      all.flatMap((f) => {
        if (f._tag !== "Text") return []
        const m = JSON.parse(f.text)
        return m.topicName === TOPIC ? [Date.parse(m.eventBody.dataAvailabilityDate)] : []
      })
    )
    return { emu, id, rest, drain, events }
  })

const faults = (profile: Faults.FaultProfile) => ({ faults: profile })

describe("live faults", () => {
  it.scoped("missed notification: the next advance is announced to no channel; the REST date advances anyway", () =>
    Effect.gen(function* () {
      const { emu, events } = yield* subscribed({ notifications: { heartbeatMillis: HOUR } })
      const start = yield* emu.availabilityMillis
      yield* emu.notifications.missNotifications(1)
      yield* TestClock.adjust("3 hours")
      assert.deepStrictEqual(yield* events, [start + 2 * HOUR, start + 3 * HOUR])
      assert.strictEqual(yield* emu.availabilityMillis, start + 3 * HOUR)
    })
  )

  it.scoped("missed notification by rate: rate 1 sends no event at all", () =>
    Effect.gen(function* () {
      const { emu, events } = yield* subscribed({
        notifications: { heartbeatMillis: HOUR },
        ...faults({ rates: { missNotification: 1 } })
      })
      const start = yield* emu.availabilityMillis
      yield* TestClock.adjust("3 hours")
      assert.deepStrictEqual(yield* events, [])
      assert.strictEqual(yield* emu.availabilityMillis, start + 3 * HOUR)
    })
  )

  it.scoped("stall: no advance for a while (REST and events), then one catch-up step", () =>
    Effect.gen(function* () {
      const { emu, events } = yield* subscribed({ notifications: { heartbeatMillis: HOUR } })
      const start = yield* emu.availabilityMillis
      yield* emu.stallAvailability("150 minutes")
      yield* TestClock.adjust("2 hours")
      assert.strictEqual(yield* emu.availabilityMillis, start)
      assert.deepStrictEqual(yield* events, [])
      yield* TestClock.adjust("1 hour")
      assert.strictEqual(yield* emu.availabilityMillis, start + 3 * HOUR)
      assert.deepStrictEqual(yield* events, [start + 3 * HOUR])
    })
  )

  it.scoped(
    "stall by rate: the date holds for stallSteps steps at seeded steps, never goes back, each change announced",
    () =>
      Effect.gen(function* () {
        const { emu, events } = yield* subscribed({
          notifications: { heartbeatMillis: 6 * HOUR, channelTtlMillis: 72 * HOUR },
          ...faults({ seed: 7, rates: { stallAvailability: 0.2 }, stallSteps: 3 })
        })
        const seen: Array<number> = [yield* emu.availabilityMillis]
        for (let i = 0; i < 48; i++) {
          yield* TestClock.adjust("1 hour")
          seen.push(yield* emu.availabilityMillis)
        }
        let held = 0
        let longest = 0
        for (let i = 1; i < seen.length; i++) {
          assert.isAtLeast(seen[i]!, seen[i - 1]!)
          assert.strictEqual(seen[i]! % HOUR, 0)
          held = seen[i] === seen[i - 1] ? held + 1 : 0
          longest = Math.max(longest, held)
        }
        assert.isAtLeast(longest, 3)
        assert.isBelow(seen.filter((a, i) => i > 0 && a === seen[i - 1]).length, 48)
        const changes = seen.filter((a, i) => i > 0 && a !== seen[i - 1])
        assert.deepStrictEqual(yield* events, changes)
      })
  )

  it.scoped("dropped socket: imperatively and by rate, 1006; the channel and its subscriptions live on", () =>
    Effect.gen(function* () {
      const { drain, emu, id, rest } = yield* subscribed(faults({ rates: { dropSocket: 1 } }))
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* drain, [{ _tag: "Close", code: 1006, reason: "" }])
      assert.strictEqual((yield* rest("HEAD", `${CHANNELS}/${id}`)).status, 200)
      assert.deepStrictEqual((yield* rest("GET", `${CHANNELS}/${id}/subscriptions`)).body.entities, [
        { id: TOPIC, state: "Permitted" }
      ])
      yield* emu.setFaults(undefined)
      const again = yield* emu.notifications.connect(id)
      const frames = yield* Queue.unbounded<Notifications.NotificationFrame>()
      yield* Effect.forkScoped(Stream.runForEach(again.frames, (f) => Queue.offer(frames, f)))
      yield* TestClock.adjust("0 millis")
      assert.isTrue(yield* emu.notifications.dropSocket(id))
      yield* TestClock.adjust("0 millis")
      assert.deepStrictEqual(Chunk.toReadonlyArray(yield* Queue.takeAll(frames)), [
        { _tag: "Close", code: 1006, reason: "" }
      ])
      assert.isFalse(yield* emu.notifications.dropSocket(id))
    })
  )

  it.scoped("channel expiry early: by rate at a heartbeat, or now; the socket closes with 1000 and HEAD is 404", () =>
    Effect.gen(function* () {
      const { drain, id, rest } = yield* subscribed(faults({ rates: { expireChannel: 1 } }))
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* drain, [{ _tag: "Close", code: 1000, reason: "Channel expired" }])
      assert.strictEqual((yield* rest("HEAD", `${CHANNELS}/${id}`)).status, 404)
      const other = yield* subscribed()
      assert.isTrue(yield* other.emu.notifications.expireChannel(other.id))
      yield* TestClock.adjust("0 millis")
      assert.deepStrictEqual(yield* other.drain, [{ _tag: "Close", code: 1000, reason: "Channel expired" }])
      assert.strictEqual((yield* other.rest("HEAD", `${CHANNELS}/${other.id}`)).status, 404)
      assert.isFalse(yield* other.emu.notifications.expireChannel(other.id))
    })
  )
})
