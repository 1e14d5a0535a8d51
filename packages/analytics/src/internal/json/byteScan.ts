// Checks JSON as `JSON.parse` reads it, over the UTF-8 bytes of a body, and builds nothing: it says where each
// value ends, so that a reader can decode and parse only the parts it needs now and keep the rest as bytes. It
// accepts exactly the texts `JSON.parse(new TextDecoder().decode(bytes))` accepts (ECMA-404: the four whitespace
// characters, no control character inside a string, the grammar's escapes, numbers without a leading zero or a
// bare dot); the property tests hold it to that. Strings, most of a body, are crossed with native searches for the
// closing quote; the few backslashes and control bytes of a body are found once each, not per string.

const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
/** @internal */
export const QUOTE = 0x22
const BACKSLASH = 0x5c
/** @internal */
export const COMMA = 0x2c
/** @internal */
export const COLON = 0x3a
/** @internal */
export const OPEN_BRACE = 0x7b
/** @internal */
export const CLOSE_BRACE = 0x7d
/** @internal */
export const OPEN_BRACKET = 0x5b
/** @internal */
export const CLOSE_BRACKET = 0x5d
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39

/** Not a JSON value at this position. @internal */
export const INVALID = -1

const isDigit = (c: number) => c >= ZERO && c <= NINE
const isHex = (c: number) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)

/** One body being scanned: its bytes and where the next backslash and control byte are. @internal */
export interface Scan {
  readonly bytes: Buffer
  /** Whether the last string `skipString` crossed held an escape (its text then needs `JSON.parse`). */
  escaped: boolean
  nextBackslash: number
  nextControl: number
}

/**
 * A scan of `bytes` (a `Buffer` view of the same memory, so that its native searches apply); `checked` when the bytes
 * are known to hold JSON already, so that no control byte can be inside a string (none is looked for). @internal
 */
export const scanOf = (bytes: Uint8Array, checked = false): Scan => {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return { bytes: buffer, escaped: false, nextBackslash: -1, nextControl: checked ? buffer.length : -1 }
}

// The first byte below 0x20 at or after `from` (the length when none). Word by word where the memory allows: a
// body is a few megabytes without any, so this runs once over it.
const findControl = (bytes: Buffer, from: number): number => {
  const n = bytes.length
  let i = from
  while (i < n && ((bytes.byteOffset + i) & 3) !== 0) {
    if (bytes[i]! < SPACE) return i
    i++
  }
  if (n - i >= 4) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset + i, (n - i) >>> 2)
    for (let w = 0; w < words.length; w++) {
      const word = words[w]!
      // Whether any byte of `word` is below 0x20 (the classic "has less" test: exact as a test of any byte; the bytes
      // are then looked at one by one).
      if (((word - 0x20202020) & ~word & 0x80808080) !== 0) {
        const first = i + (w << 2)
        for (let j = first; j < first + 4; j++) if (bytes[j]! < SPACE) return j
      }
    }
    i += words.length << 2
  }
  for (; i < n; i++) if (bytes[i]! < SPACE) return i
  return n
}

const controlFrom = (scan: Scan, from: number): number => {
  if (scan.nextControl < from) scan.nextControl = findControl(scan.bytes, from)
  return scan.nextControl
}

const backslashFrom = (scan: Scan, from: number): number => {
  if (scan.nextBackslash < from) {
    const found = scan.bytes.indexOf(BACKSLASH, from)
    scan.nextBackslash = found === -1 ? scan.bytes.length : found
  }
  return scan.nextBackslash
}

/** The index of the first byte at or after `i` that is not JSON whitespace. @internal */
export const skipWhitespace = (bytes: Buffer, i: number): number => {
  for (;;) {
    const c = bytes[i]
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) return i
    i++
  }
}

