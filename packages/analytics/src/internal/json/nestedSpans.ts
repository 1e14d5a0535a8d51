// The check of a page of records that a worker thread runs for the page reader (`lazyRecords.ts`): the whole body
// checked as JSON, as strictly as `byteScan` checks it, and where each record's nested-record fields are. The reader
// then reads each record's own fields and jumps over its nested fields, on the main thread, and the bulk of a page
// (its nested records) is checked beside it instead of before it.
import * as Scan from "./byteScan.js"

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
  const recordMember: Scan.Member = (key, i) => {
    if (!nested.has(key)) return Scan.skipValue(scan, i)
    const end = Scan.skipArrayOfObjects(scan, i)
    if (end !== Scan.INVALID) spans.push(i, end)
    return end
  }
  const pageMember: Scan.Member = (key, i) =>
    key !== list ? Scan.skipValue(scan, i) : Scan.eachElement(scan, i, (at) => Scan.eachMember(scan, at, recordMember))
  const end = Scan.eachMember(scan, Scan.skipWhitespace(scan.bytes, Scan.textStart(bytes)), pageMember)
  return end === Scan.INVALID || Scan.skipWhitespace(scan.bytes, end) !== bytes.length
    ? undefined
    : Int32Array.from(spans)
}
