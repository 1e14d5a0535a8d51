// The notifications API of the emulator: channel and subscription REST shapes and errors (docs/sync.md §1–§2),
// and the socket in process: envelope, heartbeats, ping/pong, one socket per channel, expiry, all on the TestClock.
import * as Socket from "@effect/platform/Socket"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Deferred, Effect, Exit, Fiber, Layer, Option, Queue, Stream, TestClock } from "effect"
import * as Emulator from "../src/Emulator.js"
import type * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Notifications from "../src/Notifications.js"
import { call } from "./EmulatorCall.js"

const CHANNELS = "/api/v2/notifications/channels"
const TOPIC = Notifications.availabilityTopic

const setup = (input: EmulatorOptions.Input = {}) =>
  Effect.gen(function* () {
    const emu = yield* Emulator.make({ days: 1, perDay: 50, live: { horizonDays: 2 }, ...input })
    const token = yield* emu.issueToken
    return { emu, token, call: (method: string, url: string, json?: unknown) => call(emu, method, url, token, json) }
  })

/** Collects a socket's frames in the background; `next` waits (on the driven clock) for the next one. */
const collect = (socket: Notifications.NotificationSocket) =>
  Effect.gen(function* () {
    const queue = yield* Queue.unbounded<Notifications.NotificationFrame>()
    yield* Effect.forkScoped(Stream.runForEach(socket.frames, (f) => Queue.offer(queue, f)))
    return queue
  })

const drain = (queue: Queue.Queue<Notifications.NotificationFrame>) =>
  Effect.map(Queue.takeAll(queue), (c) => Chunk.toReadonlyArray(c))

const texts = (frames: ReadonlyArray<Notifications.NotificationFrame>) =>
  frames.flatMap((f) => (f._tag === "Text" ? [JSON.parse(f.text)] : []))

