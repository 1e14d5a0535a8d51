// The delivery counters behind `Webhook.stats`, shared by the parts that queue, send and drop.
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import type { WebhookStats } from "../../Webhook.js"

/** The counters: one increment per counted fact, and a snapshot. */
export interface Stats {
  readonly count: (key: keyof WebhookStats) => Effect.Effect<void>
  readonly get: Effect.Effect<WebhookStats>
}

/** All counters at zero. */
export const empty: WebhookStats = { queued: 0, delivered: 0, dropped: 0, failed: 0, attempts: 0 }

/** Fresh counters at zero. */
export const make: Effect.Effect<Stats> = Effect.map(Ref.make<WebhookStats>(empty), (ref) => ({
  count: (key) => Ref.update(ref, (s) => ({ ...s, [key]: s[key] + 1 })),
  get: Ref.get(ref)
}))
