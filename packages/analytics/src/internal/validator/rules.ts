// The platform rules beyond the shape: interval grammar and limits, paging caps, predicate consistency,
// vocabularies, counts. Runs on the raw input after the structural walk and checks types itself before using a value,
// so a query that is wrong in several ways still gets every applicable rule. A JSON `null` is an absent key
// everywhere (Genesys's own data actions send `"value": null`, FACTS §7b). Whether a rule fails the query or only
// warns is decided by its entry in validatorCatalog.ts.
import * as Either from "effect/Either"
import * as Query from "../../ConversationQuery.js"
import * as Record from "../../ConversationRecord.js"
import * as Interval from "../../Interval.js"
import type { ValidatorOptions } from "../../QueryValidator.js"
import { child, index, type Issues, type RawIssue, shown } from "./issues.js"
import * as AggregateVocabulary from "../aggregates/vocabulary.js"
import { suggest } from "./vocabulary.js"

export type QueryKind = "sync" | "async"

// `aggregate` is the one filter of an aggregates query (its predicates have only `dimension`, FACTS-aggregates §2.3).
type FilterKind = "conversation" | "segment" | "evaluation" | "survey" | "resolution" | "aggregate"

const filterKinds: ReadonlyArray<FilterKind> = ["conversation", "segment", "evaluation", "survey", "resolution"]

const dimensionsOf: { readonly [K in FilterKind]: ReadonlyArray<string> } = {
  conversation: Query.conversationDimensions,
  segment: Query.segmentDimensions,
  evaluation: Query.evaluationDimensions,
  survey: Query.surveyDimensions,
  resolution: [],
  aggregate: AggregateVocabulary.predicateDimensions
}

const metricsOf: { readonly [K in FilterKind]: ReadonlyArray<string> } = {
  conversation: Query.conversationMetrics,
  segment: Query.segmentMetrics,
  evaluation: Query.evaluationMetrics,
  survey: Query.surveyMetrics,
  resolution: Query.resolutionMetrics,
  aggregate: []
}

// Known right-hand values of dimensions whose record field is an enum: a wrong case such as "Voice" silently
// matches nothing on the platform, which is worth a "did you mean".
const valuesOf: { readonly [K in FilterKind]?: { readonly [dimension: string]: ReadonlyArray<string> } } = {
  conversation: {
    originatingDirection: Record.AnalyticsConversationOriginatingDirectionValues,
    conversationInitiator: Record.AnalyticsConversationConversationInitiatorValues
  },
  segment: {
    direction: Record.AnalyticsSessionDirectionValues,
    mediaType: Record.AnalyticsSessionMediaTypeValues,
    purpose: Record.AnalyticsParticipantPurposeValues,
    segmentType: Record.AnalyticsConversationSegmentSegmentTypeValues,
    disconnectType: Record.AnalyticsConversationSegmentDisconnectTypeValues,
    requestedRouting: Record.AnalyticsSessionRequestedRoutingsValues,
    usedRouting: Record.AnalyticsSessionUsedRoutingValues,
    deliveryStatus: Record.AnalyticsSessionDeliveryStatusValues,
    engagementSource: Record.AnalyticsSessionEngagementSourceValues,
    flaggedReason: Record.AnalyticsParticipantFlaggedReasonValues
  },
  aggregate: {
    direction: Record.AnalyticsSessionDirectionValues,
    mediaType: Record.AnalyticsSessionMediaTypeValues,
    purpose: Record.AnalyticsParticipantPurposeValues,
    disconnectType: Record.AnalyticsConversationSegmentDisconnectTypeValues,
    originatingDirection: Record.AnalyticsConversationOriginatingDirectionValues
  },
  evaluation: { evaluationStatus: Record.AnalyticsEvaluationEvaluationStatusValues },
  survey: { surveyType: Record.AnalyticsSurveySurveyTypeValues }
}

const allDimensions = [...new Set(filterKinds.flatMap((k) => dimensionsOf[k]))]
const allMetrics = [...new Set(filterKinds.flatMap((k) => metricsOf[k]))]

const isObject = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Present and not `null`: a `null` is the same as an absent key. */
const has = (value: { readonly [key: string]: unknown }, key: string): boolean =>
  Object.hasOwn(value, key) && value[key] !== null && value[key] !== undefined

const lower = (value: unknown): unknown => (typeof value === "string" ? value.toLowerCase() : value)

/** An integer, or the integer a numeric string stands for (Genesys coerces `"100"`, see coercion in the walk). */
const integerOf = (value: unknown): number | undefined =>
  typeof value === "number" && Number.isInteger(value)
    ? value
    : typeof value === "string" && /^-?\d{1,10}$/.test(value)
      ? Number(value)
      : undefined

