/** The `Notifications` control of an emulator (see Notifications.ts) over its notifier and channel store. */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type { ChannelInfo, NotificationFrame, Notifications } from "../../Notifications.js"
import type { Channel, Frame } from "./channels.js"
import type { Notifier } from "./notifier.js"

/** The channel does not exist or has expired (a real socket fails its handshake with 404). */
export class ChannelNotFound extends Data.TaggedError("ChannelNotFound")<{ readonly channelId: string }> {
  override get message(): string {
    return `Notification channel ${this.channelId} not found (unknown or expired)`
  }
}

/** The channel id of a `connectUri` (`…/channels/<id>`), or the argument itself. */
export const channelIdOf = (channel: string): string => {
  const at = channel.lastIndexOf("/channels/")
  return at < 0 ? channel : (channel.slice(at + "/channels/".length).split(/[/?#]/)[0] ?? "")
}

const toPublic = (frame: Frame): NotificationFrame =>
  frame._tag === "Drop" ? { _tag: "Close", code: 1006, reason: "" } : frame

/** The control over `notifier`; `channels` lists the store's live channels. */
export const make = (notifier: Notifier, channels: Effect.Effect<ReadonlyArray<Channel>>): Notifications => ({
  connect: Effect.fn("Notifications.connect")(function* (channel: string) {
    const channelId = channelIdOf(channel)
    const session = yield* notifier.connect(channelId)
    if (session === undefined) return yield* Effect.fail(new ChannelNotFound({ channelId }))
    return {
      channelId,
      frames: Stream.fromQueue(session.frames).pipe(
        Stream.map(toPublic),
        Stream.takeUntil((frame) => frame._tag === "Close")
      ),
      send: (text: string) => Effect.sync(() => session.receive(text))
    }
  }),
  channels: Effect.map(channels, (list) =>
    list.map(
      (c): ChannelInfo => ({
        id: c.id,
        expiresMillis: c.expiresAt,
        topics: [...c.topics],
        connected: c.connection !== undefined
      })
    )
  ),
  dropSocket: notifier.dropSocket,
  expireChannel: notifier.expireChannel,
  missNotifications: (count = 1) => notifier.missNotifications(count),
  fired: notifier.fired
})
