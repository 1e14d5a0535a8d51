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
import { isTimeZone, parseStep } from "../data/zone.js"
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

// ---- aggregates (FACTS-aggregates §2, §4) ----

const aggregateKeys = new Set([
  "interval",
  "granularity",
  "timeZone",
  "groupBy",
  "filter",
  "metrics",
  "flattenMultivaluedDimensions",
  "views",
  "alternateTimeDimension",
  "queryType",
  "sortMetric",
  "limit"
])
const asyncAggregateKeys = new Set([...aggregateKeys, "pageSize"])

const stringList = (body: Json, key: string, required: boolean): Array<string> | undefined => {
  const value = body[key]
  if (absent(value)) {
    if (required) fail(badRequest(`${key} is required`, key))
    return undefined
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) return fail(malformed(key))
  return value as Array<string>
}

const aggregatePredicates = (raw: unknown, path: string): Array<Json> => {
  if (absent(raw)) return []
  if (!Array.isArray(raw)) return fail(malformed(path))
  return raw.map((p, i) => {
    const at = `${path}[${i}].`
    if (!isObject(p)) return fail(malformed(`${path}[${i}]`))
    const out: Json = {}
    const type = enumField(p, "type", V.predicateType, "PredicateType", at, false)
    if (type !== undefined) out.type = type
    const operator = enumField(p, "operator", V.operator, "Operator", at, false)
    if (operator !== undefined) out.operator = operator
    const dimension = optionalString(p, "dimension", at)
    if (dimension !== undefined) out.dimension = dimension
    const value = optionalString(p, "value", at)
    if (value !== undefined) out.value = value
    if (!absent(p.range)) {
      if (!isObject(p.range)) return fail(malformed(`${at}range`))
      const range: Json = {}
      for (const k of ["gt", "gte", "lt", "lte"]) {
        const v = p.range[k]
        if (absent(v)) continue
        const n = typeof v === "string" && NUMBER_TEXT.test(v) ? Number(v) : v
        if (typeof n !== "number") return fail(malformed(`${at}range.${k}`))
        range[k] = n
      }
      out.range = range
    }
    return out
  })
}

const aggregateFilter = (body: Json): Json | undefined => {
  const filter = body.filter
  if (absent(filter)) return undefined
  if (!isObject(filter)) return fail(malformed("filter"))
  const type = enumField(filter, "type", V.booleanType, "BooleanType", "filter.", true)!
  const clausesRaw = filter.clauses
  if (!absent(clausesRaw) && !Array.isArray(clausesRaw)) return fail(malformed("filter.clauses"))
  const clauses = ((clausesRaw ?? []) as Array<unknown>).map((c, i) => {
    const at = `filter.clauses[${i}].`
    if (!isObject(c)) return fail(malformed(`filter.clauses[${i}]`))
    const clauseType = enumField(c, "type", V.booleanType, "BooleanType", at, true)!
    if (absent(c.predicates)) return fail(badRequest("predicates is required", `${at}predicates`))
    return { type: clauseType, predicates: aggregatePredicates(c.predicates, `${at}predicates`) }
  })
  return { type, clauses, predicates: aggregatePredicates(filter.predicates, "filter.predicates") }
}

const MAX_VIEWS = 10

