// The client's validator and the emulator agree on what Genesys refuses (issue: validation that never refuses a query
// the platform runs). Every error rule of the validator's catalog has a body that both refuse (the emulator with a
// 400, in the platform's wording for the interval); every warning rule has a body that the validator sends with that
// warning and the emulator answers 200. A property test generates bodies, well-formed and not: whatever the emulator
// accepts, the validator does not fail. The real bodies of `real-bodies.json` get their known verdict from both.
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import type * as GenesysError from "@effect-genesys/analytics/GenesysError"
import * as QueryValidator from "@effect-genesys/analytics/QueryValidator"
import { Effect, Either, FastCheck as fc } from "effect"
import * as Emulator from "../src/Emulator.js"

const QUERY = "/api/v2/analytics/conversations/details/query"
const JOBS = "/api/v2/analytics/conversations/details/jobs"
const AGGREGATE = "/api/v2/analytics/conversations/aggregates/query"
const DAY1 = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"
const options = { days: 3, perDay: 20, rateLimit: { count: 1_000_000, windowSeconds: 60 } }

type Kind = "query" | "job" | "aggregate"

interface Answer {
  readonly status: number
  readonly message: string
}

const post = (emu: Emulator.Service, kind: Kind, body: string): Effect.Effect<Answer, unknown> =>
  Effect.gen(function* () {
    const raw = yield* emu.handleRaw({
      method: "POST",
      url: kind === "query" ? QUERY : kind === "job" ? JOBS : AGGREGATE,
      headers: { authorization: `Bearer ${yield* emu.issueToken}`, "content-type": "application/json" },
      body
    })
    const parsed = raw.body === undefined || raw.body === "" ? {} : JSON.parse(raw.body)
    return { status: raw.status, message: String(parsed.message ?? "") }
  })

const check = (
  kind: Kind,
  body: unknown
): {
  readonly result: Either.Either<unknown, GenesysError.QueryInvalid>
  readonly warnings: ReadonlyArray<{ readonly rule: string }>
} =>
  kind === "query"
    ? QueryValidator.checkQuery(body)
    : kind === "job"
      ? QueryValidator.checkAsyncQuery(body)
      : QueryValidator.checkAggregateQuery(body)

const segment = (...predicates: ReadonlyArray<unknown>) => [{ type: "and", predicates }]
const queueIs = { dimension: "queueId", value: "q1" }

// A body per rule: [rule, kind, body as JSON text or value].
const errorSamples: ReadonlyArray<readonly [string, Kind, unknown]> = [
  ["json.malformed", "query", '{"interval": "2026-01-05T00:00:00Z/P1D",'],
  ["type", "query", { interval: DAY1, segmentFilters: { type: "and" } }],
  ["integer.int32", "query", { interval: DAY1, paging: { pageSize: 10, pageNumber: 2 ** 40 } }],
  ["required", "query", { interval: DAY1, segmentFilters: [{ predicates: [queueIs] }] }],
  ["enum", "query", { interval: DAY1, order: "upwards" }],
  ["interval.syntax", "query", { interval: "2026-01-05T00:00:00Z" }],
  ["interval.start", "query", { interval: "2026-02-30T00:00:00Z/P1D" }],
  ["interval.end", "query", { interval: "2026-01-05T00:00:00Z/2026-01-06T25:00:00Z" }],
  ["interval.duration", "query", { interval: "2026-01-05T00:00:00Z/PXD" }],
  ["interval.inverted", "query", { interval: "2026-01-06T00:00:00Z/2026-01-05T00:00:00Z" }],
  ["interval.maxDays", "query", { interval: "2026-01-01T00:00:00Z/2026-01-09T00:00:00Z" }],
  ["paging.maxResults", "query", { interval: DAY1, paging: { pageSize: 100, pageNumber: 1001 } }],
  ["paging.pageSize", "query", { interval: DAY1, paging: { pageSize: 201, pageNumber: 1 } }],
  ["aggregate.required", "aggregate", { interval: DAY1 }],
  ["aggregate.granularity", "aggregate", { interval: DAY1, metrics: ["nOffered"], granularity: "1 day" }],
  [
    "aggregate.views.count",
    "aggregate",
    {
      interval: DAY1,
      metrics: ["nOffered"],
      views: Array.from({ length: 11 }, (_, i) => ({
        target: "tHandle",
        name: `v${i}`,
        function: "rangeBound",
        range: { lt: 9 }
      }))
    }
  ],
  [
    "aggregate.views.name",
    "aggregate",
    {
      interval: DAY1,
      metrics: ["nOffered"],
      views: [{ target: "tHandle", name: "tTalk", function: "rangeBound", range: { lt: 9 } }]
    }
  ],
  [
    "aggregate.views.target",
    "aggregate",
    {
      interval: DAY1,
      metrics: ["nOffered"],
      views: [{ target: "nOffered", name: "v", function: "rangeBound", range: { lt: 9 } }]
    }
  ],
  [
    "aggregate.views.range",
    "aggregate",
    { interval: DAY1, metrics: ["nOffered"], views: [{ target: "tHandle", name: "v", function: "rangeBound" }] }
  ]
]

