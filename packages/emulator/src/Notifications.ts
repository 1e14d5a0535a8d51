/**
 * The notifications API of the emulated org (docs/sync.md): channels and subscriptions are REST routes like any
 * other (`POST /api/v2/notifications/channels`, …); this module is the socket side in process. A test reads a
 * channel's socket without a network in two ways:
 *
 * - `emulator.notifications.connect(channelId or connectUri)`: a scoped `NotificationSocket`, its frames as a
 *   `Stream` (text frames, then the close);
 * - `layerWebSocketConstructor`: the `@effect/platform` `Socket.WebSocketConstructor` whose sockets connect to the
 *   emulator's channels, so `Socket.makeWebSocket(connectUri)` (the code a real client runs) works in process.
 *
 * The Node server (`Server.start`) serves the same sockets at `ws://127.0.0.1:<port>/channels/<id>`.
 *
 * @since 0.4.0
 */
import * as Socket from "@effect/platform/Socket"
import type * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as EffectModule from "effect/Effect"
import { Emulator } from "./Emulator.js"
import * as InProcess from "./internal/live/inProcess.js"
import { InProcessWebSocket } from "./internal/live/inProcessWebSocket.js"

/** The availability topic (docs/sync.md §4). @since 0.4.0 */
export const availabilityTopic = "v2.analytics.conversations.details.jobs.availability"

/** A frame of a channel's socket: a text message, or its end (`1000` clean, `1006` dropped). @since 0.4.0 */
export type NotificationFrame =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Close"; readonly code: number; readonly reason: string }

/** A socket connected to a channel in process. @since 0.4.0 */
export interface NotificationSocket {
  readonly channelId: string
  /** What the server sends, in order; ends after the `Close` frame. */
  readonly frames: Stream.Stream<NotificationFrame>
  /** Send a text frame (`{"message":"ping"}` is answered with a pong). */
  readonly send: (text: string) => Effect.Effect<void>
}

/** The channel does not exist or has expired (a real socket fails its handshake with 404). @since 0.4.0 */
export const ChannelNotFound: typeof InProcess.ChannelNotFound = InProcess.ChannelNotFound

/** The channel does not exist or has expired. @since 0.4.0 */
export type ChannelNotFound = InProcess.ChannelNotFound

/** A channel as the emulator holds it. @since 0.4.0 */
export interface ChannelInfo {
  readonly id: string
  readonly expiresMillis: number
  readonly topics: ReadonlyArray<string>
  /** Whether a socket is connected. */
  readonly connected: boolean
}

/** The socket side of the notifications API and its faults. @since 0.4.0 */
export interface Notifications {
  /** Connect to a channel by id or `connectUri`; a socket already connected to it is closed (1000). */
  readonly connect: (channel: string) => Effect.Effect<NotificationSocket, ChannelNotFound, Scope.Scope>
  /** The live channels, oldest first. */
  readonly channels: Effect.Effect<ReadonlyArray<ChannelInfo>>
  /** Fault: drop the channel's socket (the client sees 1006; the channel and its subscriptions survive). */
  readonly dropSocket: (channelId: string) => Effect.Effect<boolean>
  /** Fault: the channel expires now (socket closed with 1000, `HEAD` answers 404). */
  readonly expireChannel: (channelId: string) => Effect.Effect<boolean>
  /** Fault: the next `count` availability advances are announced to no channel (the REST date still advances). */
  readonly missNotifications: (count?: number) => Effect.Effect<void>
  /**
   * How often each live fault has fired so far, scripted (the calls above, `stallAvailability`) or drawn from the
   * profile's rates: a test asserts on what happened rather than on what a seeded rate might draw.
   *
   * @since 0.4.0
   */
  readonly fired: Effect.Effect<FiredFaults>
}

/** Counts of the live faults that fired (`Notifications.fired`). @since 0.4.0 */
export interface FiredFaults {
  /** Sockets the server dropped (the client saw 1006). */
  readonly droppedSockets: number
  /** Channels that expired early (close 1000, `HEAD` 404). */
  readonly expiredChannels: number
  /** Availability events not sent to a subscribed, connected channel (per channel and advance). */
  readonly missedEvents: number
  /** Due availability steps suppressed by a stall. */
  readonly stalledSteps: number
}

/** The channel id of a `connectUri` (`…/channels/<id>`), or the argument itself. @since 0.4.0 */
export const channelIdOf: (channel: string) => string = InProcess.channelIdOf

/**
 * `Socket.WebSocketConstructor` over the emulator in context: `Socket.makeWebSocket(connectUri)` connects to its
 * channel in process (any origin; an unknown channel fails the opening like a refused handshake). Build it inside the
 * test, like `Emulator.layerHttpClient`, so its sockets run on the test's `TestClock`.
 *
 * @since 0.4.0
 */
export const layerWebSocketConstructor: Layer.Layer<Socket.WebSocketConstructor, never, Emulator> = Layer.effect(
  Socket.WebSocketConstructor,
  EffectModule.gen(function* () {
    const emulator = yield* Emulator
    const runtime = yield* EffectModule.runtime<never>()
    const runFork = Runtime.runFork(runtime)
    return (url: string) =>
      new InProcessWebSocket(url, emulator.notifications, runFork) as unknown as globalThis.WebSocket
  })
)
