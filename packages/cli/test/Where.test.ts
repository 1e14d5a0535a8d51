import * as ConversationQuery from "@effect-genesys/analytics/ConversationQuery"
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fc from "fast-check"
import * as Where from "../src/Where.js"

const ok = (text: string) => {
  const result = Where.parse(text)
  if (Either.isLeft(result)) return assert.fail(result.left.pretty)
  return result.right
}

const err = (text: string) => {
  const result = Where.parse(text)
  if (Either.isRight(result)) return assert.fail(`expected an error for: ${text}`)
  return result.left
}

const dim = (dimension: string, value: string) => ({ type: "dimension" as const, dimension, value })

describe("Where: examples", () => {
  it("compiles the README example into segment and conversation filters", () => {
    assert.deepStrictEqual(ok("mediaType = voice and queueId in (q1, q2) and tHandle > 300000"), {
      conversationFilters: [
        { type: "and", predicates: [{ type: "metric", metric: "tHandle", range: { gt: 300000 } }] }
      ],
      segmentFilters: [
        {
          type: "and",
          clauses: [{ type: "or", predicates: [dim("queueId", "q1"), dim("queueId", "q2")] }],
          predicates: [dim("mediaType", "voice")]
        }
      ]
    })
  })

  it("compiles an or of ands into one filter of type or with and clauses", () => {
    assert.deepStrictEqual(ok("(purpose = agent and wrapUpCode = w1) or exists flowOutcome"), {
      segmentFilters: [
        {
          type: "or",
          clauses: [{ type: "and", predicates: [dim("purpose", "agent"), dim("wrapUpCode", "w1")] }],
          predicates: [{ type: "dimension", dimension: "flowOutcome", operator: "exists" }]
        }
      ]
    })
  })

  it("compiles a lone or, exists and not exists, ranges and quoted values", () => {
    assert.deepStrictEqual(ok("direction = inbound OR direction = outbound"), {
      segmentFilters: [{ type: "or", predicates: [dim("direction", "inbound"), dim("direction", "outbound")] }]
    })
    assert.deepStrictEqual(ok("not exists wrapUpCode and exists externalTag"), {
      conversationFilters: [
        { type: "and", predicates: [{ type: "dimension", dimension: "externalTag", operator: "exists" }] }
      ],
      segmentFilters: [
        { type: "and", predicates: [{ type: "dimension", dimension: "wrapUpCode", operator: "notExists" }] }
      ]
    })
    assert.deepStrictEqual(
      ok(`tTalk = 5 and tSegmentDuration <= 1.5e3 and ani = "tel:+1 555" and wrapUpCode = 'and'`),
      {
        conversationFilters: [
          { type: "and", predicates: [{ type: "metric", metric: "tTalk", range: { gte: 5, lte: 5 } }] }
        ],
        segmentFilters: [
          {
            type: "and",
            predicates: [
              { type: "metric", metric: "tSegmentDuration", range: { lte: 1500 } },
              dim("ani", "tel:+1 555"),
              dim("wrapUpCode", "and")
            ]
          }
        ]
      }
    )
    // A dimension compared with a number keeps the number's text; a one-value list is a plain match.
    assert.deepStrictEqual(ok("sipResponseCode = 486 and queueId in (q1)"), {
      segmentFilters: [{ type: "and", predicates: [dim("sipResponseCode", "486"), dim("queueId", "q1")] }]
    })
    // An or that contains ands stands as its own filter next to the and filter (filters of one array are ANDed).
    assert.deepStrictEqual(ok("mediaType = voice and (purpose = agent and userId = u1 or purpose = acd)"), {
      segmentFilters: [
        { type: "and", predicates: [dim("mediaType", "voice")] },
        {
          type: "or",
          clauses: [{ type: "and", predicates: [dim("purpose", "agent"), dim("userId", "u1")] }],
          predicates: [dim("purpose", "acd")]
        }
      ]
    })
  })

  it("produces filters the library's Schemas accept", () => {
    const filters = ok(
      "mediaType = voice and queueId in (q1, q2) and tHandle > 300000 and (purpose = agent or exists wrapUpCode)"
    )
    const conversation: ReadonlyArray<ConversationQuery.ConversationDetailQueryFilter> = filters.conversationFilters!
    const segment: ReadonlyArray<ConversationQuery.SegmentDetailQueryFilter> = filters.segmentFilters!
    assert.lengthOf(conversation, 1)
    assert.lengthOf(segment, 1)
    const merged = Where.merge(
      { interval: "x", segmentFilters: [{ type: "or" as const, predicates: [dim("purpose", "ivr")] }] },
      filters
    )
    assert.lengthOf(merged.segmentFilters!, 2)
    assert.strictEqual(merged.interval, "x")
  })
})

