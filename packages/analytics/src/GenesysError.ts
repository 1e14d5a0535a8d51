/**
 * The typed failures of the library. Every error a user can meet is one of these tagged classes, so
 * `Effect.catchTag` and `Effect.catchTags` can handle each one by name.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** @internal */
const TypeId: unique symbol = Symbol.for("@effect-genesys/analytics/GenesysError")

/** Where a failed HTTP exchange happened, as far as the client knows it. @since 0.1.0 */
const RequestContext = {
  method: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  /** `ININ-Correlation-Id` response header. */
  correlationId: Schema.optional(Schema.String),
  /** `contextId` of the Genesys `ErrorBody`. */
  contextId: Schema.optional(Schema.String)
}

/** Status, code and message of a Genesys error response. @since 0.1.0 */
const ResponseContext = {
  ...RequestContext,
  status: Schema.Number,
  code: Schema.optional(Schema.String),
  detail: Schema.optional(Schema.String)
}

const where = (self: { readonly method?: string | undefined; readonly url?: string | undefined }) =>
  self.method && self.url ? ` (${self.method} ${self.url})` : ""

const ids = (self: { readonly correlationId?: string | undefined; readonly contextId?: string | undefined }) => {
  const parts = [
    self.correlationId ? `correlationId=${self.correlationId}` : undefined,
    self.contextId && self.contextId !== self.correlationId ? `contextId=${self.contextId}` : undefined
  ].filter(Predicate.isString)
  return parts.length > 0 ? ` [${parts.join(", ")}]` : ""
}

const responseMessage = (
  label: string,
  self: {
    readonly status: number
    readonly code?: string | undefined
    readonly detail?: string | undefined
    readonly method?: string | undefined
    readonly url?: string | undefined
    readonly correlationId?: string | undefined
    readonly contextId?: string | undefined
  }
) =>
  `${label} ${self.status}${self.code ? ` ${self.code}` : ""}${self.detail ? `: ${self.detail}` : ""}${where(self)}${ids(self)}`

/** One problem found in a query, with the JSON path where it was found. @since 0.1.0 */
export class QueryIssue extends Schema.Class<QueryIssue>("@effect-genesys/analytics/GenesysError/QueryIssue")({
  /** JSON path such as `$.segmentFilters[0].predicates[2].dimension`. */
  path: Schema.String,
  /** Short rule name such as `interval.maxDays` or `unknownKey`. */
  rule: Schema.String,
  message: Schema.String,
  value: Schema.optional(Schema.Unknown),
  /** "Did you mean" suggestion for a misspelled name. */
  suggestion: Schema.optional(Schema.String)
}) {}

/** The query breaks a platform rule; nothing was sent. Lists every problem at once. @since 0.1.0 */
export class QueryInvalid extends Schema.TaggedError<QueryInvalid>(
  "@effect-genesys/analytics/GenesysError/QueryInvalid"
)("QueryInvalid", { issues: Schema.Array(QueryIssue) }) {
  readonly [TypeId] = TypeId
  override get message(): string {
    const lines = this.issues.map(
      (i) => `  ${i.path}: ${i.message}${i.suggestion !== undefined ? ` (did you mean "${i.suggestion}"?)` : ""}`
    )
    return `Query is invalid (${this.issues.length} problem${this.issues.length === 1 ? "" : "s"}):\n${lines.join("\n")}`
  }
}

