/**
 * Server-side validation of query bodies, written independently of the client library's validator so
 * that tests of the client prove something. Returns the first problem, as the platform does.
 *
 * It refuses only what the platform is known to refuse (FACTS §7b): malformed JSON and wrong JSON types, the
 * model's required fields, closed enum names that match in no case, 32-bit integers, an unparseable or inverted
 * interval, the 7/31-day sync limit, the page-size cap and the 100 000-result paging cap. Everything else is
 * accepted and given a meaning: `null` is an absent key, enum names in any case are read canonically, an empty
 * filter or clause constrains nothing, a predicate without a left-hand side is ignored, an unknown dimension or
 * metric matches nothing (unless `unknownNames: "reject"`), a page size or number below 1 is the default.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { type Interval, parseInterval } from "./interval.js"
import * as V from "./vocabulary.js"
import { type ApiError, apiError, badRequest, invalidValue, malformed } from "./wire.js"

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isInt = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u)
const absent = (u: unknown): u is null | undefined => u === undefined || u === null

class Invalid {
  constructor(readonly error: ApiError) {}
}
function fail(error: ApiError): never {
  throw new Invalid(error)
}

const syncKeys = new Set([
  "interval",
  "conversationFilters",
  "segmentFilters",
  "evaluationFilters",
  "surveyFilters",
  "resolutionFilters",
  "order",
  "orderBy",
  "aggregations",
  "paging"
])
const asyncKeys = new Set([
  "interval",
  "conversationFilters",
  "segmentFilters",
  "evaluationFilters",
  "surveyFilters",
  "resolutionFilters",
  "order",
  "orderBy",
  "limit",
  "startOfDayIntervalMatching"
])

const filterKinds = [
  { field: "conversationFilters", dims: V.conversationDimensions, metrics: V.conversationMetrics, property: false },
  { field: "segmentFilters", dims: V.segmentDimensions, metrics: V.segmentMetrics, property: true },
  { field: "evaluationFilters", dims: V.evaluationDimensions, metrics: V.evaluationMetrics, property: false },
  { field: "surveyFilters", dims: V.surveyDimensions, metrics: V.surveyMetrics, property: false },
  { field: "resolutionFilters", dims: V.resolutionDimensions, metrics: V.resolutionMetrics, property: false }
] as const

type FilterKind = (typeof filterKinds)[number]

const INT32_MAX = 2_147_483_647
const INT32_MIN = -2_147_483_648

const checkKeys = (obj: Json, allowed: ReadonlySet<string>, path: string, options: EmulatorOptions) => {
  if (options.unknownFields !== "reject") return
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key) && !absent(obj[key])) {
      fail(badRequest(`Unrecognized field "${key}"`, path === "" ? key : `${path}.${key}`))
    }
  }
}

/** The canonical spelling of a closed enum name, matched in any case; fails when it matches none. */
const enumField = (
  obj: Json,
  key: string,
  allowed: ReadonlySet<string>,
  fieldType: string,
  path: string,
  required: boolean
): string | undefined => {
  const value = obj[key]
  if (absent(value)) {
    if (required) fail(badRequest(`${key} is required`, `${path}${key}`))
    return undefined
  }
  if (typeof value !== "string") return fail(malformed(`${path}${key}`))
  if (allowed.has(value)) return value
  const lower = value.toLowerCase()
  for (const name of allowed) if (name.toLowerCase() === lower) return name
  return fail(invalidValue(value, fieldType, allowed, `${path}${key}`))
}

/** A dimension or metric name: any string, unless `unknownNames: "reject"` asks for the known vocabulary. */
const nameField = (
  obj: Json,
  key: string,
  known: ReadonlySet<string>,
  fieldType: string,
  path: string,
  options: EmulatorOptions
): string | undefined => {
  const value = obj[key]
  if (absent(value)) return undefined
  if (typeof value !== "string") return fail(malformed(`${path}${key}`))
  if (options.unknownNames === "reject" && !known.has(value)) {
    return fail(invalidValue(value, fieldType, known, `${path}${key}`))
  }
  return value
}