describe("Where: errors point at the column", () => {
  const cases: ReadonlyArray<readonly [string, number, string]> = [
    ["mediaTyp = voice", 1, `did you mean "mediaType"?`],
    ["mediatype = voice", 1, `did you mean "mediaType"?`],
    ["mediaType != voice", 11, "cannot negate"],
    ["mediaType <> voice", 11, "cannot negate"],
    ["mediaType = ", 13, "expected a value"],
    ["mediaType = voice and", 22, "expected a dimension or metric"],
    ["mediaType = and", 13, "quote it"],
    ["tHandle > abc", 1, "needs a number"],
    ["tHandle = abc", 1, "compares with numbers"],
    ["(mediaType = voice", 19, `expected ")"`],
    ["mediaType = voice)", 18, `no "(" is open`],
    ["mediaType = voice or tHandle > 5", 22, "mixes segment and conversation"],
    ["purpose = agent or (mediaType = voice and (queueId = a or queueId = b))", 44, "nests too deeply"],
    ["purpose = agent or (mediaType = voice and queueId in (a, b))", 43, "nests too deeply"],
    ["not mediaType = voice", 1, `"not" can only negate "exists"`],
    [`ani = "abc`, 7, "not closed"],
    ["queueId in q1", 12, `expected "("`],
    ["queueId in (q1 q2)", 16, `expected "," or ")"`],
    ["queueId voice", 9, "expected an operator"],
    ["", 1, "empty"],
    ["mediaType == voice", 11, `write "="`],
    ["mediaType = voice purpose = agent", 19, `expected "and", "or" or the end`]
  ]
  for (const [text, column, fragment] of cases) {
    it(`${JSON.stringify(text)} → column ${column}`, () => {
      const error = err(text)
      assert.strictEqual(error.column, column, error.pretty)
      assert.include(error.message, fragment)
      assert.notInclude(error.message, "\n")
    })
  }

  it("renders the expression with a caret under the column", () => {
    assert.strictEqual(
      err("mediaType != voice").pretty.split("\n").slice(1).join("\n"),
      "  mediaType != voice\n            ^"
    )
  })
})

// --- property: render then parse gives the same tree and the same predicates ------------------------------------

type Expr = Where.Expr

const strip = (expr: Expr): unknown => {
  switch (expr._tag) {
    case "And":
    case "Or":
      return { _tag: expr._tag, items: expr.items.map(strip) }
    default: {
      const { column: _column, ...rest } = expr
      return rest
    }
  }
}

const stringLiteral: fc.Arbitrary<Where.Literal> = fc
  .oneof(
    fc.string({ minLength: 1 }),
    fc.constantFrom(
      "voice",
      "and",
      "OR",
      "in",
      "42",
      "-1.5",
      "a b",
      `q"uote`,
      "back\\slash",
      "it's",
      "tel:+1555",
      "x=y"
    )
  )
  .map((text) => ({ _tag: "String" as const, text }))

const numberLiteral: fc.Arbitrary<Where.Literal> = fc
  .oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.double({ noNaN: true, noDefaultInfinity: true }))
  .map((n) => String(n))
  .filter((text) => Number.isFinite(Number(text)))
  .map((text) => ({ _tag: "Number" as const, text, value: Number(text) }))

const dimensions = fc.constantFrom(
  ...ConversationQuery.segmentDimensions.slice(0, 20),
  ...ConversationQuery.conversationDimensions
)
const metrics = fc.constantFrom(
  ...ConversationQuery.conversationMetrics.slice(0, 20),
  ...ConversationQuery.segmentMetrics
)
const segmentDimension = fc.constantFrom(...ConversationQuery.segmentDimensions.slice(0, 30))

const atomOf = (dimension: fc.Arbitrary<string>): fc.Arbitrary<Expr> =>
  fc.oneof(
    fc.record({
      _tag: fc.constant("Compare" as const),
      field: dimension,
      operator: fc.constant("=" as const),
      value: fc.oneof(stringLiteral, numberLiteral),
      column: fc.constant(0)
    }),
    fc.record({
      _tag: fc.constant("Compare" as const),
      field: metrics,
      operator: fc.constantFrom("=" as const, ">" as const, ">=" as const, "<" as const, "<=" as const),
      value: numberLiteral,
      column: fc.constant(0)
    }),
    fc.record({
      _tag: fc.constant("In" as const),
      field: dimension,
      values: fc.array(fc.oneof(stringLiteral, numberLiteral), { minLength: 1, maxLength: 3 }),
      column: fc.constant(0)
    }),
    fc.record({
      _tag: fc.constant("Exists" as const),
      field: fc.oneof(dimension, metrics),
      negated: fc.boolean(),
      column: fc.constant(0)
    })
  )

/** Any tree in normal form: no And directly inside And, no Or directly inside Or, at least two items each. */
const anyExpr: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr; and: Expr; or: Expr }>((tie) => ({
  expr: fc.oneof({ depthSize: "small", withCrossShrink: true }, atomOf(dimensions), tie("and"), tie("or")),
  and: fc
    .array(fc.oneof({ depthSize: "small" }, atomOf(dimensions), tie("or")), { minLength: 2, maxLength: 3 })
    .map((items) => ({ _tag: "And" as const, items, column: 0 })),
  or: fc
    .array(fc.oneof({ depthSize: "small" }, atomOf(dimensions), tie("and")), { minLength: 2, maxLength: 3 })
    .map((items) => ({ _tag: "Or" as const, items, column: 0 }))
})).expr

