// Every rule the query validator can report, with its severity and the evidence behind it. A rule is an error only
// when a source shows the platform refuses the shape (a FACTS source id, an SDK model constraint or a documented
// 400); everything else is a warning, because a validator stricter than Genesys makes users turn validation off.
// docs/querying.md carries the same table, and a test keeps the two equal.

/** How a rule reports by default: `policy` rules follow `ValidatorOptions.unknownNames` / `unknownValues`. */
export type Severity = "error" | "warning" | "policy"

/** One rule: what it checks, how it reports, and why. */
export interface RuleSpec {
  readonly checks: string
  readonly severity: Severity
  readonly source: string
}

const rule = (severity: Severity, checks: string, source: string): RuleSpec => ({ checks, severity, source })

/** The catalog, keyed by the stable rule id that `QueryIssue.rule` carries. */
export const catalog = {
  "json.malformed": rule("error", "a string input that is not JSON", "the body is JSON (`application/json`) [S1]"),
  "json.tooLarge": rule(
    "error",
    "a string input longer than `maxInputLength`",
    "413 `request.entity.too.large` [S18]; the length is this library's bound on work"
  ),
  "input.unreadable": rule(
    "error",
    "an object whose getters throw; an unknown key whose value is not plain, bounded JSON",
    "it cannot be serialised into a body"
  ),
  type: rule("error", "a value of the wrong JSON type", "SDK model field types [S2]"),
  "integer.int32": rule("error", "an integer outside 32 bits", "SDK model `int32` fields [S2]"),
  "type.coerced": rule(
    "warning",
    'text that Genesys coerces: `"100"` for an integer or number, `"true"` / `"false"` for a boolean (sent coerced)',
    'none: a Genesys blueprint sends `"pageSize": "100"` (real-bodies.json)'
  ),
  required: rule(
    "error",
    "a required key missing (or `null`)",
    "SDK model required fields [S2]: `interval`; filter and clause `type`; clause `predicates`; paging `pageSize`, `pageNumber`"
  ),
  enum: rule(
    "error",
    "a closed enum name that matches no value in any case (`type`, `operator`, `order`, `orderBy`, `propertyType`, aggregation `type`)",
    "SDK model enums [S2]"
  ),
  "enum.case": rule(
    "warning",
    'a closed enum name in another case (`"AND"`)',
    "none: the Python SDK accepts any case [S22], the server is not documented"
  ),
  "interval.syntax": rule("error", "the interval is not `start/end`", "ISO-8601 interval, required [S2][S7]"),
  "interval.start": rule("error", "the start is not an ISO-8601 date-time", "ISO-8601 interval [S2][S7]"),
  "interval.end": rule("error", "the end is not an ISO-8601 date-time", "ISO-8601 interval [S2][S7]"),
  "interval.duration": rule("error", "a malformed ISO-8601 duration", "ISO-8601 interval [S2][S7]"),
  "interval.range": rule("error", "a date outside the representable range", "ISO-8601 interval [S2][S7]"),
  "interval.timeZone": rule("error", "an unknown IANA zone (builder only)", "IANA time-zone database"),
  "interval.inverted": rule("error", "the end before the start", "ISO-8601: an interval's end follows its start [S7]"),
  "interval.empty": rule("warning", "start equal to end", "none: an empty interval matches nothing"),
  "interval.maxDays": rule(
    "error",
    "a sync query longer than 7 days without a filter or 31 days with one (`maxDaysUnfiltered`, `maxDaysFiltered`); a job longer than `maxJobDays` when set",
    '[S7] official detail-query page; 400 "You must specify a search interval as part of your query that does not exceed N days" [S12]'
  ),
  "paging.maxResults": rule(
    "error",
    "`pageSize × pageNumber` above `maxResults` (100 000)",
    '400 "Pagination may not exceed 100000 results." [S12]'
  ),
  "paging.pageSize": rule(
    "error",
    "`pageSize` above `maxPageSize` (default 200)",
    "FACTS §8: the sync page size is capped [S6]; 200 is the largest size evidenced [S20], so it is the default"
  ),
  "paging.pageSize.positive": rule("warning", "`pageSize` below 1", "none documented"),
  "paging.pageNumber": rule("warning", "`pageNumber` below 1", "none documented"),
  "limit.positive": rule("warning", "a job `limit` below 1", "none documented"),
  unknownKey: rule(
    "warning",
    "a key the Genesys definition does not have (with a did-you-mean)",
    "none: no documented 400 for unknown fields (FACTS §7b)"
  ),
  "nesting.depth": rule(
    "warning",
    "clauses inside a clause, predicates inside a predicate",
    "none documented; the model has no such keys [S2]"
  ),
  "filter.empty": rule("warning", "a filter without predicates or clauses", "none: production code sends one [S23]"),
  "clause.empty": rule("warning", "a clause with an empty `predicates`", "none documented (FACTS §7b)"),
  "predicate.subject": rule(
    "warning",
    "a predicate with no left-hand side, or with several",
    "none documented (FACTS §7b)"
  ),
  "predicate.type": rule(
    "warning",
    "an explicit `type` that differs from the left-hand side",
    "none documented: `type` is optional and inferred [S2]"
  ),
  "predicate.propertyType": rule(
    "warning",
    "`property` without `propertyType` or the reverse",
    "none documented: both are optional [S2]"
  ),
  "predicate.operandRequired": rule("warning", "`matches` with neither value nor range", "none documented (FACTS §7b)"),
  "predicate.operandConflict": rule("warning", "both `value` and `range`", "none documented"),
  "predicate.operandForbidden": rule(
    "warning",
    "a value or range given to `exists` / `notExists`",
    "none documented; `null` is absent [S21]"
  ),
  "range.empty": rule("warning", "a range with no bound", "none documented"),
  "range.conflict": rule("warning", "`gt` with `gte`, or `lt` with `lte`", "none documented (FACTS §7b)"),
  "range.inverted": rule("warning", "a range that no number satisfies", "none documented (FACTS §7b)"),
  "vocabulary.dimension": rule(
    "policy",
    "a dimension name this library does not know for the filter kind (`unknownNames`, default warning)",
    "SDK model enums [S2], which grow every release [S22]"
  ),
  "vocabulary.metric": rule(
    "policy",
    "a metric name this library does not know for the filter kind (`unknownNames`, default warning)",
    "SDK model enums [S2], which grow every release [S22]"
  ),
  "vocabulary.value": rule(
    "policy",
    "a value outside the known values of an enumerated dimension, compared ignoring case (`unknownValues`, default warning)",
    "none: `value` is a free string in every SDK model [S2][S7]"
  ),
  "aggregation.subject": rule(
    "warning",
    "an aggregation without its dimension/metric, or with the other kind's keys",
    "none documented: every aggregation key is optional [S2]"
  ),
  "aggregation.size": rule("warning", "a `termFrequency` size below 1", "none documented"),
  "aggregation.ranges": rule("warning", "a `numericRange` aggregation without ranges", "none documented"),
  "string.tooLong": rule("warning", "a string longer than `maxStringLength`", "none: this library's bound"),
  "count.array": rule(
    "warning",
    "an array longer than `maxArrayLength` (the rest is not checked)",
    "none: this library's bound"
  ),
  "count.filters": rule("warning", "more filters than `maxFilters`", "none: the real limit is unknown (FACTS §8)"),
  "count.clauses": rule("warning", "more clauses than `maxClauses`", "none: the real limit is unknown (FACTS §8)"),
  "count.predicates": rule(
    "warning",
    "more predicates than `maxPredicates`",
    "none: the real limit is unknown (FACTS §8)"
  ),
  schema: rule("error", "anything the Schemas refuse that the checks above missed", "SDK models [S2]"),
  "issues.truncated": rule("error", "the summary of problems beyond `maxIssues`", "it stands for errors not listed"),
  // Aggregates queries (ConversationAggregationQuery / ConversationAsyncAggregationQuery); they share every rule
  // above that applies to their shape (type, enum, enum.case, unknownKey, interval.*, filter, clause, predicate,
  // range, vocabulary, count rules). Sources [A#] are FACTS-aggregates.md's.
  "aggregate.required": rule(
    "error",
    "an aggregates query without `interval` or `metrics` (or with `null`); a filter or clause without `type`, a clause without `predicates`; a view without `target`, `name` or `function`; a sort without `name` or `function`",
    "SDK model required fields [A1][A3]"
  ),
  "aggregate.metrics.empty": rule(
    "warning",
    "an empty `metrics` list",
    "none documented: `metrics` is required [A1], an empty list was not observed"
  ),
  "aggregate.granularity": rule(
    "error",
    "a `granularity` that is not an ISO-8601 duration",
    "ISO-8601 duration, e.g. `P1D` or `P1DT12H` [A2]"
  ),
  "aggregate.granularity.interval": rule(
    "warning",
    "a `granularity` longer than the interval",
    "none: granularity rules are NOT FOUND (FACTS-aggregates §4)"
  ),
  "aggregate.timeZone": rule(
    "warning",
    "a `timeZone` that is not an IANA zone this runtime knows",
    "none documented: an IANA name such as `Europe/London` [A2]"
  ),
  "aggregate.views.count": rule("error", "more than 10 views", '"limited to 10 views in a single API call" [A7]'),
  "aggregate.views.name": rule(
    "error",
    "a view name equal to a built-in metric or to another view's",
    '"Must be distinct from other views and built-in metric names" [A1][A7]'
  ),
  "aggregate.views.target": rule(
    "error",
    "a `rangeBound` view whose target is a known metric that is not a timer (`t…`)",
    '"Range bound target metrics are limited to timer metric" [A7]'
  ),
  "aggregate.views.range": rule(
    "error",
    "a `rangeBound` view without `range.gte` or `range.lt`",
    "at least one bound is required [A7]"
  ),
  "aggregate.queryType": rule(
    "warning",
    "`sortMetric` or `limit` without `topN` / `bottomN`; `topN` / `bottomN` with several metrics and no `sortMetric`",
    "none: the model says applicable / required [A2]; the runtime behaviour is UNCERTAIN (FACTS-aggregates §5.8)"
  ),
  "aggregate.maxSpan": rule(
    "error",
    "a bucket longer than the caller's `maxSpan`, so the interval cannot be split on bucket boundaries",
    "the caller's `maxSpan` option (no platform limit is documented, FACTS-aggregates §4)"
  )
} as const satisfies { readonly [id: string]: RuleSpec }

/** A rule id of the catalog. */
export type RuleId = keyof typeof catalog

/** The spec of a rule id; an id outside the catalog is a programming error reported as an error. */
export const specOf = (id: string): RuleSpec =>
  (catalog as { readonly [id: string]: RuleSpec })[id] ?? rule("error", id, "unlisted rule")