// Rules of the catalog that no request body can show, and why.
const notOnTheWire: ReadonlyArray<string> = [
  "json.tooLarge", // a bound on the validator's own work, above the emulator's body limit (413 there)
  "input.unreadable", // a JavaScript object whose getters throw never becomes a body
  "interval.range", // dates beyond year 275 760: not ISO-8601 text either side accepts
  "interval.timeZone", // the builder's IANA zones, not part of a body
  "schema", // the safety net behind every other rule
  "issues.truncated", // a summary, not a rule
  "aggregate.maxSpan" // the caller's own splitting option, not part of a body
]

const warningSamples: ReadonlyArray<readonly [string, Kind, unknown]> = [
  ["aggregate.metrics.empty", "aggregate", { interval: DAY1, metrics: [] }],
  ["aggregate.granularity.interval", "aggregate", { interval: DAY1, metrics: ["nOffered"], granularity: "P7D" }],
  ["aggregate.timeZone", "aggregate", { interval: DAY1, metrics: ["nOffered"], timeZone: "Mars/Olympus" }],
  ["aggregate.queryType", "aggregate", { interval: DAY1, metrics: ["nOffered"], limit: 5 }],
  ["type.coerced", "query", { interval: DAY1, paging: { pageSize: "100", pageNumber: 1 } }],
  ["enum.case", "query", { interval: DAY1, order: "DESC", segmentFilters: [{ type: "AND", predicates: [queueIs] }] }],
  ["interval.empty", "query", { interval: "2026-01-05T00:00:00Z/2026-01-05T00:00:00Z" }],
  ["paging.pageSize.positive", "query", { interval: DAY1, paging: { pageSize: 0, pageNumber: 1 } }],
  ["paging.pageNumber", "query", { interval: DAY1, paging: { pageSize: 10, pageNumber: 0 } }],
  ["limit.positive", "job", { interval: DAY1, limit: 0 }],
  ["unknownKey", "query", { interval: DAY1, segmentFilter: segment(queueIs) }],
  [
    "nesting.depth",
    "query",
    { interval: DAY1, segmentFilters: [{ type: "and", clauses: [{ type: "or", predicates: [queueIs], clauses: [] }] }] }
  ],
  ["filter.empty", "job", { interval: DAY1, segmentFilters: [{ type: "and" }] }],
  [
    "clause.empty",
    "query",
    { interval: DAY1, segmentFilters: [{ type: "and", clauses: [{ type: "or", predicates: [] }] }] }
  ],
  ["predicate.subject", "query", { interval: DAY1, segmentFilters: segment({ type: "dimension", value: "x" }) }],
  ["predicate.type", "query", { interval: DAY1, segmentFilters: segment({ type: "metric", ...queueIs }) }],
  ["predicate.propertyType", "query", { interval: DAY1, segmentFilters: segment({ property: "p", value: "1" }) }],
  ["predicate.operandRequired", "query", { interval: DAY1, segmentFilters: segment({ dimension: "wrapUpCode" }) }],
  [
    "predicate.operandConflict",
    "query",
    { interval: DAY1, segmentFilters: segment({ dimension: "queueId", value: "q", range: { gte: 1 } }) }
  ],
  [
    "predicate.operandForbidden",
    "query",
    { interval: DAY1, segmentFilters: segment({ dimension: "queueId", operator: "exists", value: "q" }) }
  ],
  ["range.empty", "query", { interval: DAY1, segmentFilters: segment({ metric: "tSegmentDuration", range: {} }) }],
  [
    "range.conflict",
    "query",
    { interval: DAY1, segmentFilters: segment({ metric: "tSegmentDuration", range: { gt: 1, gte: 2 } }) }
  ],
  [
    "range.inverted",
    "query",
    { interval: DAY1, segmentFilters: segment({ metric: "tSegmentDuration", range: { gte: 9, lt: 3 } }) }
  ],
  [
    "vocabulary.dimension",
    "query",
    { interval: DAY1, segmentFilters: segment({ dimension: "sentiment", value: "x" }) }
  ],
  [
    "vocabulary.metric",
    "query",
    { interval: DAY1, conversationFilters: [{ type: "and", predicates: [{ metric: "tNewMetric", range: { gt: 0 } }] }] }
  ],
  ["vocabulary.value", "query", { interval: DAY1, segmentFilters: segment({ dimension: "mediaType", value: "fax" }) }],
  ["aggregation.subject", "query", { interval: DAY1, aggregations: [{ type: "termFrequency" }] }],
  [
    "aggregation.size",
    "query",
    { interval: DAY1, aggregations: [{ type: "termFrequency", dimension: "queueId", size: 0 }] }
  ],
  ["aggregation.ranges", "query", { interval: DAY1, aggregations: [{ type: "numericRange", metric: "tHandle" }] }],
  [
    "string.tooLong",
    "query",
    { interval: DAY1, segmentFilters: segment({ dimension: "queueId", value: "q".repeat(5000) }) }
  ],
  [
    "count.array",
    "job",
    { interval: DAY1, segmentFilters: [{ type: "or", predicates: Array.from({ length: 10_001 }, () => queueIs) }] }
  ],
  [
    "count.filters",
    "job",
    { interval: DAY1, segmentFilters: Array.from({ length: 51 }, () => ({ type: "and", predicates: [queueIs] })) }
  ],
  [
    "count.clauses",
    "job",
    {
      interval: DAY1,
      segmentFilters: [{ type: "or", clauses: Array.from({ length: 101 }, () => segment(queueIs)[0]) }]
    }
  ],
  [
    "count.predicates",
    "job",
    { interval: DAY1, segmentFilters: [{ type: "or", predicates: Array.from({ length: 1001 }, () => queueIs) }] }
  ]
]

