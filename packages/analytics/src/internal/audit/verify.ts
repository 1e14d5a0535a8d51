/**
 * Verification of an audit log: every line on its own, then the chain, sequence and run structure.
 *
 * @internal
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { type AuditRecord, checkLine, GENESIS } from "./record.js"

/** @internal */
export type FailureReason =
  | "malformed"
  | "notCanonical"
  | "hashMismatch"
  | "chainBroken"
  | "sequence"
  | "sealMismatch"
  | "truncated"

/** @internal */
export class VerifyOk extends Data.TaggedClass("VerifyOk")<{
  readonly records: number
  readonly runs: number
  readonly head: string
  readonly open: boolean
}> {}

/** @internal */
export class VerifyFailed extends Data.TaggedClass("VerifyFailed")<{
  readonly line: number
  readonly reason: FailureReason
  readonly message: string
  readonly verifiedRecords: number
}> {}

/** @internal */
export interface VerifyOptions {
  readonly allowOpen?: boolean | undefined
  readonly genesis?: string | undefined
}

interface State {
  head: string
  records: number
  runs: number
  run: { readonly runId: string; nextSeq: number } | undefined
}

const fail = (state: State, line: number, reason: FailureReason, message: string) =>
  new VerifyFailed({ line, reason, message, verifiedRecords: state.records })

const step = (state: State, n: number, record: AuditRecord): VerifyFailed | undefined => {
  if (record.prevHash !== state.head) {
    return fail(
      state,
      n,
      "chainBroken",
      "prevHash does not match the hash of the line before (a line was removed, inserted or reordered here)"
    )
  }
  if (state.run === undefined) {
    if (record.type !== "run.started" || record.seq !== 0) {
      return fail(state, n, "sequence", "a run must begin with a run.started record with seq 0")
    }
    state.run = { runId: record.runId, nextSeq: 0 }
    state.runs++
  } else if (record.type === "run.started") {
    return fail(state, n, "sequence", `run ${state.run.runId} ended without a run.sealed record`)
  }
  if (record.runId !== state.run.runId || record.seq !== state.run.nextSeq) {
    return fail(
      state,
      n,
      "sequence",
      `expected run ${state.run.runId} seq ${state.run.nextSeq}, found run ${record.runId} seq ${record.seq}`
    )
  }
  if (record.type === "run.sealed") {
    if (record.counts?.["records"] !== record.seq) {
      return fail(
        state,
        n,
        "sealMismatch",
        `the seal counts ${record.counts?.["records"]} records, the run has ${record.seq}`
      )
    }
    state.run = undefined
  } else {
    state.run.nextSeq++
  }
  state.head = record.hash
  state.records++
  return undefined
}

/** @internal */
export const verifyLines = (
  lines: ReadonlyArray<string>,
  options?: VerifyOptions
): Effect.Effect<VerifyOk | VerifyFailed> =>
  Effect.gen(function* () {
    const state: State = { head: options?.genesis ?? GENESIS, records: 0, runs: 0, run: undefined }
    for (let i = 0; i < lines.length; i++) {
      const checked = yield* checkLine(lines[i]!)
      if (Either.isLeft(checked)) return fail(state, i + 1, checked.left.reason, checked.left.message)
      const failed = step(state, i + 1, checked.right)
      if (failed !== undefined) return failed
    }
    if (state.run !== undefined && options?.allowOpen !== true) {
      return fail(
        state,
        lines.length + 1,
        "truncated",
        `the log ends inside run ${state.run.runId} without its run.sealed record (cut short, or the run is still open)`
      )
    }
    return new VerifyOk({ records: state.records, runs: state.runs, head: state.head, open: state.run !== undefined })
  })

const decoder = new TextDecoder("utf-8", { fatal: true })

/**
 * Splits file bytes into lines. A last line without its newline is reported separately: the writer
 * always ends a line with `\n`, so it means the file was cut short.
 *
 * @internal
 */
export const verifyBytes = (bytes: Uint8Array, options?: VerifyOptions): Effect.Effect<VerifyOk | VerifyFailed> =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    let start = 0
    let badEncoding: number | undefined
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        if (i === bytes.length && start === bytes.length) break
        try {
          lines.push(decoder.decode(bytes.subarray(start, i)))
        } catch {
          badEncoding ??= lines.length + 1
          lines.push("")
        }
        start = i + 1
      }
    }
    const complete = bytes.length === 0 || bytes[bytes.length - 1] === 0x0a
    const result = yield* verifyLines(lines, options)
    if (!complete && (result._tag === "VerifyOk" || result.line >= lines.length)) {
      return new VerifyFailed({
        line: lines.length,
        reason: "truncated",
        message: "the last line has no newline (the file was cut short)",
        verifiedRecords: lines.length - 1
      })
    }
    if (badEncoding !== undefined && (result._tag === "VerifyOk" || result.line >= badEncoding)) {
      return new VerifyFailed({
        line: badEncoding,
        reason: "malformed",
        message: "not valid UTF-8",
        verifiedRecords: badEncoding - 1
      })
    }
    return result
  })
