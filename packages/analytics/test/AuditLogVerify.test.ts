import { NodeFileSystem } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as fc from "fast-check"
import * as AuditLog from "../src/AuditLog.js"

/** Real logs: one run; several runs (sealed, reopened, closed by scope); an abandoned run continued. */
const makeLogs = Effect.gen(function* () {
  const single = yield* Effect.scoped(
    Effect.gen(function* () {
      const { auditLog, memory } = yield* AuditLog.makeMemory({ actor: "c1", region: "r1", runId: "single" })
      yield* auditLog.record({ type: "extraction.planned", counts: { windows: 3 } })
      for (let i = 0; i < 6; i++) {
        yield* TestClock.adjust("250 millis")
        yield* auditLog.record({
          type: i % 2 === 0 ? "job.page" : "http.retry",
          jobId: `job-${i}`,
          window: "2024-01-01T00:00:00.000Z/2024-01-02T00:00:00.000Z",
          status: i % 2 === 0 ? 200 : 503,
          attempt: i,
          detail: `page ${i} — ünïcödé "quoted"`
        })
      }
      yield* auditLog.seal({ conversations: 600 })
      return yield* memory.lines
    })
  )
  const multi = yield* Effect.scoped(
    Effect.gen(function* () {
      const { auditLog, memory } = yield* AuditLog.makeMemory({ actor: "c2", region: "r2", runId: "multi" })
      yield* auditLog.record({ type: "query.sent", queryHash: "ab".repeat(32) })
      yield* auditLog.seal()
      yield* auditLog.record({ type: "job.submitted", jobId: "j-1" })
      yield* auditLog.record({ type: "job.state", jobId: "j-1", status: "FULFILLED", latencyMillis: 99 })
      yield* auditLog.seal({ conversations: 7 })
      yield* auditLog.record({ type: "webhook.dropped", detail: "queue full" })
      return memory
    })
  ).pipe(Effect.flatMap((memory) => memory.lines))
  return [single, multi] as const
})

type Mutation =
  | { readonly kind: "edit"; readonly line: number; readonly field: string; readonly value: unknown }
  | { readonly kind: "byte"; readonly line: number; readonly at: number; readonly char: string }
  | { readonly kind: "delete"; readonly line: number }
  | { readonly kind: "insert"; readonly at: number; readonly text: string }
  | { readonly kind: "swap"; readonly a: number; readonly b: number }
  | { readonly kind: "truncate"; readonly keep: number; readonly partial: number }
  | { readonly kind: "duplicate"; readonly line: number }
  | { readonly kind: "whitespace"; readonly line: number; readonly at: number; readonly ws: string }

const apply = (lines: ReadonlyArray<string>, foreign: ReadonlyArray<string>, m: Mutation): Array<string> => {
  const out = lines.slice()
  const n = lines.length
  switch (m.kind) {
    case "edit": {
      const i = m.line % n
      const record = JSON.parse(out[i]!)
      record[m.field] = m.value
      out[i] = AuditLog.canonicalJson(record)
      return out
    }
    case "byte": {
      const i = m.line % n
      const text = out[i]!
      const at = m.at % text.length
      const char = text[at] === m.char ? (m.char === "x" ? "y" : "x") : m.char
      out[i] = text.slice(0, at) + char + text.slice(at + 1)
      return out
    }
    case "delete":
      out.splice(m.line % n, 1)
      return out
    case "insert": {
      const pool = [...lines, ...foreign, ""]
      out.splice(m.at % (n + 1), 0, m.text === "" ? "" : pool[Number(m.text) % pool.length]!)
      return out
    }
    case "swap": {
      const a = m.a % n
      const b = m.b % n
      if (a === b) return apply(lines, foreign, { kind: "swap", a, b: (b + 1) % n })
      ;[out[a], out[b]] = [out[b]!, out[a]!]
      return out
    }
    case "truncate": {
      const keep = m.keep % n
      const kept = out.slice(0, keep)
      if (m.partial > 0) {
        const next = out[keep]!
        kept.push(next.slice(0, 1 + (m.partial % (next.length - 1))))
      }
      return kept
    }
    case "duplicate": {
      const i = m.line % n
      out.splice(i + 1, 0, out[i]!)
      return out
    }
    case "whitespace": {
      const i = m.line % n
      const text = out[i]!
      const at = m.at % (text.length + 1)
      out[i] = text.slice(0, at) + m.ws + text.slice(at)
      return out
    }
  }
}

