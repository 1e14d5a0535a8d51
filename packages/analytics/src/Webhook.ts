/**
 * Signed outbound notifications of job and extraction lifecycle events. Delivery runs on a
 * background fiber behind a bounded queue, so a dead or slow receiver never slows an extraction.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import { AuditLog } from "./AuditLog.js"
import { ConfigInvalid } from "./GenesysError.js"
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

class AttemptError extends Data.TaggedError("AttemptError")<{ readonly retryable: boolean; readonly reason: string }> {}

interface Pending {
  readonly fields: wire.EventFields
  readonly explicitId: string | undefined
  readonly occurredAt: number
  prepared?: { readonly id: string; readonly body: string }
}

interface Notice {
  readonly pending: Pending
  readonly reason: string
  readonly attempts?: number
}

const isSuccess = (status: number) => status >= 200 && status < 300
const isRetryable = (status: number) => status >= 500 || status === 408 || status === 429

/**
 * Starts the delivery fiber for the scope. Closing the scope waits up to `drainTimeout` for the
 * queue to empty, then counts and audits whatever is left as dropped.
 *
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigInvalid, HttpClient.HttpClient | AuditLog | Scope.Scope> =>
  Effect.gen(function* () {
    const url = yield* wire.checkUrl(options.url)
    const secret = Redacted.value(options.secret)
    const secrets = [secret]
    const client = (yield* HttpClient.HttpClient).pipe(HttpClient.withTracerPropagation(false))
    const audit = yield* AuditLog
    const attemptTimeout = Duration.decode(options.attemptTimeout ?? "10 seconds")
    const maxAttempts = Math.max(1, options.maxAttempts ?? 6)
    const drainTimeout = Duration.decode(options.drainTimeout ?? "5 seconds")
    const backoff = Schedule.exponential(options.backoff ?? "500 millis").pipe(
      Schedule.union(Schedule.spaced(options.maxBackoff ?? "30 seconds")),
      Schedule.jittered
    )

    const queue = yield* Queue.dropping<Pending>(Math.max(1, options.queueCapacity ?? 100))
    const notices = yield* Queue.unbounded<Notice | "stop">()
    // Queued plus in flight; the drain on close waits for it to reach zero.
    const pending = yield* SubscriptionRef.make(0)
    const stats = yield* Ref.make<WebhookStats>({ queued: 0, delivered: 0, dropped: 0, failed: 0, attempts: 0 })
    const count = (key: keyof WebhookStats) => Ref.update(stats, (s) => ({ ...s, [key]: s[key] + 1 }))
    let closed = false
    let inFlight: Pending | undefined

    const prepare = (p: Pending) =>
      p.prepared !== undefined
        ? Effect.succeed(p.prepared)
        : Effect.map(p.explicitId !== undefined ? Effect.succeed(p.explicitId) : wire.eventId(p.fields), (id) => {
            p.prepared = { id, body: wire.renderBody(id, p.occurredAt, p.fields) }
            return p.prepared
          })

    const drop = (p: Pending, reason: string) =>
      Effect.zipRight(count("dropped"), Queue.offer(notices, { pending: p, reason }))

    const auditNotice = (notice: Notice) =>
      Effect.gen(function* () {
        const { id } = yield* prepare(notice.pending)
        const s = yield* Ref.get(stats)
        yield* audit.record({
          type: "webhook.dropped",
          correlationId: id,
          jobId: notice.pending.fields.jobId,
          window: notice.pending.fields.window,
          attempt: notice.attempts,
          counts: { dropped: s.dropped, failed: s.failed },
          detail: `${notice.pending.fields.type} not delivered: ${notice.reason}`
        })
      })

    const attempt = (p: Pending, n: number) =>
      Effect.gen(function* () {
        const { body, id } = yield* prepare(p)
        yield* count("attempts")
        const timestamp = String(Math.floor((yield* Clock.currentTimeMillis) / 1000))
        const signature = yield* wire.sign(secret, timestamp, body)
        const request = HttpClientRequest.post(url).pipe(
          HttpClientRequest.setHeaders({
            [wire.HEADER_ID]: id,
            [wire.HEADER_TIMESTAMP]: timestamp,
            [wire.HEADER_SIGNATURE]: signature,
            [wire.HEADER_ATTEMPT]: String(n),
            "user-agent": "effect-genesys-webhook/0.1"
          }),
          HttpClientRequest.bodyText(body, "application/json")
        )
        const response = yield* client.execute(request).pipe(
          Effect.timeoutFail({
            duration: attemptTimeout,
            onTimeout: () => new AttemptError({ retryable: true, reason: "timed out" })
          }),
          Effect.catchTags({
            RequestError: (e) => Effect.fail(new AttemptError({ retryable: true, reason: `transport: ${e.reason}` })),
            ResponseError: (e) =>
              Effect.fail(
                new AttemptError({ retryable: isRetryable(e.response.status), reason: `HTTP ${e.response.status}` })
              )
          })
        )
        if (!isSuccess(response.status)) {
          return yield* new AttemptError({ retryable: isRetryable(response.status), reason: `HTTP ${response.status}` })
        }
      })

    const deliver = (p: Pending) =>
      Effect.gen(function* () {
        let n = 0
        const exit = yield* Effect.suspend(() => attempt(p, ++n)).pipe(
          Effect.retry({ schedule: backoff, times: maxAttempts - 1, while: (e) => e.retryable }),
          Effect.exit
        )
        if (Exit.isSuccess(exit)) {
          yield* count("delivered")
        } else {
          const reason = Option.match(Cause.failureOption(exit.cause), {
            onNone: () => "unexpected defect",
            onSome: (e) => e.reason
          })
          yield* count("failed")
          yield* Queue.offer(notices, {
            pending: p,
            reason: `delivery failed after ${n} attempt(s): ${reason}`,
            attempts: n
          })
        }
      })

    // The loops never block in `Queue.take`: an interrupted taker can lose the item handed to it.
    // Delivery polls and waits on a latch; the auditor is stopped by a sentinel, not interrupted.
    const wake = yield* Effect.makeLatch(false)
    const deliveryLoop = Effect.forever(
      Effect.gen(function* () {
        const next = yield* Effect.map(Queue.poll(queue), (o) => {
          inFlight = Option.getOrUndefined(o)
          return inFlight
        })
        if (next === undefined) {
          yield* wake.close
          if ((yield* Queue.size(queue)) === 0) yield* wake.await
          return
        }
        yield* deliver(next)
        inFlight = undefined
        yield* SubscriptionRef.update(pending, (n) => n - 1)
      })
    )
    const auditLoop = Effect.gen(function* () {
      for (;;) {
        const notice = yield* Queue.take(notices)
        if (notice === "stop") return
        yield* auditNotice(notice)
      }
    })
    const deliveryFiber = yield* Effect.forkScoped(deliveryLoop)
    const auditFiber = yield* Effect.forkScoped(auditLoop)

    yield* Effect.addFinalizer(() =>
      Effect.gen(function* () {
        closed = true
        // Finalizers run uninterruptibly; the timeout must be able to interrupt the wait.
        yield* pending.changes.pipe(
          Stream.takeUntil((n) => n <= 0),
          Stream.runDrain,
          Effect.interruptible,
          Effect.timeoutOption(drainTimeout),
          Effect.interruptible
        )
        yield* Fiber.interrupt(deliveryFiber)
        const left = [...(inFlight === undefined ? [] : [inFlight]), ...(yield* Queue.takeAll(queue))]
        for (const p of left) yield* drop(p, "still queued when the drain time ran out")
        yield* Queue.offer(notices, "stop")
        yield* Fiber.join(auditFiber)
        for (const notice of yield* Queue.takeAll(notices)) if (notice !== "stop") yield* auditNotice(notice)
      })
    )

    const notify = (event: WebhookEvent): Effect.Effect<void> =>
      Effect.gen(function* () {
        const occurredAt = yield* Clock.currentTimeMillis
        const p: Pending = { fields: wire.clean(event, secrets), explicitId: event.id, occurredAt }
        if (closed) return yield* drop(p, "sent after the notifier closed")
        yield* SubscriptionRef.update(pending, (n) => n + 1)
        if (yield* Queue.offer(queue, p)) return yield* Effect.zipRight(count("queued"), wake.open)
        // Full: make room by dropping the oldest, so the newest event (often the final one) survives.
        const oldest = yield* Queue.poll(queue)
        if (Option.isSome(oldest)) {
          yield* SubscriptionRef.update(pending, (n) => n - 1)
          yield* drop(oldest.value, "queue full")
        }
        if (yield* Queue.offer(queue, p)) return yield* Effect.zipRight(count("queued"), wake.open)
        yield* SubscriptionRef.update(pending, (n) => n - 1)
        yield* drop(p, "queue full")
      }).pipe(Effect.catchAllCause(() => Effect.void))

    return { notify, stats: Ref.get(stats) } satisfies Service
  })

/** Delivers to `options.url`; requires an `HttpClient` and the `AuditLog` (drops are audited). @since 0.1.0 */
export const layer = (options: Options): Layer.Layer<Webhook, ConfigInvalid, HttpClient.HttpClient | AuditLog> =>
  Layer.scoped(Webhook, make(options))

/** A notifier that sends nothing, for when no webhook is configured. @since 0.1.0 */
export const layerNoop: Layer.Layer<Webhook> = Layer.succeed(Webhook, {
  notify: () => Effect.void,
  stats: Effect.succeed({ queued: 0, delivered: 0, dropped: 0, failed: 0, attempts: 0 })
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