const text = (body: unknown) => (typeof body === "string" ? body : JSON.stringify(body))

describe("the validator and the emulator agree", () => {
  it("every rule of the catalog has a sample, or a reason it cannot be sent", () => {
    const sampled = [...errorSamples, ...warningSamples].map(([rule]) => rule)
    assert.deepStrictEqual([...sampled, ...notOnTheWire].sort(), Object.keys(QueryValidator.rules).sort())
    for (const [rule] of errorSamples)
      assert.strictEqual(QueryValidator.rules[rule as keyof typeof QueryValidator.rules].severity, "error")
    for (const [rule] of warningSamples)
      assert.notStrictEqual(QueryValidator.rules[rule as keyof typeof QueryValidator.rules].severity, "error")
  })

  for (const [rule, kind, body] of errorSamples) {
    it.effect(`error ${rule}: the validator refuses it and the emulator answers 400`, () =>
      Effect.gen(function* () {
        const checked = check(kind, body)
        assert.isTrue(Either.isLeft(checked.result), `${rule} passed the validator`)
        const rules = Either.isLeft(checked.result) ? checked.result.left.issues.map((i) => i.rule) : []
        assert.include(rules, rule)
        const emu = yield* Emulator.make(options)
        const answer = yield* post(emu, kind, text(body))
        assert.strictEqual(answer.status, 400, `${rule}: ${answer.message}`)
        if (rule === "interval.maxDays") {
          assert.strictEqual(
            answer.message,
            "You must specify a search interval as part of your query that does not exceed 7 days"
          )
        }
      })
    )
  }

  for (const [rule, kind, body] of warningSamples) {
    it.effect(`warning ${rule}: the validator sends it with the warning and the emulator answers 200`, () =>
      Effect.gen(function* () {
        const checked = check(kind, body)
        assert.isTrue(Either.isRight(checked.result), `${rule} failed the validator`)
        assert.include(
          checked.warnings.map((w) => w.rule),
          rule
        )
        const strict = kind === "query" ? QueryValidator.checkQuery(body, { strict: true }) : undefined
        if (strict !== undefined) assert.isTrue(Either.isLeft(strict.result), "strict makes the warning an error")
        const emu = yield* Emulator.make(options)
        const answer = yield* post(emu, kind, text(body))
        assert.strictEqual(answer.status, kind === "job" ? 202 : 200, `${rule}: ${answer.message}`)
      })
    )
  }
})

