/**
 * The audit line format: one canonical-JSON record per line, each carrying the hash of the one
 * before it and its own hash.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { canonicalJson } from "../canonicalJson.js"
import { sha256Hex } from "../crypto.js"

/** @internal */
export const FORMAT_VERSION = 1

/** `prevHash` of the first line of a file. @internal */
export const GENESIS = "0".repeat(64)

const Hex64 = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/))

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })

/** @internal */
export const AuditRecord = Schema.Struct({
  v: Schema.Literal(FORMAT_VERSION),
  seq: Schema.NonNegativeInt,
  runId: Schema.String,
  timestamp: Schema.String,
  type: Schema.String,
  actor: Schema.String,
  region: Schema.String,
  queryHash: optional(Schema.String),
  jobId: optional(Schema.String),
  window: optional(Schema.String),
  route: optional(Schema.String),
  status: optional(Schema.Union(Schema.Number, Schema.String)),
  latencyMillis: optional(Schema.Number),
  counts: optional(Schema.Record({ key: Schema.String, value: Schema.Number })),
  correlationId: optional(Schema.String),
  attempt: optional(Schema.Number),
  waitMillis: optional(Schema.Number),
  detail: optional(Schema.String),
  redactions: optional(Schema.NonNegativeInt),
  prevHash: Hex64,
  hash: Hex64
})

/** @internal */
export type AuditRecord = typeof AuditRecord.Type

/** A record before its own hash is known. @internal */
export type AuditBody = Omit<AuditRecord, "hash">

/** Hashes a body and renders the line (without its newline). @internal */
export const seal = (body: AuditBody): Effect.Effect<{ readonly record: AuditRecord; readonly line: string }> =>
  Effect.map(sha256Hex(canonicalJson(body)), (hash) => {
    const record: AuditRecord = { ...body, hash }
    return { record, line: canonicalJson(record) }
  })

/** Why a line is not a valid record on its own (before looking at its neighbours). @internal */
export interface LineProblem {
  readonly reason: "malformed" | "notCanonical" | "hashMismatch"
  readonly message: string
}

const decode = Schema.decodeUnknownEither(AuditRecord, { onExcessProperty: "preserve" })

/**
 * Checks one line in isolation: valid JSON, byte-identical to its canonical form, a well-formed
 * record, and a `hash` equal to the SHA-256 of the canonical JSON of the rest of the record.
 *
 * @internal
 */
export const checkLine = (line: string): Effect.Effect<Either.Either<AuditRecord, LineProblem>> =>
  Effect.suspend((): Effect.Effect<Either.Either<AuditRecord, LineProblem>> => {
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      return Effect.succeed(Either.left<LineProblem>({ reason: "malformed", message: "not valid JSON" }))
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return Effect.succeed(Either.left<LineProblem>({ reason: "malformed", message: "not a JSON object" }))
    }
    let canonical: string
    try {
      canonical = canonicalJson(parsed)
    } catch {
      return Effect.succeed(Either.left<LineProblem>({ reason: "malformed", message: "not canonical JSON" }))
    }
    if (canonical !== line) {
      return Effect.succeed(
        Either.left<LineProblem>({
          reason: "notCanonical",
          message: "the bytes differ from the record's canonical JSON (whitespace, key order or number form changed)"
        })
      )
    }
    const decoded = decode(parsed)
    if (Either.isLeft(decoded)) {
      return Effect.succeed(Either.left<LineProblem>({ reason: "malformed", message: "not an audit record" }))
    }
    const { hash, ...body } = parsed as Record<string, unknown>
    return Effect.map(sha256Hex(canonicalJson(body)), (expected) =>
      expected === hash
        ? Either.right(decoded.right)
        : Either.left<LineProblem>({
            reason: "hashMismatch",
            message: "the record's content does not match its hash (the line was edited)"
          })
    )
  })
