// A page of records read from its bytes without building what is nested in each record. The whole body is checked
// as JSON (`byteScan`, as strictly as `JSON.parse`), each record's own fields are decoded and checked as declared,
// and each nested-record field (a conversation's participants, ...) is checked to be an array of objects and kept
// as bytes, parsed on first read. The value is the one `JSON.parse` and the Schema would give, the same keys in the
// same order (`JSON.stringify` of it writes the same text), except that nested-record fields are accessors: a sink
// that passes records on, or reads only ids and times, never pays for parsing their participants.
//
// Anything this reader is not sure of (a body it does not read as such a page, a field that fails its check, a
// `__proto__` or repeated key) gives `undefined`: the caller then reads the body the strict way, which accepts what
// it accepts and words the error of what it refuses.
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as BodyBuffers from "../http/bodyBuffers.js"
import type { BytesReader } from "../http/decodeBody.js"
import * as Scan from "../json/byteScan.js"
import * as SpanWorker from "../json/spanWorker.js"
import { ownFieldsOf } from "./recordGuard.js"

const { QUOTE, OPEN_BRACE, OPEN_BRACKET } = Scan

/** Reads a page's bytes, or says it cannot (`undefined`), after `prepare` has run over them. @internal */
export type PageReader = BytesReader

/** Where a reader's pages are checked beside the main thread, and from what size. @internal */
export interface CheckedAside {
  readonly worker: SpanWorker.SpanWorker
  readonly minBytes: number
}

/**
 * Pages of 256 KiB or more checked on the process's worker thread (smaller ones are not worth the copy). Only where
 * the main thread has other work meanwhile: a stream that reads one page at a time would wait for the worker, and in
 * scenario 1 of the bench (one job read page after page) the worker cost a third more CPU and wall time. @internal
 */
export const onTheWorker: CheckedAside = { worker: SpanWorker.shared, minBytes: 256 * 1024 }

// Pages a worker has checked, and the spans of their nested fields, until they are read.
const checkedSpans = new WeakMap<Uint8Array, Int32Array>()

const text = (bytes: Buffer, start: number, end: number): string => bytes.toString("utf8", start, end)

// The value of the JSON at [start, end), which `skipValue` has checked (`scan.escaped` is that of its last string).
const valueAt = (scan: Scan.Scan, start: number, end: number): unknown => {
  const bytes = scan.bytes
  switch (bytes[start]) {
    case QUOTE:
      return scan.escaped ? JSON.parse(text(bytes, start, end)) : text(bytes, start + 1, end - 1)
    case 0x74:
      return true
    case 0x66:
      return false
    case 0x6e:
      return null
    case OPEN_BRACE:
    case OPEN_BRACKET:
      return JSON.parse(text(bytes, start, end))
    default:
      return Number(bytes.toString("latin1", start, end))
  }
}

// Each record's nested fields until read: the page and the field's span, or its value once read. One getter and setter
// per field name serve every record (per-record closures would give each record a shape of its own in V8).
const nestedFields: unique symbol = Symbol.for("@effect-genesys/analytics/nestedFields")

interface Nested {
  bytes: Buffer | undefined
  readonly start: number
  readonly end: number
  value: unknown
}

interface WithNested {
  readonly [nestedFields]: Record<string, Nested>
}

const accessors = new Map<string, PropertyDescriptor>()

const accessorOf = (key: string): PropertyDescriptor => {
  let accessor = accessors.get(key)
  if (accessor === undefined) {
    accessor = {
      enumerable: true,
      configurable: true,
      get(this: WithNested) {
        const field = this[nestedFields][key]!
        if (field.bytes !== undefined) {
          field.value = JSON.parse(text(field.bytes, field.start, field.end))
          // The page is let go once every nested field of every record on it has been read.
          field.bytes = undefined
        }
        return field.value
      },
      set(this: WithNested, next: unknown) {
        const field = this[nestedFields][key]!
        field.value = next
        field.bytes = undefined
      }
    }
    accessors.set(key, accessor)
  }
  return accessor
}

// Nested values this short are parsed at once: keeping the page for them would cost more than parsing them.
const keptFromBytes = 64

const defineNested = (record: Record<string, unknown>, key: string, page: Buffer, start: number, end: number) => {
  if (end - start < keptFromBytes) {
    record[key] = JSON.parse(text(page, start, end))
    return
  }
  let fields = (record as Partial<WithNested>)[nestedFields]
  if (fields === undefined) {
    fields = {}
    Object.defineProperty(record, nestedFields, { value: fields })
  }
  fields[key] = { bytes: page, start, end, value: undefined }
  Object.defineProperty(record, key, accessorOf(key))
}

