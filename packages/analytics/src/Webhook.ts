/**
 * Signed outbound notifications of job and extraction lifecycle events. Delivery runs on a
 * background fiber behind a bounded queue, so a dead or slow receiver never slows an extraction.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { AuditLog } from "./AuditLog.js"
import { ConfigInvalid } from "./GenesysError.js"
import * as Delivery from "./internal/webhook/delivery.js"
import * as DropAudit from "./internal/webhook/dropAudit.js"
import * as Outbox from "./internal/webhook/outbox.js"
import * as PendingEvent from "./internal/webhook/pendingEvent.js"
import * as Stats from "./internal/webhook/stats.js"
import { checkUrl } from "./internal/webhook/urlCheck.js"
import * as wire from "./internal/webhook/wire.js"

/** The lifecycle events sent. @since 0.1.0 */
export type WebhookEventType = "job.fulfilled" | "job.failed" | "extraction.completed"

/**
 * A lifecycle event. The body sent is the canonical JSON of these fields plus `id` and
 * `occurredAt`. `id` defaults to the SHA-256 of the other fields, so re-announcing the same fact
 * reuses the same idempotency id. Never put secrets or conversation content here.
 *
 * @since 0.1.0
 */
export interface WebhookEvent {
  readonly type: WebhookEventType
  readonly id?: string | undefined
  readonly runId?: string | undefined
  readonly jobId?: string | undefined
  readonly window?: string | undefined
  /** Job state or outcome, e.g. `FULFILLED`, `FAILED`. */
  readonly status?: string | undefined
  readonly counts?: Readonly<Record<string, number>> | undefined
  /** The audit chain's head hash (from `AuditLog.seal`) for `extraction.completed`. */
  readonly auditHead?: string | undefined
  readonly detail?: string | undefined
}

/** Delivery counters since the layer started. @since 0.1.0 */
export interface WebhookStats {
  /** Events accepted into the queue. */
  readonly queued: number
  readonly delivered: number
  /** Events evicted from a full queue, sent after close, or still queued when the drain time ran out. */
  readonly dropped: number
  /** Events whose delivery failed for good (retries exhausted, or a 4xx refusal). */
  readonly failed: number
  /** HTTP attempts made, retries included. */
  readonly attempts: number
}

/** @since 0.1.0 */
export interface Service {
  /** Queues an event for delivery. Never fails, never waits for the receiver. */
  readonly notify: (event: WebhookEvent) => Effect.Effect<void>
  readonly stats: Effect.Effect<WebhookStats>
}

/** The webhook notifier. @since 0.1.0 */
export class Webhook extends Context.Tag("@effect-genesys/analytics/Webhook")<Webhook, Service>() {}

/** Header carrying the event id, stable across retries. @since 0.1.0 */
export const headerId: string = wire.HEADER_ID
/** Header carrying the Unix time in seconds at which the attempt was signed. @since 0.1.0 */
export const headerTimestamp: string = wire.HEADER_TIMESTAMP
/** Header carrying hex `HMAC-SHA256(secret, timestamp + "." + body)`. @since 0.1.0 */
export const headerSignature: string = wire.HEADER_SIGNATURE
/** Header carrying the attempt number (1 for the first try). @since 0.1.0 */
export const headerAttempt: string = wire.HEADER_ATTEMPT

/**
 * Where and how to deliver. Defaults: queue of 100 events (when full the oldest is dropped, so the
 * latest, usually `extraction.completed`, survives), 10 s per attempt, 6 attempts with exponential
 * backoff from 500 ms capped at 30 s (jittered), 5 s to drain on close.
 *
 * @since 0.1.0
 */
export interface Options {
  readonly url: string
  readonly secret: Redacted.Redacted<string>
  readonly queueCapacity?: number | undefined
  readonly attemptTimeout?: Duration.DurationInput | undefined
  readonly maxAttempts?: number | undefined
  readonly backoff?: Duration.DurationInput | undefined
  readonly maxBackoff?: Duration.DurationInput | undefined
  readonly drainTimeout?: Duration.DurationInput | undefined
}

/** Signs a body the way the sender does: hex `HMAC-SHA256(secret, timestamp + "." + body)`. @since 0.1.0 */
export const sign = (
  secret: string | Redacted.Redacted<string>,
  timestamp: string,
  body: string
): Effect.Effect<string> => wire.sign(Redacted.isRedacted(secret) ? Redacted.value(secret) : secret, timestamp, body)

