/**
 * What a connected channel receives (docs/sync.md §3, proposals 5, 8, 9): `channel.metadata` heartbeats, a pong for
 * each `{"message":"ping"}`, one availability event per advance of the date to a channel subscribed to the topic,
 * and a close when the channel expires or another socket takes it. One fiber per connection sleeps on the
 * emulator's `Clock` until the next heartbeat, step or expiry (emulated time divided by `speed`). Events are never
 * queued for a channel without a socket. Faults: a dropped socket or an early expiry (per heartbeat), a missed event
 * (per event and channel, or the next `n` advances), and the availability stall (availability.ts).
 */
import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import type * as Scope from "effect/Scope"
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import type { FaultProfile } from "../../Faults.js"
import type { FiredFaults } from "../../Notifications.js"
import { Salt, uuid } from "../http/ids.js"
import { hash3 } from "../data/random.js"
import type { Availability } from "./availability.js"
import type { Channel, ChannelStore, Connection, Frame } from "./channels.js"

/** The availability topic (docs/sync.md §4). */
export const availabilityTopic = "v2.analytics.conversations.details.jobs.availability"

/** The heartbeat frame (docs/sync.md §3; the text is from third-party sources, MED). */
export const heartbeat = JSON.stringify({
  topicName: "channel.metadata",
  eventBody: { message: "WebSocket Heartbeat" }
})

/** The answer to `{"message":"ping"}`. */
export const pong = JSON.stringify({ topicName: "channel.metadata", eventBody: { message: "pong" } })

/** One connected socket: what it receives, and how it hands over what the client sends. */
export interface Session {
  readonly channelId: string
  readonly frames: Queue.Dequeue<Frame>
  readonly receive: (text: string) => void
}

/** The notifications of one org. */
export interface Notifier {
  /** Connect to a channel (scoped: closing the scope disconnects); `undefined` for an unknown or expired one. */
  readonly connect: (channelId: string) => Effect.Effect<Session | undefined, never, Scope.Scope>
  /** Whether a channel exists now (a socket handshake to an unknown or expired one is refused). */
  readonly exists: (channelId: string) => Effect.Effect<boolean>
  /** Fault: drop the channel's socket now (close 1006, the channel lives). `false`: no socket. */
  readonly dropSocket: (channelId: string) => Effect.Effect<boolean>
  /** Fault: the channel expires now (socket closed with 1000, `HEAD` 404). `false`: no such channel. */
  readonly expireChannel: (channelId: string) => Effect.Effect<boolean>
  /** Fault: the next `count` availability advances send no event (the REST date still advances). */
  readonly missNotifications: (count: number) => Effect.Effect<void>
  /** How often each live fault has fired so far (scripted or drawn). */
  readonly fired: Effect.Effect<FiredFaults>
}

const DROP_SALT = 0xd50c
const EXPIRE_SALT = 0xe591
const MISS_SALT = 0x3155
const TWO32 = 4_294_967_296