/** How to read one object's members: the value of `key` at `i`, and the index after it (or `INVALID`). */
type Member = (scan: Scan.Scan, record: Record<string, unknown>, key: string, i: number) => number

// The object at `i` read member by member: [the object, the index after it], or undefined.
const readObject = (
  scan: Scan.Scan,
  i: number,
  member: Member
): readonly [Record<string, unknown>, number] | undefined => {
  const record: Record<string, unknown> = {}
  const end = Scan.eachMember(scan, i, (key, at) =>
    // `JSON.parse` makes an own `__proto__` property and keeps a repeated key's last value at its first place:
    // rare enough to leave to it.
    key === "__proto__" || Object.hasOwn(record, key) ? Scan.INVALID : member(scan, record, key, at)
  )
  return end === Scan.INVALID ? undefined : [record, end]
}

const plainMember: Member = (scan, record, key, i) => {
  const end = Scan.skipValue(scan, i)
  if (end !== Scan.INVALID) record[key] = valueAt(scan, i, end)
  return end
}

/**
 * A reader of pages of `envelope` (e.g. a job's results) whose `list` field holds `record`s (conversations): each
 * record's own fields checked, its nested records left as bytes. A reader that always says `undefined` when either
 * schema has an index signature (its check would read every field). With `aside`, its `prepare` has pages of
 * `aside.minBytes` or more checked by `aside.worker` (`nestedSpans.ts`), which also finds where their nested fields
 * are; the read then checks only each record's own fields itself.
 *
 * @internal
 */
export const pageReader = (
  envelope: Schema.Schema.Any,
  list: string,
  record: Schema.Schema.Any,
  aside?: CheckedAside | undefined
): PageReader => {
  const page = ownFieldsOf(envelope)
  const own = ownFieldsOf(record)
  if (page === undefined || own === undefined || !page.nested.has(list)) return { read: () => undefined }

  // The spans a worker found for the page being read (`nestedSpans.ts`), and the next one due; a read runs to its end
  // synchronously, so one pair of variables serves every read.
  let spans: Int32Array | undefined
  let nextSpan = 0

  const nestedEnd = (scan: Scan.Scan, i: number): number => {
    if (spans === undefined) return Scan.skipArrayOfObjects(scan, i)
    if (spans[nextSpan] !== i) return Scan.INVALID
    const end = spans[nextSpan + 1]!
    nextSpan += 2
    return end
  }

  const recordMember: Member = (scan, target, key, i) => {
    if (!own.nested.has(key)) return plainMember(scan, target, key, i)
    const end = nestedEnd(scan, i)
    if (end !== Scan.INVALID) defineNested(target, key, scan.bytes, i, end)
    return end
  }

  const listMember: Member = (scan, target, key, i) => {
    if (key !== list) return plainMember(scan, target, key, i)
    const records: Array<Record<string, unknown>> = []
    target[key] = records
    return Scan.eachElement(scan, i, (at) => {
      const read = readObject(scan, at, recordMember)
      if (read === undefined || !own.guard(read[0])) return Scan.INVALID
      records.push(read[0])
      return read[1]
    })
  }

  const readPage = (bytes: Uint8Array, checked: Int32Array | undefined) => {
    spans = checked
    nextSpan = 0
    try {
      const scan = Scan.scanOf(bytes, checked !== undefined)
      const read = readObject(scan, Scan.skipWhitespace(scan.bytes, Scan.textStart(bytes)), listMember)
      if (read === undefined || Scan.skipWhitespace(scan.bytes, read[1]) !== bytes.length) return undefined
      return page.guard(read[0]) ? read[0] : undefined
    } finally {
      spans = undefined
    }
  }

  const nestedKeys = [...own.nested]
  return {
    read: (bytes) => {
      const checked = checkedSpans.get(bytes)
      if (checked !== undefined) checkedSpans.delete(bytes)
      // A page the worker's spans do not fit is read again from its bytes alone.
      const value = (checked === undefined ? undefined : readPage(bytes, checked)) ?? readPage(bytes, undefined)
      // Its records keep `bytes` itself (a `Buffer`, so the scan's view is the same object): the page's buffer can
      // serve another body once that object is garbage.
      if (value !== undefined) BodyBuffers.shared.recycleWhenUnreachable(bytes)
      return value
    },
    prepare:
      aside === undefined
        ? undefined
        : (bytes) =>
            bytes.length < aside.minBytes
              ? Effect.void
              : Effect.map(aside.worker.spans(bytes, list, nestedKeys), (checked) => {
                  if (checked !== undefined) checkedSpans.set(bytes, checked)
                })
  }
}