interface Context {
  readonly issues: Issues
  readonly options: ValidatorOptions
  filters: number
  clauses: number
  predicates: number
}

const policy = (context: Context, setting: "error" | "warn", issue: RawIssue): void =>
  context.issues.add(issue, setting === "error" ? "error" : "warning")

export const checkRules = (query: unknown, kind: QueryKind, issues: Issues, options: ValidatorOptions): void => {
  if (!isObject(query)) return
  const context: Context = { issues, options, filters: 0, clauses: 0, predicates: 0 }
  let filtered = false
  for (const filterKind of filterKinds) {
    const key = `${filterKind}Filters`
    const filters = query[key]
    if (!Array.isArray(filters)) continue
    const length = Math.min(filters.length, options.maxArrayLength)
    for (let i = 0; i < length; i++) checkFilter(context, filterKind, filters[i], index(`$.${key}`, i))
    // Any filter counts, even an empty one: which limit Genesys applies then is not documented, and the lenient
    // reading never refuses a query the platform runs.
    if (filters.length > 0) filtered = true
    context.filters += filters.length
  }
  checkInterval(context, query, kind, filtered)
  if (kind === "sync") {
    checkPaging(context, query.paging)
    checkAggregations(context, query.aggregations)
  } else if ((integerOf(query.limit) ?? 1) < 1) {
    issues.add({ path: "$.limit", rule: "limit.positive", message: "should be at least 1", value: shown(query.limit) })
  }
  const counts: ReadonlyArray<readonly [string, number, number, string]> = [
    ["filters", context.filters, options.maxFilters, "maxFilters"],
    ["clauses", context.clauses, options.maxClauses, "maxClauses"],
    ["predicates", context.predicates, options.maxPredicates, "maxPredicates"]
  ]
  for (const [what, count, max, option] of counts) {
    if (count > max) {
      issues.add({
        path: "$",
        rule: `count.${what}`,
        message: `has ${count} ${what}; the limit is ${max} (ValidatorOptions.${option})`,
        value: count
      })
    }
  }
}

/**
 * The filter rules of an aggregates query (its single `filter`), on the details' filter machinery: empty filters and
 * clauses, predicate subject and operands, ranges, dimension names and values, counts.
 */
export const checkAggregateFilter = (filter: unknown, issues: Issues, options: ValidatorOptions): void => {
  const context: Context = { issues, options, filters: 0, clauses: 0, predicates: 0 }
  if (!isObject(filter)) return
  checkFilter(context, "aggregate", filter, "$.filter")
  for (const [what, count, max, option] of [
    ["clauses", context.clauses, options.maxClauses, "maxClauses"],
    ["predicates", context.predicates, options.maxPredicates, "maxPredicates"]
  ] as const) {
    if (count > max) {
      issues.add({
        path: "$",
        rule: `count.${what}`,
        message: `has ${count} ${what}; the limit is ${max} (ValidatorOptions.${option})`,
        value: count
      })
    }
  }
}

const checkInterval = (
  context: Context,
  query: { readonly [key: string]: unknown },
  kind: QueryKind,
  filtered: boolean
) => {
  const text = query.interval
  // Interval.parse bounds its own work (an interval is at most 200 characters), so long text gets its error too.
  if (typeof text !== "string") return
  const parsed = Interval.parse(text)
  if (Either.isLeft(parsed)) {
    context.issues.add({ path: "$.interval", rule: parsed.left.rule, message: parsed.left.message, value: shown(text) })
    return
  }
  const { maxDaysFiltered, maxDaysUnfiltered, maxJobDays, intervalToleranceMillis } = context.options
  const maxDays = kind === "async" ? maxJobDays : filtered ? maxDaysFiltered : maxDaysUnfiltered
  if (maxDays === undefined) return
  const lengthMillis = parsed.right.endMillis - parsed.right.startMillis
  if (lengthMillis > maxDays * Interval.DAY_MILLIS + intervalToleranceMillis) {
    const days = Math.round((lengthMillis / Interval.DAY_MILLIS) * 100) / 100
    context.issues.add({
      path: "$.interval",
      rule: "interval.maxDays",
      message:
        kind === "async"
          ? `spans ${days} days; jobs are limited to ${maxDays} days (ValidatorOptions.maxJobDays)`
          : filtered
            ? `spans ${days} days; a filtered query may span at most ${maxDays} days: split it into windows or use a job`
            : `spans ${days} days; a query without filters may span at most ${maxDays} days (${maxDaysFiltered} with a filter): add a filter, split it into windows or use a job`,
      value: text
    })
  }
}