const optionalString = (obj: Json, key: string, path: string): string | undefined => {
  const value = obj[key]
  if (absent(value)) return undefined
  if (typeof value !== "string") return fail(malformed(`${path}${key}`))
  return value
}

// Scalars written as text are read as the platform's JSON reader coerces them (`"pageSize": "100"`).
const INTEGER_TEXT = /^-?\d{1,10}$/
const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/

const optionalInt32 = (obj: Json, key: string, path: string): number | undefined => {
  const raw = obj[key]
  if (absent(raw)) return undefined
  const value = typeof raw === "string" && INTEGER_TEXT.test(raw) ? Number(raw) : raw
  if (!isInt(value) || value > INT32_MAX || value < INT32_MIN) return fail(malformed(`${path}${key}`))
  return value
}

const numberOf = (raw: unknown, path: string): number => {
  const value = typeof raw === "string" && NUMBER_TEXT.test(raw) ? Number(raw) : raw
  if (typeof value !== "number" || !Number.isFinite(value)) return fail(malformed(path))
  return value
}

const optionalArray = (obj: Json, key: string, path: string): ReadonlyArray<unknown> => {
  const value = obj[key]
  if (absent(value)) return []
  if (!Array.isArray(value)) return fail(malformed(`${path}${key}`))
  return value
}

const predicateKeys = new Set(["type", "dimension", "metric", "operator", "value", "range", "propertyType", "property"])
const rangeKeys = ["gt", "gte", "lt", "lte"] as const

/** A predicate as the filter engine reads it, or `undefined` for one without a left-hand side (ignored). */
const checkPredicate = (p: unknown, kind: FilterKind, path: string, options: EmulatorOptions): Json | undefined => {
  if (!isObject(p)) return fail(malformed(path))
  checkKeys(p, predicateKeys, path, options)
  const out: Json = {}
  const put = (key: string, value: unknown) => {
    if (value !== undefined) out[key] = value
  }
  put("type", enumField(p, "type", V.predicateType, "PredicateType", `${path}.`, false))
  put("operator", enumField(p, "operator", V.operator, "Operator", `${path}.`, false))
  if (!absent(p.dimension) && kind.dims.size === 0) {
    fail(badRequest("dimension is not supported for this filter", `${path}.dimension`))
  }
  put("dimension", nameField(p, "dimension", kind.dims, "Dimension", `${path}.`, options))
  put("metric", nameField(p, "metric", kind.metrics, "Metric", `${path}.`, options))
  put("value", optionalString(p, "value", `${path}.`))
  if (kind.property) {
    put("propertyType", enumField(p, "propertyType", V.propertyType, "PropertyType", `${path}.`, false))
    put("property", optionalString(p, "property", `${path}.`))
  }
  if (!absent(p.range)) {
    if (!isObject(p.range)) fail(malformed(`${path}.range`))
    const range = p.range as Json
    checkKeys(range, new Set(rangeKeys), `${path}.range`, options)
    const bounds: Json = {}
    for (const k of rangeKeys) {
      const v = range[k]
      if (absent(v)) continue
      bounds[k] = numberOf(v, `${path}.range.${k}`)
    }
    out.range = bounds
  }
  const hasSubject = out.dimension !== undefined || out.metric !== undefined || out.property !== undefined
  return hasSubject ? out : undefined
}

const checkPredicates = (list: ReadonlyArray<unknown>, kind: FilterKind, path: string, options: EmulatorOptions) =>
  list.flatMap((p, k) => {
    const predicate = checkPredicate(p, kind, `${path}[${k}]`, options)
    return predicate === undefined ? [] : [predicate]
  })

