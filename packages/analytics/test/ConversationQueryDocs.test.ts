// Runs the examples of docs/querying.md. Each example lives here between `// docs:<name>` and `// /docs`; the first
// test checks that the Markdown shows exactly that code, so the guide cannot drift from what is tested.
import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { QueryBuilder, QueryValidator } from "@effect-genesys/analytics"
import { Effect, Either, TestClock } from "effect"
import { docExamples } from "./DocExamples.js"

const self = fs.readFileSync(import.meta.filename, "utf8")
const guide = docExamples("querying.md", import.meta.filename)

describe("docs/querying.md examples", () => {
  it("the guide shows exactly the code these tests run", () => {
    assert.deepStrictEqual([...guide.check(4)].sort(), [...guide.regions].sort())
  })

  it("the rule table is the validator's catalog: every rule, its severity and its source", () => {
    const rows = [
      ...guide.markdown.matchAll(/^\| `([a-zA-Z0-9.]+)` \| (.*) \| (error|warning|warning \(option\)) \| (.*) \|$/gm)
    ]
    const severity = { error: "error", warning: "warning", policy: "warning (option)" } as const
    assert.deepStrictEqual(
      rows.map((m) => [m[1], m[2], m[3], m[4]]),
      Object.entries(QueryValidator.rules).map(([id, spec]) => [id, spec.checks, severity[spec.severity], spec.source])
    )
    for (const [id, spec] of Object.entries(QueryValidator.rules)) {
      if (spec.severity === "error") assert.notMatch(spec.source, /^none/, `${id} is an error without a source`)
    }
  })

  it.effect("build", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2026, 10, 3, 12))
      // docs:build
      const query = yield* QueryBuilder.query(QueryBuilder.lastDays(7, "Europe/Paris")).pipe(
        QueryBuilder.filterSegments(
          "and",
          QueryBuilder.segment.dimension("mediaType", "voice"),
          QueryBuilder.segment.oneOf("queueId", ["billing-queue-id", "sales-queue-id"])
        ),
        QueryBuilder.filterConversations("and", QueryBuilder.conversation.metric("tHandle", { gte: 600_000 })),
        QueryBuilder.orderBy("conversationStart", "desc"),
        QueryBuilder.paging(100),
        QueryBuilder.build
      )
      // query.interval === "2026-10-26T23:00:00.000Z/2026-11-02T23:00:00.000Z"
      // /docs
      assert.strictEqual(query.interval, "2026-10-26T23:00:00.000Z/2026-11-02T23:00:00.000Z")
      assert.deepStrictEqual(query.conversationFilters, [
        { type: "and", predicates: [{ type: "metric", metric: "tHandle", range: { gte: 600_000 } }] }
      ])
    })
  )

  it.effect("job", () =>
    Effect.gen(function* () {
      // docs:job
      const job = yield* QueryBuilder.job(QueryBuilder.calendarDays("2026-10-01", 31, "America/New_York")).pipe(
        QueryBuilder.filterSegments("or", QueryBuilder.segment.exists("wrapUpCode")),
        QueryBuilder.startOfDayIntervalMatching(),
        QueryBuilder.build
      )
      // job.interval === "2026-10-01T04:00:00.000Z/2026-11-01T04:00:00.000Z"
      // /docs
      assert.strictEqual(job.interval, "2026-10-01T04:00:00.000Z/2026-11-01T04:00:00.000Z")
      assert.strictEqual(job.startOfDayIntervalMatching, true)
    })
  )

  it.effect("validate", () =>
    Effect.gen(function* () {
      // docs:validate
      const text = `{
        "interval": "2026-11-01T00:00:00Z/2026-11-20T00:00:00Z",
        "segmentFilter": [{ "type": "and", "predicates": [{ "dimension": "mediaType", "value": "voice" }] }],
        "paging": { "pageSize": 100, "pageNumber": 1 }
      }`
      const checked = QueryValidator.checkQuery(text)
      for (const warning of checked.warnings) console.log(`warning ${warning.path}: ${warning.message}`)
      // warning $.segmentFilter: ConversationQuery has no key "segmentFilter"; it is sent as written, and Genesys may ignore it
      const error = yield* Effect.flip(QueryValidator.validateQuery(text))
      console.log(error.message)
      // Query is invalid (1 problem):
      //   $.interval: spans 19 days; a query without filters may span at most 7 days (31 with a filter): add a filter, split it into windows or use a job
      // /docs
      assert.deepStrictEqual(
        checked.warnings.map((w) => [w.rule, w.suggestion]),
        [["unknownKey", "segmentFilters"]]
      )
      assert.include(self, `warning ${checked.warnings[0]!.path}: ${checked.warnings[0]!.message}`)
      assert.deepStrictEqual(
        error.issues.map((i) => i.rule),
        ["interval.maxDays"]
      )
      assert.include(self, error.message.split("\n")[0]!)
      assert.include(self, error.message.split("\n")[1]!)
    })
  )

  it.effect("issues", () =>
    Effect.gen(function* () {
      // docs:issues
      const query = {
        interval: "2026-11-01T00:00:00Z/P1D",
        segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voise" }] }]
      }
      const outcome = yield* QueryValidator.validateQuery(query, { strict: true }).pipe(
        Effect.map(() => "valid"),
        Effect.catchTag("QueryInvalid", (error) =>
          Effect.succeed(error.issues.map((issue) => `${issue.path} ${issue.rule} → ${issue.suggestion}`).join("\n"))
        )
      )
      // outcome === "$.segmentFilters[0].predicates[0].value vocabulary.value → voice"
      // without strict, the same query is sent and the finding is a warning
      // /docs
      assert.strictEqual(outcome, "$.segmentFilters[0].predicates[0].value vocabulary.value → voice")
      assert.strictEqual(QueryValidator.checkQuery(query).warnings[0]?.rule, "vocabulary.value")
    })
  )

  it("options", () => {
    // docs:options
    const checked = QueryValidator.checkQuery(
      { interval: "2026-11-01T00:00:00Z/P1D", paging: { pageSize: 500, pageNumber: 1 } },
      { maxPageSize: 1000 }
    )
    // Either.isRight(checked.result) === true: a pure check, no Effect needed
    // /docs
    assert.isTrue(Either.isRight(checked.result))
    assert.isTrue(
      Either.isLeft(
        QueryValidator.checkQuery({ interval: "2026-11-01T00:00:00Z/P1D", paging: { pageSize: 500, pageNumber: 1 } })
          .result
      )
    )
  })
})
