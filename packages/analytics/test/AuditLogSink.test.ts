// An audit log over storage of the user's own (AuditLog.layerSink): the same chain, scrubbing and seals as the file
// sink, continued across processes from the tail the storage reports.
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Redacted } from "effect"
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

  it.effect("a caller interrupted while another record is being written still has its record written", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      const firstAppended = yield* Deferred.make<void>()
      const releaseFirst = yield* Deferred.make<void>()
      const sink: AuditLog.Sink = {
        append: (line) =>
          Effect.gen(function* () {
            if (lines.length === 1) {
              yield* Deferred.succeed(firstAppended, undefined)
              yield* Deferred.await(releaseFirst)
            }
            lines.push(line)
          }),
        flush: Effect.void
      }
      yield* Effect.scoped(
        Effect.gen(function* () {
          const log = yield* AuditLog.makeWithSink(options, sink)
          // `run.started` is line 0; the sink holds the writer on line 1 until released.
          const first = yield* Effect.fork(log.record({ type: "query.sent", detail: "first" }))
          yield* Deferred.await(firstAppended)
          const second = yield* Effect.fork(log.record({ type: "http.rateLimitWait", status: 429, detail: "second" }))
          yield* Effect.yieldNow()
          // An HTTP request interrupted while its 429 waits for the writer: what the platform answered stays audited.
          const interrupting = yield* Effect.fork(Fiber.interrupt(second))
          yield* Deferred.succeed(releaseFirst, undefined)
          yield* Fiber.join(first)
          yield* Fiber.join(interrupting)
        })
      )
      const details = lines.map((line) => (JSON.parse(line) as AuditLog.AuditRecord).detail)
      assert.deepStrictEqual(details.slice(1, 3), ["first", "second"])
      assert.strictEqual((yield* AuditLog.verifyLines(lines))._tag, "VerifyOk")
    })
  )
})
