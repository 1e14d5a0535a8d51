/**
 * Structured, append-only audit events with a SHA-256 hash chain that an auditor can verify.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"

/** What happened. New kinds may be added; readers must accept unknown types. @since 0.1.0 */
export type AuditEventType =
  | "run.started"
  | "query.sent"
  | "query.page"
  | "job.submitted"
  | "job.state"
  | "job.cancelled"
  | "job.page"
  | "http.retry"
  | "http.rateLimitWait"
  | "failure"
  | "extraction.planned"
  | "extraction.window"
  | "extraction.completed"
  | "webhook.dropped"
  | "run.sealed"

/**
 * The part of an audit event the caller supplies. The log adds timestamp, run id, sequence number,
 * actor, region and the hash chain. Never put conversation content, tokens or secrets here.
 *
 * @since 0.1.0
 */
export interface AuditEventInput {
  readonly type: AuditEventType
  readonly jobId?: string | undefined
  /** ISO-8601 interval of the window or query concerned. */
  readonly window?: string | undefined
  /** SHA-256 (hex) of the canonical JSON of the query concerned. */
  readonly queryHash?: string | undefined
  /** Route template such as `POST /api/v2/analytics/conversations/details/jobs`. */
  readonly route?: string | undefined
  /** HTTP status, or a job state such as `FULFILLED`. */
  readonly status?: number | string | undefined
  readonly latencyMillis?: number | undefined
  readonly counts?: Readonly<Record<string, number>> | undefined
  readonly correlationId?: string | undefined
  readonly attempt?: number | undefined
  readonly waitMillis?: number | undefined
  /** Short human-readable detail, e.g. an error message (already free of secrets). */
  readonly detail?: string | undefined
}

/** The audit log service: everything that writes audit events goes through `record`. @since 0.1.0 */
export interface Service {
  readonly record: (event: AuditEventInput) => Effect.Effect<void>
  /** Appends the sealing record that closes the run; returns the chain's head hash. */
  readonly seal: (counts?: Readonly<Record<string, number>>) => Effect.Effect<string>
  /** Hash of the last record written (the chain's head). */
  readonly head: Effect.Effect<string>
}

/** The audit log. @since 0.1.0 */
export class AuditLog extends Context.Tag("@effect-genesys/analytics/AuditLog")<AuditLog, Service>() {}