/**
 * For receivers: checks the signature header against the raw body (the exact bytes received, as
 * a string) in constant time. With `toleranceSeconds`, also refuses a timestamp further than that
 * from the Clock's now, which stops replays of old requests. Accepts an optional `sha256=` prefix.
 *
 * @since 0.1.0
 */
export const verifySignature = (
  secret: string | Redacted.Redacted<string>,
  timestamp: string,
  body: string,
  signature: string,
  options?: { readonly toleranceSeconds?: number | undefined }
): Effect.Effect<boolean> =>
  Effect.gen(function* () {
    if (options?.toleranceSeconds !== undefined) {
      const now = (yield* Clock.currentTimeMillis) / 1000
      if (!/^\d{1,15}$/.test(timestamp) || Math.abs(now - Number(timestamp)) > options.toleranceSeconds) return false
    }
    return yield* wire.verify(Redacted.isRedacted(secret) ? Redacted.value(secret) : secret, timestamp, body, signature)
  })

/**
 * Starts the delivery fiber for the scope. Closing the scope waits up to `drainTimeout` for the
 * queue to empty, then counts and audits whatever is left as dropped.
 *
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigInvalid, HttpClient.HttpClient | AuditLog | Scope.Scope> =>
  // Wiring only: the parts live in internal/webhook/ (outbox: queue and drain; delivery: signed, retried
  // attempts; dropAudit: undelivered events to the audit log; stats: the counters).
  Effect.gen(function* () {
    const url = yield* checkUrl(options.url)
    const secret = Redacted.value(options.secret)
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const stats = yield* Stats.make
    const drops = yield* DropAudit.make(yield* AuditLog, stats)
    const send = Delivery.make({
      client,
      url,
      secret,
      policy: Delivery.policy(options),
      onAttempt: stats.count("attempts")
    })
    const outbox = yield* Outbox.make<PendingEvent.PendingEvent>({
      capacity: options.queueCapacity ?? 100,
      deliver: (pending) =>
        Effect.flatMap(send(pending), (outcome) =>
          outcome._tag === "Delivered"
            ? stats.count("delivered")
            : drops.failed(
                pending,
                `delivery failed after ${outcome.attempts} attempt(s): ${outcome.reason}`,
                outcome.attempts
              )
        ),
      drop: drops.dropped,
      onQueued: stats.count("queued")
    })
    const drainTimeout = Duration.decode(options.drainTimeout ?? "5 seconds")
    yield* Effect.addFinalizer(() => Effect.zipRight(outbox.close(drainTimeout), drops.close))

    const notify = (event: WebhookEvent): Effect.Effect<void> =>
      Clock.currentTimeMillis.pipe(
        Effect.flatMap((occurredAt) => outbox.offer(PendingEvent.make(event, [secret], occurredAt))),
        Effect.catchAllCause(() => Effect.void)
      )

    return { notify, stats: stats.get } satisfies Service
  })

/** Delivers to `options.url`; requires an `HttpClient` and the `AuditLog` (drops are audited). @since 0.1.0 */
export const layer = (options: Options): Layer.Layer<Webhook, ConfigInvalid, HttpClient.HttpClient | AuditLog> =>
  Layer.scoped(Webhook, make(options))

/** A notifier that sends nothing, for when no webhook is configured. @since 0.1.0 */
export const layerNoop: Layer.Layer<Webhook> = Layer.succeed(Webhook, {
  notify: () => Effect.void,
  stats: Effect.succeed(Stats.empty)
})

/**
 * Reads `GENESYS_WEBHOOK_URL` and `GENESYS_WEBHOOK_SECRET` (redacted): no URL gives `layerNoop`;
 * a URL without a secret, or a non-https URL to a remote host, fails with `ConfigInvalid`.
 *
 * @since 0.1.0
 */
export const layerConfig: Layer.Layer<
  Webhook,
  ConfigError.ConfigError | ConfigInvalid,
  HttpClient.HttpClient | AuditLog
> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const url = yield* Config.option(Config.string("GENESYS_WEBHOOK_URL"))
    const secret = yield* Config.option(Config.redacted("GENESYS_WEBHOOK_SECRET"))
    if (Option.isNone(url) || url.value.trim() === "") return layerNoop
    if (Option.isNone(secret) || Redacted.value(secret.value) === "") {
      return yield* new ConfigInvalid({
        field: "GENESYS_WEBHOOK_SECRET",
        detail: "required when GENESYS_WEBHOOK_URL is set (unsigned webhooks are not sent)"
      })
    }
    return layer({ url: url.value.trim(), secret: secret.value })
  })
)
