/**
 * Notification channels (docs/sync.md §1): ids, lifetime, subscriptions, the per-client limit with eviction, and
 * the one socket a channel may have. Plain mutable state, changed in synchronous steps (see app.ts).
 */
import type { NotificationOptions } from "../../EmulatorOptions.js"
import { mix } from "../http/ids.js"

/** What a connection receives: a text frame, a clean close, or a dropped socket (no close frame: 1006). */
export type Frame =
  | { readonly _tag: "Text"; readonly text: string }
  | { readonly _tag: "Close"; readonly code: number; readonly reason: string }
  | { readonly _tag: "Drop" }

/** The socket attached to a channel, as the store sees it. */
export interface Connection {
  readonly push: (frame: Frame) => void
}

/** One channel. */
export interface Channel {
  readonly id: string
  readonly number: number
  expiresAt: number
  lastUsedAt: number
  topics: Array<string>
  connection: Connection | undefined
}

/** The channels of one org. */
export interface ChannelStore {
  /** A new channel at `t` (evicting one past the limit). */
  readonly create: (t: number) => Channel
  /** A live channel, or `undefined` (unknown, or expired at `t`: then it is gone). */
  readonly get: (id: string, t: number) => Channel | undefined
  /** The live channels at `t`, oldest first. */
  readonly list: (t: number) => ReadonlyArray<Channel>
  /** The channel ends now (its socket is closed with 1000). */
  readonly expire: (id: string, t: number) => void
  /** A subscription call renews the channel: it expires `channelTtlMillis` after `t`. */
  readonly renew: (channel: Channel, t: number) => void
  /** Attach `connection`; a socket already attached is closed (1000), as the platform disconnects the first. */
  readonly attach: (channel: Channel, connection: Connection, t: number) => void
  /** Detach `connection` if it is still the channel's. */
  readonly detach: (channel: Channel, connection: Connection) => void
}

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567"

/** A channel id shaped like the platform's: `streaming-0-` and 26 base-32 characters. */
export const channelId = (seed: number, counter: number, salt: number): string => {
  let out = "streaming-0-"
  for (let i = 0; i < 26; i++) out += BASE32[mix(seed, counter * 32 + i, salt) & 31]
  return out
}

/** The store under `options`; ids from `seed` and `salt`. */
export const make = (options: NotificationOptions, seed: number, salt: number): ChannelStore => {
  const channels = new Map<string, Channel>()
  let counter = 0

  const close = (channel: Channel, reason: string) => {
    const connection = channel.connection
    channel.connection = undefined
    connection?.push({ _tag: "Close", code: 1000, reason })
  }

  const sweep = (t: number) => {
    for (const channel of channels.values()) {
      if (channel.expiresAt <= t) {
        channels.delete(channel.id)
        close(channel, "Channel expired")
      }
    }
  }

  const create = (t: number): Channel => {
    sweep(t)
    if (channels.size >= options.maxChannels) {
      // The documented rule: the oldest last-used channel without a connection goes first, else the oldest.
      const all = [...channels.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt || a.number - b.number)
      const victim = all.find((c) => c.connection === undefined) ?? all[0]!
      channels.delete(victim.id)
      close(victim, "Channel removed: channel limit reached")
    }
    counter++
    const channel: Channel = {
      id: channelId(seed, counter, salt),
      number: counter,
      expiresAt: t + options.channelTtlMillis,
      lastUsedAt: t,
      topics: [],
      connection: undefined
    }
    channels.set(channel.id, channel)
    return channel
  }

  const get = (id: string, t: number): Channel | undefined => {
    sweep(t)
    return channels.get(id)
  }

  const list = (t: number): ReadonlyArray<Channel> => {
    sweep(t)
    return [...channels.values()]
  }

  const expire = (id: string, t: number) => {
    const channel = channels.get(id)
    if (channel === undefined) return
    channel.expiresAt = t
    sweep(t)
  }

  const renew = (channel: Channel, t: number) => {
    channel.expiresAt = t + options.channelTtlMillis
    channel.lastUsedAt = t
  }

  const attach = (channel: Channel, connection: Connection, t: number) => {
    if (channel.connection !== undefined) close(channel, "Another WebSocket connected to this channel")
    channel.connection = connection
    channel.lastUsedAt = t
  }

  const detach = (channel: Channel, connection: Connection) => {
    if (channel.connection === connection) channel.connection = undefined
  }

  return { create, get, list, expire, renew, attach, detach }
}
