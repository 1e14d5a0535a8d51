/** @internal */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as GenesysError from "@effect-genesys/analytics/GenesysError"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/** The exit codes of the command. @internal */
export const ExitCode = {
  ok: 0,
  /** An unexpected internal error (a bug), or a check that failed (audit verify). */
  failed: 1,
  usage: 2,
  auth: 3,
  partial: 4,
  /** Stopped by SIGINT (Ctrl-C). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15, as shells report it). */
  terminated: 143
} as const

/**
 * A failure the command reports as one line and an exit code. `detail` is extra context printed under it (the
 * caret under a `--where` column, shown on a terminal only).
 *
 * @internal
 */
export class CliFailure extends Schema.TaggedError<CliFailure>("@effect-genesys/cli/CliFailure")("CliFailure", {
  code: Schema.Number,
  message: Schema.String,
  detail: Schema.optional(Schema.String)
}) {}

/** Bad input: exit 2. @internal */
export const usage = (message: string, detail?: string): CliFailure =>
  new CliFailure({ code: ExitCode.usage, message, detail })

/** A failed or partial extraction or request: exit 4. @internal */
export const partial = (message: string): CliFailure => new CliFailure({ code: ExitCode.partial, message })

const firstLine = (text: string) => text.split("\n")[0]!.trim()

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/** The exit code and one-line message of a Genesys error. @internal */
export const fromGenesys = (error: GenesysError.GenesysError): CliFailure => {
  switch (error._tag) {
    case "QueryInvalid": {
      const issues = error.issues.map(
        (i) => `${i.path}: ${i.message}${i.suggestion !== undefined ? ` (did you mean "${i.suggestion}"?)` : ""}`
      )
      return usage(`invalid query: ${issues.join("; ")}`)
    }
    case "ConfigInvalid":
      return usage(firstLine(error.message))
    case "BadRequest":
      // The command line was valid (queries are validated before sending): the request itself failed.
      return partial(`Genesys refused the request: ${firstLine(error.message)}`)
    case "Unauthorized":
    case "Forbidden":
      return new CliFailure({ code: ExitCode.auth, message: `authentication failed: ${firstLine(error.message)}` })
    default:
      return partial(firstLine(error.message))
  }
}

/** Any typed failure of a command as a `CliFailure`. @internal */
export const fromUnknown = (error: unknown): CliFailure => {
  if (error instanceof CliFailure) return error
  if (GenesysError.isGenesysError(error)) return fromGenesys(error)
  if (ValidationError.isValidationError(error)) {
    // @effect/cli has printed the problem and the usage already, except for the errors it has no text for.
    return HelpDoc.isEmpty(error.error)
      ? usage(`invalid command line (${error._tag}); see --help`)
      : new CliFailure({ code: ExitCode.usage, message: "" })
  }
  if (ConfigError.isConfigError(error)) return usage(`configuration: ${firstLine(String(error))}`)
  if (isRecord(error) && typeof error.message === "string") {
    const tag = typeof error._tag === "string" ? `${error._tag}: ` : ""
    return partial(`${tag}${firstLine(error.message)}`)
  }
  return partial(firstLine(String(error)))
}

/** A cause as a `CliFailure`: typed failures by their kind, interruption 130, defects 1. @internal */
export const fromCause = (cause: Cause.Cause<unknown>): CliFailure => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return fromUnknown(failure.value)
  if (Cause.isInterruptedOnly(cause)) return new CliFailure({ code: ExitCode.interrupted, message: "interrupted" })
  const defect = Cause.squash(cause)
  const message = defect instanceof Error ? defect.message : String(defect)
  return new CliFailure({ code: ExitCode.failed, message: `internal error: ${firstLine(message)}` })
}