const checkPaging = (context: Context, paging: unknown) => {
  if (!isObject(paging)) return
  const { maxPageSize, maxResults } = context.options
  const pageSize = integerOf(paging.pageSize)
  const pageNumber = integerOf(paging.pageNumber)
  if (pageSize !== undefined && pageSize < 1) {
    context.issues.add({
      path: "$.paging.pageSize",
      rule: "paging.pageSize.positive",
      message: "should be at least 1",
      value: pageSize
    })
  }
  if (pageSize !== undefined && pageSize > maxPageSize) {
    context.issues.add({
      path: "$.paging.pageSize",
      rule: "paging.pageSize",
      message: `must be at most ${maxPageSize} (ValidatorOptions.maxPageSize)`,
      value: pageSize
    })
  }
  if (pageNumber !== undefined && pageNumber < 1) {
    context.issues.add({
      path: "$.paging.pageNumber",
      rule: "paging.pageNumber",
      message: "should be at least 1 (pages count from 1)",
      value: pageNumber
    })
  }
  if (pageSize !== undefined && pageNumber !== undefined && pageSize >= 1 && pageSize * pageNumber > maxResults) {
    context.issues.add({
      path: "$.paging",
      rule: "paging.maxResults",
      message: `pageSize × pageNumber = ${pageSize * pageNumber} exceeds ${maxResults}: Genesys answers "Pagination may not exceed ${maxResults} results."; split the interval or use a job`,
      value: pageSize * pageNumber
    })
  }
}

/** Checks one filter and what it holds. */
const checkFilter = (context: Context, kind: FilterKind, filter: unknown, path: string): void => {
  if (!isObject(filter)) return
  let predicates = 0
  if (Array.isArray(filter.predicates)) {
    predicates += checkPredicates(context, kind, filter.predicates, child(path, "predicates"))
  }
  if (Array.isArray(filter.clauses)) {
    context.clauses += filter.clauses.length
    const length = Math.min(filter.clauses.length, context.options.maxArrayLength)
    for (let i = 0; i < length; i++) {
      const clause = filter.clauses[i]
      const clausePath = index(child(path, "clauses"), i)
      if (!isObject(clause) || !Array.isArray(clause.predicates)) continue
      const inClause = checkPredicates(context, kind, clause.predicates, child(clausePath, "predicates"))
      if (inClause === 0) {
        context.issues.add({
          path: child(clausePath, "predicates"),
          rule: "clause.empty",
          message: "this clause has no predicate, so it constrains nothing"
        })
      }
      predicates += inClause
    }
  }
  const wrongShape =
    (has(filter, "predicates") && !Array.isArray(filter.predicates)) ||
    (has(filter, "clauses") && !Array.isArray(filter.clauses))
  if (predicates === 0 && !wrongShape) {
    context.issues.add({
      path,
      rule: "filter.empty",
      message: "this filter has no predicate (in predicates or in a clause), so it constrains nothing"
    })
  }
}

const checkPredicates = (
  context: Context,
  kind: FilterKind,
  predicates: ReadonlyArray<unknown>,
  path: string
): number => {
  context.predicates += predicates.length
  const length = Math.min(predicates.length, context.options.maxArrayLength)
  for (let i = 0; i < length; i++) checkPredicate(context, kind, predicates[i], index(path, i))
  return predicates.length
}

const subjects = ["dimension", "metric", "property"] as const

