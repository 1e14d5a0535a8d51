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

/** The writer's state, touched only under its permit: the chain head and the run still open. */
interface Chain {
  readonly sink: Sink
  readonly secrets: ReadonlyArray<string>
  readonly actor: string
  readonly region: string
  readonly baseRunId: string
  head: string
  run: { runId: string; nextSeq: number } | undefined
  runsStarted: number
}

const clean = (chain: Chain, value: string): string => scrub(value, chain.secrets, MAX_FIELD).text

/** Seals one record onto the chain, appends it to the sink and moves the head; returns its hash. */
const append = Effect.fnUntraced(function* (
  chain: Chain,
  runId: string,
  seq: number,
  type: string,
  fields: Partial<AuditBody>,
  redactions: number
) {
  const millis = yield* Clock.currentTimeMillis
  const body: AuditBody = {
    ...fields,
    v: FORMAT_VERSION,
    seq,
    runId,
    timestamp: new Date(millis).toISOString(),
    type,
    actor: chain.actor,
    region: chain.region,
    ...(redactions > 0 ? { redactions } : {}),
    prevHash: chain.head
  }
  const { line, record } = yield* seal(body)
  yield* chain.sink.append(line, record)
  chain.head = record.hash
  return record.hash
})

/** Opens the next run with its `run.started` record; the first run keeps the base id, later ones get `.n`. */
const startRun = Effect.fnUntraced(function* (chain: Chain, fields: Partial<AuditBody>, redactions: number) {
  chain.runsStarted++
  const runId = chain.runsStarted === 1 ? chain.baseRunId : `${chain.baseRunId}.${chain.runsStarted}`
  yield* append(chain, runId, 0, "run.started", fields, redactions)
  const run = { runId, nextSeq: 1 }
  chain.run = run
  return run
})

/** Closes the open run (if any) with a `run.sealed` record and flushes; returns the head. */
const sealRun = Effect.fnUntraced(function* (
  chain: Chain,
  status: string,
  counts: Readonly<Record<string, number>> | undefined
) {
  const run = chain.run
  if (run === undefined) return chain.head
  const { fields, redactions } = sanitize({ type: "run.sealed", counts }, chain.secrets)
  const hash = yield* append(
    chain,
    run.runId,
    run.nextSeq,
    "run.sealed",
    { status, counts: { ...fields.counts, records: run.nextSeq } },
    redactions
  )
  chain.run = undefined
  yield* chain.sink.flush
  return hash
})

/** Writes one caller event: `run.sealed` seals, `run.started` starts a new run, anything else joins the open run. */
const recordEvent = Effect.fnUntraced(function* (chain: Chain, event: AuditEventInput) {
  if (event.type === "run.sealed") {
    yield* sealRun(chain, "sealed", event.counts)
    return
  }
  const { fields, redactions } = sanitize(event, chain.secrets)
  if (event.type === "run.started") {
    // A new run begins: whatever was still open ends here.
    yield* sealRun(chain, "closed", undefined)
    yield* startRun(chain, fields, redactions)
    return
  }
  const current = chain.run ?? (yield* startRun(chain, {}, 0))
  yield* append(chain, current.runId, current.nextSeq, clean(chain, event.type), fields, redactions)
  current.nextSeq++
})

/**
 * Builds the service over a sink. A run starts with the first record: the caller's `run.started`
 * (closing any run still open) or, before any other event, a bare one. Writes run under one permit and uninterruptibly,
 * the wait for the permit included: concurrent callers are ordered, an interrupted caller never leaves the chain
 * half-updated, and a caller interrupted while another record is written still has its own written (an HTTP
 * request interrupted right after its 429 arrived must not drop the 429 from the audit).
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
    const scrubbed = (value: string) => scrub(value, secrets, MAX_FIELD).text
    const chain: Chain = {
      sink,
      secrets,
      actor: scrubbed(options.actor),
      region: scrubbed(options.region),
      baseRunId: scrubbed(options.runId ?? globalThis.crypto.randomUUID()),
      head: tail.head,
      run: undefined,
      runsStarted: 0
    }
    const lock = yield* Effect.makeSemaphore(1)
    const exclusive = <A>(effect: Effect.Effect<A>) => Effect.uninterruptible(lock.withPermits(1)(effect))

    if (tail.openRun !== undefined) {
      const { runId, nextSeq } = tail.openRun
      chain.run = { runId, nextSeq }
      yield* sealRun(chain, "abandoned", undefined)
    }
    yield* Effect.addFinalizer(() => exclusive(sealRun(chain, "closed", undefined)))

    return {
      record: (event) => exclusive(recordEvent(chain, event)),
      seal: (counts) => exclusive(sealRun(chain, "sealed", counts)),
      head: Effect.sync(() => chain.head)
    } satisfies Service
  })
