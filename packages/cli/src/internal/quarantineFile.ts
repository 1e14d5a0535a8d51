/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Cli from "./cliError.js"
import * as FsErrors from "./fsErrors.js"

// `--quarantine <file>`: records the library cannot rely on (no usable conversationId or conversationStart) are set
// aside instead of failing the run. Each becomes one NDJSON line holding why and the record as received, written
// and synced as it arrives, so a crash loses none. A resumed run appends (a record set aside before the crash may
// appear twice); a new run starts the file afresh.

const encoder = new TextEncoder()

/** One line of the quarantine file. @internal */
export const line = (entry: Extraction.QuarantinedRecord): string =>
  `${JSON.stringify({
    reason: entry.error.message,
    field: entry.error.field,
    window: entry.error.window,
    ...(entry.error.jobId !== undefined ? { jobId: entry.error.jobId } : {}),
    page: entry.error.page,
    record: entry.record
  })}\n`

/**
 * Opens the quarantine file for the current scope (`append` when resuming) and returns the run option writing to it
 * and how many records it got.
 *
 * @internal
 */
export const open = (
  path: string,
  append: boolean
): Effect.Effect<
  {
    readonly quarantine: (entry: Extraction.QuarantinedRecord) => Effect.Effect<void, Cli.CliFailure>
    readonly count: () => number
  },
  Cli.CliFailure,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = yield* fs
      .open(path, { flag: append ? "a" : "w" })
      .pipe(Effect.mapError((e) => FsErrors.toFailure(e, `cannot open --quarantine ${path}`)))
    let count = 0
    return {
      quarantine: (entry) =>
        file.writeAll(encoder.encode(line(entry))).pipe(
          Effect.zipRight(file.sync),
          Effect.zipRight(
            Effect.sync(() => {
              count++
            })
          ),
          Effect.mapError((e) => FsErrors.toFailure(e, `cannot write --quarantine ${path}`, 4))
        ),
      count: () => count
    }
  })