describe("notifications REST", () => {
  it.effect("POST channels: {connectUri, id, expires}; GET lists them; HEAD 200 then 404 after 24 h", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup()
      const now = yield* emu.nowMillis
      const created = yield* call("POST", CHANNELS)
      assert.strictEqual(created.status, 200)
      assert.deepStrictEqual(Object.keys(created.body).sort(), ["connectUri", "expires", "id"])
      assert.match(created.body.id, /^streaming-0-[a-z2-7]{26}$/)
      assert.strictEqual(created.body.connectUri, `ws://127.0.0.1:8080/channels/${created.body.id}`)
      assert.strictEqual(created.body.expires, new Date(now + 24 * 3_600_000).toISOString())
      const listed = yield* call("GET", `${CHANNELS}?includechannels=token`)
      assert.deepStrictEqual(listed.body, { entities: [created.body] })
      const head = yield* call("HEAD", `${CHANNELS}/${created.body.id}`)
      assert.strictEqual(head.status, 200)
      assert.isUndefined(head.body)
      assert.strictEqual((yield* call("HEAD", `${CHANNELS}/streaming-0-nope`)).status, 404)
      // No GET or DELETE of one channel exists on the platform.
      assert.strictEqual((yield* call("GET", `${CHANNELS}/${created.body.id}`)).status, 404)
      assert.strictEqual((yield* call("DELETE", `${CHANNELS}/${created.body.id}`)).status, 404)
      yield* TestClock.adjust("24 hours")
      const { token: fresh } = { token: yield* emu.issueToken }
      assert.strictEqual((yield* call_(emu, fresh, "HEAD", `${CHANNELS}/${created.body.id}`)).status, 404)
      assert.deepStrictEqual((yield* call_(emu, fresh, "GET", CHANNELS)).body, { entities: [] })
    })
  )

  it.effect(
    "subscriptions: PUT replaces, POST adds, GET lists, DELETE removes all; a subscription renews the channel",
    () =>
      Effect.gen(function* () {
        const { call, emu } = yield* setup()
        const { id } = (yield* call("POST", CHANNELS)).body
        const subs = `${CHANNELS}/${id}/subscriptions`
        assert.deepStrictEqual((yield* call("GET", subs)).body, { entities: [] })
        const put = yield* call("PUT", subs, [{ id: TOPIC }])
        assert.strictEqual(put.status, 200)
        assert.deepStrictEqual(put.body, { entities: [{ id: TOPIC, state: "Permitted" }] })
        const users = "v2.analytics.users.details.jobs.availability"
        const post = yield* call("POST", subs, [{ id: users }])
        assert.deepStrictEqual(post.body.entities, [
          { id: TOPIC, state: "Permitted" },
          { id: users, state: "Permitted" }
        ])
        const replaced = yield* call("PUT", subs, [{ id: users }])
        assert.deepStrictEqual(replaced.body.entities, [{ id: users, state: "Permitted" }])
        // renewal: 20 h later a PUT moves `expires` to now + 24 h
        yield* TestClock.adjust("20 hours")
        yield* call("PUT", subs, [{ id: TOPIC }])
        const now = yield* emu.nowMillis
        const listed = yield* call("GET", CHANNELS)
        assert.strictEqual(listed.body.entities[0].expires, new Date(now + 24 * 3_600_000).toISOString())
        yield* TestClock.adjust("10 hours")
        const token = yield* emu.issueToken
        assert.strictEqual((yield* call_(emu, token, "HEAD", `${CHANNELS}/${id}`)).status, 200)
        const deleted = yield* call_(emu, token, "DELETE", subs)
        assert.strictEqual(deleted.status, 204)
        assert.deepStrictEqual((yield* call_(emu, token, "GET", subs)).body, { entities: [] })
      })
  )

  it.effect(
    "errors: unknown channel 404, malformed body 400, unknown topic 400 (Rejected with ignoreErrors), > 1000 topics 400, no token 401",
    () =>
      Effect.gen(function* () {
        const { call, emu } = yield* setup({ notifications: { maxTopics: 1 } })
        const missing = yield* call("GET", `${CHANNELS}/streaming-0-nope/subscriptions`)
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.body.code, "not.found")
        assert.strictEqual(missing.body.contextId, missing.headers["inin-correlation-id"])
        const { id } = (yield* call("POST", CHANNELS)).body
        const subs = `${CHANNELS}/${id}/subscriptions`
        assert.strictEqual((yield* call("PUT", subs, { id: TOPIC })).status, 400)
        assert.strictEqual((yield* call("PUT", subs, [{ topic: TOPIC }])).status, 400)
        const unknown = yield* call("PUT", subs, [{ id: "v2.no.such.topic" }])
        assert.strictEqual(unknown.status, 400)
        assert.strictEqual(unknown.body.code, "bad.request")
        const ignored = yield* call("PUT", `${subs}?ignoreErrors=true`, [{ id: TOPIC }, { id: "v2.no.such.topic" }])
        assert.strictEqual(ignored.status, 200)
        assert.deepStrictEqual(ignored.body.entities, [
          { id: TOPIC, state: "Permitted" },
          { id: "v2.no.such.topic", state: "Rejected", rejectionReason: "Topic not found" }
        ])
        const tooMany = yield* call("POST", subs, [{ id: "v2.analytics.users.details.jobs.availability" }])
        assert.strictEqual(tooMany.status, 400)
        assert.strictEqual((yield* call("POST", `${CHANNELS}/${id}`)).status, 405)
        const anonymous = yield* Effect.map(
          emu.handleRaw({ method: "POST", url: CHANNELS, headers: {}, body: "" }),
          (r) => r.status
        )
        assert.strictEqual(anonymous, 401)
      })
  )

  it.effect("20 channels: the 21st evicts the oldest one without a socket", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup()
      const ids: Array<string> = []
      for (let i = 0; i < 20; i++) ids.push((yield* call("POST", CHANNELS)).body.id)
      yield* Effect.scoped(
        Effect.gen(function* () {
          yield* emu.notifications.connect(ids[0]!)
          const extra = yield* call("POST", CHANNELS)
          const listed = (yield* call("GET", CHANNELS)).body.entities.map((c: any) => c.id)
          assert.strictEqual(listed.length, 20)
          assert.include(listed, ids[0])
          assert.notInclude(listed, ids[1])
          assert.include(listed, extra.body.id)
        })
      )
    })
  )

  it.effect("availabletopics lists the availability topic with the expanded fields asked for", () =>
    Effect.gen(function* () {
      const { call } = yield* setup()
      const plain = yield* call("GET", "/api/v2/notifications/availabletopics")
      assert.include(
        plain.body.entities.map((t: any) => t.id),
        TOPIC
      )
      const expanded = yield* call("GET", "/api/v2/notifications/availabletopics?expand=requiresPermissions,visibility")
      const topic = expanded.body.entities.find((t: any) => t.id === TOPIC)
      assert.deepStrictEqual(topic, {
        id: TOPIC,
        requiresPermissions: ["analytics:conversationDetail:view"],
        visibility: "Public"
      })
    })
  )
})

