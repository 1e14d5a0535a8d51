/**
 * The JSONL file sink: find where the chain stands at the end of an existing file, then append.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as PlatformError from "@effect/platform/Error"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Option from "effect/Option"
import { ConfigInvalid } from "../../GenesysError.js"
import { checkLine, GENESIS } from "./record.js"
import type { ChainTail, Sink } from "./writer.js"

const decoder = new TextDecoder("utf-8", { fatal: true })
const encoder = new TextEncoder()

const damaged = (path: string, detail: string) =>
  new ConfigInvalid({
    field: "auditLog.path",
    detail: `${path}: ${detail}; run verify on it and move it aside before writing a new run`
  })

/**
 * Reads just enough of the end of the file to find its last line, doubling the window until the
 * whole line is in it, and checks that line on its own. The rest of the file is the auditor's
 * business (`verify`); a writer only needs a trustworthy place to continue the chain from.
 *
 * @internal
 */
export const readTail = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<ChainTail, PlatformError.PlatformError | ConfigInvalid> =>
  Effect.scoped(
    Effect.gen(function* () {
      if (!(yield* fs.exists(path))) return { head: GENESIS }
      const size = Number((yield* fs.stat(path)).size)
      if (size === 0) return { head: GENESIS }
      const file = yield* fs.open(path, { flag: "r" })
      let window = Math.min(size, 64 * 1024)
      for (;;) {
        yield* file.seek(size - window, "start")
        const bytes = Option.getOrElse(yield* file.readAlloc(window), () => new Uint8Array(0))
        if (bytes[bytes.length - 1] !== 0x0a) {
          return yield* damaged(path, "the last line is incomplete (the file was cut short)")
        }
        const start = bytes.lastIndexOf(0x0a, bytes.length - 2) + 1
        if (start === 0 && window < size) {
          window = Math.min(size, window * 2)
          continue
        }
        let line: string
        try {
          line = decoder.decode(bytes.subarray(start, bytes.length - 1))
        } catch {
          return yield* damaged(path, "the last line is not valid UTF-8")
        }
        const checked = yield* checkLine(line)
        if (Either.isLeft(checked)) return yield* damaged(path, `the last line is invalid: ${checked.left.message}`)
        const record = checked.right
        return record.type === "run.sealed"
          ? { head: record.hash }
          : { head: record.hash, openRun: { runId: record.runId, nextSeq: record.seq + 1 } }
      }
    })
  )

/**
 * Opens the file in append mode for the scope. A write failure is a defect: an audit trail that
 * silently loses events is worse than a run that stops.
 *
 * @internal
 */
export const openSink = (fs: FileSystem.FileSystem, path: string) =>
  Effect.map(
    fs.open(path, { flag: "a" }),
    (file): Sink => ({
      append: (line) => Effect.orDie(file.writeAll(encoder.encode(`${line}\n`))),
      flush: Effect.orDie(file.sync)
    })
  )
