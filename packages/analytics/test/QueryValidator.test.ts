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
        QueryValidator.validateQuery({
          interval: "2026-11-08T00:00:00Z/2026-11-01T00:00:00Z",
          segmentFilter: [],
          order: "Asc",
          segmentFilters: [{ type: "and", predicates: [{ dimension: "wrapupCode", value: "x" }] }],
          paging: { pageSize: 500, pageNumber: 1 }
        })
      )
      assert.instanceOf(error, QueryInvalid)
      assert.deepStrictEqual(
        error.issues.map((i) => [i.path, i.rule, i.value, i.suggestion]),
        [
          ["$.order", "enum", "Asc", "asc"],
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
        paging: { pageSize: 1.5, pageNumber: 2 ** 40 }
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
    assert.deepStrictEqual(rules({ interval: week, conversationFilters: [{ type: "or", predicates }] }), [
      "$ count.predicates"
    ])
  })

  it("caps the report at maxIssues with a final 'and N more'", () => {
    const predicates = Array.from({ length: 500 }, () => ({ dimension: "nope", value: "x" }))
    const report = issues({ interval: week, conversationFilters: [{ type: "or", predicates }] })
    assert.strictEqual(report.length, 101)
    assert.deepStrictEqual(
      [report[100]?.rule, report[100]?.message],
      ["issues.truncated", "and 400 more problems not listed"]
    )
    assert.strictEqual(
      issues({ interval: week, conversationFilters: [{ type: "or", predicates }] }, { maxIssues: 5 }).length,
      6
    )
  })

  it("handles megabyte strings without echoing them back", () => {
    const huge = "a".repeat(1_000_000)
    const report = issues({
      interval: huge,
      conversationFilters: [{ type: "or", predicates: [{ dimension: huge, value: huge }] }]
    })
    assert.deepStrictEqual(
      report.map((i) => i.rule),
      ["string.tooLong", "string.tooLong", "string.tooLong", "vocabulary.dimension"]
    )
    for (const issue of report) assert.isBelow(JSON.stringify(issue).length, 1_000)
    assert.deepStrictEqual(
      rules({ interval: week, [huge]: 1 }).map((r) => r.length < 200),
      [true]
    )
  })

  it("handles deep nesting, cyclic objects and throwing getters", () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
    assert.strictEqual(issues(deep).length, 1)
    const cyclic: any = { interval: week }
    cyclic.paging = cyclic
    cyclic.segmentFilters = [cyclic]
    assert.deepStrictEqual(rules(cyclic).slice(0, 3), [
      "$.segmentFilters[0].type required",
      "$.segmentFilters[0].interval unknownKey",
      "$.segmentFilters[0].paging unknownKey"
    ])
    const hostile = {
      interval: week,
      get paging(): never {
        throw new Error("boom")
      }
    }
    assert.deepStrictEqual(rules(hostile), ["$ input.unreadable"])
  })

  it("explains keys that belong elsewhere", () => {
    const [limit] = issues({ interval: week, limit: 10 })
    assert.include(limit?.message, "only jobs")
    const job = QueryValidator.checkAsyncQuery({ interval: week, paging: { pageSize: 1, pageNumber: 1 } }).result
    assert.include(Either.flip(job).pipe(Either.getOrThrow).issues[0]?.message, "cursor")
    const [property] = issues({
      interval: week,
      conversationFilters: [{ type: "and", predicates: [{ property: "x", propertyType: "string", value: "1" }] }]
    })
    assert.include(property?.message, "only segment predicates")
  })

  it("limits are options; the defaults are the documented ones", () => {
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxPageSize, 100)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxResults, 100_000)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxDaysUnfiltered, 7)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxDaysFiltered, 31)
    assert.strictEqual(QueryValidator.defaultValidatorOptions.maxJobDays, undefined)
    const query = { interval: week, paging: { pageSize: 200, pageNumber: 1 } }
    assert.deepStrictEqual(rules(query), ["$.paging.pageSize paging.pageSize"])
    assert.deepStrictEqual(rules(query, { maxPageSize: 250 }), [])
    const twoDays = { interval: "2026-11-01T00:00:00Z/P2D" }
    assert.deepStrictEqual(rules(twoDays, { maxDaysUnfiltered: 1 }), ["$.interval interval.maxDays"])
    const longJob = QueryValidator.checkAsyncQuery({ interval: "2026-01-01T00:00:00Z/P400D" }, { maxJobDays: 366 })
    assert.strictEqual(Either.flip(longJob.result).pipe(Either.getOrThrow).issues[0]?.rule, "interval.maxDays")
    assert.isTrue(Either.isRight(QueryValidator.checkAsyncQuery({ interval: "2026-01-01T00:00:00Z/P400D" }).result))
  })

  it.effect("unknownNames: 'warn' sends a newer name and logs a warning", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const logger = Logger.make(({ message }) => logs.push(String(message)))
      const query = {
        interval: week,
        segmentFilters: [{ type: "and", predicates: [{ dimension: "sentimentScore", range: { gte: 0.5 } }] }]
      }
      const result = yield* QueryValidator.validateQuery(query, { unknownNames: "warn" }).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
      assert.deepStrictEqual(result, query as never)
      assert.strictEqual(logs.length, 1)
      assert.include(logs[0], "sentimentScore")
      const error = yield* Effect.flip(QueryValidator.validateQuery(query))
      assert.strictEqual(error.issues[0]?.rule, "vocabulary.dimension")
    })
  )
})
