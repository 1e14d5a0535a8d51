// The next cursor of a results page, read from its bytes before the page is checked, so that the next page's request
// can leave while this one is read (`cursorPages.ts`). Only an outermost member counts: one among the scalars before
// the first array or object of the body, or one among the scalars after the last, up to the body's closing brace. A
// guess only saves time: the page's cursor as decoded decides which page comes next, and a request sent for another
// cursor is dropped. A cursor with an escape is not guessed.
import * as Scan from "../json/byteScan.js"

const { QUOTE, COMMA, COLON, OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET } = Scan

const CURSOR_KEY = Buffer.from('"cursor"')

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

const isContainer = (c: number | undefined) => c === OPEN_BRACE || c === OPEN_BRACKET

// The unescaped string at `i`: its text, or `undefined`.
const plainString = (scan: Scan.Scan, i: number): string | undefined => {
  if (scan.bytes[i] !== QUOTE) return undefined
  const end = Scan.skipString(scan, i)
  return end === Scan.INVALID || scan.escaped ? undefined : scan.bytes.toString("utf8", i + 1, end - 1)
}

// Whether the key at `i` is `"cursor"`.
const isCursorKey = (bytes: Buffer, i: number) =>
  i + CURSOR_KEY.length <= bytes.length &&
  bytes.compare(CURSOR_KEY, 0, CURSOR_KEY.length, i, i + CURSOR_KEY.length) === 0

// After a key at `i`: the index of its value, or `INVALID`.
const memberValue = (scan: Scan.Scan, i: number): number => {
  const end = Scan.skipString(scan, i)
  if (end === Scan.INVALID) return Scan.INVALID
  const colon = Scan.skipWhitespace(scan.bytes, end)
  return scan.bytes[colon] === COLON ? Scan.skipWhitespace(scan.bytes, colon + 1) : Scan.INVALID
}

// The cursor among the members that open the body, before its first array or object.
const leading = (scan: Scan.Scan, start: number): string | undefined => {
  const bytes = scan.bytes
  let i = Scan.skipWhitespace(bytes, start)
  if (bytes[i] !== OPEN_BRACE) return undefined
  i = Scan.skipWhitespace(bytes, i + 1)
  while (bytes[i] === QUOTE) {
    const value = memberValue(scan, i)
    if (value === Scan.INVALID || isContainer(bytes[value])) return undefined
    if (isCursorKey(bytes, i)) return plainString(scan, value)
    const end = Scan.skipValue(scan, value)
    if (end === Scan.INVALID) return undefined
    i = Scan.skipWhitespace(bytes, end)
    if (bytes[i] !== COMMA) return undefined
    i = Scan.skipWhitespace(bytes, i + 1)
  }
  return undefined
}

// Whether the members from `i` (after a member's value) are scalars up to the body's last brace.
const closesTheBody = (scan: Scan.Scan, i: number): boolean => {
  const bytes = scan.bytes
  for (;;) {
    i = Scan.skipWhitespace(bytes, i)
    if (bytes[i] === CLOSE_BRACE) return Scan.skipWhitespace(bytes, i + 1) === bytes.length
    if (bytes[i] !== COMMA) return false
    i = Scan.skipWhitespace(bytes, i + 1)
    if (bytes[i] !== QUOTE) return false
    const value = memberValue(scan, i)
    if (value === Scan.INVALID || isContainer(bytes[value])) return false
    i = Scan.skipValue(scan, value)
    if (i === Scan.INVALID) return false
  }
}

// The cursor among the members that close the body, after its last array or object.
const trailing = (scan: Scan.Scan): string | undefined => {
  const bytes = scan.bytes
  const key = bytes.lastIndexOf(CURSOR_KEY)
  if (key <= 0) return undefined
  let before = key - 1
  while (before > 0 && isWhitespace(bytes[before]!)) before--
  if (bytes[before] !== COMMA && bytes[before] !== OPEN_BRACE) return undefined
  const value = memberValue(scan, key)
  if (value === Scan.INVALID) return undefined
  const cursor = plainString(scan, value)
  return cursor !== undefined && closesTheBody(scan, Scan.skipString(scan, value)) ? cursor : undefined
}

// How far into a body its leading members are looked for: a scan notes where the body's next control byte is, and
// over the whole body that search alone would cost a tenth of reading the page.
const leadingBytes = 4096

/**
 * The outermost non-empty `cursor` of a results page's bytes, when it can be found without reading the page. A guess:
 * whatever goes wrong in it (a bug included) is no guess, never a failure of the page. @internal
 */
export const peekCursor = (bytes: Uint8Array): string | undefined => {
  try {
    const head = Scan.scanOf(bytes.subarray(0, leadingBytes))
    const cursor = leading(head, Scan.textStart(bytes)) ?? trailing(Scan.scanOf(bytes))
    // An empty cursor ends the paging, as the page's read says.
    return cursor === "" ? undefined : cursor
  } catch {
    return undefined
  }
}