/** The filters of one kind, normalised; `undefined` when the body has none. */
const checkFilters = (body: Json, kind: FilterKind, options: EmulatorOptions): Array<Json> | undefined => {
  const filters = body[kind.field]
  if (absent(filters)) return undefined
  if (!Array.isArray(filters)) return fail(malformed(kind.field))
  return filters.map((filter, i) => {
    const path = `${kind.field}[${i}]`
    if (!isObject(filter)) return fail(malformed(path))
    checkKeys(filter, new Set(["type", "clauses", "predicates"]), path, options)
    const type = enumField(filter, "type", V.booleanType, "Type", `${path}.`, true)
    const clauses = optionalArray(filter, "clauses", `${path}.`).map((clause, j) => {
      const cpath = `${path}.clauses[${j}]`
      if (!isObject(clause)) return fail(malformed(cpath))
      checkKeys(clause, new Set(["type", "predicates"]), cpath, options)
      const clauseType = enumField(clause, "type", V.booleanType, "Type", `${cpath}.`, true)
      if (absent(clause.predicates)) fail(badRequest("predicates is required", `${cpath}.predicates`))
      const predicates = checkPredicates(optionalArray(clause, "predicates", `${cpath}.`), kind, cpath, options)
      return { type: clauseType, predicates }
    })
    const predicates = checkPredicates(
      optionalArray(filter, "predicates", `${path}.`),
      kind,
      `${path}.predicates`,
      options
    )
    return { type, clauses, predicates }
  })
}

const checkInterval = (body: Json): Interval => {
  const text = body.interval
  if (absent(text)) return fail(badRequest("interval is required", "interval"))
  if (typeof text !== "string") return fail(malformed("interval"))
  const interval = parseInterval(text)
  if (interval === undefined) {
    return fail(
      apiError(400, "invalid.date", `Dates must be specified as ISO-8601 strings. Invalid interval [${text}]`, {
        fieldName: "interval"
      })
    )
  }
  if (interval.endMillis < interval.startMillis) {
    fail(badRequest("The interval end must be after the interval start", "interval"))
  }
  return interval
}

const DAY = 86_400_000

/** A sync query that passed validation, with the parts the router needs. */
export interface ValidSync {
  /** The body as the engines read it: no nulls, canonical enum names, predicates without a subject dropped. */
  readonly body: Json
  readonly interval: Interval
  readonly pageSize: number
  readonly pageNumber: number
}

/** A job query that passed validation. */
export interface ValidAsync {
  readonly body: Json
  readonly interval: Interval
}

const run = <A>(f: () => A): A | ApiError => {
  try {
    return f()
  } catch (e) {
    if (e instanceof Invalid) return e.error
    throw e
  }
}

const checkAggregations = (body: Json, options: EmulatorOptions): Array<Json> | undefined => {
  const aggs = body.aggregations
  if (absent(aggs)) return undefined
  if (!Array.isArray(aggs)) return fail(malformed("aggregations"))
  return aggs.flatMap((agg, i) => {
    const path = `aggregations[${i}]`
    if (!isObject(agg)) return fail(malformed(path))
    checkKeys(agg, new Set(["type", "dimension", "metric", "size", "ranges"]), path, options)
    const dimension = optionalString(agg, "dimension", `${path}.`)
    const metric = optionalString(agg, "metric", `${path}.`)
    const type =
      enumField(agg, "type", V.aggregationType, "AggregationType", `${path}.`, false) ??
      (dimension !== undefined ? "termFrequency" : metric !== undefined ? "numericRange" : undefined)
    const size = optionalInt32(agg, "size", `${path}.`)
    const ranges = optionalArray(agg, "ranges", `${path}.`).map((r, j) => {
      if (!isObject(r)) return fail(malformed(`${path}.ranges[${j}]`))
      const bounds: Json = {}
      for (const k of ["gte", "lt"]) {
        if (absent(r[k])) continue
        bounds[k] = numberOf(r[k], `${path}.ranges[${j}].${k}`)
      }
      return bounds
    })
    // An aggregation without its subject has nothing to count: it is left out of the answer.
    if (type === "termFrequency" && dimension === undefined) return []
    if (type === "numericRange" && (metric === undefined || ranges.length === 0)) return []
    if (type === undefined) return []
    return [
      type === "termFrequency"
        ? { type, dimension, ...(size !== undefined && size >= 1 ? { size } : {}) }
        : { type, metric, ranges }
    ]
  })
}