/** Configuration cannot be used (unknown region, plain http to a remote host, ...). @since 0.1.0 */
export class ConfigInvalid extends Schema.TaggedError<ConfigInvalid>(
  "@effect-genesys/analytics/GenesysError/ConfigInvalid"
)("ConfigInvalid", { field: Schema.String, detail: Schema.String }) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Invalid configuration for ${this.field}: ${this.detail}`
  }
}

/** Credentials or token were rejected (401, or the login service refused the client). @since 0.1.0 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>(
  "@effect-genesys/analytics/GenesysError/Unauthorized"
)("Unauthorized", {
  ...ResponseContext,
  /** What was rejected: the client credentials at login, or a bearer token on an API call. */
  rejected: Schema.Literal("clientCredentials", "accessToken")
}) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return responseMessage(
      this.rejected === "clientCredentials"
        ? "Client credentials rejected by the login service:"
        : "Access token rejected:",
      this
    )
  }
}

/** The OAuth client lacks a permission (403). @since 0.1.0 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@effect-genesys/analytics/GenesysError/Forbidden")(
  "Forbidden",
  ResponseContext
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return responseMessage("Forbidden", this)
  }
}

/** Genesys refused the request as malformed (400 and other 4xx without a dedicated class). @since 0.1.0 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@effect-genesys/analytics/GenesysError/BadRequest")(
  "BadRequest",
  ResponseContext
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return responseMessage("Bad request", this)
  }
}

/** The resource does not exist (404): unknown job id, expired results, unknown conversation. @since 0.1.0 */
export class NotFound extends Schema.TaggedError<NotFound>("@effect-genesys/analytics/GenesysError/NotFound")(
  "NotFound",
  ResponseContext
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return responseMessage("Not found", this)
  }
}

/** Still rate limited after waiting as long as allowed (429). @since 0.1.0 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@effect-genesys/analytics/GenesysError/RateLimited")(
  "RateLimited",
  {
    ...ResponseContext,
    /** What the platform asked us to wait, in milliseconds. */
    retryAfterMillis: Schema.optional(Schema.Number),
    /** The `limit` of the error body, e.g. the concurrent-jobs limit. */
    limitNamespace: Schema.optional(Schema.String),
    limitKey: Schema.optional(Schema.String),
    limitValue: Schema.optional(Schema.Number)
  }
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    const limit = this.limitKey ? ` limit ${this.limitNamespace ?? ""}/${this.limitKey}=${this.limitValue ?? "?"}` : ""
    const retry = this.retryAfterMillis !== undefined ? ` retry after ${this.retryAfterMillis} ms` : ""
    return `${responseMessage("Rate limited", this)}${limit}${retry}`
  }
}

/** The platform failed (5xx) and retries, if allowed, did not help. @since 0.1.0 */
export class ServerError extends Schema.TaggedError<ServerError>("@effect-genesys/analytics/GenesysError/ServerError")(
  "ServerError",
  ResponseContext
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return responseMessage("Server error", this)
  }
}

/**
 * No usable response: connection refused or dropped, request timeout, undecodable body. `detail` is the system
 * error's message when there is one (`connect ECONNREFUSED 127.0.0.1:9`), `code` its code (`ENOTFOUND`,
 * `ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, `CERT_HAS_EXPIRED`, `DEPTH_ZERO_SELF_SIGNED_CERT`, ...).
 *
 * @since 0.1.0
 */
export class Transport extends Schema.TaggedError<Transport>("@effect-genesys/analytics/GenesysError/Transport")(
  "Transport",
  {
    ...RequestContext,
    reason: Schema.Literal("Connection", "Timeout", "Decode", "Encode", "InvalidUrl"),
    detail: Schema.String,
    /** The system error code (`ECONNREFUSED`, `ENOTFOUND`, a TLS certificate code), when the platform gave one. */
    code: Schema.optional(Schema.String),
    status: Schema.optional(Schema.Number),
    cause: Schema.optional(Schema.Defect)
  }
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    const code = this.code !== undefined && !this.detail.includes(this.code) ? ` ${this.code}` : ""
    return `Transport failure (${this.reason}${code}): ${this.detail}${where(this)}${ids(this)}`
  }
}

/** The analytics job ended FAILED. @since 0.1.0 */
export class JobFailed extends Schema.TaggedError<JobFailed>("@effect-genesys/analytics/GenesysError/JobFailed")(
  "JobFailed",
  { jobId: Schema.String, errorMessage: Schema.optional(Schema.String) }
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Job ${this.jobId} failed${this.errorMessage ? `: ${this.errorMessage}` : ""}`
  }
}

/** The analytics job's results expired before they were read. @since 0.1.0 */
export class JobExpired extends Schema.TaggedError<JobExpired>("@effect-genesys/analytics/GenesysError/JobExpired")(
  "JobExpired",
  { jobId: Schema.String }
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Job ${this.jobId} expired; submit it again`
  }
}

/** The analytics job was cancelled (by us or by someone else). @since 0.1.0 */
export class JobCancelled extends Schema.TaggedError<JobCancelled>(
  "@effect-genesys/analytics/GenesysError/JobCancelled"
)("JobCancelled", { jobId: Schema.String }) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Job ${this.jobId} was cancelled`
  }
}

/** The job did not reach a terminal state within the configured time. @since 0.1.0 */
export class JobTimeout extends Schema.TaggedError<JobTimeout>("@effect-genesys/analytics/GenesysError/JobTimeout")(
  "JobTimeout",
  { jobId: Schema.String, elapsedMillis: Schema.Number, lastState: Schema.optional(Schema.String) }
) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Job ${this.jobId} not finished after ${this.elapsedMillis} ms (last state ${this.lastState ?? "unknown"})`
  }
}