/** The notifier of an org. */
export const make = (parts: {
  readonly options: EmulatorOptions
  readonly store: ChannelStore
  readonly availability: Availability
  readonly profile: () => FaultProfile
  readonly now: Effect.Effect<number>
  readonly clock: Clock.Clock
}): Notifier => {
  const { availability, clock, now, options, profile, store } = parts
  const speed = options.live?.speed ?? 1
  const heartbeatMillis = options.notifications.heartbeatMillis
  let events = 0
  let pendingMisses = 0
  let droppedSockets = 0
  let expiredChannels = 0
  let missedEvents = 0
  // Per advance (by its date): whether the `missNotifications` fault took it. Decided by the first connection.
  const missed = new Map<number, boolean>()
  const draw = (salt: number, a: number, b: number, rate: number | undefined) => {
    if (rate === undefined || rate <= 0) return false
    const p = profile()
    return hash3((p.seed ?? options.seed) ^ salt, a, b) / TWO32 < rate
  }

  const event = (dataAvailabilityMillis: number) => {
    events++
    return JSON.stringify({
      topicName: availabilityTopic,
      version: options.notifications.eventVersion,
      eventBody: { dataAvailabilityDate: new Date(dataAvailabilityMillis).toISOString() },
      metadata: { CorrelationId: uuid(options.seed, events, Salt.event) }
    })
  }

  const skipEvent = (channel: Channel, a: number) => {
    let taken = missed.get(a)
    if (taken === undefined) {
      taken = pendingMisses > 0
      if (taken) pendingMisses--
      missed.set(a, taken)
    }
    return taken || draw(MISS_SALT, Math.floor(a / 1000), channel.number, profile().rates?.missNotification)
  }

  const sleepUntil = (target: number, t: number) =>
    clock.sleep(Duration.millis(Math.max(0, Math.ceil((target - t) / speed))))

  const run = (channel: Channel, connection: Connection, queue: Queue.Queue<Frame>) =>
    Effect.gen(function* () {
      const attached = () => channel.connection === connection
      let t = yield* now
      let nextHeartbeat = t + heartbeatMillis
      let seen = availability.at(t)
      let beats = 0
      while (true) {
        const wake = Math.min(nextHeartbeat, availability.nextStepAfter(t), channel.expiresAt)
        yield* sleepUntil(wake, t)
        t = yield* now
        if (!attached()) return
        // An expired channel is swept here: the store closes its socket.
        if (store.get(channel.id, t) === undefined) return
        if (t >= nextHeartbeat) {
          nextHeartbeat = t + heartbeatMillis
          beats++
          const rates = profile().rates
          if (draw(DROP_SALT, channel.number, beats, rates?.dropSocket)) {
            droppedSockets++
            store.detach(channel, connection)
            queue.unsafeOffer({ _tag: "Drop" })
            return
          }
          if (draw(EXPIRE_SALT, channel.number, beats, rates?.expireChannel)) {
            expiredChannels++
            store.expire(channel.id, t)
            return
          }
          queue.unsafeOffer({ _tag: "Text", text: heartbeat })
        }
        const a = availability.at(t)
        if (a > seen) {
          seen = a
          if (channel.topics.includes(availabilityTopic)) {
            if (skipEvent(channel, a)) missedEvents++
            else queue.unsafeOffer({ _tag: "Text", text: event(a) })
          }
        }
      }
    })

  const connect = (channelId: string) =>
    Effect.gen(function* () {
      const t = yield* now
      const channel = store.get(channelId, t)
      if (channel === undefined) return undefined
      const queue = yield* Effect.acquireRelease(Queue.unbounded<Frame>(), Queue.shutdown)
      const connection: Connection = { push: (frame) => queue.unsafeOffer(frame) }
      store.attach(channel, connection, t)
      yield* Effect.addFinalizer(() => Effect.sync(() => store.detach(channel, connection)))
      yield* Effect.forkScoped(run(channel, connection, queue))
      const receive = (text: string) => {
        let message: unknown
        try {
          message = JSON.parse(text)
        } catch {
          return
        }
        if (channel.connection !== connection) return
        if (typeof message === "object" && message !== null && (message as { message?: unknown }).message === "ping") {
          queue.unsafeOffer({ _tag: "Text", text: pong })
        }
      }
      const session: Session = { channelId, frames: queue, receive }
      return session
    })

  const dropSocket = (channelId: string) =>
    Effect.flatMap(now, (t) =>
      Effect.sync(() => {
        const channel = store.get(channelId, t)
        const connection = channel?.connection
        if (channel === undefined || connection === undefined) return false
        droppedSockets++
        store.detach(channel, connection)
        connection.push({ _tag: "Drop" })
        return true
      })
    )

  const expireChannel = (channelId: string) =>
    Effect.flatMap(now, (t) =>
      Effect.sync(() => {
        if (store.get(channelId, t) === undefined) return false
        expiredChannels++
        store.expire(channelId, t)
        return true
      })
    )

  const missNotifications = (count: number) =>
    Effect.sync(() => {
      pendingMisses += count
    })

  const exists = (channelId: string) => Effect.map(now, (t) => store.get(channelId, t) !== undefined)

  const fired = Effect.sync(
    (): FiredFaults => ({ droppedSockets, expiredChannels, missedEvents, stalledSteps: availability.stalledSteps() })
  )

  return { connect, exists, dropSocket, expireChannel, missNotifications, fired }
}
