import { NodeFileSystem } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Redacted, Scope, TestClock } from "effect"
import * as AuditLog from "../src/AuditLog.js"

const options = { actor: "client-id-1", region: "mypurecloud.ie", runId: "run-1" }

const withMemory = <A, E>(
  effect: Effect.Effect<A, E, AuditLog.AuditLog | AuditLog.AuditLogMemory>,
  opts: AuditLog.Options = options
) => Effect.provide(effect, AuditLog.layerMemory(opts))

const lineTexts = Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.lines)
const recordsOf = Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.records)

describe("AuditLog (memory)", () => {
  it.effect("writes a chained, sealed run that verifies", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        yield* audit.record({ type: "job.submitted", jobId: "job-1", window: "2024-01-01T00:00:00Z/P1D", status: 202 })
        yield* audit.record({ type: "job.state", jobId: "job-1", status: "FULFILLED", latencyMillis: 1234.4 })
        const head = yield* audit.seal({ conversations: 42 })
        assert.strictEqual(yield* audit.head, head)
        const records = yield* recordsOf
        assert.deepStrictEqual(
          records.map((r) => [r.seq, r.type]),
          [
            [0, "run.started"],
            [1, "job.submitted"],
            [2, "job.state"],
            [3, "run.sealed"]
          ]
        )
        assert.strictEqual(records[0]!.prevHash, AuditLog.genesis)
        for (let i = 1; i < records.length; i++) assert.strictEqual(records[i]!.prevHash, records[i - 1]!.hash)
        const sealRecord = records[3]!
        assert.deepStrictEqual(sealRecord.counts, { conversations: 42, records: 3 })
        assert.strictEqual(sealRecord.status, "sealed")
        assert.strictEqual(sealRecord.hash, head)
        assert.strictEqual(records[2]!.latencyMillis, 1234)
        assert.strictEqual(records[1]!.actor, "client-id-1")
        assert.strictEqual(records[1]!.region, "mypurecloud.ie")
        const lines = yield* lineTexts
        for (const line of lines) assert.strictEqual(AuditLog.canonicalJson(JSON.parse(line)), line)
        const result = yield* AuditLog.verifyLines(lines)
        assert.deepStrictEqual(result, new AuditLog.VerifyOk({ records: 4, runs: 1, head, open: false }))
      })
    )
  )

  it.effect("timestamps come from the Clock", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        yield* TestClock.setTime(Date.UTC(2024, 4, 1, 12, 0, 0))
        yield* audit.record({ type: "query.sent" })
        yield* TestClock.adjust("1500 millis")
        yield* audit.record({ type: "query.page" })
        const records = yield* recordsOf
        assert.strictEqual(records[0]!.timestamp, "2024-05-01T12:00:00.000Z")
        assert.strictEqual(records[1]!.timestamp, "2024-05-01T12:00:00.000Z")
        assert.strictEqual(records[2]!.timestamp, "2024-05-01T12:00:01.500Z")
      })
    )
  )

  it.effect("100 concurrent records keep one valid chain with strictly increasing seq", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        yield* Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          (i) => audit.record({ type: "query.page", counts: { page: i } }),
          { concurrency: "unbounded" }
        )
        yield* audit.seal()
        const records = yield* recordsOf
        assert.strictEqual(records.length, 102)
        for (const [i, r] of records.entries()) assert.strictEqual(r.seq, i)
        const pages = new Set(records.flatMap((r) => (r.type === "query.page" ? [r.counts!["page"]] : [])))
        assert.strictEqual(pages.size, 100)
        const result = yield* AuditLog.verifyLines(yield* lineTexts)
        assert.strictEqual(result._tag, "VerifyOk")
      })
    )
  )

  it.effect("scrubs secrets: credential fields, bearer tokens, JWTs, key=value pairs and known values", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLWJ5dGVz"
        const event = {
          type: "failure",
          detail: `401 with Authorization: Bearer abcdef123456 and ${jwt}; client_secret=hunter2hunter2 sent; also s3cr3t-value`,
          correlationId: `Bearer ${jwt}`,
          token: "raw-token-value",
          authorization: "Basic dXNlcjpwYXNz",
          secret: "plain-secret",
          counts: { retries: 2, [jwt]: 1 }
        } as unknown as AuditLog.AuditEventInput
        yield* audit.record(event)
        const [line] = (yield* lineTexts).slice(1)
        for (const leaked of [
          "abcdef123456",
          jwt,
          "hunter2hunter2",
          "raw-token-value",
          "dXNlcjpwYXNz",
          "plain-secret",
          "s3cr3t-value"
        ]) {
          assert.notInclude(line!, leaked)
        }
        const record = JSON.parse(line!)
        assert.deepStrictEqual(record.counts, { retries: 2 })
        assert.isAbove(record.redactions, 5)
        assert.include(record.detail, "[REDACTED]")
        assert.notProperty(record, "token")
        assert.notProperty(record, "authorization")
        assert.notProperty(record, "secret")
      }),
      { ...options, redact: [Redacted.make("s3cr3t-value")] }
    )
  )

  it.effect("redacts credentials in text without garbling ordinary words", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        const cases: ReadonlyArray<readonly [string, string]> = [
          ["basic information about job j-1, 2 tokens refreshed, no secret here", "same"],
          ["Authorization: Bearer abcdefghijkl", "Authorization: [REDACTED]"],
          ["authorization=Basic dXNlcjpwYXNz", "authorization=[REDACTED]"],
          ["sent Basic dXNlcjpwYXNz", "sent Basic [REDACTED]"],
          ["header Bearer x.y.z-token_123 rejected", "header Bearer [REDACTED] rejected"],
          ['{"access_token":"opaque-123","expires_in":86400}', '{"access_token":"[REDACTED]","expires_in":86400}'],
          [
            "client_secret=abc123&grant_type=client_credentials",
            "client_secret=[REDACTED]&grant_type=client_credentials"
          ],
          ["password: hunter2", "password: [REDACTED]"]
        ]
        for (const [detail] of cases) yield* audit.record({ type: "failure", detail })
        const records = (yield* recordsOf).slice(1)
        for (const [i, [input, want]] of cases.entries()) {
          assert.strictEqual(records[i]!.detail, want === "same" ? input : want)
          assert.strictEqual(records[i]!.redactions === undefined, want === "same")
        }
      })
    )
  )

  it.effect("caps detail so no body can be dumped into a record", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        yield* audit.record({ type: "failure", detail: "x".repeat(5000) })
        const records = yield* recordsOf
        assert.strictEqual(records[1]!.detail!.length, 1000)
      })
    )
  )

  it.effect("runs: the caller's run.started opens one, a record after seal opens the next; seal is idempotent", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        assert.strictEqual(yield* audit.seal(), AuditLog.genesis)
        yield* audit.record({ type: "run.started", window: "2024-01-01/2024-01-08", counts: { windows: 7 } })
        yield* audit.record({ type: "query.sent" })
        const first = yield* audit.seal()
        assert.strictEqual(yield* audit.seal(), first)
        yield* audit.record({ type: "webhook.dropped", detail: "queue full" })
        yield* audit.record({ type: "run.started", counts: { windows: 1 } })
        yield* audit.record({ type: "run.sealed", counts: { dropped: 1 } })
        const records = yield* recordsOf
        assert.deepStrictEqual(
          records.map((r) => `${r.runId}:${r.seq}:${r.type}:${r.status ?? ""}`),
          [
            "run-1:0:run.started:",
            "run-1:1:query.sent:",
            "run-1:2:run.sealed:sealed",
            "run-1.2:0:run.started:",
            "run-1.2:1:webhook.dropped:",
            "run-1.2:2:run.sealed:closed",
            "run-1.3:0:run.started:",
            "run-1.3:1:run.sealed:sealed"
          ]
        )
        assert.deepStrictEqual(records[0]!.counts, { windows: 7 })
        assert.strictEqual(records[0]!.window, "2024-01-01/2024-01-08")
        assert.deepStrictEqual(records[7]!.counts, { dropped: 1, records: 1 })
        const result = yield* AuditLog.verifyLines(yield* lineTexts)
        assert.deepStrictEqual(
          result,
          new AuditLog.VerifyOk({ records: 8, runs: 3, head: yield* audit.head, open: false })
        )
      })
    )
  )

  it.effect("an open run is reported as truncated unless allowOpen", () =>
    withMemory(
      Effect.gen(function* () {
        const audit = yield* AuditLog.AuditLog
        yield* audit.record({ type: "query.sent" })
        const lines = yield* lineTexts
        const strict = yield* AuditLog.verifyLines(lines)
        assert.strictEqual(strict._tag, "VerifyFailed")
        if (strict._tag === "VerifyFailed") {
          assert.strictEqual(strict.line, 3)
          assert.strictEqual(strict.reason, "truncated")
        }
        const open = yield* AuditLog.verifyLines(lines, { allowOpen: true })
        assert.deepStrictEqual(
          open,
          new AuditLog.VerifyOk({ records: 2, runs: 1, head: yield* audit.head, open: true })
        )
      })
    )
  )

  it.effect("closing the scope seals the run with status closed; an unused log writes nothing", () =>
    Effect.gen(function* () {
      const unused = yield* Effect.scoped(Effect.map(AuditLog.makeMemory(options), ({ memory }) => memory))
      assert.deepStrictEqual(yield* unused.lines, [])
      const scope = yield* Scope.make()
      const { auditLog, memory } = yield* Scope.extend(AuditLog.makeMemory(options), scope)
      yield* auditLog.record({ type: "query.sent" })
      yield* Scope.close(scope, Exit.void)
      const records = yield* memory.records
      assert.strictEqual(records.at(-1)!.type, "run.sealed")
      assert.strictEqual(records.at(-1)!.status, "closed")
      assert.strictEqual((yield* AuditLog.verifyLines(yield* memory.lines))._tag, "VerifyOk")
    })
  )

  it.effect("hashQuery is the SHA-256 of the canonical JSON, independent of key order", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* AuditLog.hashQuery({}),
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
      )
      const a = yield* AuditLog.hashQuery({
        interval: "2024-01-01/2024-01-02",
        paging: { pageSize: 100, pageNumber: 1 }
      })
      const b = yield* AuditLog.hashQuery({
        paging: { pageNumber: 1, pageSize: 100 },
        interval: "2024-01-01/2024-01-02"
      })
      const c = yield* AuditLog.hashQuery({
        paging: { pageNumber: 2, pageSize: 100 },
        interval: "2024-01-01/2024-01-02"
      })
      assert.strictEqual(a, b)
      assert.notStrictEqual(a, c)
      assert.match(a, /^[0-9a-f]{64}$/)
    })
  )
})