const checkPredicate = (context: Context, kind: FilterKind, predicate: unknown, path: string) => {
  if (!isObject(predicate)) return
  const { issues, options } = context
  const present = subjects.filter((s) => has(predicate, s))
  if (present.length === 0) {
    issues.add({
      path,
      rule: "predicate.subject",
      message: `a predicate needs exactly one of ${kind === "segment" ? "dimension, metric or property" : kind === "resolution" ? "metric" : kind === "aggregate" ? "dimension" : "dimension or metric"}`
    })
  } else if (present.length > 1) {
    issues.add({
      path,
      rule: "predicate.subject",
      message: `a predicate has exactly one left-hand side, but this one has ${present.join(" and ")}`
    })
  }
  const subject = present.length === 1 ? present[0] : undefined
  if (typeof predicate.type === "string" && subject !== undefined && predicate.type.toLowerCase() !== subject) {
    issues.add({
      path: child(path, "type"),
      rule: "predicate.type",
      message: `type "${predicate.type}" does not match the predicate's ${subject}`,
      value: predicate.type,
      suggestion: subject
    })
  }
  if (has(predicate, "property") !== has(predicate, "propertyType") && kind === "segment") {
    issues.add({
      path: child(path, has(predicate, "property") ? "propertyType" : "property"),
      rule: "predicate.propertyType",
      message: has(predicate, "property")
        ? "a property predicate needs propertyType (bool, integer, real, date, string or uuid)"
        : "propertyType is only meaningful with property"
    })
  }
  const operator = has(predicate, "operator") ? lower(predicate.operator) : "matches"
  const hasValue = has(predicate, "value")
  const hasRange = has(predicate, "range")
  if (operator === "matches") {
    if (!hasValue && !hasRange) {
      issues.add({ path, rule: "predicate.operandRequired", message: "a matches predicate needs value or range" })
    } else if (hasValue && hasRange) {
      issues.add({ path, rule: "predicate.operandConflict", message: "a predicate takes value or range, not both" })
    }
  } else if ((operator === "exists" || operator === "notexists") && (hasValue || hasRange)) {
    issues.add({
      path: child(path, hasValue ? "value" : "range"),
      rule: "predicate.operandForbidden",
      message: `an ${String(predicate.operator)} predicate takes neither value nor range`,
      value: hasValue ? shown(predicate.value) : undefined
    })
  }
  if (hasRange) checkRange(context, predicate.range, child(path, "range"))
  if (typeof predicate.dimension === "string" && kind !== "resolution") {
    checkName(context, kind, "dimension", predicate.dimension, child(path, "dimension"))
    const values = valuesOf[kind]?.[predicate.dimension]
    if (values !== undefined && typeof predicate.value === "string" && !knownIgnoringCase(values, predicate.value)) {
      policy(context, options.unknownValues, {
        path: child(path, "value"),
        rule: "vocabulary.value",
        message: `"${shown(predicate.value)}" is not a known ${predicate.dimension}: it may match nothing`,
        value: shown(predicate.value),
        suggestion: suggest(predicate.value, values)
      })
    }
  }
  if (typeof predicate.metric === "string") {
    checkName(context, kind, "metric", predicate.metric, child(path, "metric"))
  }
}

const knownIgnoringCase = (values: ReadonlyArray<string>, value: string): boolean => {
  const wanted = value.toLowerCase()
  return values.some((v) => v.toLowerCase() === wanted)
}

const checkName = (context: Context, kind: FilterKind, what: "dimension" | "metric", name: string, path: string) => {
  const known = what === "dimension" ? dimensionsOf[kind] : metricsOf[kind]
  if (known.includes(name)) return
  const elsewhere = filterKinds.filter((k) => (what === "dimension" ? dimensionsOf[k] : metricsOf[k]).includes(name))
  policy(context, context.options.unknownNames, {
    path,
    rule: what === "dimension" ? "vocabulary.dimension" : "vocabulary.metric",
    message:
      elsewhere.length > 0
        ? `"${name}" is a ${elsewhere.join("/")} ${what}, not a ${kind} ${what}: move the predicate to ${elsewhere[0]}Filters`
        : `"${shown(name)}" is not a known ${kind} ${what}${context.options.unknownNames === "error" ? ' (set unknownNames: "warn" to send names newer than this library)' : ": if it is newer than this library, Genesys may still know it"}`,
    value: shown(name),
    suggestion: suggest(name, known)
  })
}

const checkRange = (context: Context, range: unknown, path: string) => {
  if (!isObject(range)) return
  const bound = (key: string) => (typeof range[key] === "number" ? (range[key] as number) : undefined)
  const [gt, gte, lt, lte] = [bound("gt"), bound("gte"), bound("lt"), bound("lte")]
  if (!["gt", "gte", "lt", "lte"].some((k) => has(range, k))) {
    context.issues.add({ path, rule: "range.empty", message: "a range needs at least one of gt, gte, lt, lte" })
    return
  }
  if (gt !== undefined && gte !== undefined) {
    context.issues.add({ path, rule: "range.conflict", message: "a range takes gt or gte, not both" })
  }
  if (lt !== undefined && lte !== undefined) {
    context.issues.add({ path, rule: "range.conflict", message: "a range takes lt or lte, not both" })
  }
  const lower = gt ?? gte
  const upper = lt ?? lte
  if (lower !== undefined && upper !== undefined) {
    const inclusive = gt === undefined && lt === undefined
    if (inclusive ? lower > upper : lower >= upper) {
      context.issues.add({
        path,
        rule: "range.inverted",
        message: `the range is empty: lower bound ${lower}, upper bound ${upper}`
      })
    }
  }
}

