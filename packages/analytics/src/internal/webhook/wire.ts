/**
 * The webhook wire format: body, event id, headers and the HMAC-SHA256 signature. Where requests may go is
 * `urlCheck.ts`.
 *
 * @internal
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import { scrub } from "../audit/redact.js"
import { canonicalJson } from "../canonicalJson.js"
import { hmacSha256Hex, hmacSha256Verify, sha256Hex } from "../crypto.js"
import type { WebhookEvent } from "../../Webhook.js"

/** @internal */
export const HEADER_ID = "idempotency-key"
/** @internal */
export const HEADER_TIMESTAMP = "x-effect-genesys-timestamp"
/** @internal */
export const HEADER_SIGNATURE = "x-effect-genesys-signature"
/** @internal */
export const HEADER_ATTEMPT = "x-effect-genesys-attempt"

/** The fields of an event that go on the wire (everything but the timestamp and id). @internal */
export type EventFields = Omit<WebhookEvent, "id" | "type"> & { readonly type: string }

/** Known fields only, strings scrubbed of secret-looking values, non-finite counts dropped. @internal */
export const clean = (event: EventFields, secrets: ReadonlyArray<string>): EventFields => {
  const text = (value: unknown, max: number) =>
    typeof value === "string" ? scrub(value, secrets, max).text : undefined
  const counts =
    event.counts === undefined
      ? undefined
      : Object.fromEntries(Object.entries(event.counts).filter(([, v]) => typeof v === "number" && Number.isFinite(v)))
  return {
    type: text(event.type, 64) ?? "unknown",
    runId: text(event.runId, 256),
    jobId: text(event.jobId, 256),
    window: text(event.window, 256),
    status: text(event.status, 256),
    counts,
    auditHead: text(event.auditHead, 64),
    detail: text(event.detail, 1000)
  }
}

/**
 * The idempotency id: SHA-256 of the canonical event without its time, so the same fact notified
 * twice (a resumed run re-announcing a job) carries the same id and the receiver can drop it.
 *
 * @internal
 */
export const eventId = (fields: EventFields): Effect.Effect<string> =>
  Effect.suspend(() => sha256Hex(canonicalJson(fields)))

/** The request body: canonical JSON, so its bytes are reproducible. @internal */
export const renderBody = (id: string, occurredAtMillis: number, fields: EventFields): string =>
  canonicalJson({ ...fields, id, occurredAt: new Date(occurredAtMillis).toISOString() })

/** `HMAC-SHA256(secret, timestamp + "." + body)` as lower-case hex. @internal */
export const sign = (secret: string, timestamp: string, body: string): Effect.Effect<string> =>
  hmacSha256Hex(secret, `${timestamp}.${body}`)

/** Constant-time check of a signature; `false` for anything malformed. @internal */
export const verify = (secret: string, timestamp: string, body: string, signature: string): Effect.Effect<boolean> =>
  /^\d{1,15}$/.test(timestamp)
    ? hmacSha256Verify(secret, `${timestamp}.${body}`, signature.trim().replace(/^sha256=/, ""))
    : Effect.succeed(false)

/** What one attempt signs and sends: the event's id and rendered body. @internal */
export interface Prepared {
  readonly id: string
  readonly body: string
}

/**
 * The POST of attempt `attempt`: body, idempotency id, attempt number, and a signature over the body and the
 * current time (each attempt is signed afresh, so a receiver's replay window holds for retries too).
 *
 * @internal
 */
export const signedRequest = (
  url: URL,
  secret: string,
  prepared: Prepared,
  attempt: number,
  nowMillis: number
): Effect.Effect<HttpClientRequest.HttpClientRequest> => {
  const timestamp = String(Math.floor(nowMillis / 1000))
  return Effect.map(sign(secret, timestamp, prepared.body), (signature) =>
    HttpClientRequest.post(url).pipe(
      HttpClientRequest.setHeaders({
        [HEADER_ID]: prepared.id,
        [HEADER_TIMESTAMP]: timestamp,
        [HEADER_SIGNATURE]: signature,
        [HEADER_ATTEMPT]: String(attempt),
        "user-agent": "effect-genesys-webhook/0.1"
      }),
      HttpClientRequest.bodyText(prepared.body, "application/json")
    )
  )
}
