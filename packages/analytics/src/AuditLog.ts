/**
 * Structured, append-only audit events with a SHA-256 hash chain that an auditor can verify.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import type { ConfigInvalid } from "./GenesysError.js"
import * as auditFile from "./internal/audit/fileSink.js"
import * as auditRecord from "./internal/audit/record.js"
import * as auditVerify from "./internal/audit/verify.js"
import * as auditWriter from "./internal/audit/writer.js"
import { canonicalJson as canonical } from "./internal/canonicalJson.js"
import { sha256Hex } from "./internal/crypto.js"

/** What happened. New kinds may be added; readers must accept unknown types. @since 0.1.0 */
export type AuditEventType =
  | "run.started"
  | "query.sent"
  | "query.warning"
  | "query.page"
  | "job.submitted"
  | "job.state"
  | "job.cancelled"
  | "job.resubmitted"
  | "job.page"
  | "http.retry"
  | "http.rateLimitWait"
  | "http.abandoned"
  | "failure"
  | "extraction.planned"
  | "extraction.started"
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

/**
 * One line of an audit log, as written and as read back. `type` is any string so that readers
 * accept event kinds added later. Optional members are absent, never `null`.
 *
 * @since 0.1.0
 */
export const AuditRecord: Schema.Schema<AuditRecord, AuditRecord> = auditRecord.AuditRecord

/** @since 0.1.0 */
export interface AuditRecord extends Schema.Schema.Type<typeof auditRecord.AuditRecord> {}

/** `prevHash` of the first line of a file: 64 zeros. @since 0.1.0 */
export const genesis: string = auditRecord.GENESIS

/**
 * Canonical JSON of a value (sorted keys, no whitespace, RFC 8785 number and string forms); the
 * exact definition is in docs/audit.md. Throws on `NaN`, `Infinity`, `bigint` and cycles.
 *
 * @since 0.1.0
 */
export const canonicalJson: (value: unknown) => string = canonical

/** SHA-256 (hex) of the canonical JSON of a query: the `queryHash` of audit events. @since 0.1.0 */
export const hashQuery = (query: unknown): Effect.Effect<string> => Effect.suspend(() => sha256Hex(canonical(query)))

/**
 * Who writes the log. `actor` is the OAuth client id (never the secret); `runId` defaults to a
 * random UUID; `redact` lists secret values to scrub from every field should one slip in.
 *
 * @since 0.1.0
 */
export interface Options {
  readonly actor: string
  readonly region: string
  readonly runId?: string | undefined
  readonly redact?: ReadonlyArray<Redacted.Redacted<string>> | undefined
}

/**
 * Where the lines of a log go, for storage of your own (a database table, a log shipper): the writer hands each
 * finished line (canonical JSON, hashed and chained) to `append`, one at a time, and calls `flush` after each seal.
 * `append` must finish (succeed or die): a record, once asked for, is written, so a caller interrupted while records
 * wait for the sink waits for them.
 *
 * @since 0.2.0
 */
export interface Sink {
  readonly append: (line: string, record: AuditRecord) => Effect.Effect<void>
  readonly flush: Effect.Effect<void>
}

/** Where the chain stands in existing storage: the last hash, and a run left without its seal, if any. @since 0.2.0 */
export interface ChainTail {
  readonly head: string
  readonly openRun?: { readonly runId: string; readonly nextSeq: number } | undefined
}

/**
 * A log over any `Sink`, continuing the chain from `tail` (default: a new chain from `genesis`). A run left open in
 * the tail is sealed `abandoned` first; a run still open when the scope closes is sealed `closed`.
 *
 * @since 0.2.0
 */
export const makeWithSink = (
  options: Options,
  sink: Sink,
  tail: ChainTail = { head: auditRecord.GENESIS }
): Effect.Effect<Service, never, Scope.Scope> => auditWriter.makeWriter(options, sink, tail)

/** `makeWithSink` as a layer: the same hash chain, verification and scrubbing over your own storage. @since 0.2.0 */
export const layerSink = (options: Options, sink: Sink, tail?: ChainTail): Layer.Layer<AuditLog> =>
  Layer.scoped(AuditLog, makeWithSink(options, sink, tail))

/**
 * A log that records nothing: `record` does nothing, `seal` and `head` return `genesis`. For programs that want no
 * audit trail (and the simplest wiring, `ConversationDetails.defaultLayer`); nothing can be verified afterwards.
 *
 * @since 0.3.0
 */
export const noop: Service = {
  record: () => Effect.void,
  seal: () => Effect.succeed(auditRecord.GENESIS),
  head: Effect.succeed(auditRecord.GENESIS)
}

