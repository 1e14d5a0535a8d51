// The notifications WebSocket over the real Node server: the connectUri of a created channel, the documented envelope,
// heartbeats and ping/pong, one socket per channel, a refused handshake, and the socket faults. The emulator runs on
// the TestClock (heartbeats and steps are driven by TestClock.adjust); waits on socket traffic are bounded on the live
// clock, never sleeps.
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as Socket from "@effect/platform/Socket"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Queue, TestClock, TestServices } from "effect"
import * as Notifications from "../src/Notifications.js"
import * as Server from "../src/Server.js"
import { parseArgs } from "../src/internal/http/cli.js"

const TOPIC = Notifications.availabilityTopic
const anchorMillis = Date.parse("2026-03-10T12:00:00.000Z")

/** Waits at most 5 s of real time for `effect` (socket traffic is real I/O; the emulator's clock is the TestClock). */
const within = <A, E>(effect: Effect.Effect<A, E>) =>
  TestServices.provideLive(
    Effect.timeoutFail(effect, { duration: "5 seconds", onTimeout: () => new Error("timed out") })
  )

const start = (options: Server.Options = {}) =>
  Effect.gen(function* () {
    const running = yield* Server.start({
      port: 0,
      days: 1,
      perDay: 50,
      anchorMillis,
      live: { horizonDays: 1 },
      ...options
    })
    const token = yield* running.emulator.issueToken
    const rest = (method: string, path: string, body?: unknown) =>
      Effect.promise(async () => {
        const response = await fetch(`${running.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          ...(body === undefined ? {} : { body: JSON.stringify(body) })
        })
        const text = await response.text()
        return { status: response.status, body: text === "" ? undefined : JSON.parse(text) }
      })
    return { ...running, rest }
  })

/** Connects `connectUri` with the platform's WebSocket over `ws`; every text frame goes to `received`. */
const connect = (connectUri: string, options: { readonly closeCodeIsError?: (code: number) => boolean } = {}) =>
  Effect.gen(function* () {
    const socket = yield* Socket.makeWebSocket(connectUri, options).pipe(
      Effect.provide(NodeSocket.layerWebSocketConstructor)
    )
    const received = yield* Queue.unbounded<any>()
    const opened = yield* Deferred.make<void>()
    const fiber = yield* Effect.forkScoped(
      socket.runRaw(
        (data) => Queue.offer(received, JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data))),
        {
          onOpen: Deferred.succeed(opened, undefined)
        }
      )
    )
    const write = yield* socket.writer
    return { received, opened, fiber, write }
  })

describe("notifications over the Node server", () => {
  it.scoped("connectUri, ping/pong, heartbeat and an availability event in the documented envelope", () =>
    Effect.gen(function* () {
      const { emulator, port, rest } = yield* start()
      const created = yield* rest("POST", "/api/v2/notifications/channels")
      assert.strictEqual(created.status, 200)
      assert.strictEqual(created.body.connectUri, `ws://127.0.0.1:${port}/channels/${created.body.id}`)
      const put = yield* rest("PUT", `/api/v2/notifications/channels/${created.body.id}/subscriptions`, [{ id: TOPIC }])
      assert.deepStrictEqual(put.body, { entities: [{ id: TOPIC, state: "Permitted" }] })
      const head = yield* Effect.promise(() =>
        fetch(`http://127.0.0.1:${port}/api/v2/notifications/channels/${created.body.id}`, {
          method: "HEAD",
          headers: { authorization: "Bearer x" }
        })
      )
      assert.strictEqual(head.status, 401)
      const client = yield* connect(created.body.connectUri)
      yield* within(Deferred.await(client.opened))
      yield* client.write(JSON.stringify({ message: "ping" }))
      assert.deepStrictEqual(yield* within(Queue.take(client.received)), {
        topicName: "channel.metadata",
        eventBody: { message: "pong" }
      })
      yield* TestClock.adjust("30 seconds")
      assert.deepStrictEqual(yield* within(Queue.take(client.received)), {
        topicName: "channel.metadata",
        eventBody: { message: "WebSocket Heartbeat" }
      })
      const before = yield* emulator.availabilityMillis
      yield* TestClock.adjust("1 hour")
      let event: any
      while (event === undefined) {
        const message = yield* within(Queue.take(client.received))
        if (message.topicName === TOPIC) event = message
      }
      assert.deepStrictEqual(Object.keys(event), ["topicName", "version", "eventBody", "metadata"])
      assert.deepStrictEqual(event.eventBody, { dataAvailabilityDate: new Date(before + 3_600_000).toISOString() })
      assert.strictEqual(event.version, "2")
      assert.isString(event.metadata.CorrelationId)
      const availability = yield* rest("GET", "/api/v2/analytics/conversations/details/jobs/availability")
      assert.strictEqual(availability.body.dataAvailabilityDate, event.eventBody.dataAvailabilityDate)
    })
  )

  it.scoped("one socket per channel: a second connection closes the first (1000); an unknown channel is refused", () =>
    Effect.gen(function* () {
      const { port, rest } = yield* start()
      const { connectUri } = (yield* rest("POST", "/api/v2/notifications/channels")).body
      const first = yield* connect(connectUri, { closeCodeIsError: (code) => code !== 1000 })
      yield* within(Deferred.await(first.opened))
      const second = yield* connect(connectUri)
      yield* within(Deferred.await(second.opened))
      // the first socket's run ends cleanly with the server's 1000
      assert.isTrue(Exit.isSuccess(yield* within(Fiber.await(first.fiber))))
      yield* second.write(JSON.stringify({ message: "ping" }))
      assert.strictEqual((yield* within(Queue.take(second.received))).eventBody.message, "pong")
      const stranger = yield* connect(`ws://127.0.0.1:${port}/channels/streaming-0-unknown`)
      const refused = yield* within(Fiber.await(stranger.fiber))
      assert.isTrue(Exit.isFailure(refused))
    })
  )

  it.scoped(
    "faults: a dropped socket is 1006 and the channel lives; an expired channel closes with 1000 and HEAD is 404",
    () =>
      Effect.gen(function* () {
        const { emulator, rest } = yield* start()
        const { connectUri, id } = (yield* rest("POST", "/api/v2/notifications/channels")).body
        const dropped = yield* connect(connectUri, { closeCodeIsError: (code) => code !== 1000 })
        yield* within(Deferred.await(dropped.opened))
        assert.isTrue(yield* emulator.notifications.dropSocket(id))
        const exit = yield* within(Fiber.await(dropped.fiber))
        assert.isTrue(Exit.isFailure(exit))
        assert.include(String(Exit.isFailure(exit) ? exit.cause : ""), "1006")
        assert.strictEqual((yield* rest("HEAD", `/api/v2/notifications/channels/${id}`)).status, 200)
        const again = yield* connect(connectUri, { closeCodeIsError: (code) => code !== 1000 })
        yield* within(Deferred.await(again.opened))
        assert.isTrue(yield* emulator.notifications.expireChannel(id))
        assert.isTrue(Exit.isSuccess(yield* within(Fiber.await(again.fiber))))
        assert.strictEqual((yield* rest("HEAD", `/api/v2/notifications/channels/${id}`)).status, 404)
      })
  )
})

describe("genesys-emulator --live", () => {
  it("parses --live, --speed and --step-minutes", () => {
    assert.deepStrictEqual(parseArgs(["--live", "--speed", "60", "--step-minutes=15"]), {
      _tag: "Ok",
      options: { live: { speed: 60, availabilityStepMillis: 15 * 60_000 } }
    })
    assert.deepStrictEqual(parseArgs(["--live"]), { _tag: "Ok", options: { live: {} } })
    assert.strictEqual(parseArgs(["--speed", "60"])._tag, "Invalid")
    assert.strictEqual(parseArgs(["--live", "--speed", "0"])._tag, "Invalid")
    assert.strictEqual(parseArgs(["--live", "--speed", "fast"])._tag, "Invalid")
  })
})
