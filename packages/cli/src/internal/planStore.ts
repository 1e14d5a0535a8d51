/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cli from "./cliError.js"

// A re-run must resume the same plan: planning again would read a newer watermark and give a different plan hash, so
// the checkpoint would not match. The plan is kept next to the checkpoints, keyed by the invocation that made it.

const FORMAT = "genesys-analytics/plan"

/** The file holding the stored plan in a checkpoint directory. @internal */
export const fileOf = (directory: string): string => `${directory.replace(/[\\/]+$/, "")}/plan.json`

interface Stored {
  readonly format: typeof FORMAT
  readonly version: 1
  /** Hash of the command's arguments that made the plan. */
  readonly invocation: string
  readonly plan: Extraction.Plan
}

const isStored = (u: unknown): u is Stored =>
  typeof u === "object" &&
  u !== null &&
  (u as Stored).format === FORMAT &&
  (u as Stored).version === 1 &&
  typeof (u as Stored).invocation === "string" &&
  typeof (u as Stored).plan === "object" &&
  Array.isArray((u as Stored).plan?.windows)

/**
 * The plan stored by an earlier run of the same invocation, if any. A plan of another invocation fails: resuming it
 * would write another extraction's data into this output.
 *
 * @internal
 */
export const load = (
  directory: string,
  invocation: string
): Effect.Effect<Option.Option<Extraction.Plan>, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = fileOf(directory)
    const text = yield* fs.readFileString(path).pipe(Effect.option)
    if (Option.isNone(text)) return Option.none()
    let parsed: unknown
    try {
      parsed = JSON.parse(text.value)
    } catch {
      parsed = undefined
    }
    if (!isStored(parsed)) {
      return yield* Cli.usage(`${path} is not a stored plan; remove the checkpoint directory to start afresh`)
    }
    if (parsed.invocation !== invocation) {
      return yield* Cli.usage(
        `--checkpoint ${directory} holds an unfinished extraction with other arguments (${parsed.plan.requested}); ` +
          "re-run that command to finish it, or use another directory"
      )
    }
    return Option.some(parsed.plan)
  })

/** Stores the plan (temporary file, then rename). @internal */
export const save = (
  directory: string,
  invocation: string,
  plan: Extraction.Plan
): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = fileOf(directory)
    const stored: Stored = { format: FORMAT, version: 1, invocation, plan }
    yield* fs.makeDirectory(directory, { recursive: true })
    yield* fs.writeFileString(`${path}.tmp`, `${JSON.stringify(stored, null, 2)}\n`)
    yield* fs.rename(`${path}.tmp`, path)
  }).pipe(Effect.mapError((e) => Cli.usage(`cannot write to --checkpoint ${directory}: ${e.message}`)))

/** Removes the stored plan after the extraction finished. @internal */
export const clear = (directory: string): Effect.Effect<void, never, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => Effect.ignore(fs.remove(fileOf(directory))))
