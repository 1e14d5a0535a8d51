// The guards run before any request: output paths must be regular files or new (never a device, FIFO, socket or the
// wrong kind of directory), one writer per output (an O_EXCL lock file naming its holder, a dead holder's lock taken
// over), and file-system failures described by errno and path.
import { Transport } from "@effect-genesys/analytics/GenesysError"
import { NodeFileSystem } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Either, Exit, Option, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as CliError from "../src/internal/cliError.js"
import * as FsErrors from "../src/internal/fsErrors.js"
import type * as Output from "../src/internal/output.js"
import * as OutputKind from "../src/internal/outputKind.js"
import * as OutputLock from "../src/internal/outputLock.js"

const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-guards-"))
afterAll(() => Fs.rmSync(root, { recursive: true, force: true }))

const out = (format: Output.Format, target: string): Output.Output => ({ format, target: Option.some(target) })
const check = (output: Output.Output) =>
  OutputKind.check(output, ["conversations", "participants"], ".partial").pipe(
    Effect.either,
    Effect.provide(NodeFileSystem.layer)
  )
const refusal = (result: Either.Either<void, CliError.CliFailure>): string => {
  assert.isTrue(Either.isLeft(result), "refused")
  const failure = (result as Either.Left<CliError.CliFailure, void>).left
  assert.strictEqual(failure.code, CliError.ExitCode.usage)
  return failure.message
}

describe("OutputKind.check", () => {
  it.effect("accepts new paths and regular files", () =>
    Effect.gen(function* () {
      Fs.writeFileSync(Path.join(root, "old.ndjson"), "x")
      assert.isTrue(Either.isRight(yield* check(out("ndjson", Path.join(root, "new.ndjson")))))
      assert.isTrue(Either.isRight(yield* check(out("ndjson", Path.join(root, "old.ndjson")))))
      assert.isTrue(Either.isRight(yield* check(out("sqlite", Path.join(root, "new.sqlite")))))
      assert.isTrue(Either.isRight(yield* check(out("csv", Path.join(root, "csvdir/")))))
      assert.isTrue(Either.isRight(yield* check(out("postgres", "postgres://u@localhost/db"))))
    })
  )

  it.effect("refuses a character device for every file format, and for csv", () =>
    Effect.gen(function* () {
      for (const format of ["ndjson", "sqlite", "csv"] as const) {
        const message = refusal(yield* check(out(format, "/dev/null")))
        assert.match(message, /^--out \/dev\/null is a character device/)
      }
    })
  )

  it.effect("refuses a directory for ndjson and sqlite, a file for csv, a FIFO and a socket", () =>
    Effect.gen(function* () {
      assert.match(refusal(yield* check(out("ndjson", root))), /is a directory, not a regular file/)
      assert.match(refusal(yield* check(out("sqlite", `${root}/`))), /is a directory/)
      Fs.writeFileSync(Path.join(root, "plain"), "x")
      assert.match(refusal(yield* check(out("csv", Path.join(root, "plain")))), /is a regular file, not a directory/)
      const fifo = Path.join(root, "fifo.ndjson")
      ChildProcess.execFileSync("mkfifo", [fifo])
      assert.match(refusal(yield* check(out("ndjson", fifo))), /is a FIFO/)
      const socketPath = Path.join(root, "sock.ndjson")
      const server = Net.createServer()
      yield* Effect.promise(() => new Promise<void>((done) => server.listen(socketPath, () => done())))
      assert.match(refusal(yield* check(out("ndjson", socketPath))), /is a socket/)
      server.close()
      // The partial file beside the output counts too.
      ChildProcess.execFileSync("mkfifo", [Path.join(root, "x.ndjson.partial")])
      assert.match(refusal(yield* check(out("ndjson", Path.join(root, "x.ndjson")))), /x\.ndjson\.partial is a FIFO/)
    })
  )
})

