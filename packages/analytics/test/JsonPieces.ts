// Pieces of text that JSON's grammar treats specially, to splice into valid texts in property tests of readers that
// must agree with JSON.parse.
import { FastCheck as fc } from "effect"

/** One piece: quotes, escapes (valid and not), whitespace and control characters, number and literal fragments. */
export const jsonPiece = fc.constantFrom(
  '"',
  "\\",
  "\\u",
  "\\u00e9",
  "\\x",
  "\\q",
  "\\/",
  "\t",
  "\n",
  "\r",
  " ",
  "\u0000",
  "\u0001",
  "\u001f",
  "\u007f",
  "é",
  "\u2028",
  "0",
  "01",
  "7",
  "-",
  "+",
  ".",
  "e",
  "E",
  "1.",
  ".5",
  ",",
  ":",
  "{",
  "}",
  "[",
  "]",
  "true",
  "tru",
  "null",
  "nul",
  "false",
  "\ufeff"
)

/** `text` with each of `edits` ([where, how many characters removed, what inserted]) applied in turn. */
export const splice = (text: string, edits: ReadonlyArray<readonly [number, number, string]>): string => {
  let out = text
  for (const [at, remove, insert] of edits) {
    const i = at % (out.length + 1)
    out = out.slice(0, i) + insert + out.slice(i + remove)
  }
  return out
}
