// An audit log over storage of the user's own (AuditLog.layerSink): the same chain, scrubbing and seals as the file
// sink, continued across processes from the tail the storage reports.
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as AuditLog from "../src/AuditLog.js"

const options: AuditLog.Options = { actor: "client-id", region: "emulator", redact: [Redacted.make("s3cret-value")] }

const storage = () => {
  const lines: Array<string> = []
  let flushes = 0
  const sink: AuditLog.Sink = {
    append: (line) => Effect.sync(() => void lines.push(line)),
    flush: Effect.sync(() => void flushes++)
  }
  return { lines, sink, flushes: () => flushes }
}

describe("AuditLog over a custom sink", () => {
  it.effect("writes a chain that verifies, scrubbed, flushed after the seal", () =>
    Effect.gen(function* () {
      const store = storage()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* AuditLog.makeWithSink(options, store.sink)
          yield* log.record({ type: "query.sent", detail: "sent with s3cret-value" })
          yield* log.seal()
        })
      )
      const result = yield* AuditLog.verifyLines(store.lines)
      assert.strictEqual(result._tag, "VerifyOk")
      if (result._tag === "VerifyOk") assert.deepStrictEqual([result.records, result.runs, result.open], [3, 1, false])
      assert.notInclude(store.lines.join("\n"), "s3cret-value")
      assert.isAtLeast(store.flushes(), 1)
    })
  )

  it.effect("continues the chain from the storage's tail and seals a run left open as abandoned", () =>
    Effect.gen(function* () {
      const first = storage()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* AuditLog.makeWithSink({ ...options, runId: "run-1" }, first.sink)
          yield* log.record({ type: "query.sent" })
        })
      )
      // The first run was closed by its scope; pretend a second process died mid-run after it.
      const head = (JSON.parse(first.lines.at(-1)!) as AuditLog.AuditRecord).hash
      const second = storage()
      const tail: AuditLog.ChainTail = { head, openRun: { runId: "run-2", nextSeq: 4 } }
      yield* Effect.scoped(
        Effect.flatMap(
          Effect.provide(AuditLog.AuditLog, AuditLog.layerSink({ ...options, runId: "run-3" }, second.sink, tail)),
          (log) => log.record({ type: "query.sent" })
        )
      )
      const abandoned = JSON.parse(second.lines[0]!) as AuditLog.AuditRecord
      assert.deepStrictEqual(
        [abandoned.runId, abandoned.type, abandoned.status, abandoned.prevHash],
        ["run-2", "run.sealed", "abandoned", head]
      )
      assert.strictEqual(
        (JSON.parse(second.lines.at(-1)!) as AuditLog.AuditRecord).runId,
        "run-3",
        "the new run follows the abandoned seal"
      )
    })
  )
})