describe("OutputLock.acquire", () => {
  const acquire = (file: string, notices: Array<string>, options?: { readonly isAlive?: (pid: number) => boolean }) =>
    OutputLock.acquire(file, "--out x.ndjson", (m) => Effect.sync(() => void notices.push(m)), options)

  it.effect("creates the lock naming this process and removes it when the scope closes", () =>
    Effect.gen(function* () {
      const file = Path.join(root, "a.lock")
      const scope = yield* Scope.make()
      yield* acquire(file, []).pipe(Scope.extend(scope), Effect.provide(NodeFileSystem.layer))
      const holder = JSON.parse(Fs.readFileSync(file, "utf8")) as OutputLock.Holder
      assert.strictEqual(holder.pid, process.pid)
      assert.strictEqual(holder.host, Os.hostname())
      yield* Scope.close(scope, Exit.void)
      assert.isFalse(Fs.existsSync(file))
    })
  )

  it.effect("a second acquisition fails with exit 2 naming the holder's pid and start", () =>
    Effect.gen(function* () {
      const file = Path.join(root, "b.lock")
      const scope = yield* Scope.make()
      yield* acquire(file, []).pipe(Scope.extend(scope), Effect.provide(NodeFileSystem.layer))
      const second = yield* acquire(file, []).pipe(Effect.scoped, Effect.either, Effect.provide(NodeFileSystem.layer))
      const message = refusal(second)
      assert.match(message, new RegExp(`in use by another extraction \\(pid ${process.pid}, started at \\d{4}-`))
      assert.include(message, file)
      yield* Scope.close(scope, Exit.void)
      // The failed attempt left the holder's lock alone until its owner released it.
      assert.isFalse(Fs.existsSync(file))
    })
  )

  it.effect("a lock whose pid is dead on this host is taken over with a notice", () =>
    Effect.gen(function* () {
      const file = Path.join(root, "c.lock")
      const stale = { format: "genesys-analytics/lock", pid: 424242, host: Os.hostname(), startedAt: "earlier" }
      Fs.writeFileSync(file, JSON.stringify(stale))
      const notices: Array<string> = []
      yield* acquire(file, notices, { isAlive: (pid) => pid !== 424242 }).pipe(
        Effect.scoped,
        Effect.provide(NodeFileSystem.layer)
      )
      assert.strictEqual(notices.length, 1)
      assert.match(notices[0]!, /taking over the lock of --out x\.ndjson left by pid 424242, started at earlier/)
    })
  )

  it.effect(
    "the lock appears with its holder written (via a linked temp file); dead processes' temps are removed",
    () =>
      Effect.gen(function* () {
        const file = Path.join(root, "e.lock")
        const leftover = `${file}.424243.tmp`
        Fs.writeFileSync(leftover, "half")
        const seen: Array<string> = []
        // Every state of the lock file another process could read while this one acquires it.
        const watcher = Fs.watch(root, (_event, name) => {
          if (name === "e.lock" && Fs.existsSync(file)) seen.push(Fs.readFileSync(file, "utf8"))
        })
        yield* acquire(file, [], { isAlive: (pid) => pid !== 424243 }).pipe(
          Effect.scoped,
          Effect.provide(NodeFileSystem.layer)
        )
        watcher.close()
        assert.isFalse(Fs.existsSync(leftover), "a dead process's temp file is removed")
        for (const text of seen) assert.match(text, /"pid":\d+/)
        assert.deepStrictEqual(
          Fs.readdirSync(root).filter((f) => f.startsWith("e.lock")),
          []
        )
      })
  )

  it.effect("a lock from another host, or one naming no holder, is never taken over", () =>
    Effect.gen(function* () {
      const file = Path.join(root, "d.lock")
      Fs.writeFileSync(
        file,
        JSON.stringify({ format: "genesys-analytics/lock", pid: 1, host: "elsewhere", startedAt: "t" })
      )
      const other = yield* acquire(file, [], { isAlive: () => false }).pipe(
        Effect.scoped,
        Effect.either,
        Effect.provide(NodeFileSystem.layer)
      )
      assert.match(refusal(other), /pid 1 on host elsewhere, started at t/)
      Fs.writeFileSync(file, "")
      const empty = yield* acquire(file, []).pipe(Effect.scoped, Effect.either, Effect.provide(NodeFileSystem.layer))
      assert.match(refusal(empty), /names no holder/)
    })
  )
})

describe("FsErrors", () => {
  it("names the errno and the path found in a cause chain, SQLite codes included", () => {
    const enospc = Object.assign(new Error("write failed"), { code: "ENOSPC" })
    const failure = FsErrors.toFailure({ pathOrDescriptor: "/full/out.ndjson", cause: enospc }, "cannot write", 4)
    assert.strictEqual(failure.code, 4)
    assert.strictEqual(failure.message, "cannot write: ENOSPC (no space left on device) at /full/out.ndjson")
    const sqlite = { message: "Failed to execute statement", cause: { code: "SQLITE_FULL" } }
    assert.deepStrictEqual(FsErrors.find(sqlite), { code: "ENOSPC", path: undefined })
    assert.isTrue(FsErrors.isPathProblem(sqlite))
    assert.isFalse(FsErrors.isPathProblem(new Error("no code")))
  })

  it("a failed connection is not a file-system problem, though it carries its errno", () => {
    const refused = new Transport({
      method: "GET",
      url: "http://127.0.0.1:9/api/v2/analytics/conversations/details/jobs/j1",
      reason: "Connection",
      detail: "connect ECONNREFUSED 127.0.0.1:9",
      code: "ECONNREFUSED"
    })
    assert.isUndefined(FsErrors.find(refused))
    assert.isUndefined(FsErrors.find({ message: "wrapped", cause: refused }))
    assert.isUndefined(FsErrors.find(Object.assign(new Error("getaddrinfo ENOTFOUND x"), { code: "ENOTFOUND" })))
    assert.deepStrictEqual(FsErrors.find({ cause: Object.assign(new Error("w"), { code: "EIO" }) }), {
      code: "EIO",
      path: undefined
    })
  })
})
