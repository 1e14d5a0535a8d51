/** @internal */
import * as Effect from "effect/Effect"

const write = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  text.length === 0
    ? Effect.void
    : Effect.async<void>((resume) => {
        // Waiting for the callback keeps memory flat when stdout is a slow pipe.
        stream.write(text, () => resume(Effect.void))
      })

/** Writes to standard output. @internal */
export const stdout = (text: string): Effect.Effect<void> => write(process.stdout, text)

/** Writes to standard error. @internal */
export const stderr = (text: string): Effect.Effect<void> => write(process.stderr, text)

/** Objects as NDJSON text. @internal */
export const ndjson = (items: Iterable<unknown>): string => {
  let text = ""
  for (const item of items) text += `${JSON.stringify(item)}\n`
  return text
}
