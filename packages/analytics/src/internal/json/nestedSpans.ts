// The check of a page of records that a worker thread runs for the page reader (`lazyRecords.ts`): the whole body
// checked as JSON, as strictly as `byteScan` checks it, and where each record's nested-record fields are. The reader
// then reads each record's own fields and jumps over its nested fields, on the main thread, and the bulk of a page
// (its nested records) is checked beside it instead of before it.
import * as Scan from "./byteScan.js"

const { OPEN_BRACE, CLOSE_BRACE, COMMA, COLON, QUOTE } = Scan

/** Reads one member of an object: the value of `key` at `i`; the index after it, or `INVALID`. */
type Member = (key: string, i: number) => number

const keyAt = (scan: Scan.Scan, start: number, end: number): string =>
  scan.escaped ? JSON.parse(scan.bytes.toString("utf8", start, end)) : scan.bytes.toString("utf8", start + 1, end - 1)

// The object at `i`, member by member: the index after it, or `INVALID`.
const eachMember = (scan: Scan.Scan, i: number, member: Member): number => {
  const bytes = scan.bytes
  if (bytes[i] !== OPEN_BRACE) return Scan.INVALID
  i = Scan.skipWhitespace(bytes, i + 1)
  if (bytes[i] === CLOSE_BRACE) return i + 1
  for (;;) {
    if (bytes[i] !== QUOTE) return Scan.INVALID
    const keyEnd = Scan.skipString(scan, i)
    if (keyEnd === Scan.INVALID) return Scan.INVALID
    const key = keyAt(scan, i, keyEnd)
    i = Scan.skipWhitespace(bytes, keyEnd)
    if (bytes[i] !== COLON) return Scan.INVALID
    i = member(key, Scan.skipWhitespace(bytes, i + 1))
    if (i === Scan.INVALID) return Scan.INVALID
    i = Scan.skipWhitespace(bytes, i)
    if (bytes[i] === CLOSE_BRACE) return i + 1
    if (bytes[i] !== COMMA) return Scan.INVALID
    i = Scan.skipWhitespace(bytes, i + 1)
  }
}

/**
 * Where the values of the `nested` fields of each record of the body's `list` array start and end, in the order of
 * the body (`[start, end, start, end, …]`), each such value an array of objects; or `undefined` when the body is not
 * JSON as `JSON.parse` reads it, or not an object whose `list` is an array of objects with such fields.
 *
 * @internal
 */
export const nestedSpans = (bytes: Uint8Array, list: string, nested: ReadonlySet<string>): Int32Array | undefined => {
  const scan = Scan.scanOf(bytes)
  const spans: Array<number> = []
  const recordMember: Member = (key, i) => {
    if (!nested.has(key)) return Scan.skipValue(scan, i)
    const end = Scan.skipArrayOfObjects(scan, i)
    if (end !== Scan.INVALID) spans.push(i, end)
    return end
  }
  const pageMember: Member = (key, i) =>
    key !== list ? Scan.skipValue(scan, i) : Scan.eachElement(scan, i, (at) => eachMember(scan, at, recordMember))
  const end = eachMember(scan, Scan.skipWhitespace(scan.bytes, Scan.textStart(bytes)), pageMember)
  return end === Scan.INVALID || Scan.skipWhitespace(scan.bytes, end) !== bytes.length
    ? undefined
    : Int32Array.from(spans)
}
