/**
 * Server-side validation of query bodies, written independently of the client library's validator so
 * that tests of the client prove something. Returns the first problem, as the platform does.
 */
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { type Interval, parseInterval } from "./interval.js"
import * as V from "./vocabulary.js"
import { type ApiError, apiError, badRequest, invalidValue, malformed } from "./wire.js"

type Json = Record<string, unknown>

const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)
const isInt = (u: unknown): u is number => typeof u === "number" && Number.isInteger(u)

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

const checkKeys = (obj: Json, allowed: ReadonlySet<string>, path: string, options: EmulatorOptions) => {
  if (options.unknownFields !== "reject") return
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) fail(badRequest(`Unrecognized field "${key}"`, path === "" ? key : `${path}.${key}`))
  }
}

const enumField = (
  obj: Json,
  key: string,
  allowed: ReadonlySet<string>,
  fieldType: string,
  path: string,
  required: boolean
) => {
  const value = obj[key]
  if (value === undefined || value === null) {
    if (required) fail(badRequest(`${key} is required`, `${path}${key}`))
    return
  }
  if (typeof value !== "string") fail(malformed(`${path}${key}`))
  if (!allowed.has(value as string)) fail(invalidValue(value, fieldType, allowed, `${path}${key}`))
}

const optionalString = (obj: Json, key: string, path: string) => {
  const value = obj[key]
  if (value !== undefined && value !== null && typeof value !== "string") fail(malformed(`${path}${key}`))
}

const predicateKeys = new Set(["type", "dimension", "metric", "operator", "value", "range", "propertyType", "property"])
const rangeKeys = new Set(["gt", "gte", "lt", "lte"])

const checkPredicate = (p: unknown, kind: FilterKind, path: string, options: EmulatorOptions) => {
  if (!isObject(p)) return fail(malformed(path))
  checkKeys(p, predicateKeys, path, options)
  enumField(p, "type", V.predicateType, "PredicateType", `${path}.`, false)
  enumField(p, "operator", V.operator, "Operator", `${path}.`, false)
  if (p.dimension !== undefined && p.dimension !== null) {
    if (kind.dims.size === 0) fail(badRequest("dimension is not supported for this filter", `${path}.dimension`))
    enumField(p, "dimension", kind.dims, "Dimension", `${path}.`, false)
  }
  enumField(p, "metric", kind.metrics, "Metric", `${path}.`, false)
  optionalString(p, "value", `${path}.`)
  if (kind.property) {
    enumField(p, "propertyType", V.propertyType, "PropertyType", `${path}.`, false)
    optionalString(p, "property", `${path}.`)
  }
  if (p.range !== undefined && p.range !== null) {
    if (!isObject(p.range)) fail(malformed(`${path}.range`))
    const range = p.range as Json
    checkKeys(range, rangeKeys, `${path}.range`, options)
    for (const k of rangeKeys) {
      const v = range[k]
      if (v !== undefined && v !== null && typeof v !== "number") fail(malformed(`${path}.range.${k}`))
    }
  }
  const hasLhs = [p.dimension, p.metric, kind.property ? p.property : undefined].some((v) => typeof v === "string")
  if (!hasLhs) fail(badRequest("A predicate requires a dimension, metric or property", path))
  if (kind.property && typeof p.property === "string" && p.propertyType == null) {
    fail(badRequest("propertyType is required for a property predicate", `${path}.propertyType`))
  }
}

const checkFilters = (body: Json, kind: FilterKind, options: EmulatorOptions): number => {
  const filters = body[kind.field]
  if (filters === undefined || filters === null) return 0
  if (!Array.isArray(filters)) return fail(malformed(kind.field))
  for (const [i, filter] of filters.entries()) {
    const path = `${kind.field}[${i}]`
    if (!isObject(filter)) fail(malformed(path))
    checkKeys(filter, new Set(["type", "clauses", "predicates"]), path, options)
    enumField(filter, "type", V.booleanType, "Type", `${path}.`, true)
    const clauses = filter.clauses ?? []
    const predicates = filter.predicates ?? []
    if (!Array.isArray(clauses)) fail(malformed(`${path}.clauses`))
    if (!Array.isArray(predicates)) fail(malformed(`${path}.predicates`))
    if (clauses.length === 0 && predicates.length === 0) {
      fail(badRequest("A filter requires at least one predicate or clause", path))
    }
    for (const [j, clause] of clauses.entries()) {
      const cpath = `${path}.clauses[${j}]`
      if (!isObject(clause)) fail(malformed(cpath))
      checkKeys(clause, new Set(["type", "predicates"]), cpath, options)
      enumField(clause, "type", V.booleanType, "Type", `${cpath}.`, true)
      if (!Array.isArray(clause.predicates) || clause.predicates.length === 0) {
        fail(badRequest("A clause requires at least one predicate", `${cpath}.predicates`))
      }
      for (const [k, p] of (clause.predicates as Array<unknown>).entries()) {
        checkPredicate(p, kind, `${cpath}.predicates[${k}]`, options)
      }
    }
    for (const [k, p] of predicates.entries()) checkPredicate(p, kind, `${path}.predicates[${k}]`, options)
  }
  return filters.length
}

