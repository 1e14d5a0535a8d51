// `--where` for aggregates: one filter of dimension predicates in two levels; names kept as written (resolved later by
// NameLookup); metrics, comparisons and a third level refused with their column.
import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import fc from "fast-check"
import * as Where from "../src/Where.js"

const ok = (text: string) => {
  const result = Where.parseAggregate(text)
  if (Either.isLeft(result)) throw new Error(result.left.message)
  return result.right
}
const refused = (text: string) => {
  const result = Where.parseAggregate(text)
  if (Either.isRight(result)) throw new Error(`accepted: ${JSON.stringify(result.right)}`)
  return result.left
}

describe("Where.parseAggregate", () => {
  it("conditions, in-lists, exists, and of ors, or of ands", () => {
    assert.deepStrictEqual(ok("wrapUpCode = 'Issue Resolved'"), {
      type: "and",
      predicates: [{ dimension: "wrapUpCode", value: "Issue Resolved" }]
    })
    assert.deepStrictEqual(ok(`wrapUpCode in ("Issue Resolved", 'Positive Feedback')`), {
      type: "or",
      predicates: [
        { dimension: "wrapUpCode", value: "Issue Resolved" },
        { dimension: "wrapUpCode", value: "Positive Feedback" }
      ]
    })
    assert.deepStrictEqual(ok("mediaType = voice and queueId in (Sales, Support) and exists userId"), {
      type: "and",
      clauses: [
        {
          type: "or",
          predicates: [
            { dimension: "queueId", value: "Sales" },
            { dimension: "queueId", value: "Support" }
          ]
        }
      ],
      predicates: [
        { dimension: "mediaType", value: "voice" },
        { dimension: "userId", operator: "exists" }
      ]
    })
    assert.deepStrictEqual(ok("(mediaType = voice and queueId = Sales) or not exists wrapUpCode"), {
      type: "or",
      clauses: [
        {
          type: "and",
          predicates: [
            { dimension: "mediaType", value: "voice" },
            { dimension: "queueId", value: "Sales" }
          ]
        }
      ],
      predicates: [{ dimension: "wrapUpCode", operator: "notExists" }]
    })
    assert.deepStrictEqual(
      ok("mediaType = voice and (queueId = a and userId = b)").predicates?.map((p) => p.dimension),
      ["mediaType", "queueId", "userId"]
    )
  })

  it("refuses metrics, comparisons, unknown dimensions (with did you mean) and a third level", () => {
    assert.include(refused("tHandle = 3").reason, `"tHandle" is a metric`)
    assert.include(refused("queueId > 3").reason, `">" cannot filter aggregates`)
    assert.include(refused("wrapupCode = x").reason, `did you mean "wrapUpCode"?`)
    const deep = refused("mediaType = voice and (queueId = a or (userId = b and direction = inbound))")
    assert.include(deep.reason, "nests too deeply")
    assert.strictEqual(deep.column, 40)
  })

  it("mergeAggregate joins two and filters; an or filter with another cannot be joined", () => {
    const a = ok("mediaType = voice")
    const b = ok("queueId in (x, y)")
    assert.deepStrictEqual(Where.mergeAggregate(a, undefined), a)
    assert.deepStrictEqual(Where.mergeAggregate(undefined, b), b)
    assert.strictEqual(Where.mergeAggregate(a, b), undefined)
    assert.deepStrictEqual(Where.mergeAggregate(a, ok("direction = inbound")), {
      type: "and",
      predicates: [
        { dimension: "mediaType", value: "voice" },
        { dimension: "direction", value: "inbound" }
      ]
    })
  })

  it("property: an and of conditions and or-groups compiles to one and filter with every value, in order", () => {
    const dimension = fc.constantFrom("wrapUpCode", "queueId", "userId", "mediaType", "direction")
    const value = fc.string({ minLength: 1, maxLength: 8 }).map((s) => s.replace(/[\\']/g, "x"))
    const condition = fc.tuple(dimension, value)
    const item = fc.oneof(
      condition.map((c) => ({ or: [c] })),
      fc.array(condition, { minLength: 2, maxLength: 3 }).map((cs) => ({ or: cs }))
    )
    fc.assert(
      fc.property(fc.array(item, { minLength: 2, maxLength: 5 }), (items) => {
        const text = items
          .map((i) => {
            const parts = i.or.map(([d, v]) => `${d} = '${v}'`)
            return parts.length === 1 ? parts[0] : `(${parts.join(" or ")})`
          })
          .join(" and ")
        const filter = ok(text)
        const singles = items.filter((i) => i.or.length === 1).map((i) => i.or[0]![1])
        const groups = items.filter((i) => i.or.length > 1).map((i) => i.or.map(([, v]) => v))
        return (
          filter.type === "and" &&
          JSON.stringify((filter.predicates ?? []).map((p) => p.value)) === JSON.stringify(singles) &&
          JSON.stringify((filter.clauses ?? []).map((c) => c.predicates.map((p) => p.value))) === JSON.stringify(groups)
        )
      })
    )
  })
})
