/**
 * What the server and the in-process client reach behind a public `Emulator.Service`: the byte-level
 * handler (results pages as bytes, no decoding to text), the conversation cache and the read-ahead. Keyed
 * by the service object, so a wrapped or hand-made service simply has none and gets the public path.
 */
import type * as Effect from "effect/Effect"
import type { ConnectionDropped } from "./handler.js"
import type * as ConversationCache from "./conversationCache.js"
import type * as ReadAhead from "./readAhead.js"
import type { Notifier } from "../live/notifier.js"
import type { RawRequest, WireResponse } from "./wire.js"

export interface Internals {
  readonly handle: (request: RawRequest) => Effect.Effect<WireResponse, ConnectionDropped>
  readonly cache: ConversationCache.ByteLru
  readonly readAhead: ReadAhead.ReadAhead
  /** The channels' sockets (the server serves them over WebSocket). */
  readonly notifier: Notifier
  /** Where `connectUri`s point: the server's own `ws://` origin. */
  readonly setConnectOrigin: (origin: string) => void
}

const registry = new WeakMap<object, Internals>()

export const register = (service: object, internals: Internals): void => {
  registry.set(service, internals)
}

export const get = (service: object): Internals | undefined => registry.get(service)
