/**
 * The one writer behind every audit sink: it assigns sequence numbers, links the hash chain,
 * scrubs secrets and appends lines strictly one at a time.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { AuditEventInput, Service } from "../../AuditLog.js"
import { type AuditBody, type AuditRecord, FORMAT_VERSION, seal } from "./record.js"
import { scrub, secretName } from "./redact.js"

/** Where lines go. @internal */
export interface Sink {
  readonly append: (line: string, record: AuditRecord) => Effect.Effect<void>
  /** Makes appended lines durable; called after each seal. */
  readonly flush: Effect.Effect<void>
}

/** @internal */
export interface WriterOptions {
  readonly actor: string
  readonly region: string
  readonly runId?: string | undefined
  readonly redact?: ReadonlyArray<Redacted.Redacted<string>> | undefined
}

/** Where the chain stands when the writer starts. @internal */
export interface ChainTail {
  readonly head: string
  /** A run left without its seal (the process died): the writer seals it as `abandoned`. */
  readonly openRun?: { readonly runId: string; readonly nextSeq: number } | undefined
}

const MAX_DETAIL = 1000
const MAX_FIELD = 256

const stringFields = ["jobId", "window", "queryHash", "route", "correlationId"] as const

/** Copies only the known fields of an event, scrubbed. @internal */
export const sanitize = (
  event: AuditEventInput,
  secrets: ReadonlyArray<string>
): { readonly fields: Partial<AuditBody>; readonly redactions: number } => {
  const input = event as unknown as Record<string, unknown>
  const fields: Record<string, unknown> = {}
  let redactions = 0
  const text = (value: unknown, max: number): string | undefined => {
    if (typeof value !== "string") return undefined
    const scrubbed = scrub(value, secrets, max)
    redactions += scrubbed.redactions
    return scrubbed.text
  }
  const finite = (value: unknown): number | undefined =>
    typeof value === "number" && Number.isFinite(value) ? value : undefined
  for (const name of stringFields) {
    const value = text(input[name], MAX_FIELD)
    if (value !== undefined) fields[name] = value
  }
  const detail = text(input["detail"], MAX_DETAIL)
  if (detail !== undefined) fields["detail"] = detail
  const status = finite(input["status"]) ?? text(input["status"], MAX_FIELD)
  if (status !== undefined) fields["status"] = status
  // Whole milliseconds keep every number the library writes an integer, which any language's
  // JSON canonicalizer renders identically.
  for (const name of ["latencyMillis", "waitMillis", "attempt"] as const) {
    const value = finite(input[name])
    if (value !== undefined) fields[name] = Math.round(value)
  }
  const counts = input["counts"]
  if (typeof counts === "object" && counts !== null) {
    const kept: Record<string, number> = {}
    for (const [key, value] of Object.entries(counts)) {
      const safeKey = scrub(key, secrets, MAX_FIELD)
      const number = finite(value)
      if (safeKey.redactions > 0) redactions++
      else if (number !== undefined) kept[key] = number
    }
    if (Object.keys(kept).length > 0) fields["counts"] = kept
  }
  for (const key of Object.keys(input)) {
    if (secretName.test(key)) redactions++
  }
  return { fields: fields as Partial<AuditBody>, redactions }
}

/**
 * Builds the service over a sink. A run starts with the first record: the caller's `run.started`
 * (closing any run still open) or, before any other event, a bare one. Writes run under one permit and uninterruptibly, so concurrent
 * callers are ordered and an interrupted caller never leaves the chain half-updated.
 *
 * @internal
 */
export const makeWriter = (
  options: WriterOptions,
  sink: Sink,
  tail: ChainTail
): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function* () {
    const secrets = (options.redact ?? []).map(Redacted.value)
    const clean = (value: string) => scrub(value, secrets, MAX_FIELD).text
    const actor = clean(options.actor)
    const region = clean(options.region)
    const baseRunId = clean(options.runId ?? globalThis.crypto.randomUUID())
    const lock = yield* Effect.makeSemaphore(1)
    let head = tail.head
    let run: { runId: string; nextSeq: number } | undefined
    let runsStarted = 0

    const append = (runId: string, seq: number, type: string, fields: Partial<AuditBody>, redactions: number) =>
      Effect.gen(function* () {
        const millis = yield* Clock.currentTimeMillis
        const body: AuditBody = {
          ...fields,
          v: FORMAT_VERSION,
          seq,
          runId,
          timestamp: new Date(millis).toISOString(),
          type,
          actor,
          region,
          ...(redactions > 0 ? { redactions } : {}),
          prevHash: head
        }
        const { line, record } = yield* seal(body)
        yield* sink.append(line, record)
        head = record.hash
        return record.hash
      })

    const startRun = (fields: Partial<AuditBody>, redactions: number) =>
      Effect.gen(function* () {
        runsStarted++
        const runId = runsStarted === 1 ? baseRunId : `${baseRunId}.${runsStarted}`
        yield* append(runId, 0, "run.started", fields, redactions)
        run = { runId, nextSeq: 1 }
        return run
      })

    const sealRun = (status: string, counts: Readonly<Record<string, number>> | undefined) =>
      Effect.gen(function* () {
        if (run === undefined) return head
        const { fields, redactions } = sanitize({ type: "run.sealed", counts }, secrets)
        const hash = yield* append(
          run.runId,
          run.nextSeq,
          "run.sealed",
          { status, counts: { ...fields.counts, records: run.nextSeq } },
          redactions
        )
        run = undefined
        yield* sink.flush
        return hash
      })

    const exclusive = <A>(effect: Effect.Effect<A>) => lock.withPermits(1)(Effect.uninterruptible(effect))

    if (tail.openRun !== undefined) {
      const { runId, nextSeq } = tail.openRun
      run = { runId, nextSeq }
      yield* sealRun("abandoned", undefined)
    }
    yield* Effect.addFinalizer(() => exclusive(sealRun("closed", undefined)))

    const record = (event: AuditEventInput): Effect.Effect<void> =>
      exclusive(
        Effect.gen(function* () {
          if (event.type === "run.sealed") {
            yield* sealRun("sealed", event.counts)
            return
          }
          const { fields, redactions } = sanitize(event, secrets)
          if (event.type === "run.started") {
            // A new run begins: whatever was still open ends here.
            yield* sealRun("closed", undefined)
            yield* startRun(fields, redactions)
            return
          }
          const current = run ?? (yield* startRun({}, 0))
          yield* append(current.runId, current.nextSeq, clean(event.type), fields, redactions)
          current.nextSeq++
        })
      )

    return {
      record,
      seal: (counts) => exclusive(sealRun("sealed", counts)),
      head: Effect.sync(() => head)
    } satisfies Service
  })
