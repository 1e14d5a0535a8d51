import { assert, describe, it } from "@effect/vitest"
import * as Query from "@effect-genesys/analytics/ConversationQuery"
import * as Record from "@effect-genesys/analytics/ConversationRecord"
import * as QueryValidator from "@effect-genesys/analytics/QueryValidator"
import { Either, FastCheck as fc } from "effect"

const DAY = 86_400_000

// Dimensions whose values the validator knows; the arbitrary picks a known value for them.
const knownValues: { readonly [dimension: string]: ReadonlyArray<string> } = {
  originatingDirection: Record.AnalyticsConversationOriginatingDirectionValues,
  conversationInitiator: Record.AnalyticsConversationConversationInitiatorValues,
  direction: Record.AnalyticsSessionDirectionValues,
  mediaType: Record.AnalyticsSessionMediaTypeValues,
  purpose: Record.AnalyticsParticipantPurposeValues,
  segmentType: Record.AnalyticsConversationSegmentSegmentTypeValues,
  disconnectType: Record.AnalyticsConversationSegmentDisconnectTypeValues,
  requestedRouting: Record.AnalyticsSessionRequestedRoutingsValues,
  usedRouting: Record.AnalyticsSessionUsedRoutingValues,
  deliveryStatus: Record.AnalyticsSessionDeliveryStatusValues,
  engagementSource: Record.AnalyticsSessionEngagementSourceValues,
  flaggedReason: Record.AnalyticsParticipantFlaggedReasonValues,
  evaluationStatus: Record.AnalyticsEvaluationEvaluationStatusValues,
  surveyType: Record.AnalyticsSurveySurveyTypeValues
}

const word = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9 _.:@-]{0,30}$/)

const range = fc
  .tuple(
    fc.integer({ min: 0, max: 1000 }),
    fc.integer({ min: 1, max: 1000 }),
    fc.boolean(),
    fc.boolean(),
    fc.integer({ min: 0, max: 3 })
  )
  .map(([low, width, strictLow, strictHigh, shape]) => {
    const lower = strictLow ? { gt: low } : { gte: low }
    const upper = strictHigh ? { lt: low + width } : { lte: low + width }
    return shape === 0 ? lower : shape === 1 ? upper : { ...lower, ...upper }
  })

const withType = (type: string) => (p: object) => fc.boolean().map((explicit) => (explicit ? { type, ...p } : p))

const dimensionPredicate = (dimensions: ReadonlyArray<string>) =>
  fc.constantFrom(...dimensions).chain((dimension) =>
    fc
      .oneof(
        (knownValues[dimension] ? fc.constantFrom(...knownValues[dimension]!) : word).map((value) => ({
          dimension,
          value
        })),
        fc.constantFrom("exists", "notExists").map((operator) => ({ dimension, operator })),
        (knownValues[dimension] ? fc.constantFrom(...knownValues[dimension]!) : word).map((value) => ({
          dimension,
          operator: "matches",
          value
        }))
      )
      .chain(withType("dimension"))
  )

const metricPredicate = (metrics: ReadonlyArray<string>) =>
  fc.tuple(fc.constantFrom(...metrics), range).chain(([metric, r]) => withType("metric")({ metric, range: r }))

const propertyPredicate = fc
  .tuple(word, fc.constantFrom("bool", "integer", "real", "date", "string", "uuid"), word)
  .chain(([property, propertyType, value]) => withType("property")({ property, propertyType, value }))

const predicateOf: { readonly [kind: string]: fc.Arbitrary<object> } = {
  conversation: fc.oneof(dimensionPredicate(Query.conversationDimensions), metricPredicate(Query.conversationMetrics)),
  segment: fc.oneof(
    dimensionPredicate(Query.segmentDimensions),
    metricPredicate(Query.segmentMetrics),
    propertyPredicate
  ),
  evaluation: fc.oneof(dimensionPredicate(Query.evaluationDimensions), metricPredicate(Query.evaluationMetrics)),
  survey: fc.oneof(dimensionPredicate(Query.surveyDimensions), metricPredicate(Query.surveyMetrics)),
  resolution: metricPredicate(Query.resolutionMetrics)
}

const boolType = fc.constantFrom("and", "or")

const filterOf = (kind: string) => {
  const predicate = predicateOf[kind]!
  const clause = fc.record({ type: boolType, predicates: fc.array(predicate, { minLength: 1, maxLength: 3 }) })
  return fc
    .record(
      {
        type: boolType,
        predicates: fc.array(predicate, { minLength: 1, maxLength: 3 }),
        clauses: fc.array(clause, { minLength: 1, maxLength: 2 })
      },
      { requiredKeys: ["type"] }
    )
    .filter((f) => "predicates" in f || "clauses" in f)
}

