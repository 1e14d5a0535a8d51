// The aggregates rules of QueryValidator: required fields, interval and granularity grammar, the documented views
// limits, names outside the enums as warnings with "did you mean", the filter on the details' machinery, null as
// absent, every problem at once.
import { assert, describe, it } from "@effect/vitest"
import { QueryValidator } from "@effect-genesys/analytics"
import { Effect, Either } from "effect"

const interval = "2026-10-01T04:00:00.000Z/2026-11-01T04:00:00.000Z"

const errorsOf = (input: unknown, options?: Partial<QueryValidator.ValidatorOptions>) => {
  const checked = QueryValidator.checkAggregateQuery(input, options)
  return Either.isLeft(checked.result) ? checked.result.left.issues.map((i) => [i.path, i.rule] as const) : []
}

const warningsOf = (input: unknown) =>
  QueryValidator.checkAggregateQuery(input).warnings.map((w) => [w.path, w.rule, w.suggestion] as const)

describe("checkAggregateQuery", () => {
  it("the grouped daily query by wrap-up code passes without warnings, and what is sent drops its nulls", () => {
    const query = {
      interval,
      granularity: "P1D",
      timeZone: "America/New_York",
      groupBy: ["wrapUpCode"],
      metrics: ["nConnected", "tHandle"],
      filter: {
        type: "or",
        predicates: [
          { dimension: "wrapUpCode", value: "wrap-resolved-id" },
          { dimension: "wrapUpCode", value: "wrap-positive-id", range: null }
        ]
      },
      views: null
    }
    const checked = QueryValidator.checkAggregateQuery(query)
    assert.deepStrictEqual(checked.warnings, [])
    assert.isTrue(Either.isRight(checked.result))
    if (Either.isRight(checked.result)) {
      assert.notProperty(checked.result.right, "views")
      assert.deepStrictEqual(checked.result.right.filter?.predicates?.[1], {
        dimension: "wrapUpCode",
        value: "wrap-positive-id"
      })
    }
  })

  it("interval and metrics are required (null is absent), reported as aggregate.required, all at once", () => {
    assert.deepStrictEqual(errorsOf({ metrics: null, granularity: "1D", filter: { predicates: [] } }), [
      ["$.interval", "aggregate.required"],
      ["$.filter.type", "aggregate.required"],
      ["$.metrics", "aggregate.required"],
      ["$.granularity", "aggregate.granularity"]
    ])
    const granularity = QueryValidator.checkAggregateQuery({ interval, metrics: ["nConnected"], granularity: "1D" })
    assert.strictEqual(Either.isLeft(granularity.result) && granularity.result.left.issues[0]?.suggestion, "P1D")
  })

  it("interval grammar errors are the details' rules; no interval length limit is invented", () => {
    assert.deepStrictEqual(errorsOf({ interval: "2026-10-01", metrics: ["nConnected"] }), [
      ["$.interval", "interval.syntax"]
    ])
    assert.deepStrictEqual(errorsOf({ interval: "2026-11-01T00:00:00Z/2026-10-01T00:00:00Z", metrics: ["tHandle"] }), [
      ["$.interval", "interval.inverted"]
    ])
    // 400 days, 40 groupBy entries, 80 metrics and PT1M: nothing refused (FACTS-aggregates §4 found no limit).
    const big = {
      interval: "2025-01-01T00:00:00Z/2026-02-05T00:00:00Z",
      granularity: "PT1M",
      groupBy: [...Array(40)].map(() => "queueId"),
      metrics: ["nConnected", "tHandle", "nOffered", "tTalk", "tAcw", "tHeld", "nTransferred", "tAnswered"]
    }
    assert.deepStrictEqual(errorsOf(big), [])
  })

  it("unknown groupBy, metric and predicate names are warnings with did-you-mean; unknownNames: error refuses", () => {
    const query = {
      interval,
      groupBy: ["wrapupCode", "canonicalExternalContactId"],
      metrics: ["nAnswered", "tHandel"],
      filter: { type: "and", predicates: [{ dimension: "queueid", value: "q" }] }
    }
    assert.deepStrictEqual(warningsOf(query), [
      ["$.groupBy[0]", "vocabulary.dimension", "wrapUpCode"],
      ["$.groupBy[1]", "vocabulary.dimension", undefined],
      ["$.metrics[0]", "vocabulary.metric", "tAnswered"],
      ["$.metrics[1]", "vocabulary.metric", "tHandle"],
      ["$.filter.predicates[0].dimension", "vocabulary.dimension", "queueId"]
    ])
    assert.strictEqual(
      QueryValidator.checkAggregateQuery(query).warnings[1]?.message,
      '"canonicalExternalContactId" can be filtered on but not grouped by'
    )
    assert.strictEqual(errorsOf(query, { unknownNames: "error" }).length, 5)
  })

  it("the views limits of the official views page are errors", () => {
    const view = (name: string, target = "tAbandon", range: unknown = { gte: 5000, lt: 10000 }) => ({
      target,
      name,
      function: "rangeBound",
      range
    })
    const views = [
      view("tHandle"),
      view("short"),
      view("short"),
      view("count", "nOffered"),
      view("open", "tTalk", {}),
      ...[...Array(6)].map((_, i) => view(`v${i}`))
    ]
    assert.deepStrictEqual(errorsOf({ interval, metrics: ["tAbandon"], views }), [
      ["$.views", "aggregate.views.count"],
      ["$.views[0].name", "aggregate.views.name"],
      ["$.views[2].name", "aggregate.views.name"],
      ["$.views[3].target", "aggregate.views.target"],
      ["$.views[4].range", "aggregate.views.range"]
    ])
    // The official example passes; range values sent as strings (developer-tools #36) are coerced with a warning.
    const official = { interval, metrics: ["tAbandon"], views: [view("tKindOfShortAbandon")] }
    assert.deepStrictEqual(errorsOf(official), [])
    const strings = {
      interval,
      metrics: ["tAbandon"],
      views: [view("name", "tAbandon", { gte: "300000", lt: "600000" })]
    }
    assert.deepStrictEqual(
      warningsOf(strings).map(([, rule]) => rule),
      ["type.coerced", "type.coerced"]
    )
  })

  it("shape and consistency findings that no source shows refused are warnings", () => {
    const query = {
      interval,
      granularity: "P3M",
      timeZone: "Mars/Olympus",
      metrics: [],
      limit: 5,
      pageSize: 100,
      paging: { pageSize: 10 },
      filter: { type: "AND", predicates: [{ dimension: "mediaType", value: "Voise" }] }
    }
    assert.deepStrictEqual(errorsOf(query), [])
    assert.deepStrictEqual(
      warningsOf(query).map(([path, rule]) => [path, rule]),
      [
        ["$.filter.type", "enum.case"],
        ["$.pageSize", "unknownKey"],
        ["$.paging", "unknownKey"],
        ["$.granularity", "aggregate.granularity.interval"],
        ["$.timeZone", "aggregate.timeZone"],
        ["$.metrics", "aggregate.metrics.empty"],
        ["$.limit", "aggregate.queryType"],
        ["$.filter.predicates[0].value", "vocabulary.value"]
      ]
    )
    // A job takes pageSize; topN over several metrics without sortMetric is a warning.
    const job = QueryValidator.checkAsyncAggregateQuery({
      interval,
      metrics: ["nOffered", "tHandle"],
      pageSize: 100,
      queryType: "topN"
    })
    assert.isTrue(Either.isRight(job.result))
    assert.deepStrictEqual(
      job.warnings.map((w) => [w.path, w.rule]),
      [["$.sortMetric", "aggregate.queryType"]]
    )
  })

  it("closed enums refuse what matches in no case; strict turns warnings into errors", () => {
    assert.deepStrictEqual(
      errorsOf({ interval, metrics: ["nOffered"], queryType: "top", filter: { type: "xor", predicates: [] } }),
      [
        ["$.filter.type", "enum"],
        ["$.queryType", "enum"]
      ]
    )
    assert.deepStrictEqual(errorsOf({ interval, metrics: ["nAnswered"] }, { strict: true }), [
      ["$.metrics[0]", "vocabulary.metric"]
    ])
  })

  it.effect("validateAggregateQuery fails QueryInvalid naming the fields", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(QueryValidator.validateAggregateQuery('{"granularity":"P1D"}'))
      assert.strictEqual(error._tag, "QueryInvalid")
      assert.deepStrictEqual(
        error.issues.map((i) => [i.path, i.rule, i.message]),
        [
          ["$.interval", "aggregate.required", "ConversationAggregationQuery requires interval"],
          ["$.metrics", "aggregate.required", "ConversationAggregationQuery requires metrics"]
        ]
      )
      const ok = yield* QueryValidator.validateAsyncAggregateQuery({ interval, metrics: ["nConnected"], pageSize: 50 })
      assert.strictEqual(ok.pageSize, 50)
    })
  )
})
