// The platform rules of an aggregates query beyond its shape (FACTS-aggregates.md): the interval grammar shared with
// the details, the granularity duration, the documented views limits [A7], names outside the enums (warnings with a
// "did you mean", the enums grow every few weeks), topN/bottomN consistency, and the filter on the details' filter
// machinery. No limit that FACTS lists as NOT FOUND is checked. A JSON `null` is an absent key, as for the details.
import * as Either from "effect/Either"
import * as Interval from "../../Interval.js"
import type { ValidatorOptions } from "../../QueryValidator.js"
import * as Vocabulary from "../aggregates/vocabulary.js"
import { parseDuration } from "./intervalGrammar.js"
import { child, index, type Issues, type RawIssue, shown } from "./issues.js"
import { checkAggregateFilter } from "./rules.js"
import { suggest } from "./vocabulary.js"

const isObject = (value: unknown): value is { readonly [key: string]: unknown } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const groupBySet: ReadonlySet<string> = new Set(Vocabulary.groupByDimensions)
const predicateSet: ReadonlySet<string> = new Set(Vocabulary.predicateDimensions)
const metricSet: ReadonlySet<string> = new Set(Vocabulary.metrics)
const sortSet: ReadonlySet<string> = new Set(Vocabulary.sortMetrics)

/** The most views one query may carry: "limited to 10 views in a single API call" [A7]. */
export const maxViews = 10

const APPROX_MONTH_MILLIS = 30 * Interval.DAY_MILLIS

const policy = (issues: Issues, setting: "error" | "warn", issue: RawIssue): void =>
  issues.add(issue, setting === "error" ? "error" : "warning")

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const checkNames = (
  issues: Issues,
  options: ValidatorOptions,
  list: unknown,
  path: string,
  known: ReadonlySet<string>,
  rule: "vocabulary.dimension" | "vocabulary.metric",
  what: string
) => {
  if (!Array.isArray(list)) return
  list.slice(0, options.maxArrayLength).forEach((name: unknown, i: number) => {
    if (typeof name !== "string" || known.has(name)) return
    const filterOnly = rule === "vocabulary.dimension" && predicateSet.has(name)
    policy(issues, options.unknownNames, {
      path: index(path, i),
      rule,
      message: filterOnly
        ? `"${name}" can be filtered on but not grouped by`
        : `"${shown(name)}" is not a known ${what}: if it is newer than this library, Genesys may still know it`,
      value: shown(name),
      suggestion: suggest(name, known)
    })
  })
}

const checkInterval = (issues: Issues, query: { readonly [key: string]: unknown }): number | undefined => {
  if (typeof query.interval !== "string") return undefined
  const parsed = Interval.parse(query.interval)
  if (Either.isLeft(parsed)) {
    issues.add({
      path: "$.interval",
      rule: parsed.left.rule,
      message: parsed.left.message,
      value: shown(query.interval)
    })
    return undefined
  }
  return parsed.right.endMillis - parsed.right.startMillis
}

const checkGranularity = (issues: Issues, granularity: unknown, intervalMillis: number | undefined) => {
  if (typeof granularity !== "string") return
  const duration = parseDuration(granularity)
  if (typeof duration === "string" || (duration.months === 0 && duration.millis === 0)) {
    issues.add({
      path: "$.granularity",
      rule: "aggregate.granularity",
      message:
        typeof duration === "string"
          ? `${duration} (e.g. P1D, PT30M)`
          : "is a zero duration; a granularity is an ISO-8601 duration such as P1D or PT30M",
      value: shown(granularity),
      suggestion: /^\d+[DWMY]$/i.test(granularity)
        ? `P${granularity.toUpperCase()}`
        : /^\d+[HMS]$/i.test(granularity)
          ? `PT${granularity.toUpperCase()}`
          : undefined
    })
    return
  }
  const approx = duration.months * APPROX_MONTH_MILLIS + duration.millis
  if (intervalMillis !== undefined && approx > intervalMillis + 3_600_000) {
    issues.add({
      path: "$.granularity",
      rule: "aggregate.granularity.interval",
      message: `${granularity} is longer than the interval: there will be a single, partial bucket`,
      value: granularity
    })
  }
}