/** A results cursor came back that was already seen: paging would loop forever. @since 0.1.0 */
export class PaginationStalled extends Schema.TaggedError<PaginationStalled>(
  "@effect-genesys/analytics/GenesysError/PaginationStalled"
)("PaginationStalled", {
  jobId: Schema.String,
  cursor: Schema.String,
  pagesRead: Schema.Number,
  /** What showed the loop; absent for a repeated cursor. */
  reason: Schema.optional(Schema.String)
}) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Job ${this.jobId}: ${this.reason ?? "cursor repeated"} after ${this.pagesRead} pages; stopping instead of looping`
  }
}

/**
 * A sync query's pages ended before `totalHits` results arrived (an empty page too early): the results changed
 * while paging, or the server ended early. What was emitted is not the whole answer. @since 0.2.0
 */
export class PaginationIncomplete extends Schema.TaggedError<PaginationIncomplete>(
  "@effect-genesys/analytics/GenesysError/PaginationIncomplete"
)("PaginationIncomplete", {
  interval: Schema.String,
  totalHits: Schema.Number,
  received: Schema.Number,
  pageNumber: Schema.Number
}) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Sync query ${this.interval}: page ${this.pageNumber} came back empty after ${this.received} of ${this.totalHits} results; the answer is incomplete (run it again)`
  }
}

/** A sync query matches more results than page-number paging can reach (100 000). @since 0.1.0 */
export class PaginationLimitExceeded extends Schema.TaggedError<PaginationLimitExceeded>(
  "@effect-genesys/analytics/GenesysError/PaginationLimitExceeded"
)("PaginationLimitExceeded", { interval: Schema.String, totalHits: Schema.Number, maxResults: Schema.Number }) {
  readonly [TypeId] = TypeId
  override get message(): string {
    return `Query over ${this.interval} matches ${this.totalHits} conversations but paging stops at ${this.maxResults}: split the interval into smaller windows or use a job`
  }
}

/**
 * A record lacks what the library relies on: a non-empty `conversationId` (de-duplication, keys),
 * a parseable `conversationStart` (ownership, day counts) or, when present, a parseable `conversationEnd`
 * (ownership). Never dropped silently: the window fails, unless the extraction has a `quarantine`.
 *
 * @since 0.1.0
 */
export class RecordInvalid extends Schema.TaggedError<RecordInvalid>(
  "@effect-genesys/analytics/GenesysError/RecordInvalid"
)("RecordInvalid", {
  /** The field that failed, e.g. `conversationId`. */
  field: Schema.String,
  /** What is wrong with it (the value quoted briefly, secrets scrubbed). */
  detail: Schema.String,
  /** ISO-8601 interval of the window that read it. */
  window: Schema.String,
  jobId: Schema.optional(Schema.String),
  /** 1-based page of the window (in this run) that held the record. */
  page: Schema.Number,
  /** The record's id, when it has a usable one. */
  conversationId: Schema.optional(Schema.String)
}) {
  readonly [TypeId] = TypeId
  override get message(): string {
    const where = this.jobId !== undefined ? `job ${this.jobId}, ` : ""
    const id = this.conversationId !== undefined ? ` (conversation ${this.conversationId})` : ""
    return `Invalid record in window ${this.window} (${where}page ${this.page})${id}: ${this.field} ${this.detail}`
  }
}

/** One window whose reconciliation fell below the threshold. @since 0.1.0 */
export class ReconciliationShortfall extends Schema.Class<ReconciliationShortfall>(
  "@effect-genesys/analytics/GenesysError/ReconciliationShortfall"
)({ window: Schema.String, expected: Schema.Number, extracted: Schema.Number, accuracy: Schema.Number }) {}

/**
 * Reconciliation found windows whose extracted count is below `threshold` of the sync query's `totalHits`:
 * the output is written but cannot be called exact.
 *
 * @since 0.1.0
 */
export class ReconciliationFailed extends Schema.TaggedError<ReconciliationFailed>(
  "@effect-genesys/analytics/GenesysError/ReconciliationFailed"
)("ReconciliationFailed", { threshold: Schema.Number, windows: Schema.Array(ReconciliationShortfall) }) {
  readonly [TypeId] = TypeId
  override get message(): string {
    const list = this.windows
      .map((w) => `${w.window} ${w.extracted}/${w.expected} (${(w.accuracy * 100).toFixed(2)} %)`)
      .join("; ")
    return `Reconciliation below ${(this.threshold * 100).toFixed(2)} % in ${this.windows.length} window${this.windows.length === 1 ? "" : "s"}: ${list}`
  }
}

/** Any error of this library. @since 0.1.0 */
export type GenesysError =
  | QueryInvalid
  | ConfigInvalid
  | Unauthorized
  | Forbidden
  | BadRequest
  | NotFound
  | RateLimited
  | ServerError
  | Transport
  | JobFailed
  | JobExpired
  | JobCancelled
  | JobTimeout
  | PaginationStalled
  | PaginationLimitExceeded
  | PaginationIncomplete
  | RecordInvalid
  | ReconciliationFailed

/** Errors a single HTTP call to Genesys can end with. @since 0.1.0 */
export type HttpError = Unauthorized | Forbidden | BadRequest | NotFound | RateLimited | ServerError | Transport

/** True for any error of this library. @since 0.1.0 */
export const isGenesysError = (u: unknown): u is GenesysError => Predicate.hasProperty(u, TypeId)