type Aggregation = { readonly [key: string]: unknown }

/** The aggregation's type as written, or the one its subject implies (dimension or metric), or `undefined`. */
const aggregationType = (aggregation: Aggregation): unknown =>
  has(aggregation, "type")
    ? aggregation.type
    : has(aggregation, "dimension")
      ? "termFrequency"
      : has(aggregation, "metric")
        ? "numericRange"
        : undefined

/** Reports keys an aggregation of this type does not take. */
const checkForeignKeys = (
  context: Context,
  aggregation: Aggregation,
  path: string,
  typeName: string,
  keys: ReadonlyArray<string>
) => {
  for (const key of keys) {
    if (has(aggregation, key)) {
      context.issues.add({
        path: child(path, key),
        rule: "aggregation.subject",
        message: `a ${typeName} aggregation takes no ${key}`
      })
    }
  }
}

const checkTermFrequency = (context: Context, aggregation: Aggregation, path: string) => {
  if (typeof aggregation.dimension !== "string") {
    context.issues.add({
      path,
      rule: "aggregation.subject",
      message: "a termFrequency aggregation needs dimension"
    })
  } else if (!allDimensions.includes(aggregation.dimension)) {
    policy(context, context.options.unknownNames, {
      path: child(path, "dimension"),
      rule: "vocabulary.dimension",
      message: `"${shown(aggregation.dimension)}" is not a known dimension`,
      value: shown(aggregation.dimension),
      suggestion: suggest(aggregation.dimension, allDimensions)
    })
  }
  checkForeignKeys(context, aggregation, path, "termFrequency", ["metric", "ranges"])
  if ((integerOf(aggregation.size) ?? 1) < 1) {
    context.issues.add({
      path: child(path, "size"),
      rule: "aggregation.size",
      message: "must be at least 1",
      value: aggregation.size
    })
  }
}

/** Checks a numericRange aggregation's ranges: at least one, each bounded and not empty. */
const checkAggregationRanges = (context: Context, ranges: unknown, path: string) => {
  if (!Array.isArray(ranges) || ranges.length === 0) {
    context.issues.add({
      path: child(path, "ranges"),
      rule: "aggregation.ranges",
      message: "a numericRange aggregation needs at least one range"
    })
    return
  }
  ranges.slice(0, context.options.maxArrayLength).forEach((range: unknown, j: number) => {
    if (!isObject(range)) return
    const rangePath = index(child(path, "ranges"), j)
    if (!has(range, "gte") && !has(range, "lt")) {
      context.issues.add({ path: rangePath, rule: "range.empty", message: "a range needs gte or lt" })
    } else if (typeof range.gte === "number" && typeof range.lt === "number" && range.gte >= range.lt) {
      context.issues.add({
        path: rangePath,
        rule: "range.inverted",
        message: `the range is empty: gte ${range.gte}, lt ${range.lt}`
      })
    }
  })
}

const checkNumericRange = (context: Context, aggregation: Aggregation, path: string) => {
  if (typeof aggregation.metric !== "string") {
    context.issues.add({ path, rule: "aggregation.subject", message: "a numericRange aggregation needs metric" })
  } else if (!allMetrics.includes(aggregation.metric)) {
    policy(context, context.options.unknownNames, {
      path: child(path, "metric"),
      rule: "vocabulary.metric",
      message: `"${shown(aggregation.metric)}" is not a known metric`,
      value: shown(aggregation.metric),
      suggestion: suggest(aggregation.metric, allMetrics)
    })
  }
  checkForeignKeys(context, aggregation, path, "numericRange", ["dimension", "size"])
  checkAggregationRanges(context, aggregation.ranges, path)
}

const checkAggregations = (context: Context, aggregations: unknown) => {
  if (!Array.isArray(aggregations)) return
  const length = Math.min(aggregations.length, context.options.maxArrayLength)
  for (let i = 0; i < length; i++) {
    const aggregation = aggregations[i]
    const path = index("$.aggregations", i)
    if (!isObject(aggregation)) continue
    const type = aggregationType(aggregation)
    const typeName = lower(type)
    if (typeName === "termfrequency") checkTermFrequency(context, aggregation, path)
    else if (typeName === "numericrange") checkNumericRange(context, aggregation, path)
    else if (type === undefined) {
      context.issues.add({
        path,
        rule: "aggregation.subject",
        message: "an aggregation needs type, or dimension (termFrequency) or metric (numericRange)"
      })
    }
  }
}