/** The index after the string whose opening quote is at `i`, or `INVALID`; sets `scan.escaped`. @internal */
export const skipString = (scan: Scan, i: number): number => {
  const bytes = scan.bytes
  scan.escaped = false
  // The first byte of the string not checked yet, and the first quote at or after it.
  let from = i + 1
  let quote = bytes.indexOf(QUOTE, from)
  for (;;) {
    if (quote === -1) return INVALID
    const backslash = backslashFrom(scan, from)
    if (backslash > quote) return controlFrom(scan, from) < quote ? INVALID : quote + 1
    if (controlFrom(scan, from) < backslash) return INVALID
    scan.escaped = true
    const e = bytes[backslash + 1]
    if (e === 0x75) {
      if (
        !isHex(bytes[backslash + 2]!) ||
        !isHex(bytes[backslash + 3]!) ||
        !isHex(bytes[backslash + 4]!) ||
        !isHex(bytes[backslash + 5]!)
      )
        return INVALID
      from = backslash + 6
    } else if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 0x2f ||
      e === 0x62 ||
      e === 0x66 ||
      e === 0x6e ||
      e === 0x72 ||
      e === 0x74
    ) {
      from = backslash + 2
    } else return INVALID
    // An escaped quote was not the end: look for the next one (only then, so a long string is searched once).
    if (from > quote) quote = bytes.indexOf(QUOTE, from)
  }
}

const skipDigits = (bytes: Buffer, i: number): number => {
  while (isDigit(bytes[i]!)) i++
  return i
}

/** The index after the number starting at `i`, or `INVALID`. */
const skipNumber = (bytes: Buffer, i: number): number => {
  if (bytes[i] === MINUS) i++
  const first = bytes[i]!
  if (first === ZERO) i++
  else if (first > ZERO && first <= NINE) i = skipDigits(bytes, i + 1)
  else return INVALID
  if (bytes[i] === DOT) {
    if (!isDigit(bytes[i + 1]!)) return INVALID
    i = skipDigits(bytes, i + 2)
  }
  const e = bytes[i]
  if (e === 0x65 || e === 0x45) {
    i++
    const sign = bytes[i]
    if (sign === PLUS || sign === MINUS) i++
    if (!isDigit(bytes[i]!)) return INVALID
    i = skipDigits(bytes, i + 1)
  }
  return i
}

const TRUE = [0x74, 0x72, 0x75, 0x65]
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65]
const NULL = [0x6e, 0x75, 0x6c, 0x6c]

const skipLiteral = (bytes: Buffer, i: number, literal: ReadonlyArray<number>): number => {
  for (let k = 0; k < literal.length; k++) if (bytes[i + k] !== literal[k]) return INVALID
  return i + literal.length
}

/** The index after the scalar (string, number, `true`, `false`, `null`) at `i`, or `INVALID`. */
const skipScalar = (scan: Scan, i: number): number => {
  const bytes = scan.bytes
  const c = bytes[i]
  if (c === QUOTE) return skipString(scan, i)
  if (c === 0x74) return skipLiteral(bytes, i, TRUE)
  if (c === 0x66) return skipLiteral(bytes, i, FALSE)
  if (c === 0x6e) return skipLiteral(bytes, i, NULL)
  return skipNumber(bytes, i)
}

// After an object's `{` or `,` (whitespace skipped): a key, its colon, whitespace; the index of its value.
const skipKey = (scan: Scan, i: number): number => {
  if (scan.bytes[i] !== QUOTE) return INVALID
  i = skipString(scan, i)
  if (i === INVALID) return INVALID
  i = skipWhitespace(scan.bytes, i)
  if (scan.bytes[i] !== COLON) return INVALID
  return skipWhitespace(scan.bytes, i + 1)
}

// The kinds of the containers open in `skipValue`, shared by every call (a scan runs to its end synchronously); a
// deeper value grows a copy of its own, so one odd body does not keep a large stack alive.
const sharedContainers: Uint8Array = new Uint8Array(64)
const grown = (containers: Uint8Array): Uint8Array => {
  const larger = new Uint8Array(containers.length * 2)
  larger.set(containers)
  return larger
}

/**
 * The index after the JSON value at `i` (no whitespace before it; none skipped after it), or `INVALID` when the
 * bytes from `i` do not begin with a value `JSON.parse` would read. Nesting is followed with a stack of its own, so
 * depth costs no call frames. @internal
 */