const writeRun = (path: string, runId: string, events: number, seal: boolean) =>
  Effect.scoped(
    Effect.gen(function* () {
      const audit = yield* AuditLog.makeFile(path, { ...options, runId })
      for (let i = 0; i < events; i++) yield* audit.record({ type: "job.page", jobId: "job-1", counts: { page: i } })
      if (seal) yield* audit.seal({ conversations: events })
    })
  )

describe("AuditLog (file)", () => {
  it.scoped("appends runs to one chain across writers and verifies the whole file", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/audit.jsonl`
      yield* writeRun(path, "a", 2, true)
      yield* writeRun(path, "b", 3, false) // closed by the scope, not by seal()
      const text = yield* fs.readFileString(path)
      assert.isTrue(text.endsWith("\n"))
      const lines = text.trimEnd().split("\n")
      assert.strictEqual(lines.length, 4 + 5)
      const second = JSON.parse(lines[4]!)
      assert.strictEqual(second.runId, "b")
      assert.strictEqual(second.prevHash, JSON.parse(lines[3]!).hash)
      assert.strictEqual(JSON.parse(lines[8]!).status, "closed")
      const result = yield* AuditLog.verify(path)
      assert.deepStrictEqual(
        result,
        new AuditLog.VerifyOk({ records: 9, runs: 2, head: JSON.parse(lines[8]!).hash, open: false })
      )
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("a run left without its seal is sealed as abandoned by the next writer", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/audit.jsonl`
      // What a crashed process leaves: a run's lines without the seal.
      const crashed = yield* Effect.scoped(
        Effect.gen(function* () {
          const { auditLog, memory } = yield* AuditLog.makeMemory({ ...options, runId: "crashed" })
          yield* auditLog.record({ type: "job.submitted", jobId: "j" })
          return yield* memory.lines
        })
      )
      yield* fs.writeFileString(path, `${crashed.join("\n")}\n`)
      yield* writeRun(path, "next", 1, true)
      const lines = (yield* fs.readFileString(path)).trimEnd().split("\n")
      const abandoned = JSON.parse(lines[2]!)
      assert.strictEqual(abandoned.type, "run.sealed")
      assert.strictEqual(abandoned.runId, "crashed")
      assert.strictEqual(abandoned.status, "abandoned")
      assert.deepStrictEqual(abandoned.counts, { records: 2 })
      const result = yield* AuditLog.verify(path)
      assert.strictEqual(result._tag, "VerifyOk")
      if (result._tag === "VerifyOk") assert.strictEqual(result.runs, 2)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("refuses to append to a file whose last line is cut short; verify names that line", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/audit.jsonl`
      yield* writeRun(path, "a", 1, true)
      const text = yield* fs.readFileString(path)
      yield* fs.writeFileString(path, text.slice(0, -20))
      const error = yield* Effect.flip(writeRun(path, "b", 1, true))
      assert.strictEqual(error._tag, "ConfigInvalid")
      const result = yield* AuditLog.verify(path)
      assert.strictEqual(result._tag, "VerifyFailed")
      if (result._tag === "VerifyFailed") {
        assert.strictEqual(result.line, 3)
        assert.strictEqual(result.reason, "truncated")
      }
      // Only the final newline missing is still a cut.
      yield* fs.writeFileString(path, text.slice(0, -1))
      const noNewline = yield* AuditLog.verify(path)
      assert.strictEqual(noNewline._tag === "VerifyFailed" && noNewline.line, 3)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("the tail is found in a file larger than the first read window", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const path = `${dir}/audit.jsonl`
      yield* Effect.scoped(
        Effect.gen(function* () {
          const audit = yield* AuditLog.makeFile(path, { ...options, runId: "big" })
          yield* audit.record({ type: "failure", detail: "y".repeat(900) })
          for (let i = 0; i < 120; i++) yield* audit.record({ type: "failure", detail: "z".repeat(900) })
        })
      )
      yield* writeRun(path, "after", 1, true)
      const result = yield* AuditLog.verify(path)
      assert.strictEqual(result._tag === "VerifyOk" && result.runs, 2)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.effect("layerFile provides the service", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectory()
      const path = `${dir}/audit.jsonl`
      yield* Effect.provide(
        Effect.flatMap(AuditLog.AuditLog, (a) => a.record({ type: "query.sent" })),
        AuditLog.layerFile(path, options)
      )
      const result = yield* AuditLog.verify(path)
      assert.strictEqual(result._tag === "VerifyOk" && result.records, 3)
      yield* fs.remove(dir, { recursive: true })
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