// Bodies generated from the pieces real queries are made of, with the oddities real bodies have (nulls, case,
// text numbers, empty filters, unknown keys) and some that Genesys refuses (wrong types, bad enums, long intervals).
const scalarOddity = fc.constantFrom<unknown>(null, "", "x", 0, -1, 1.5, "7", true, [], {})
/** Mostly `usual`, now and then an oddity. */
const mostly = (usual: fc.Arbitrary<unknown>) =>
  fc.oneof({ arbitrary: usual, weight: 12 }, { arbitrary: scalarOddity, weight: 1 })
/** One of `usual` mostly, one of `odd` now and then. */
const pick = (usual: ReadonlyArray<unknown>, odd: ReadonlyArray<unknown>) =>
  fc.oneof({ arbitrary: fc.constantFrom(...usual), weight: 10 }, { arbitrary: fc.constantFrom(...odd), weight: 1 })
const name = fc.constantFrom("queueId", "mediaType", "purpose", "wrapUpCode", "direction", "sentiment", "tHandle")
const predicate = fc.record(
  {
    type: pick([undefined, "dimension", null], ["metric", "property", "DIMENSION", "thing", 3]),
    dimension: mostly(name),
    metric: pick([undefined, null], ["tHandle", "tSegmentDuration", "tNope"]),
    property: pick([undefined, null], ["p"]),
    propertyType: pick([undefined, null], ["string", "integer", "Uuid", "float"]),
    operator: pick([undefined, "matches", "exists", "notExists", null], ["Exists", "is"]),
    value: mostly(fc.constantFrom<unknown>("voice", "Customer", "q1", "fax", null)),
    range: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 6 },
      {
        arbitrary: fc.record(
          { gt: fc.integer(), gte: fc.integer(), lt: fc.integer(), lte: pick([5, null], ["5", "five"]) },
          { requiredKeys: [] }
        ),
        weight: 2
      },
      { arbitrary: scalarOddity, weight: 1 }
    ),
    extra: pick([undefined], [1, null])
  },
  { requiredKeys: [] }
)
const clause = fc.record(
  {
    type: pick(["and", "or"], ["OR", "xor", null]),
    predicates: mostly(fc.array(predicate, { maxLength: 3 }))
  },
  { requiredKeys: [] }
)
const filter = fc.record(
  {
    type: pick(["and", "or"], ["And", "nand", null]),
    predicates: mostly(fc.array(predicate, { maxLength: 3 })),
    clauses: mostly(fc.array(clause, { maxLength: 2 }))
  },
  { requiredKeys: [] }
)
const intervalText = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 40 }),
      fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 7 }), weight: 6 },
        { arbitrary: fc.integer({ min: -2, max: 40 }), weight: 1 }
      ),
      fc.constantFrom("Z", "", "+02:00", ".000Z")
    )
    .map(([startDay, days, zone]) => {
      const start = Date.UTC(2026, 0, 1 + startDay)
      const iso = (millis: number) => new Date(millis).toISOString().slice(0, 19) + zone
      return `${iso(start)}/${iso(start + days * 86_400_000)}`
    }),
  pick(["2026-01-05T00:00:00Z/P1D", "2026-01-05/2026-01-06"], ["2026-01-05T24:00:00Z/P1D", "P1D", null, 7])
)
const body = fc.record(
  {
    interval: intervalText,
    segmentFilters: mostly(fc.array(filter, { maxLength: 2 })),
    conversationFilters: fc.oneof(fc.array(filter, { maxLength: 1 }), fc.constant(null)),
    order: pick([undefined, "asc", "desc", null], ["DESC", "down"]),
    orderBy: pick([undefined, "conversationStart", "segmentEnd", null], ["start"]),
    paging: fc.oneof(
      fc.record(
        {
          pageSize: pick([1, 25, 200], [201, 0, "100", "x", null]),
          pageNumber: pick([1, 3], [0, 5000, "2", null])
        },
        { requiredKeys: [] }
      ),
      scalarOddity
    ),
    aggregations: fc.oneof(
      fc.array(
        fc.record(
          {
            type: pick(["termFrequency", "numericRange"], ["TermFrequency", "sum", null]),
            dimension: pick(["queueId", undefined], [null, 3]),
            metric: pick(["tHandle", undefined], [null]),
            size: pick([10, undefined], [0, "5", null]),
            ranges: pick([[{ gte: 0, lt: 10 }], undefined], [[], null, [{ gte: "x" }]])
          },
          { requiredKeys: [] }
        ),
        { maxLength: 2 }
      ),
      fc.constant(null)
    ),
    unknown: pick([undefined], [1, null])
  },
  { requiredKeys: [] }
)

