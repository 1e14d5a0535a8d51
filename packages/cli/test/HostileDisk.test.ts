// A full disk simulated at the file-system layer, for machines where the tmpfs case of Hostile.test.ts cannot mount:
// every file write fails with ENOSPC as Node reports it. The output must fail with exit 4 naming the errno and the
// file, and nothing may appear under the final name.
import { FileSystem } from "@effect/platform"
import { SystemError } from "@effect/platform/Error"
import { NodeFileSystem } from "@effect/platform-node"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import type * as CliError from "../src/internal/cliError.js"
import * as Output from "../src/internal/output.js"

const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-disk-"))
afterAll(() => Fs.rmSync(root, { recursive: true, force: true }))

const enospc = (fd: number) =>
  new SystemError({
    reason: "Unknown",
    module: "FileSystem",
    method: "writeAll",
    pathOrDescriptor: fd,
    syscall: "write",
    description: "ENOSPC: no space left on device, write",
    cause: Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", syscall: "write" })
  })

/** The real file system, except that writing to an opened file fails as on a full disk. */
const fullDisk = Layer.effect(
  FileSystem.FileSystem,
  Effect.map(FileSystem.FileSystem, (fs) =>
    FileSystem.make({
      ...fs,
      open: (path, options) =>
        Effect.map(fs.open(path, options), (file) => ({
          ...file,
          write: () => Effect.fail(enospc(Number(file.fd))),
          writeAll: () => Effect.fail(enospc(Number(file.fd)))
        }))
    })
  )
).pipe(Layer.provide(NodeFileSystem.layer))

describe("a full disk under the file outputs", () => {
  for (const format of ["ndjson", "csv"] as const) {
    it.scoped(`${format}: exit 4 naming ENOSPC and the file`, () =>
      Effect.gen(function* () {
        const target = Path.join(root, format === "ndjson" ? "out.ndjson" : "out-csv")
        const sink = yield* Output.open({ format, target: Option.some(target) })
        const result = yield* Effect.either(
          Effect.zipRight(
            sink.open(Option.none()),
            sink.write([{ conversationId: "c1", conversationStart: "2026-01-05T00:00:00.000Z" }])
          )
        )
        assert.isTrue(result._tag === "Left")
        const failure = (result as { left: CliError.CliFailure }).left
        assert.strictEqual(failure.code, 4)
        assert.match(failure.message, /^cannot write .*\.partial: ENOSPC \(no space left on device\)$/)
        assert.isFalse(Fs.existsSync(format === "ndjson" ? target : Path.join(target, "conversations.csv")))
      }).pipe(Effect.provide(fullDisk))
    )
  }
})
