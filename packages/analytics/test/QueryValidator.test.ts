import { assert, describe, it } from "@effect/vitest"
import { QueryInvalid } from "@effect-genesys/analytics/GenesysError"
import * as QueryValidator from "@effect-genesys/analytics/QueryValidator"
import { Effect, Either, Logger } from "effect"

const week = "2026-11-01T00:00:00.000Z/2026-11-08T00:00:00.000Z"

const issues = (input: unknown, options?: Partial<QueryValidator.ValidatorOptions>) => {
  const result = QueryValidator.checkQuery(input, options).result
  return Either.isLeft(result) ? result.left.issues : []
}
const rules = (input: unknown, options?: Partial<QueryValidator.ValidatorOptions>) =>
  issues(input, options).map((i) => `${i.path} ${i.rule}`)
/** Errors and warnings, as `path rule severity`. */
const findings = (input: unknown, options?: Partial<QueryValidator.ValidatorOptions>) => {
  const checked = QueryValidator.checkQuery(input, options)
  return [
    ...(Either.isLeft(checked.result) ? checked.result.left.issues : []).map((i) => `${i.path} ${i.rule} error`),
    ...checked.warnings.map((i) => `${i.path} ${i.rule} warning`)
  ]
}

describe("QueryValidator", () => {
  it.effect("returns the decoded query when valid", () =>
    Effect.gen(function* () {
      const query = {
        interval: week,
        segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }],
        paging: { pageSize: 100, pageNumber: 1 }
      }
      assert.deepStrictEqual(yield* QueryValidator.validateQuery(query), query as never)
      assert.deepStrictEqual(yield* QueryValidator.validateQuery(JSON.stringify(query)), query as never)
    })
  )

  it.effect("fails with one QueryInvalid listing every problem, with paths, values and suggestions", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        QueryValidator.validateQuery(
          {
            interval: "2026-11-08T00:00:00Z/2026-11-01T00:00:00Z",
            segmentFilter: [],
            order: "Asc",
            segmentFilters: [{ type: "and", predicates: [{ dimension: "wrapupCode", value: "x" }] }],
            paging: { pageSize: 500, pageNumber: 1 }
          },
          { strict: true }
        )
      )
      assert.instanceOf(error, QueryInvalid)
      assert.deepStrictEqual(
        error.issues.map((i) => [i.path, i.rule, i.value, i.suggestion]),
        [
          ["$.order", "enum.case", "Asc", "asc"],
          ["$.segmentFilter", "unknownKey", undefined, "segmentFilters"],
          ["$.segmentFilters[0].predicates[0].dimension", "vocabulary.dimension", "wrapupCode", "wrapUpCode"],
          ["$.interval", "interval.inverted", "2026-11-08T00:00:00Z/2026-11-01T00:00:00Z", undefined],
          ["$.paging.pageSize", "paging.pageSize", 500, undefined]
        ]
      )
      assert.include(error.message, "Query is invalid (5 problems)")
      assert.include(error.message, '$.segmentFilter: ConversationQuery has no key "segmentFilter"')
      assert.include(error.message, '(did you mean "segmentFilters"?)')
    })
  )

  it("without strict, only rules with a source of a platform refusal fail; the rest are warnings", () => {
    const query = {
      interval: "2026-11-08T00:00:00Z/2026-11-01T00:00:00Z",
      segmentFilter: [],
      order: "Asc",
      segmentFilters: [{ type: "and", predicates: [{ dimension: "wrapupCode", value: "x" }] }],
      paging: { pageSize: 500, pageNumber: 1 }
    }
    assert.deepStrictEqual(findings(query), [
      "$.interval interval.inverted error",
      "$.paging.pageSize paging.pageSize error",
      "$.order enum.case warning",
      "$.segmentFilter unknownKey warning",
      "$.segmentFilters[0].predicates[0].dimension vocabulary.dimension warning"
    ])
  })

  it("reports wrong JSON types at every level", () => {
    assert.deepStrictEqual(rules(42), ["$ type"])
    assert.deepStrictEqual(rules(null), ["$ type"])
    assert.deepStrictEqual(rules([]), ["$ type"])
    assert.deepStrictEqual(rules({}), ["$.interval required"])
    assert.deepStrictEqual(
      rules({
        interval: 7,
        segmentFilters: {},
        conversationFilters: [{ type: "and", predicates: [{ dimension: "conversationId", value: 1 }] }],
        paging: { pageSize: 1.5, pageNumber: 2 ** 40 },
        aggregations: [{ type: "termFrequency", dimension: "queueId", size: "12" }]
      }),
      [
        "$.conversationFilters[0].predicates[0].value type",
        "$.segmentFilters type",
        "$.interval type",
        "$.paging.pageSize type",
        "$.paging.pageNumber integer.int32"
      ]
    )
  })

  it("rejects malformed JSON text with one issue", () => {
    const [issue] = issues('{"interval": "2026-11-01T00:00:00Z/P1D",')
    assert.strictEqual(issue?.rule, "json.malformed")
    assert.strictEqual(issues("").at(0)?.rule, "json.malformed")
    assert.strictEqual(issues("x".repeat(2_000_000)).at(0)?.rule, "json.tooLarge")
  })

  it("rejects 10 000 predicates quickly, as one count issue", () => {
    const predicates = Array.from({ length: 10_000 }, (_, i) => ({ dimension: "conversationId", value: `c-${i}` }))
    assert.deepStrictEqual(findings({ interval: week, conversationFilters: [{ type: "or", predicates }] }), [
      "$ count.predicates warning"
    ])
  })

  it("caps the report at maxIssues with a final 'and N more'", () => {
    const predicates = Array.from({ length: 500 }, () => ({ dimension: "nope", value: "x" }))
    const query = { interval: week, conversationFilters: [{ type: "or", predicates }] }
    const report = issues(query, { strict: true })
    assert.strictEqual(report.length, 101)
    assert.deepStrictEqual(
      [report[100]?.rule, report[100]?.message],
      ["issues.truncated", "and 400 more problems not listed"]
    )
    assert.strictEqual(issues(query, { maxIssues: 5, strict: true }).length, 6)
    assert.strictEqual(QueryValidator.checkQuery(query, { maxIssues: 5 }).warnings.length, 5)
  })

  it("handles megabyte strings without echoing them back", () => {
    const huge = "a".repeat(1_000_000)
    const report = issues(
      { interval: huge, conversationFilters: [{ type: "or", predicates: [{ dimension: huge, value: huge }] }] },
      { strict: true }
    )
    assert.deepStrictEqual(
      report.map((i) => i.rule),
      ["string.tooLong", "string.tooLong", "string.tooLong", "vocabulary.dimension", "interval.syntax"]
    )
    for (const issue of report) assert.isBelow(JSON.stringify(issue).length, 1_000)
    assert.deepStrictEqual(
      findings({ interval: week, [huge]: 1 }).map((r) => r.length < 200),
      [true]
    )
  })

  it("handles deep nesting, cyclic objects and throwing getters", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    assert.strictEqual(issues(deep).length, 1)
    const cyclic: any = { interval: week }
    cyclic.paging = cyclic
    cyclic.segmentFilters = [cyclic]
    assert.deepStrictEqual(
      findings(cyclic)
        .filter((f) => f.startsWith("$.segmentFilters[0]"))
        .slice(0, 3),
      [
        "$.segmentFilters[0].type required error",
        "$.segmentFilters[0].paging input.unreadable error",
        "$.segmentFilters[0].segmentFilters input.unreadable error"
      ]
    )
    assert.include(findings(cyclic), "$.segmentFilters[0].interval unknownKey warning")
    const hostile = {
      interval: week,
      get paging(): never {
        throw new Error("boom")
      }
    }
    assert.deepStrictEqual(rules(hostile), ["$ input.unreadable"])
  })

  it("explains keys that belong elsewhere", () => {
    const [limit] = QueryValidator.checkQuery({ interval: week, limit: 10 }).warnings
    assert.include(limit?.message, "only jobs")
    const job = QueryValidator.checkAsyncQuery({ interval: week, paging: { pageSize: 1, pageNumber: 1 } })
    assert.include(job.warnings[0]?.message, "cursor")
    const [property] = issues(
      {
        interval: week,
        conversationFilters: [{ type: "and", predicates: [{ property: "x", propertyType: "string", value: "1" }] }]
      },
      { strict: true }
    )
    assert.include(property?.message, "only segment predicates")
  })

  it("limits are options; the defaults are the documented ones", () => {
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxPageSize, 200)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxResults, 100_000)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxDaysUnfiltered, 7)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxDaysFiltered, 31)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxJobDays, undefined)
    assert.deepStrictEqual(rules({ interval: week, paging: { pageSize: 200, pageNumber: 1 } }), [])
    const query = { interval: week, paging: { pageSize: 201, pageNumber: 1 } }
    assert.deepStrictEqual(rules(query), ["$.paging.pageSize paging.pageSize"])
    assert.deepStrictEqual(rules(query, { maxPageSize: 250 }), [])
    const twoDays = { interval: "2026-11-01T00:00:00Z/P2D" }
    assert.deepStrictEqual(rules(twoDays, { maxDaysUnfiltered: 1 }), ["$.interval interval.maxDays"])
    const longJob = QueryValidator.checkAsyncQuery({ interval: "2026-01-01T00:00:00Z/P400D" }, { maxJobDays: 366 })
    assert.strictEqual(Either.flip(longJob.result).pipe(Either.getOrThrow).issues[0]?.rule, "interval.maxDays")
    assert.isTrue(Either.isRight(QueryValidator.checkAsyncQuery({ interval: "2026-01-01T00:00:00Z/P400D" }).result))
  })

  it.effect("an unknown name is sent with a logged warning by default; unknownNames: 'error' refuses it", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      const query = {
        interval: week,
        segmentFilters: [{ type: "and", predicates: [{ dimension: "sentimentScore", range: { gte: 0.5 } }] }]
      }
      const result = yield* QueryValidator.validateQuery(query).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      assert.deepStrictEqual(result, query as never)
      assert.strictEqual(logs.length, 1)
      assert.include(logs[0], "sentimentScore")
      const error = yield* Effect.flip(QueryValidator.validateQuery(query, { unknownNames: "error" }))
      assert.strictEqual(error.issues[0]?.rule, "vocabulary.dimension")
    })
  )

  it("null is an absent key, in the walk and in every rule", () => {
    const withNulls = {
      interval: week,
      order: null,
      orderBy: null,
      aggregations: null,
      paging: null,
      surveyFilters: null,
      segmentFilters: [
        {
          type: "and",
          clauses: null,
          predicates: [
            { type: "dimension", dimension: "wrapUpCode", operator: "exists", value: null, range: null },
            { dimension: "purpose", value: "Customer", operator: null, range: null, propertyType: null, property: null }
          ]
        }
      ]
    }
    const checked = QueryValidator.checkQuery(withNulls)
    assert.deepStrictEqual(findings(withNulls), [])
    assert.deepStrictEqual(Either.getOrThrow(checked.result), {
      interval: week,
      segmentFilters: [
        {
          type: "and",
          predicates: [
            { type: "dimension", dimension: "wrapUpCode", operator: "exists" },
            { dimension: "purpose", value: "Customer" }
          ]
        }
      ]
    } as never)
    assert.deepStrictEqual(rules({ interval: null }), ["$.interval required"])
  })

  it("values are compared ignoring case; unknown values and names only warn", () => {
    const intro = {
      interval: "2015-11-01T00:00:00.000Z/2015-11-02T00:00:00.000Z",
      segmentFilters: [
        {
          type: "or",
          predicates: [
            { dimension: "purpose", value: "Customer" },
            { dimension: "direction", value: "outbound" }
          ]
        }
      ],
      aggregations: [{ type: "termFrequency", dimension: "wrapUpCode", size: 10 }],
      order: "asc",
      orderBy: "segmentStart",
      paging: { pageSize: 10, pageNumber: 1 }
    }
    assert.deepStrictEqual(findings(intro), [])
    const newer = {
      interval: week,
      segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "telepathy" }] }]
    }
    assert.deepStrictEqual(findings(newer), ["$.segmentFilters[0].predicates[0].value vocabulary.value warning"])
    assert.deepStrictEqual(rules(newer, { unknownValues: "error" }), [
      "$.segmentFilters[0].predicates[0].value vocabulary.value"
    ])
    assert.deepStrictEqual(rules(newer, { strict: true }), ["$.segmentFilters[0].predicates[0].value vocabulary.value"])
  })

  it("a query validated once is not validated again as the same kind with the same options", () => {
    const query = Either.getOrThrow(QueryValidator.checkAsyncQuery({ interval: week }).result)
    const window = QueryValidator.markChecked({ interval: "junk" }, "async")
    assert.strictEqual(Either.getOrThrow(QueryValidator.checkAsyncQuery(query).result), query)
    assert.isTrue(Either.isRight(QueryValidator.checkAsyncQuery(window).result))
    // Checked again, the junk interval is found: the mark only skips the same kind with the same options.
    for (const [what, checked] of [
      ["another kind is checked", QueryValidator.checkQuery(window)],
      ["other options", QueryValidator.checkAsyncQuery(window, { strict: true })]
    ] as const) {
      const error = Either.flip(checked.result).pipe(Either.getOrThrow)
      assert.strictEqual(error._tag, "QueryInvalid", what)
      assert.deepStrictEqual(
        error.issues.map((i) => [i.path, i.rule]),
        [["$.interval", "interval.syntax"]],
        what
      )
    }
  })

  it("text that Genesys coerces warns and is sent coerced; other wrong types fail", () => {
    const blueprint = { interval: week, paging: { pageSize: "100", pageNumber: 1 } }
    assert.deepStrictEqual(findings(blueprint), ["$.paging.pageSize type.coerced warning"])
    const sent = Either.getOrThrow(QueryValidator.checkQuery(blueprint).result)
    assert.deepStrictEqual(sent.paging, { pageSize: 100, pageNumber: 1 })
    assert.deepStrictEqual(rules({ interval: week, paging: { pageSize: "1e2", pageNumber: 1 } }), [
      "$.paging.pageSize type"
    ])
    assert.deepStrictEqual(rules({ interval: week, paging: { pageSize: "9999999999", pageNumber: 1 } }), [
      "$.paging.pageSize integer.int32",
      "$.paging.pageSize paging.pageSize",
      "$.paging paging.maxResults"
    ])
    assert.deepStrictEqual(findings({ interval: week, paging: { pageSize: "150", pageNumber: "700" } }), [
      "$.paging paging.maxResults error",
      "$.paging.pageSize type.coerced warning",
      "$.paging.pageNumber type.coerced warning"
    ])
  })
})