const call_ = (emu: Emulator.Service, token: string, method: string, url: string, json?: unknown) =>
  call(emu, method, url, token, json)

describe("notifications socket, in process", () => {
  it.scoped("heartbeats every 30 s, pong for ping, one availability event per step with the documented envelope", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup({ live: { horizonDays: 2, availabilityStepMillis: 5 * 60_000 } })
      const { id } = (yield* call("POST", CHANNELS)).body
      yield* call("PUT", `${CHANNELS}/${id}/subscriptions`, [{ id: TOPIC }])
      const socket = yield* emu.notifications.connect(id)
      const frames = yield* collect(socket)
      yield* socket.send(JSON.stringify({ message: "ping" }))
      yield* TestClock.adjust("0 millis")
      assert.deepStrictEqual(texts(yield* drain(frames)), [
        { topicName: "channel.metadata", eventBody: { message: "pong" } }
      ])
      yield* TestClock.adjust("90 seconds")
      assert.deepStrictEqual(texts(yield* drain(frames)), [
        { topicName: "channel.metadata", eventBody: { message: "WebSocket Heartbeat" } },
        { topicName: "channel.metadata", eventBody: { message: "WebSocket Heartbeat" } },
        { topicName: "channel.metadata", eventBody: { message: "WebSocket Heartbeat" } }
      ])
      const before = yield* emu.availabilityMillis
      yield* TestClock.adjust("15 minutes")
      const events = texts(yield* drain(frames)).filter((m) => m.topicName === TOPIC)
      assert.strictEqual(events.length, 3)
      const dates = events.map((e) => Date.parse(e.eventBody.dataAvailabilityDate))
      const step = 5 * 60_000
      assert.deepStrictEqual(dates, [before + step, before + 2 * step, before + 3 * step])
      for (const e of events) {
        assert.deepStrictEqual(Object.keys(e), ["topicName", "version", "eventBody", "metadata"])
        assert.strictEqual(e.version, "2")
        assert.match(e.metadata.CorrelationId, /^[0-9a-f-]{36}$/)
      }
      assert.strictEqual(dates[2], yield* emu.availabilityMillis)
    })
  )

  it.scoped("no event without the subscription, and none while no socket is connected (not replayed)", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup({ notifications: { heartbeatMillis: 20 * 60_000 } })
      const { id } = (yield* call("POST", CHANNELS)).body
      const first = yield* collect(yield* emu.notifications.connect(id))
      yield* TestClock.adjust("2 hours")
      assert.isTrue(texts(yield* drain(first)).every((m) => m.topicName === "channel.metadata"))
      yield* call("PUT", `${CHANNELS}/${id}/subscriptions`, [{ id: TOPIC }])
      yield* emu.notifications.dropSocket(id)
      yield* TestClock.adjust("2 hours")
      const afterDrop = yield* drain(first)
      assert.deepStrictEqual(afterDrop, [{ _tag: "Close", code: 1006, reason: "" }])
      const second = yield* collect(yield* emu.notifications.connect(id))
      yield* TestClock.adjust("1 hour")
      const events = texts(yield* drain(second)).filter((m) => m.topicName === TOPIC)
      assert.strictEqual(events.length, 1)
    })
  )

  it.scoped("one socket per channel: a second connection closes the first with 1000", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup()
      const { connectUri } = (yield* call("POST", CHANNELS)).body
      const first = yield* collect(yield* emu.notifications.connect(connectUri))
      const second = yield* collect(yield* emu.notifications.connect(connectUri))
      yield* TestClock.adjust("30 seconds")
      const closed = yield* drain(first)
      assert.strictEqual(closed.length, 1)
      assert.strictEqual(closed[0]!._tag, "Close")
      assert.strictEqual((closed[0] as { code: number }).code, 1000)
      assert.strictEqual(texts(yield* drain(second)).length, 1)
      const listed = yield* emu.notifications.channels
      assert.isTrue(listed[0]!.connected)
    })
  )

  it.scoped("the channel expires after its lifetime: the socket is closed with 1000 and HEAD is 404", () =>
    Effect.gen(function* () {
      const { emu } = yield* setup({ notifications: { channelTtlMillis: 10 * 60_000 } })
      const token = yield* emu.issueToken
      const { id } = (yield* call(emu, "POST", CHANNELS, token)).body
      const frames = yield* collect(yield* emu.notifications.connect(id))
      yield* TestClock.adjust("10 minutes")
      const all = yield* drain(frames)
      assert.strictEqual(texts(all).length, 19)
      assert.deepStrictEqual(all[all.length - 1], { _tag: "Close", code: 1000, reason: "Channel expired" })
      assert.strictEqual((yield* call(emu, "HEAD", `${CHANNELS}/${id}`, token)).status, 404)
      const refused = yield* Effect.flip(emu.notifications.connect(id))
      assert.strictEqual(refused._tag, "ChannelNotFound")
    })
  )

  it.scoped("Socket.makeWebSocket(connectUri) over layerWebSocketConstructor: the client code runs in process", () =>
    Effect.gen(function* () {
      const { call, emu } = yield* setup()
      const { connectUri, id } = (yield* call("POST", CHANNELS)).body
      yield* call("PUT", `${CHANNELS}/${id}/subscriptions`, [{ id: TOPIC }])
      const webSockets = yield* Layer.build(
        Notifications.layerWebSocketConstructor.pipe(Layer.provide(Layer.succeed(Emulator.Emulator, emu)))
      )
      const socket = yield* Effect.provide(Socket.makeWebSocket(connectUri), webSockets)
      const received = yield* Queue.unbounded<string>()
      const opened = yield* Deferred.make<void>()
      const write = yield* socket.writer
      const fiber = yield* Effect.fork(
        socket.runRaw(
          (data) => Queue.offer(received, typeof data === "string" ? data : new TextDecoder().decode(data)),
          {
            onOpen: Deferred.succeed(opened, undefined)
          }
        )
      )
      yield* Deferred.await(opened)
      yield* write(JSON.stringify({ message: "ping" }))
      const pong = JSON.parse(yield* Queue.take(received))
      assert.strictEqual(pong.eventBody.message, "pong")
      yield* TestClock.adjust("1 hour")
      const all = Chunk.toReadonlyArray(yield* Queue.takeAll(received)).map((t) => JSON.parse(t))
      assert.strictEqual(all.filter((m) => m.topicName === TOPIC).length, 1)
      assert.strictEqual(all.filter((m) => m.topicName === "channel.metadata").length, 120)
      // a drop (1006) ends the client's run; @effect/platform counts 1000 and 1006 as clean by default
      yield* emu.notifications.dropSocket(id)
      assert.isTrue(Exit.isSuccess(yield* Fiber.await(fiber)))
      const strict = yield* Effect.provide(
        Socket.makeWebSocket(connectUri, { closeCodeIsError: (code) => code !== 1000 }),
        webSockets
      )
      const strictOpen = yield* Deferred.make<void>()
      const strictRun = yield* Effect.fork(
        strict.runRaw(() => Effect.void, { onOpen: Deferred.succeed(strictOpen, undefined) })
      )
      yield* Deferred.await(strictOpen)
      assert.isTrue(yield* emu.notifications.dropSocket(id))
      const exit = yield* Fiber.await(strictRun)
      const error = Option.getOrThrow(Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none())
      assert.strictEqual(error.reason, "Close")
      assert.strictEqual((error as Socket.SocketCloseError).code, 1006)
      // an unknown channel fails the opening
      const refused = yield* Effect.provide(Socket.makeWebSocket(`${connectUri}x`), webSockets)
      const openError = yield* Effect.flip(refused.runRaw(() => Effect.void))
      assert.strictEqual(openError.reason, "Open")
    })
  )
})
