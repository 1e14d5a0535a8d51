/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"

// An interrupted extraction used to exit 130 without a word. What a user needs then: how far it got, where the
// partial output is, and the exact command that continues it (or, without --checkpoint, that it cannot continue).

const plain = /^[A-Za-z0-9_@%+=:,./-]+$/

/** One argument quoted for a POSIX shell. @internal */
export const shellQuote = (arg: string): string => (plain.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)

/** The command line as typed (`process.argv` shape), for copying back into a shell. @internal */
export const commandLine = (argv: ReadonlyArray<string>): string =>
  ["genesys-analytics", ...argv.slice(2)].map(shellQuote).join(" ")

/**
 * The lines printed when an extraction is interrupted: windows done of total, conversations written, and how to
 * resume.
 *
 * @internal
 */
export const interruptedLines = (options: {
  readonly progress: Extraction.Progress | undefined
  readonly partialNote: string
  readonly checkpoint: string | undefined
  readonly argv: ReadonlyArray<string>
}): ReadonlyArray<string> => {
  const p = options.progress
  const where =
    p === undefined
      ? "before the first page was written"
      : `after ${p.windowsDone}/${p.windows} windows, ${p.conversations} conversations written`
  const command = commandLine(options.argv)
  return [
    `interrupted ${where}${options.partialNote}`,
    options.checkpoint !== undefined
      ? `to resume, run the same command again: ${command}`
      : `without --checkpoint this run cannot resume; run it again from the start: ${command}`
  ]
}