/** Views (FACTS-aggregates §2.4, §4 [A7]): at most 10, required fields, distinct names, timer targets, a bound. */
const checkViews = (views: unknown): void => {
  if (absent(views)) return
  if (!Array.isArray(views)) fail(malformed("views"))
  if (views.length > MAX_VIEWS) fail(badRequest(`Views are limited to ${MAX_VIEWS} in a single query`, "views"))
  const names = new Set<string>()
  for (const [i, view] of (views as Array<unknown>).entries()) {
    const at = `views[${i}].`
    if (!isObject(view)) fail(malformed(`views[${i}]`))
    for (const key of ["target", "name", "function"]) {
      if (absent(view[key])) fail(badRequest(`${key} is required`, `${at}${key}`))
      if (typeof view[key] !== "string") fail(malformed(`${at}${key}`))
    }
    const name = view.name as string
    const target = view.target as string
    enumField(view, "function", V.viewFunction, "ViewFunction", at, true)
    if (V.aggregateMetrics.has(name) || names.has(name)) {
      fail(badRequest(`View name [${name}] must be distinct from other views and built-in metric names`, `${at}name`))
    }
    names.add(name)
    if (V.aggregateMetrics.has(target) && !target.startsWith("t")) {
      fail(badRequest(`Range bound target metrics are limited to timer metrics: [${target}]`, `${at}target`))
    }
    const range = view.range
    if (!absent(range) && !isObject(range)) fail(malformed(`${at}range`))
    if (absent(range) || (absent(range.gte) && absent(range.lt))) {
      fail(badRequest("A range bound view requires range.gte or range.lt", `${at}range`))
    }
  }
}

/** An aggregates query or job body that passed validation. */
export interface ValidAggregate {
  /** The body as the engine reads it (`AggregateTruth.AggregateQueryLike`). */
  readonly body: Json
  /** Results per job page (async only): the body's `pageSize`, else the default. */
  readonly pageSize: number
}

/**
 * An aggregates query (`async: false`) or job body. Refused: malformed JSON and wrong JSON types, a missing
 * `interval` or `metrics`, an unparseable or inverted interval (the details' messages), a malformed or zero
 * `granularity`, closed enum names matching in no case, the documented views limits, a `sortMetric` without
 * `name` or `function`. Everything else is accepted: an empty `metrics` answers nothing, unknown groupBy, metric
 * and dimension names match nothing, a `timeZone` that is no IANA zone buckets in UTC; `views`, `queryType`,
 * `sortMetric`, `limit` and `alternateTimeDimension` are checked and otherwise ignored.
 */
export const validateAggregate = (body: unknown, options: EmulatorOptions, async: boolean): ValidAggregate | ApiError =>
  run(() => {
    if (!isObject(body)) return fail(malformed())
    checkKeys(body, async ? asyncAggregateKeys : aggregateKeys, "", options)
    checkInterval(body)
    const metrics = stringList(body, "metrics", true)!
    const out: Json = { interval: body.interval, metrics }
    const granularity = optionalString(body, "granularity", "")
    if (granularity !== undefined) {
      if (parseStep(granularity) === undefined) {
        fail(badRequest(`Invalid granularity [${granularity}]: expected an ISO-8601 duration`, "granularity"))
      }
      out.granularity = granularity
    }
    const timeZone = optionalString(body, "timeZone", "")
    if (timeZone !== undefined) {
      // An unknown zone is not known to be refused (FACTS-aggregates: NOT FOUND): buckets are then UTC's.
      if (isTimeZone(timeZone)) out.timeZone = timeZone
    }
    const groupBy = stringList(body, "groupBy", false)
    if (groupBy !== undefined) out.groupBy = groupBy
    const filter = aggregateFilter(body)
    if (filter !== undefined) out.filter = filter
    const flatten = body.flattenMultivaluedDimensions
    if (!absent(flatten)) {
      if (typeof flatten !== "boolean") fail(malformed("flattenMultivaluedDimensions"))
      out.flattenMultivaluedDimensions = flatten
    }
    for (const key of ["queryType", "alternateTimeDimension"]) optionalString(body, key, "")
    checkViews(body.views)
    if (!absent(body.sortMetric)) {
      if (!isObject(body.sortMetric)) fail(malformed("sortMetric"))
      for (const key of ["name", "function"]) {
        if (absent(body.sortMetric[key])) fail(badRequest(`${key} is required`, `sortMetric.${key}`))
      }
    }
    optionalInt32(body, "limit", "")
    let pageSize = options.jobs.resultsDefaultPageSize
    if (async) {
      const size = optionalInt32(body, "pageSize", "")
      if (size !== undefined && size >= 1) pageSize = size
    }
    return { body: out, pageSize }
  })