/** `noop` as a layer: no audit trail at all. @since 0.3.0 */
export const layerNoop: Layer.Layer<AuditLog> = Layer.succeed(AuditLog, noop)

/** Read access to the memory sink, for tests. @since 0.1.0 */
export interface MemoryService {
  /** The lines written so far, exactly as a file would hold them (without newlines). */
  readonly lines: Effect.Effect<ReadonlyArray<string>>
  readonly records: Effect.Effect<ReadonlyArray<AuditRecord>>
}

/** The memory sink's reader, provided next to `AuditLog` by `layerMemory`. @since 0.1.0 */
export class AuditLogMemory extends Context.Tag("@effect-genesys/analytics/AuditLog/AuditLogMemory")<
  AuditLogMemory,
  MemoryService
>() {}

/**
 * A log kept in memory. A run starts with the first record and, if still open when the scope
 * closes, is sealed with status `closed`.
 *
 * @since 0.1.0
 */
export const makeMemory = (
  options: Options
): Effect.Effect<{ readonly auditLog: Service; readonly memory: MemoryService }, never, Scope.Scope> =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    const records: Array<AuditRecord> = []
    const auditLog = yield* makeWithSink(options, {
      append: (line, record) =>
        Effect.sync(() => {
          lines.push(line)
          records.push(record)
        }),
      flush: Effect.void
    })
    const memory: MemoryService = {
      lines: Effect.sync(() => lines.slice()),
      records: Effect.sync(() => records.slice())
    }
    return { auditLog, memory }
  })

/** Memory sink for tests: provides `AuditLog` and `AuditLogMemory`. @since 0.1.0 */
export const layerMemory = (options: Options): Layer.Layer<AuditLog | AuditLogMemory> =>
  Layer.scopedContext(
    Effect.map(makeMemory(options), ({ auditLog, memory }) =>
      Context.make(AuditLog, auditLog).pipe(Context.add(AuditLogMemory, memory))
    )
  )

/**
 * Append-only JSONL file. A new run continues the chain from the file's last line; a run the
 * previous process left without a seal is first sealed with status `abandoned`. Fails with
 * `ConfigInvalid` if the file's last line is cut short or invalid. One process writes a file.
 *
 * @since 0.1.0
 */
export const makeFile = (
  path: string,
  options: Options
): Effect.Effect<Service, PlatformError.PlatformError | ConfigInvalid, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const tail = yield* auditFile.readTail(fs, path)
    const sink = yield* auditFile.openSink(fs, path)
    return yield* makeWithSink(options, sink, tail)
  })

/** The default sink: an append-only JSONL file at `path`. @since 0.1.0 */
export const layerFile = (
  path: string,
  options: Options
): Layer.Layer<AuditLog, PlatformError.PlatformError | ConfigInvalid, FileSystem.FileSystem> =>
  Layer.scoped(AuditLog, makeFile(path, options))

/** Why verification failed; `line` is 1-based. @since 0.1.0 */
export type VerifyFailureReason = auditVerify.FailureReason

/** The log is intact: record and run counts and the chain's head hash. @since 0.1.0 */
export const VerifyOk = auditVerify.VerifyOk

/** @since 0.1.0 */
export type VerifyOk = auditVerify.VerifyOk

/** The first line where the log stops being intact, and why. @since 0.1.0 */
export const VerifyFailed = auditVerify.VerifyFailed

/** @since 0.1.0 */
export type VerifyFailed = auditVerify.VerifyFailed

/** @since 0.1.0 */
export type VerifyResult = VerifyOk | VerifyFailed

/**
 * `allowOpen`: accept a last run without its seal (a run still being written); otherwise that is
 * reported as `truncated`. `genesis`: the `prevHash` expected on line 1 (default 64 zeros), to
 * verify a file that starts mid-chain.
 *
 * @since 0.1.0
 */
export type VerifyOptions = auditVerify.VerifyOptions

/** Verifies lines (without their newlines) as read from a log. @since 0.1.0 */
export const verifyLines: (lines: ReadonlyArray<string>, options?: VerifyOptions) => Effect.Effect<VerifyResult> =
  auditVerify.verifyLines

/** Verifies the log file at `path`. @since 0.1.0 */
export const verify: (
  path: string,
  options?: VerifyOptions
) => Effect.Effect<VerifyResult, PlatformError.PlatformError, FileSystem.FileSystem> = Effect.fn("AuditLog.verify")(
  function* (path: string, options?: VerifyOptions) {
    const fs = yield* FileSystem.FileSystem
    return yield* auditVerify.verifyBytes(yield* fs.readFile(path), options)
  }
)