export const skipValue = (scan: Scan, i: number): number => {
  const bytes = scan.bytes
  // What each open container is (1 for an object), and how many are open.
  let containers: Uint8Array = sharedContainers
  let open = 0
  for (;;) {
    // At a value.
    const c = bytes[i]
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const isObject = c === OPEN_BRACE
      i = skipWhitespace(bytes, i + 1)
      if (bytes[i] === (isObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
        i++
      } else {
        if (open === containers.length) containers = grown(containers)
        containers[open++] = isObject ? 1 : 0
        if (isObject) {
          i = skipKey(scan, i)
          if (i === INVALID) return INVALID
        }
        continue
      }
    } else {
      i = skipScalar(scan, i)
      if (i === INVALID) return INVALID
    }
    // After a value: close containers, or move on to the next member.
    for (;;) {
      if (open === 0) return i
      i = skipWhitespace(bytes, i)
      const next = bytes[i]
      const inObject = containers[open - 1] === 1
      if (next === COMMA) {
        i = skipWhitespace(bytes, i + 1)
        if (inObject) {
          i = skipKey(scan, i)
          if (i === INVALID) return INVALID
        }
        break
      }
      if (next !== (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) return INVALID
      open--
      i++
    }
  }
}

/** The array at `i`, each element read by `element` (the index after it, or `INVALID`): the index after it, or `INVALID`. @internal */
export const eachElement = (scan: Scan, i: number, element: (i: number) => number): number => {
  const bytes = scan.bytes
  if (bytes[i] !== OPEN_BRACKET) return INVALID
  i = skipWhitespace(bytes, i + 1)
  if (bytes[i] === CLOSE_BRACKET) return i + 1
  for (;;) {
    i = element(i)
    if (i === INVALID) return INVALID
    i = skipWhitespace(bytes, i)
    if (bytes[i] === CLOSE_BRACKET) return i + 1
    if (bytes[i] !== COMMA) return INVALID
    i = skipWhitespace(bytes, i + 1)
  }
}

/** The array of objects at `i`: the index after it, or `INVALID`. @internal */
export const skipArrayOfObjects = (scan: Scan, i: number): number =>
  eachElement(scan, i, (at) => (scan.bytes[at] === OPEN_BRACE ? skipValue(scan, at) : INVALID))

/** Reads one member of an object: the value of `key` at `i`; the index after it, or `INVALID`. @internal */
export type Member = (key: string, i: number) => number

/** The key whose string `skipString` has just crossed, [start, end). */
const keyAt = (scan: Scan, start: number, end: number): string =>
  scan.escaped ? JSON.parse(scan.bytes.toString("utf8", start, end)) : scan.bytes.toString("utf8", start + 1, end - 1)

/** The object at `i`, member by member: the index after it, or `INVALID`. @internal */
export const eachMember = (scan: Scan, i: number, member: Member): number => {
  const bytes = scan.bytes
  if (bytes[i] !== OPEN_BRACE) return INVALID
  i = skipWhitespace(bytes, i + 1)
  if (bytes[i] === CLOSE_BRACE) return i + 1
  for (;;) {
    if (bytes[i] !== QUOTE) return INVALID
    const keyEnd = skipString(scan, i)
    if (keyEnd === INVALID) return INVALID
    const key = keyAt(scan, i, keyEnd)
    i = skipWhitespace(bytes, keyEnd)
    if (bytes[i] !== COLON) return INVALID
    i = member(key, skipWhitespace(bytes, i + 1))
    if (i === INVALID) return INVALID
    i = skipWhitespace(bytes, i)
    if (bytes[i] === CLOSE_BRACE) return i + 1
    if (bytes[i] !== COMMA) return INVALID
    i = skipWhitespace(bytes, i + 1)
  }
}

/** Where the text starts: after a UTF-8 byte order mark, which `TextDecoder` drops. @internal */
export const textStart = (bytes: Uint8Array): number =>
  bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0

/** Whether `bytes` hold one JSON value as `JSON.parse` of their decoded text reads it. @internal */
export const isJson = (bytes: Uint8Array): boolean => {
  const scan = scanOf(bytes)
  const end = skipValue(scan, skipWhitespace(scan.bytes, textStart(bytes)))
  return end !== INVALID && skipWhitespace(scan.bytes, end) === bytes.length
}