describe("generated bodies", () => {
  it.effect("whatever the emulator accepts, the validator does not fail", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make(options)
      const samples = fc.sample(body, { numRuns: 400, seed: 20261206 })
      let accepted = 0
      let refusedByBoth = 0
      for (const sample of samples) {
        const answer = yield* post(emu, "query", JSON.stringify(sample))
        const checked = QueryValidator.checkQuery(sample)
        if (answer.status === 200) {
          accepted++
          assert.isTrue(
            Either.isRight(checked.result),
            `the emulator accepted ${JSON.stringify(sample)} but the validator refused it: ${Either.isLeft(checked.result) ? checked.result.left.message : ""}`
          )
        } else {
          assert.strictEqual(answer.status, 400, answer.message)
          if (Either.isLeft(checked.result)) refusedByBoth++
        }
      }
      // The generator must exercise both sides, or the property says nothing.
      assert.isAbove(accepted, 40)
      assert.isAbove(refusedByBoth, 40)
    })
  )
})

interface RealBody {
  readonly id: string
  readonly endpoint: Kind
  readonly verdict: "accepted" | "rejected"
  readonly body: unknown
}

const realBodies: ReadonlyArray<RealBody> = JSON.parse(
  fs.readFileSync(
    path.join(import.meta.dirname, "..", "..", "analytics", "test", "fixtures", "real-bodies.json"),
    "utf8"
  )
)

describe("real bodies from public sources", () => {
  for (const real of realBodies) {
    it.effect(`${real.id}: the emulator gives the platform's verdict (${real.verdict})`, () =>
      Effect.gen(function* () {
        const emu = yield* Emulator.make(options)
        const answer = yield* post(emu, real.endpoint, JSON.stringify(real.body))
        const expected = real.verdict === "rejected" ? 400 : real.endpoint === "query" ? 200 : 202
        assert.strictEqual(answer.status, expected, answer.message)
      })
    )
  }
})