const checkInterval = (body: Json): Interval => {
  const text = body.interval
  if (text === undefined || text === null) return fail(badRequest("interval is required", "interval"))
  if (typeof text !== "string") return fail(malformed("interval"))
  const interval = parseInterval(text)
  if (interval === undefined) {
    return fail(
      apiError(400, "invalid.date", `Dates must be specified as ISO-8601 strings. Invalid interval [${text}]`, {
        fieldName: "interval"
      })
    )
  }
  if (interval.endMillis <= interval.startMillis) {
    fail(badRequest("The interval end must be after the interval start", "interval"))
  }
  return interval
}

const checkOrder = (body: Json) => {
  enumField(body, "order", V.order, "SortOrder", "", false)
  enumField(body, "orderBy", V.orderBy, "OrderBy", "", false)
}

const DAY = 86_400_000

/** A sync query that passed validation, with the parts the router needs. */
export interface ValidSync {
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

const checkAggregations = (body: Json, options: EmulatorOptions) => {
  const aggs = body.aggregations
  if (aggs === undefined || aggs === null) return
  if (!Array.isArray(aggs)) return fail(malformed("aggregations"))
  for (const [i, agg] of aggs.entries()) {
    const path = `aggregations[${i}]`
    if (!isObject(agg)) fail(malformed(path))
    checkKeys(agg, new Set(["type", "dimension", "metric", "size", "ranges"]), path, options)
    enumField(agg, "type", V.aggregationType, "AggregationType", `${path}.`, true)
    optionalString(agg, "dimension", `${path}.`)
    optionalString(agg, "metric", `${path}.`)
    if (agg.size !== undefined && agg.size !== null && (!isInt(agg.size) || agg.size < 1)) {
      fail(malformed(`${path}.size`))
    }
    if (agg.type === "termFrequency" && typeof agg.dimension !== "string") {
      fail(badRequest("A termFrequency aggregation requires a dimension", `${path}.dimension`))
    }
    if (agg.type === "numericRange") {
      if (typeof agg.metric !== "string")
        fail(badRequest("A numericRange aggregation requires a metric", `${path}.metric`))
      if (!Array.isArray(agg.ranges) || agg.ranges.length === 0) {
        fail(badRequest("A numericRange aggregation requires ranges", `${path}.ranges`))
      }
      for (const [j, r] of (agg.ranges as Array<unknown>).entries()) {
        if (!isObject(r)) fail(malformed(`${path}.ranges[${j}]`))
        for (const k of ["gte", "lt"]) {
          if (r[k] !== undefined && r[k] !== null && typeof r[k] !== "number") {
            fail(malformed(`${path}.ranges[${j}].${k}`))
          }
        }
      }
    }
  }
}

/** Validate `POST …/details/query`. */
export const validateSync = (body: unknown, options: EmulatorOptions): ValidSync | ApiError =>
  run(() => {
    if (!isObject(body)) return fail(malformed())
    checkKeys(body, syncKeys, "", options)
    const interval = checkInterval(body)
    checkOrder(body)
    let filters = 0
    for (const kind of filterKinds) filters += checkFilters(body, kind, options)
    checkAggregations(body, options)
    let pageSize = options.sync.defaultPageSize
    let pageNumber = 1
    const paging = body.paging
    if (paging !== undefined && paging !== null) {
      if (!isObject(paging)) return fail(malformed("paging"))
      checkKeys(paging, new Set(["pageSize", "pageNumber"]), "paging", options)
      if (paging.pageSize !== undefined && paging.pageSize !== null) {
        if (!isInt(paging.pageSize)) return fail(malformed("paging.pageSize"))
        pageSize = paging.pageSize
      }
      if (paging.pageNumber !== undefined && paging.pageNumber !== null) {
        if (!isInt(paging.pageNumber)) return fail(malformed("paging.pageNumber"))
        pageNumber = paging.pageNumber
      }
      if (pageSize < 1) fail(badRequest("pageSize must be greater than 0", "paging.pageSize"))
      if (pageSize > options.sync.maxPageSize) {
        fail(badRequest(`pageSize may not exceed ${options.sync.maxPageSize}`, "paging.pageSize"))
      }
      if (pageNumber < 1) fail(badRequest("pageNumber must be greater than 0", "paging.pageNumber"))
      if (pageSize * pageNumber > options.sync.maxResults) {
        fail(badRequest(`Pagination may not exceed ${options.sync.maxResults} results.`, "paging"))
      }
    }
    const maxDays = filters > 0 ? options.sync.maxDaysFiltered : options.sync.maxDaysUnfiltered
    if (interval.endMillis - interval.startMillis > maxDays * DAY) {
      fail(
        badRequest(
          filters > 0
            ? `The interval may not exceed ${maxDays} days when a filter is specified`
            : `The interval may not exceed ${maxDays} days when no filter is specified`,
          "interval"
        )
      )
    }
    return { body, interval, pageSize, pageNumber }
  })

/** Validate `POST …/details/jobs`. */
export const validateAsync = (body: unknown, options: EmulatorOptions): ValidAsync | ApiError =>
  run(() => {
    if (!isObject(body)) return fail(malformed())
    checkKeys(body, asyncKeys, "", options)
    const interval = checkInterval(body)
    checkOrder(body)
    for (const kind of filterKinds) checkFilters(body, kind, options)
    if (body.limit !== undefined && body.limit !== null) {
      if (!isInt(body.limit)) return fail(malformed("limit"))
      if (body.limit < 1) fail(badRequest("limit must be greater than 0", "limit"))
    }
    const sod = body.startOfDayIntervalMatching
    if (sod !== undefined && sod !== null && typeof sod !== "boolean") fail(malformed("startOfDayIntervalMatching"))
    return { body, interval }
  })