const checkCommon = (body: Json, options: EmulatorOptions) => {
  const interval = checkInterval(body)
  const out: Json = { interval: body.interval }
  const order = enumField(body, "order", V.order, "SortOrder", "", false)
  const orderBy = enumField(body, "orderBy", V.orderBy, "OrderBy", "", false)
  if (order !== undefined) out.order = order
  if (orderBy !== undefined) out.orderBy = orderBy
  let filters = 0
  for (const kind of filterKinds) {
    const checked = checkFilters(body, kind, options)
    if (checked === undefined) continue
    filters += checked.length
    if (checked.length > 0) out[kind.field] = checked
  }
  return { interval, out, filters }
}

/** Validate `POST …/details/query`. */
export const validateSync = (body: unknown, options: EmulatorOptions): ValidSync | ApiError =>
  run(() => {
    if (!isObject(body)) return fail(malformed())
    checkKeys(body, syncKeys, "", options)
    const { interval, out, filters } = checkCommon(body, options)
    const aggregations = checkAggregations(body, options)
    if (aggregations !== undefined) out.aggregations = aggregations
    let pageSize = options.sync.defaultPageSize
    let pageNumber = 1
    const paging = body.paging
    if (!absent(paging)) {
      if (!isObject(paging)) return fail(malformed("paging"))
      checkKeys(paging, new Set(["pageSize", "pageNumber"]), "paging", options)
      const size = optionalInt32(paging, "pageSize", "paging.")
      const number = optionalInt32(paging, "pageNumber", "paging.")
      if (size === undefined) fail(badRequest("pageSize is required", "paging.pageSize"))
      if (number === undefined) fail(badRequest("pageNumber is required", "paging.pageNumber"))
      if (size! >= 1) pageSize = size!
      if (number! >= 1) pageNumber = number!
      if (pageSize > options.sync.maxPageSize) {
        fail(badRequest(`pageSize may not exceed ${options.sync.maxPageSize}`, "paging.pageSize"))
      }
      if (pageSize * pageNumber > options.sync.maxResults) {
        fail(badRequest(`Pagination may not exceed ${options.sync.maxResults} results.`, "paging"))
      }
    }
    const maxDays = filters > 0 ? options.sync.maxDaysFiltered : options.sync.maxDaysUnfiltered
    if (interval.endMillis - interval.startMillis > maxDays * DAY) {
      fail(
        badRequest(
          `You must specify a search interval as part of your query that does not exceed ${maxDays} days`,
          "interval"
        )
      )
    }
    return { body: out, interval, pageSize, pageNumber }
  })

/** Validate `POST …/details/jobs`. */
export const validateAsync = (body: unknown, options: EmulatorOptions): ValidAsync | ApiError =>
  run(() => {
    if (!isObject(body)) return fail(malformed())
    checkKeys(body, asyncKeys, "", options)
    const { interval, out } = checkCommon(body, options)
    const limit = optionalInt32(body, "limit", "")
    if (limit !== undefined && limit >= 1) out.limit = limit
    const raw = body.startOfDayIntervalMatching
    if (!absent(raw)) {
      const sod = raw === "true" ? true : raw === "false" ? false : raw
      if (typeof sod !== "boolean") fail(malformed("startOfDayIntervalMatching"))
      out.startOfDayIntervalMatching = sod
    }
    return { body: out, interval }
  })
