/**
 * The audit trail of the HTTP layer's events: `http.retry` (transient retries and the re-authentication after a
 * 401) and `http.rateLimitWait` (429 waits, and pacing waits of a second or more), with the fields they have
 * always had, and `http.abandoned` (a response whose status arrived before its request was interrupted). The HTTP
 * layer only reports through `GenesysHttp.HttpEvents`; recording is the domain's.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { AuditLog, type AuditEventInput } from "../../AuditLog.js"
import * as GenesysHttp from "../../GenesysHttp.js"

/** Pacing waits shorter than this are routine and stay in the metrics only. */
const auditedPacingMillis = 1000

/** `status`, `detail` and `correlationId` as the event carries them (a key present with `undefined` included). */
const responseFields = (event: GenesysHttp.RetryEvent): Partial<AuditEventInput> => {
  const fields: { -readonly [K in keyof AuditEventInput]?: AuditEventInput[K] } = {}
  if ("status" in event) fields.status = event.status
  if ("detail" in event) fields.detail = event.detail
  if ("correlationId" in event) fields.correlationId = event.correlationId
  return fields
}

/** `HttpEvents` that record into `audit`. @internal */
export const make = (audit: AuditLog["Type"]): GenesysHttp.HttpEventsService => ({
  onAbandoned: (event) =>
    audit.record({
      type: "http.abandoned",
      route: event.route,
      status: event.status,
      detail:
        event.bodyRead === true
          ? "the request was interrupted after its response was read, before its retry, wait or failure was reported"
          : "the request was interrupted after its status arrived; its body was not read",
      correlationId: event.correlationId
    }),
  onRetry: (event) =>
    audit.record({
      type: "http.retry",
      route: event.route,
      attempt: event.attempt,
      waitMillis: event.waitMillis,
      ...responseFields(event)
    }),
  onReauthenticate: (event) =>
    audit.record({
      type: "http.retry",
      route: event.route,
      status: event.status,
      detail: "access token rejected; retrying once with a fresh token",
      correlationId: event.correlationId
    }),
  onRateLimitWait: (event) => {
    if (event.cause === "pacing") {
      return event.waitMillis >= auditedPacingMillis
        ? audit.record({
            type: "http.rateLimitWait",
            route: event.route,
            status: "pacing",
            waitMillis: event.waitMillis
          })
        : Effect.void
    }
    return audit.record({
      type: "http.rateLimitWait",
      route: event.route,
      status: 429,
      attempt: event.attempt,
      waitMillis: event.waitMillis,
      correlationId: event.correlationId
    })
  }
})

/** Re-provides the `GenesysHttp` in context with its events recorded into the `AuditLog`. @internal */
export const layer: Layer.Layer<GenesysHttp.GenesysHttp, never, GenesysHttp.GenesysHttp | AuditLog> = Layer.effect(
  GenesysHttp.GenesysHttp,
  Effect.gen(function* () {
    const http = yield* GenesysHttp.GenesysHttp
    return GenesysHttp.withEvents(http, make(yield* AuditLog))
  })
)
