/**
 * The `--where` filter language, compiled to Genesys `conversationFilters` / `segmentFilters`:
 *
 *     mediaType = voice and queueId in (q1, q2) and tHandle > 300000
 *     (purpose = agent and wrapUpCode = w1) or exists flowOutcome
 *     not exists wrapUpCode and direction = 'inbound'
 *
 * Names are the Genesys dimension and metric names (case-sensitive); a conversation dimension or metric goes to
 * `conversationFilters`, a segment one to `segmentFilters`. `=` matches a value (a range `[v, v]` on a metric);
 * `>`, `>=`, `<`, `<=` take numbers and become ranges; `in (a, b)` is an `or` of matches; `exists` / `not exists`
 * test presence. There is no `!=` (and no `not` before a match): Genesys predicates cannot negate a value. Values
 * are bare words (letters, digits, `-`, `.`, `:`, `@`, `+`, ...) or quoted with `"` or `'` (backslash escapes).
 * `and` binds tighter than `or`; parentheses group. Expressions must fit Genesys' two levels (filter → clauses →
 * predicates): an `and` of conditions and `or` groups, or an `or` of conditions and `and` groups. Errors carry
 * the 1-based column where the expression went wrong.
 *
 * @since 0.1.0
 */
import type * as ConversationQuery from "@effect-genesys/analytics/ConversationQuery"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { pretty } from "./internal/parseError.js"
import * as AggregateWhere from "./internal/aggregateWhere.js"
import * as Compile from "./internal/whereCompile.js"
import * as Syntax from "./internal/whereSyntax.js"

/** The parsed expression tree (before compilation). @since 0.1.0 */
export type Expr = Syntax.Expr

/** A right-hand-side literal of the expression tree. @since 0.1.0 */
export type Literal = Syntax.Literal

/** The filters a `--where` expression compiles to, ready to merge into a query. @since 0.1.0 */
export interface WhereFilters {
  readonly conversationFilters?: ReadonlyArray<ConversationQuery.ConversationDetailQueryFilter>
  readonly segmentFilters?: ReadonlyArray<ConversationQuery.SegmentDetailQueryFilter>
}

/** Why a `--where` expression was refused, and at which column (1-based). @since 0.1.0 */
export class WhereError extends Schema.TaggedError<WhereError>("@effect-genesys/cli/Where/WhereError")("WhereError", {
  text: Schema.String,
  column: Schema.Number,
  reason: Schema.String
}) {
  /** One line: the reason and the column. */
  override get message(): string {
    return `invalid --where expression: ${this.reason} (column ${this.column})`
  }
  /** The message, the expression and a caret under the column. */
  get pretty(): string {
    return pretty("--where", this.text, this.column, this.reason)
  }
}

const attempt = <A>(text: string, f: () => A): Either.Either<A, WhereError> => {
  try {
    return Either.right(f())
  } catch (error) {
    if (error instanceof Syntax.Failure) {
      return Either.left(new WhereError({ text, column: error.column, reason: error.reason }))
    }
    // Anything else (an engine limit on absurd input) is still the expression's fault, never a crash.
    return Either.left(new WhereError({ text, column: 1, reason: `cannot be read: ${String(error)}` }))
  }
}

/** Parses an expression to its tree without compiling it. @since 0.1.0 */
export const parseExpr = (text: string): Either.Either<Expr, WhereError> => attempt(text, () => Syntax.parse(text))

/** Compiles a tree; `text` is only used to report errors. @since 0.1.0 */
export const compile = (expr: Expr, text: string = render(expr)): Either.Either<WhereFilters, WhereError> =>
  attempt(text, (): WhereFilters => Compile.compile(expr))

/** Parses and compiles a `--where` expression. @since 0.1.0 */
export const parse = (text: string): Either.Either<WhereFilters, WhereError> =>
  Either.flatMap(parseExpr(text), (expr) => compile(expr, text))

/** Renders a tree as text that parses back to it. @since 0.1.0 */
export const render = (expr: Expr): string => Syntax.render(expr)

/** The dimension and metric names the language accepts. @since 0.1.0 */
export const fieldNames: ReadonlyArray<string> = Compile.fieldNames

/**
 * Adds the filters of a `--where` expression to a query's own (the query's filters come first; Genesys ANDs the
 * filters of one array under the FACTS §8 default).
 *
 * @since 0.1.0
 */
export const merge = <Q extends WhereFilters>(query: Q, filters: WhereFilters): Q => {
  const conversationFilters = [...(query.conversationFilters ?? []), ...(filters.conversationFilters ?? [])]
  const segmentFilters = [...(query.segmentFilters ?? []), ...(filters.segmentFilters ?? [])]
  return {
    ...query,
    ...(conversationFilters.length > 0 ? { conversationFilters } : {}),
    ...(segmentFilters.length > 0 ? { segmentFilters } : {})
  }
}

/** The aggregates `filter` a `--where` expression compiles to (dimension predicates, two levels). @since 0.3.0 */
export type AggregateFilter = AggregateWhere.Filter

/**
 * Parses and compiles a `--where` expression for the aggregates query: one `filter` over the aggregates predicate
 * dimensions; `=` and `in` match, `exists` / `not exists` test presence (no numeric comparisons, no metrics).
 *
 * @since 0.3.0
 */
export const parseAggregate = (text: string): Either.Either<AggregateFilter, WhereError> =>
  Either.flatMap(parseExpr(text), (expr) => attempt(text, () => AggregateWhere.compile(expr)))

/**
 * Adds a `--where` filter to an aggregates query's own: the query's when there is no expression, the expression's
 * when the query has none, both `and` filters joined into one; `undefined` when they cannot be joined in two levels.
 *
 * @since 0.3.0
 */
export const mergeAggregate = (
  own: AggregateFilter | undefined,
  where: AggregateFilter | undefined
): AggregateFilter | undefined => {
  if (own === undefined || where === undefined) return own ?? where
  if (own.type !== "and" || where.type !== "and") return undefined
  const clauses = [...(own.clauses ?? []), ...(where.clauses ?? [])]
  const predicates = [...(own.predicates ?? []), ...(where.predicates ?? [])]
  return {
    type: "and",
    ...(clauses.length > 0 ? { clauses } : {}),
    ...(predicates.length > 0 ? { predicates } : {})
  }
}