const checkViews = (issues: Issues, options: ValidatorOptions, views: unknown) => {
  if (!Array.isArray(views)) return
  if (views.length > maxViews) {
    issues.add({
      path: "$.views",
      rule: "aggregate.views.count",
      message: `has ${views.length} views; Genesys allows at most ${maxViews} in one query (split it)`,
      value: views.length
    })
  }
  const names = new Map<string, number>()
  views.slice(0, options.maxArrayLength).forEach((view: unknown, i: number) => {
    if (!isObject(view)) return
    const path = index("$.views", i)
    if (typeof view.name === "string") {
      const earlier = names.get(view.name)
      if (metricSet.has(view.name) || earlier !== undefined) {
        issues.add({
          path: child(path, "name"),
          rule: "aggregate.views.name",
          message:
            earlier !== undefined
              ? `"${shown(view.name)}" is also the name of view ${earlier}; view names must be distinct`
              : `"${view.name}" is a built-in metric; a view needs a name of its own`,
          value: shown(view.name)
        })
      } else names.set(view.name, i)
    }
    if (typeof view.target === "string") {
      if (!metricSet.has(view.target)) {
        policy(issues, options.unknownNames, {
          path: child(path, "target"),
          rule: "vocabulary.metric",
          message: `"${shown(view.target)}" is not a known metric`,
          value: shown(view.target),
          suggestion: suggest(view.target, metricSet)
        })
      } else if (!view.target.startsWith("t") && String(view.function).toLowerCase() === "rangebound") {
        issues.add({
          path: child(path, "target"),
          rule: "aggregate.views.target",
          message: `"${view.target}" is not a timer metric; a rangeBound view targets a t… metric`,
          value: view.target
        })
      }
    }
    const range = isObject(view.range) ? view.range : undefined
    const bounded = range !== undefined && ["gte", "lt"].some((k) => range[k] !== undefined && range[k] !== null)
    if (String(view.function).toLowerCase() === "rangebound" && !bounded) {
      issues.add({
        path: child(path, "range"),
        rule: "aggregate.views.range",
        message: "a rangeBound view needs range.gte or range.lt (or both)"
      })
    }
  })
}

const checkQueryType = (issues: Issues, query: { readonly [key: string]: unknown }) => {
  const type = typeof query.queryType === "string" ? query.queryType.toLowerCase() : "groupby"
  const ordered = type === "topn" || type === "bottomn"
  const present = (key: string) => query[key] !== undefined && query[key] !== null
  for (const key of ["sortMetric", "limit"]) {
    if (!ordered && present(key)) {
      issues.add({
        path: child("$", key),
        rule: "aggregate.queryType",
        message: `${key} is only applicable to a topN or bottomN query; this one is groupBy`
      })
    }
  }
  if (ordered && !present("sortMetric") && Array.isArray(query.metrics) && query.metrics.length > 1) {
    issues.add({
      path: "$.sortMetric",
      rule: "aggregate.queryType",
      message: "a topN / bottomN query over several metrics requires sortMetric"
    })
  }
}

/** Every rule of an aggregates query (sync or job) on the raw input, after the structural walk. */
export const checkAggregateRules = (query: unknown, issues: Issues, options: ValidatorOptions): void => {
  if (!isObject(query)) return
  const intervalMillis = checkInterval(issues, query)
  checkGranularity(issues, query.granularity, intervalMillis)
  if (typeof query.timeZone === "string" && !isTimeZone(query.timeZone)) {
    issues.add({
      path: "$.timeZone",
      rule: "aggregate.timeZone",
      message: `"${shown(query.timeZone)}" is not an IANA time zone such as Europe/London or UTC`,
      value: shown(query.timeZone)
    })
  }
  if (Array.isArray(query.metrics) && query.metrics.length === 0) {
    issues.add({ path: "$.metrics", rule: "aggregate.metrics.empty", message: "names no metric: nothing is returned" })
  }
  checkNames(issues, options, query.groupBy, "$.groupBy", groupBySet, "vocabulary.dimension", "groupBy dimension")
  checkNames(issues, options, query.metrics, "$.metrics", metricSet, "vocabulary.metric", "metric")
  checkViews(issues, options, query.views)
  if (isObject(query.sortMetric) && typeof query.sortMetric.name === "string" && !sortSet.has(query.sortMetric.name)) {
    policy(issues, options.unknownNames, {
      path: "$.sortMetric.name",
      rule: "vocabulary.metric",
      message: metricSet.has(query.sortMetric.name)
        ? `"${query.sortMetric.name}" is a metric but not one a query can sort by`
        : `"${shown(query.sortMetric.name)}" is not a known sort metric`,
      value: shown(query.sortMetric.name),
      suggestion: suggest(query.sortMetric.name, sortSet)
    })
  }
  checkQueryType(issues, query)
  checkAggregateFilter(query.filter, issues, options)
}