/** Trees Genesys can express: segment-only, an and of atoms and ors of (atoms | ands of single-valued atoms). */
const segmentAtom: fc.Arbitrary<Expr> = fc.oneof(
  fc.record({
    _tag: fc.constant("Compare" as const),
    field: segmentDimension,
    operator: fc.constant("=" as const),
    value: fc.oneof(stringLiteral, numberLiteral),
    column: fc.constant(0)
  }),
  fc.record({
    _tag: fc.constant("Compare" as const),
    field: fc.constant("tSegmentDuration"),
    operator: fc.constantFrom("=" as const, ">" as const, ">=" as const, "<" as const, "<=" as const),
    value: numberLiteral,
    column: fc.constant(0)
  }),
  fc.record({
    _tag: fc.constant("Exists" as const),
    field: fc.oneof(segmentDimension, fc.constant("tSegmentDuration")),
    negated: fc.boolean(),
    column: fc.constant(0)
  })
)
const expressible: fc.Arbitrary<Expr> = fc
  .array(
    fc.oneof(
      segmentAtom,
      fc.record({
        _tag: fc.constant("In" as const),
        field: segmentDimension,
        values: fc.array(fc.oneof(stringLiteral, numberLiteral), { minLength: 1, maxLength: 3 }),
        column: fc.constant(0)
      }),
      fc
        .array(
          fc.oneof(
            segmentAtom,
            fc
              .array(segmentAtom, { minLength: 2, maxLength: 3 })
              .map((items) => ({ _tag: "And" as const, items, column: 0 }))
          ),
          { minLength: 2, maxLength: 3 }
        )
        .map((items) => ({ _tag: "Or" as const, items, column: 0 }))
    ),
    { minLength: 2, maxLength: 4 }
  )
  .map((items) => ({ _tag: "And" as const, items, column: 0 }))

const countAtoms = (expr: Expr): number =>
  expr._tag === "And" || expr._tag === "Or"
    ? expr.items.reduce((n, item) => n + countAtoms(item), 0)
    : expr._tag === "In"
      ? expr.values.length
      : 1

const countPredicates = (filters: Where.WhereFilters): number =>
  [...(filters.conversationFilters ?? []), ...(filters.segmentFilters ?? [])].reduce(
    (n, f) => n + (f.predicates?.length ?? 0) + (f.clauses ?? []).reduce((m, c) => m + c.predicates.length, 0),
    0
  )

describe("Where: properties", () => {
  it("render then parse gives back the same tree", () => {
    fc.assert(
      fc.property(anyExpr, (expr) => {
        const text = Where.render(expr)
        const parsed = Where.parseExpr(text)
        if (Either.isLeft(parsed)) return assert.fail(parsed.left.pretty)
        assert.deepStrictEqual(strip(parsed.right), strip(expr), text)
      }),
      { numRuns: 400 }
    )
  })

  it("render then parse gives the same predicates, one per condition", () => {
    fc.assert(
      fc.property(expressible, (expr) => {
        const direct = Where.compile(expr)
        if (Either.isLeft(direct)) return assert.fail(direct.left.pretty)
        const text = Where.render(expr)
        assert.deepStrictEqual(Where.parse(text), direct, text)
        assert.strictEqual(countPredicates(direct.right), countAtoms(expr))
        for (const filter of direct.right.segmentFilters ?? []) {
          for (const clause of filter.clauses ?? []) assert.isAbove(clause.predicates.length, 0)
        }
      }),
      { numRuns: 300 }
    )
  })

  it("any text parses or fails with a column inside the text, never throws", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc
            .array(
              fc.constantFrom(
                "mediaType",
                "=",
                "voice",
                "and",
                "or",
                "(",
                ")",
                "in",
                ",",
                "not",
                "exists",
                "tHandle",
                ">",
                "5",
                `"x`
              ),
              { maxLength: 8 }
            )
            .map((ws) => ws.join(" "))
        ),
        (text) => {
          const result = Where.parse(text)
          if (Either.isLeft(result)) {
            assert.isAtLeast(result.left.column, 1)
            assert.isAtMost(result.left.column, text.length + 1)
          }
        }
      ),
      { numRuns: 1000 }
    )
  })
})

describe("Where: hostile input", () => {
  it("2 000 nested parentheses are a parse error with a column, not a stack overflow", () => {
    const text = `${"(".repeat(2000)}mediaType = voice${")".repeat(2000)}`
    const error = Either.flip(Where.parse(text)).pipe(Either.getOrThrow)
    assert.strictEqual(error._tag, "WhereError")
    assert.strictEqual(error.text, text)
    assert.strictEqual(error.column, 65)
    assert.strictEqual(error.reason, "parentheses nest more than 64 deep")
    assert.strictEqual(error.message, "invalid --where expression: parentheses nest more than 64 deep (column 65)")
  })
})
