/**
 * Checkpoint file naming: any key maps to one safe, readable file name.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import { sha256Hex } from "../crypto.js"

/** @internal */
export const FORMAT = "effect-genesys/checkpoint"

const encoder = new TextEncoder()

/**
 * Letters, digits, `_` and `-` are kept; every other byte of the key's UTF-8 becomes `%XX`, which
 * rules out `/`, `..` and names that differ only by case-folded punctuation. Keys too long for a
 * file name use their SHA-256 instead.
 *
 * @internal
 */
export const fileName = (key: string): Effect.Effect<string> => {
  let escaped = ""
  for (const byte of encoder.encode(key)) {
    const char = String.fromCharCode(byte)
    escaped += /[A-Za-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`
  }
  return escaped.length > 0 && escaped.length <= 180
    ? Effect.succeed(`${escaped}.checkpoint.json`)
    : Effect.map(sha256Hex(key), (hash) => `sha256-${hash}.checkpoint.json`)
}