/**
 * The oracle: a log is intact up to its first line that differs from the original, so verify must
 * name exactly that line. A mutation that leaves a strict prefix is a cut: fine if the prefix ends
 * on a seal (nothing in the file can tell it from a shorter log), otherwise the line after it.
 */
const expected = (
  original: ReadonlyArray<string>,
  mutated: ReadonlyArray<string>,
  foreign: ReadonlyArray<string> = []
): number | "ok" => {
  const common = Math.min(original.length, mutated.length)
  for (let i = 0; i < common; i++) {
    if (original[i] === mutated[i]) continue
    // Another log's first line is a genuine start of a log: the break shows on the line after it.
    if (i === 0 && mutated[0] === foreign[0]) return 2
    return i + 1
  }
  if (mutated.length > original.length) return original.length + 1
  if (mutated.length === original.length) return "ok"
  if (mutated.length === 0) return "ok"
  return JSON.parse(mutated[mutated.length - 1]!).type === "run.sealed" ? "ok" : mutated.length + 1
}

const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.integer(),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, true, { x: 1 })
)

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant("edit" as const),
    line: fc.nat(),
    field: fc.constantFrom(
      "seq",
      "type",
      "status",
      "detail",
      "timestamp",
      "counts",
      "actor",
      "runId",
      "extra",
      "prevHash"
    ),
    value: fieldValue
  }),
  fc.record({
    kind: fc.constant("byte" as const),
    line: fc.nat(),
    at: fc.nat(),
    char: fc.constantFrom("0", "a", "x", "}", '"', "é")
  }),
  fc.record({ kind: fc.constant("delete" as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    text: fc.oneof(fc.constant(""), fc.nat().map(String))
  }),
  fc.record({ kind: fc.constant("swap" as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat(), partial: fc.oneof(fc.constant(0), fc.nat()) }),
  fc.record({ kind: fc.constant("duplicate" as const), line: fc.nat() }),
  fc.record({
    kind: fc.constant("whitespace" as const),
    line: fc.nat(),
    at: fc.nat(),
    ws: fc.constantFrom(" ", "\t", "\r", "  ", "\u00a0")
  })
)

describe("AuditLog.verify under tampering", () => {
  it.effect("names the first altered line for every kind of mutation (property)", () =>
    Effect.gen(function* () {
      const [single, multi] = yield* makeLogs
      assert.strictEqual((yield* AuditLog.verifyLines(single))._tag, "VerifyOk")
      assert.strictEqual((yield* AuditLog.verifyLines(multi))._tag, "VerifyOk")
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.boolean(), mutation, async (pickSingle, m) => {
            const [original, foreign] = pickSingle ? [single, multi] : [multi, single]
            const mutated = apply(original, foreign, m)
            const want = expected(original, mutated, foreign)
            const result = await Effect.runPromise(AuditLog.verifyLines(mutated))
            if (want === "ok") return result._tag === "VerifyOk"
            return result._tag === "VerifyFailed" && result.line === want
          }),
          { numRuns: 400 }
        )
      )
    })
  )

  it.effect("reports a reason that fits each mutation", () =>
    Effect.gen(function* () {
      const [single, multi] = yield* makeLogs
      const check = (lines: ReadonlyArray<string>, line: number, reason: AuditLog.VerifyFailureReason) =>
        Effect.map(AuditLog.verifyLines(lines), (result) => {
          assert.strictEqual(result._tag, "VerifyFailed")
          if (result._tag === "VerifyFailed") {
            assert.strictEqual(result.line, line)
            assert.strictEqual(result.reason, reason)
          }
        })
      yield* check(apply(single, multi, { kind: "edit", line: 3, field: "status", value: 201 }), 4, "hashMismatch")
      yield* check(apply(single, multi, { kind: "delete", line: 2 }), 3, "chainBroken")
      yield* check(apply(single, multi, { kind: "swap", a: 2, b: 5 }), 3, "chainBroken")
      yield* check(apply(single, multi, { kind: "duplicate", line: 4 }), 6, "chainBroken")
      yield* check(apply(single, multi, { kind: "whitespace", line: 1, at: 1, ws: " " }), 2, "notCanonical")
      yield* check(apply(single, multi, { kind: "truncate", keep: 5, partial: 0 }), 6, "truncated")
      yield* check(apply(single, multi, { kind: "truncate", keep: 5, partial: 30 }), 6, "malformed")
      // A multi-run log whose inner seal is removed: the next run's start no longer links.
      yield* check(apply(multi, single, { kind: "delete", line: 2 }), 3, "chainBroken")
    })
  )

  it.effect("an edit with a recomputed hash moves the head, so the announced head exposes it", () =>
    Effect.gen(function* () {
      const [single] = yield* makeLogs
      const last = single.length - 1
      const { hash: _, ...body } = JSON.parse(single[last]!)
      body.status = "forged"
      const { createHash } = yield* Effect.promise(() => import("node:crypto"))
      const hash = createHash("sha256").update(AuditLog.canonicalJson(body)).digest("hex")
      const forged = [...single.slice(0, last), AuditLog.canonicalJson({ ...body, hash })]
      const original = yield* AuditLog.verifyLines(single)
      const result = yield* AuditLog.verifyLines(forged)
      assert.strictEqual(result._tag, "VerifyOk")
      assert.notStrictEqual(result._tag === "VerifyOk" && result.head, original._tag === "VerifyOk" && original.head)
    })
  )

  it.scoped("verify(path) agrees on files, including cuts at any byte", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const [single, multi] = yield* makeLogs
      const text = `${multi.join("\n")}\n`
      const bytes = new TextEncoder().encode(text)
      let run = 0
      const run_ = <A, E>(effect: Effect.Effect<A, E, FileSystem.FileSystem>) =>
        Effect.runPromise(Effect.provideService(effect, FileSystem.FileSystem, fs))
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(mutation, fc.nat(bytes.length - 1), async (m, cut) => {
            const path = `${dir}/log-${run++}.jsonl`
            const mutated = apply(multi, single, m)
            await run_(fs.writeFileString(path, mutated.length === 0 ? "" : `${mutated.join("\n")}\n`))
            const want = expected(multi, mutated, single)
            const result = await run_(AuditLog.verify(path))
            const okMutation =
              want === "ok" ? result._tag === "VerifyOk" : result._tag === "VerifyFailed" && result.line === want
            // Cut the intact file at an arbitrary byte.
            await run_(fs.writeFile(path, bytes.subarray(0, cut)))
            const complete = bytes.subarray(0, cut).filter((b) => b === 0x0a).length
            const atBoundary = cut === 0 || bytes[cut - 1] === 0x0a
            const cutResult = await run_(AuditLog.verify(path))
            const wantCut = atBoundary ? expected(multi, multi.slice(0, complete)) : complete + 1
            const okCut =
              wantCut === "ok"
                ? cutResult._tag === "VerifyOk"
                : cutResult._tag === "VerifyFailed" &&
                  cutResult.line === wantCut &&
                  (atBoundary || cutResult.reason === "truncated")
            return okMutation && okCut
          }),
          { numRuns: 60 }
        )
      )
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
