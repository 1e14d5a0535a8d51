// An event between `notify` and its delivery or drop. Its id and body are computed once, on first need, and kept:
// every retry carries the same idempotency id and bytes, and a drop audits the same id the receiver would have seen.
import * as Effect from "effect/Effect"
import type { WebhookEvent } from "../../Webhook.js"
import * as wire from "./wire.js"

/** An accepted event: its cleaned fields, the caller's id if any, the time of `notify`. */
export interface PendingEvent {
  readonly fields: wire.EventFields
  readonly explicitId: string | undefined
  readonly occurredAt: number
  prepared?: wire.Prepared
}

/** The pending form of `event`, scrubbed of `secrets`, occurring at `occurredAt` (ms). */
export const make = (event: WebhookEvent, secrets: ReadonlyArray<string>, occurredAt: number): PendingEvent => ({
  fields: wire.clean(event, secrets),
  explicitId: event.id,
  occurredAt
})

/** The event's id and body, computed on the first call and reused after. */
export const prepare = (pending: PendingEvent): Effect.Effect<wire.Prepared> =>
  pending.prepared !== undefined
    ? Effect.succeed(pending.prepared)
    : Effect.map(
        pending.explicitId !== undefined ? Effect.succeed(pending.explicitId) : wire.eventId(pending.fields),
        (id) => {
          pending.prepared = { id, body: wire.renderBody(id, pending.occurredAt, pending.fields) }
          return pending.prepared
        }
      )