const filters = fc.record(
  Object.fromEntries(
    ["conversation", "segment", "evaluation", "survey", "resolution"].map((kind) => [
      `${kind}Filters`,
      fc.array(filterOf(kind), { minLength: 1, maxLength: 2 })
    ])
  ),
  { requiredKeys: [] }
)

const intervalText = (maxDays: number) =>
  fc
    .tuple(
      fc.integer({ min: Date.UTC(2015, 0, 1), max: Date.UTC(2035, 0, 1) }),
      fc.integer({ min: 1, max: maxDays * DAY }),
      fc.boolean()
    )
    .map(([start, length, asDuration]) =>
      asDuration
        ? `${new Date(start).toISOString()}/PT${Math.floor(length / 1000) || 1}S`
        : `${new Date(start).toISOString()}/${new Date(start + length).toISOString()}`
    )

const common = {
  order: fc.constantFrom("asc", "desc", "unordered"),
  orderBy: fc.constantFrom("conversationStart", "conversationEnd", "segmentStart", "segmentEnd")
}

const aggregation = fc.oneof(
  fc.record(
    {
      type: fc.constant("termFrequency"),
      dimension: fc.constantFrom(...Query.segmentDimensions),
      size: fc.integer({ min: 1, max: 100 })
    },
    { requiredKeys: ["dimension"] }
  ),
  fc.record({
    type: fc.constant("numericRange"),
    metric: fc.constantFrom(...Query.conversationMetrics),
    ranges: fc.array(
      fc
        .tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }))
        .map(([g, w]) => ({ gte: g, lt: g + w })),
      { minLength: 1, maxLength: 3 }
    )
  })
)

const paging = fc.integer({ min: 1, max: 100 }).chain((pageSize) =>
  fc.record({
    pageSize: fc.constant(pageSize),
    pageNumber: fc.integer({ min: 1, max: Math.floor(100_000 / pageSize) })
  })
)

/** Arbitrary sync queries that Genesys accepts. */
export const validQuery = filters.chain((f) => {
  const filtered = Object.keys(f).length > 0
  return fc
    .record(
      { ...common, paging, aggregations: fc.array(aggregation, { minLength: 1, maxLength: 2 }) },
      { requiredKeys: [] }
    )
    .chain((rest) => intervalText(filtered ? 31 : 7).map((interval) => ({ interval, ...f, ...rest })))
})

/** Arbitrary job queries that Genesys accepts. */
export const validJob = fc
  .tuple(
    filters,
    fc.record(
      { ...common, limit: fc.integer({ min: 1, max: 1_000_000 }), startOfDayIntervalMatching: fc.boolean() },
      { requiredKeys: [] }
    ),
    intervalText(120)
  )
  .map(([f, rest, interval]) => ({ interval, ...f, ...rest }))

const issuesOf = (result: QueryValidator.Check<unknown>) =>
  Either.isLeft(result.result)
    ? result.result.left.issues.map((i) => ({ path: i.path, rule: i.rule, suggestion: i.suggestion }))
    : []

/** Errors and warnings together, each with its severity. */
const findingsOf = (result: QueryValidator.Check<unknown>) => [
  ...issuesOf(result).map((i) => ({ ...i, severity: "error" })),
  ...result.warnings.map((i) => ({ path: i.path, rule: i.rule, suggestion: i.suggestion, severity: "warning" }))
]

