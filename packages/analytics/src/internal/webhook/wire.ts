/**
 * The webhook wire format: body, event id, headers and the HMAC-SHA256 signature.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { ConfigInvalid } from "../../GenesysError.js"
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

const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * https anywhere, plain http only to loopback. The detail never repeats the URL: webhook URLs
 * often carry a secret path.
 *
 * @internal
 */
export const checkUrl = (raw: string): Either.Either<URL, ConfigInvalid> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return Either.left(new ConfigInvalid({ field: "GENESYS_WEBHOOK_URL", detail: "not a valid absolute URL" }))
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return Either.right(url)
  return Either.left(
    new ConfigInvalid({
      field: "GENESYS_WEBHOOK_URL",
      detail: `${url.protocol}//${url.hostname} is refused: use https (plain http only to a loopback address)`
    })
  )
}
