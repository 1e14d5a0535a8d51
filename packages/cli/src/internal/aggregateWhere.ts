/** @internal */
import * as ConversationAggregateQuery from "@effect-genesys/analytics/ConversationAggregateQuery"
import * as ConversationQuery from "@effect-genesys/analytics/ConversationQuery"
import { suggest } from "./whereCompile.js"
import { type Expr, Failure, type Literal } from "./whereSyntax.js"

// `--where` for the aggregates query: one `filter` of dimension predicates (FACTS-aggregates §2.3: the aggregate
// predicate has no `metric` field), two levels deep (filter → clauses → predicates). `=` and `in` match values,
// `exists` / `not exists` test presence; numeric comparisons have no aggregates meaning and are refused.

const dimensions = new Set<string>(ConversationAggregateQuery.predicateDimensions)
const metricNames = new Set<string>([
  ...ConversationAggregateQuery.metrics,
  ...ConversationQuery.conversationMetrics,
  ...ConversationQuery.segmentMetrics
])

/** An aggregates predicate. @internal */
export interface Predicate {
  readonly dimension: string
  readonly operator?: "exists" | "notExists"
  readonly value?: string
}

/** An aggregates clause. @internal */
export interface Clause {
  readonly type: "and" | "or"
  readonly predicates: ReadonlyArray<Predicate>
}

/** The aggregates filter. @internal */
export interface Filter {
  readonly type: "and" | "or"
  readonly clauses?: ReadonlyArray<Clause>
  readonly predicates?: ReadonlyArray<Predicate>
}

const checkField = (name: string, column: number): void => {
  if (dimensions.has(name)) return
  if (metricNames.has(name)) {
    throw new Failure(column, `"${name}" is a metric: aggregates filters take dimensions only (put it in --metrics)`)
  }
  const hint = suggest(name, ConversationAggregateQuery.predicateDimensions)
  throw new Failure(
    column,
    `unknown aggregates dimension "${name}"${hint === undefined ? "" : ` (did you mean "${hint}"?)`}`
  )
}

const match = (field: string, value: Literal): Predicate => ({ dimension: field, value: value.text })

/** The predicates of a condition (`in` gives several, to be or-ed); undefined for `and` / `or`. */
const atoms = (expr: Expr): ReadonlyArray<Predicate> | undefined => {
  switch (expr._tag) {
    case "Compare":
      checkField(expr.field, expr.column)
      if (expr.operator !== "=") {
        throw new Failure(
          expr.column,
          `"${expr.operator}" cannot filter aggregates: dimensions match values (=, in) or test presence (exists)`
        )
      }
      return [match(expr.field, expr.value)]
    case "In":
      checkField(expr.field, expr.column)
      return expr.values.map((value) => match(expr.field, value))
    case "Exists":
      checkField(expr.field, expr.column)
      return [{ dimension: expr.field, operator: expr.negated ? "notExists" : "exists" }]
    default:
      return undefined
  }
}

const tooDeep = (column: number) =>
  new Failure(
    column,
    `this nests too deeply: the aggregates filter holds clauses of predicates (two levels); rewrite it as an "or" of "and"s or an "and" of "or"s`
  )

/** The items of `expr`'s inner group (type `inner`): plain conditions, an `in` list only when `or`-ed. */
const clauseOf = (items: ReadonlyArray<Expr>, inner: "and" | "or"): Clause => {
  const predicates: Array<Predicate> = []
  for (const item of items) {
    const found = atoms(item)
    if (found === undefined || (inner === "and" && found.length > 1)) throw tooDeep(item.column)
    predicates.push(...found)
  }
  return { type: inner, predicates }
}

/** Compiles an expression to the aggregates `filter`. @internal */
export const compile = (expr: Expr): Filter => {
  const single = atoms(expr)
  if (single !== undefined) return { type: single.length > 1 ? "or" : "and", predicates: single }
  if (expr._tag !== "And" && expr._tag !== "Or") throw tooDeep(expr.column)
  const outer = expr._tag === "And" ? "and" : "or"
  const inner = outer === "and" ? "or" : "and"
  const predicates: Array<Predicate> = []
  const clauses: Array<Clause> = []
  // `a and (b and c)` is `a and b and c`.
  const flat = (items: ReadonlyArray<Expr>): ReadonlyArray<Expr> =>
    items.flatMap((item) => (item._tag === expr._tag ? flat((item as typeof expr).items) : [item]))
  for (const item of flat(expr.items)) {
    const found = atoms(item)
    if (found !== undefined) {
      // An `in` list is an "or": inside an "or" it flattens, inside an "and" it is a clause.
      if (outer === "and" && found.length > 1) clauses.push({ type: "or", predicates: found })
      else predicates.push(...found)
      continue
    }
    if (item._tag === "And" || item._tag === "Or") {
      if ((item._tag === "And" ? "and" : "or") !== inner) throw tooDeep(item.column)
      clauses.push(clauseOf(item.items, inner))
      continue
    }
    throw tooDeep(item.column)
  }
  return {
    type: outer,
    ...(clauses.length > 0 ? { clauses } : {}),
    ...(predicates.length > 0 ? { predicates } : {})
  }
}