describe("QueryValidator properties", () => {
  it.prop("generated valid sync queries pass unchanged", [validQuery], ([query]) => {
    const checked = QueryValidator.checkQuery(query)
    assert.deepStrictEqual(issuesOf(checked), [])
    assert.deepStrictEqual(Either.getOrThrow(checked.result), query as never)
  })

  it.prop("generated valid job queries pass unchanged", [validJob], ([query]) => {
    const checked = QueryValidator.checkAsyncQuery(query)
    assert.deepStrictEqual(issuesOf(checked), [])
    assert.deepStrictEqual(Either.getOrThrow(checked.result), query as never)
  })

  it.prop("the same queries pass as JSON text", [validQuery], ([query]) => {
    assert.isTrue(Either.isRight(QueryValidator.checkQuery(JSON.stringify(query)).result))
  })

  // Each mutation takes a valid query with a segment filter whose first predicate is `{ dimension: "queueId", value: "q1" }`
  // and breaks one rule; the report must contain that rule at that path with its severity (an error only where the
  // platform is known to refuse, FACTS §7b), and, for names, the suggestion. With `strict`, every finding is an error.
  type Mutation = readonly [
    name: string,
    mutate: (q: any, at: string) => void,
    path: (at: string, q: any) => string,
    rule: string,
    severity: "error" | "warning",
    suggestion?: string
  ]
  const target = (q: any) => q.segmentFilters[q.segmentFilters.length - 1].predicates[0]
  const mutations: ReadonlyArray<Mutation> = [
    [
      "unknown top-level key",
      (q) => (q.segmentFilter = q.segmentFilters),
      () => "$.segmentFilter",
      "unknownKey",
      "warning",
      "segmentFilters"
    ],
    [
      "unknown predicate key",
      (q) => (target(q).dimenson = "queueId"),
      (at) => `${at}.dimenson`,
      "unknownKey",
      "warning",
      "dimension"
    ],
    ["wrong enum case", (q) => (q.order = "DESC"), () => "$.order", "enum.case", "warning", "desc"],
    ["wrong enum", (q) => (q.order = "descending"), () => "$.order", "enum", "error"],
    [
      "wrong filter type enum",
      (q) => (q.segmentFilters[q.segmentFilters.length - 1].type = "nor"),
      (at) => at.replace(/\.predicates\[0\]$/, ".type"),
      "enum",
      "error",
      "or"
    ],
    ["bad interval", (q) => (q.interval = "2026-11-01T00:00:00Z"), () => "$.interval", "interval.syntax", "error"],
    [
      "unparseable date",
      (q) => (q.interval = "2026-11-31T00:00:00Z/P1D"),
      () => "$.interval",
      "interval.start",
      "error"
    ],
    [
      "inverted interval",
      (q) => (q.interval = "2026-11-08T00:00:00Z/2026-11-01T00:00:00Z"),
      () => "$.interval",
      "interval.inverted",
      "error"
    ],
    [
      "empty interval",
      (q) => (q.interval = "2026-11-01T00:00:00Z/PT0S"),
      () => "$.interval",
      "interval.empty",
      "warning"
    ],
    [
      "too long interval",
      (q) => (q.interval = "2026-11-01T00:00:00Z/P32D"),
      () => "$.interval",
      "interval.maxDays",
      "error"
    ],
    [
      "pageSize out of range",
      (q) => (q.paging = { pageSize: 201, pageNumber: 1 }),
      () => "$.paging.pageSize",
      "paging.pageSize",
      "error"
    ],
    [
      "pageSize zero",
      (q) => (q.paging = { pageSize: 0, pageNumber: 1 }),
      () => "$.paging.pageSize",
      "paging.pageSize.positive",
      "warning"
    ],
    [
      "deep paging",
      (q) => (q.paging = { pageSize: 100, pageNumber: 1001 }),
      () => "$.paging",
      "paging.maxResults",
      "error"
    ],
    ["wrong type", (q) => (q.paging = { pageSize: [100], pageNumber: 1 }), () => "$.paging.pageSize", "type", "error"],
    [
      "integer as text",
      (q) => (q.paging = { pageSize: "100", pageNumber: 1 }),
      () => "$.paging.pageSize",
      "type.coerced",
      "warning"
    ],
    [
      "missing required",
      (q) => delete q.segmentFilters[q.segmentFilters.length - 1].type,
      (at) => at.replace(/\.predicates\[0\]$/, ".type"),
      "required",
      "error"
    ],
    [
      "dimension and metric",
      (q) => (target(q).metric = "tSegmentDuration"),
      (at) => at,
      "predicate.subject",
      "warning"
    ],
    ["no subject", (q) => delete target(q).dimension, (at) => at, "predicate.subject", "warning"],
    [
      "exists with value",
      (q) => (target(q).operator = "exists"),
      (at) => `${at}.value`,
      "predicate.operandForbidden",
      "warning"
    ],
    ["matches without value", (q) => delete target(q).value, (at) => at, "predicate.operandRequired", "warning"],
    ["value and range", (q) => (target(q).range = { gte: 1 }), (at) => at, "predicate.operandConflict", "warning"],
    [
      "misspelled dimension",
      (q) => (target(q).dimension = "queueID"),
      (at) => `${at}.dimension`,
      "vocabulary.dimension",
      "warning",
      "queueId"
    ],
    [
      "dimension of another filter kind",
      (q) => (target(q).dimension = "conversationStart"),
      (at) => `${at}.dimension`,
      "vocabulary.dimension",
      "warning"
    ],
    [
      "unknown dimension value",
      (q) => Object.assign(target(q), { dimension: "mediaType", value: "voise" }),
      (at) => `${at}.value`,
      "vocabulary.value",
      "warning",
      "voice"
    ],
    [
      "type not matching subject",
      (q) => (target(q).type = "metric"),
      (at) => `${at}.type`,
      "predicate.type",
      "warning"
    ],
    [
      "property without propertyType",
      (q) => Object.assign(target(q), { dimension: undefined, property: "x" }),
      (at) => `${at}.propertyType`,
      "predicate.propertyType",
      "warning"
    ],
    [
      "inverted range",
      (q) => Object.assign(target(q), { value: undefined, range: { gt: 5, lt: 5 } }),
      (at) => `${at}.range`,
      "range.inverted",
      "warning"
    ],
    [
      "nested clauses",
      (q) =>
        (q.segmentFilters[0].clauses = [
          { type: "and", predicates: [{ dimension: "queueId", value: "q" }], clauses: [] }
        ]),
      () => "$.segmentFilters[0].clauses[0].clauses",
      "nesting.depth",
      "warning"
    ],
    [
      "empty filter",
      (q) => (q.conversationFilters = [...(q.conversationFilters ?? []), { type: "and" }]),
      (_, q) => `$.conversationFilters[${q.conversationFilters.length - 1}]`,
      "filter.empty",
      "warning"
    ],
    [
      "too many predicates",
      (q) =>
        (q.conversationFilters = [
          { type: "or", predicates: Array.from({ length: 1001 }, () => ({ dimension: "conversationId", value: "c" })) }
        ]),
      () => "$",
      "count.predicates",
      "warning"
    ]
  ]

  const withTarget = validQuery.map((q: any) => {
    const query = structuredClone(q)
    query.segmentFilters = [
      ...(query.segmentFilters ?? []),
      { type: "and", predicates: [{ dimension: "queueId", value: "q1" }] }
    ]
    return { query, at: `$.segmentFilters[${query.segmentFilters.length - 1}].predicates[0]` }
  })

  for (const [name, mutate, path, rule, severity, suggestion] of mutations) {
    it.prop(
      `reports: ${name} (${severity})`,
      [withTarget],
      ([{ query, at }]) => {
        mutate(query, at)
        for (const key of Object.keys(target(query))) if (target(query)[key] === undefined) delete target(query)[key]
        const checked = QueryValidator.checkQuery(query)
        const findings = findingsOf(checked)
        const found = findings.find((i) => i.path === path(at, query) && i.rule === rule)
        assert.isDefined(found, `expected ${rule} at ${path(at, query)}, got ${JSON.stringify(findings)}`)
        assert.strictEqual(found!.severity, severity, `${rule} is ${found!.severity}`)
        if (suggestion !== undefined) assert.strictEqual(found!.suggestion, suggestion)
        if (severity === "warning" && findings.every((f) => f.severity === "warning")) {
          assert.isTrue(Either.isRight(checked.result), "a query with warnings only is sent")
        }
        const strict = findingsOf(QueryValidator.checkQuery(query, { strict: true }))
        assert.isTrue(strict.some((i) => i.path === path(at, query) && i.rule === rule && i.severity === "error"))
      },
      { fastCheck: { numRuns: 25 } }
    )
  }

  it.prop("rejects an unfiltered sync query longer than 7 days", [fc.integer({ min: 8, max: 31 })], ([days]) => {
    const issues = issuesOf(QueryValidator.checkQuery({ interval: `2026-11-01T00:00:00Z/P${days}D` }))
    assert.deepStrictEqual(
      issues.map((i) => i.rule),
      ["interval.maxDays"]
    )
  })

  it.prop("job mutations: non-positive limit, paging", [validJob, fc.integer({ min: -5, max: 0 })], ([job, limit]) => {
    assert.deepInclude(findingsOf(QueryValidator.checkAsyncQuery({ ...job, limit })), {
      path: "$.limit",
      rule: "limit.positive",
      suggestion: undefined,
      severity: "warning"
    })
    assert.deepInclude(findingsOf(QueryValidator.checkAsyncQuery({ ...job, paging: { pageSize: 1, pageNumber: 1 } })), {
      path: "$.paging",
      rule: "unknownKey",
      suggestion: undefined,
      severity: "warning"
    })
  })

  it.prop("never throws and always answers on arbitrary JSON-ish input", [fc.anything()], ([input]) => {
    const checked = QueryValidator.checkQuery(input)
    assert.isTrue(Either.isLeft(checked.result) || Either.isRight(checked.result))
  })
})
