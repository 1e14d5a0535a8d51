// Aggregate responses read by hand instead of through their Schema: the value `AggregateRecord`'s schemas decode
// (with `onExcessProperty: "preserve"`) from the same JSON, or `undefined` when this reader is not sure, and the body
// then goes the Schema's way, which accepts what it accepts and words what it refuses. The Schema's first decode in a
// process builds its parser: ~50 ms of the command line's dry run, whose plan reads the volume with one aggregate
// query, and ~5 ms per 100 buckets after that.
//
// What the schemas give: a known field that is `null` is absent; the fields the schema does not know come first, in
// the order of the body, then the known ones in the schema's order; every object and array is new.
import * as AggregateRecord from "../../AggregateRecord.js"
import { readingBytesWith } from "../http/decodeBody.js"

const unsure: unique symbol = Symbol("unsure")

type Reader = (u: unknown) => unknown

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

const number: Reader = (u) => (typeof u === "number" ? u : unsure)
const string: Reader = (u) => (typeof u === "string" ? u : unsure)

const arrayOf =
  (item: Reader): Reader =>
  (u) => {
    if (!Array.isArray(u)) return unsure
    const out = new Array<unknown>(u.length)
    for (let i = 0; i < u.length; i++) {
      const value = item(u[i])
      if (value === unsure) return unsure
      out[i] = value
    }
    return out
  }

const stringRecord: Reader = (u) => {
  if (!isObject(u)) return unsure
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(u)) {
    if (key === "__proto__" || typeof u[key] !== "string") return unsure
    out[key] = u[key]
  }
  return out
}

const struct = (fields: Readonly<Record<string, Reader>>): Reader => {
  const names = Object.keys(fields)
  const known = new Set(names)
  return (u) => {
    if (!isObject(u)) return unsure
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(u)) {
      if (key === "__proto__") return unsure
      if (!known.has(key)) out[key] = u[key]
    }
    for (const name of names) {
      const value = Object.hasOwn(u, name) ? u[name] : undefined
      if (value === null || value === undefined) continue
      const read = fields[name]!(value)
      if (read === unsure) return unsure
      out[name] = read
    }
    return out
  }
}

const statisticalSummary = struct(Object.fromEntries(AggregateRecord.statNames.map((name) => [name, number])))
const metricData = struct({ metric: string, qualifier: string, stats: statisticalSummary })
const viewData = struct({ name: string, stats: statisticalSummary })
const statisticalResponse = struct({ interval: string, metrics: arrayOf(metricData), views: arrayOf(viewData) })
const dataContainer = struct({ group: stringRecord, data: arrayOf(statisticalResponse) })

// `read`'s value, `undefined` when it is unsure.
const orUndefined =
  (read: Reader): Reader =>
  (u) => {
    const value = read(u)
    return value === unsure ? undefined : value
  }

/** The sync query's response (`AggregateRecord.AggregateQueryResponse`), or `undefined` when unsure. @internal */
export const readQueryResponse = orUndefined(struct({ results: arrayOf(dataContainer) }))

/** A job's results page (`AggregateRecord.AsyncAggregateQueryResponse`), or `undefined` when unsure. @internal */
export const readResultsPage = orUndefined(struct({ results: arrayOf(dataContainer), cursor: string }))

const fromBytes =
  (read: Reader) =>
  (bytes: Uint8Array): unknown =>
    read(JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8")))

/** `AggregateQueryResponse`, its bodies read by {@link readQueryResponse} first. @internal */
export const QueryResponse = readingBytesWith(AggregateRecord.AggregateQueryResponse, {
  read: fromBytes(readQueryResponse)
})

/** `AsyncAggregateQueryResponse`, its bodies read by {@link readResultsPage} first. @internal */
export const ResultsPage = readingBytesWith(AggregateRecord.AsyncAggregateQueryResponse, {
  read: fromBytes(readResultsPage)
})
