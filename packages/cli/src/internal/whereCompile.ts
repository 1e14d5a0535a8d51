/** @internal */
import * as ConversationQuery from "@effect-genesys/analytics/ConversationQuery"
import { type Expr, Failure, type Literal } from "./whereSyntax.js"

/** Which filter array and which side of the predicate a name belongs to. @internal */
export type Target = "conversation" | "segment"

interface FieldInfo {
  readonly target: Target
  readonly kind: "dimension" | "metric"
}

const fields = new Map<string, FieldInfo>()
for (const name of ConversationQuery.conversationDimensions)
  fields.set(name, { target: "conversation", kind: "dimension" })
for (const name of ConversationQuery.conversationMetrics) fields.set(name, { target: "conversation", kind: "metric" })
for (const name of ConversationQuery.segmentDimensions) fields.set(name, { target: "segment", kind: "dimension" })
for (const name of ConversationQuery.segmentMetrics) fields.set(name, { target: "segment", kind: "metric" })

/** Every name the language knows. @internal */
export const fieldNames: ReadonlyArray<string> = Array.from(fields.keys())

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

/** The closest of `candidates` to a misspelled `name`, if any is close. @internal */
export const suggest = (name: string, candidates: ReadonlyArray<string> = fieldNames): string | undefined => {
  const lower = name.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    const d = candidate.toLowerCase() === lower ? 0 : distance(lower, candidate.toLowerCase())
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined
}

const lookup = (name: string, column: number): FieldInfo => {
  const info = fields.get(name)
  if (info !== undefined) return info
  const hint = suggest(name)
  throw new Failure(
    column,
    `unknown dimension or metric "${name}"${hint === undefined ? "" : ` (did you mean "${hint}"?)`}; the filter language knows conversation and segment dimensions and metrics`
  )
}

/** A predicate as both filter kinds take it (segment predicates are a superset). @internal */
export interface Predicate {
  readonly type: "dimension" | "metric"
  readonly dimension?: string
  readonly metric?: string
  readonly operator?: "matches" | "exists" | "notExists"
  readonly value?: string
  readonly range?: ConversationQuery.NumericRange
}

interface Atom {
  readonly target: Target
  readonly predicate: Predicate
  readonly column: number
}

const side = (info: FieldInfo, name: string): Pick<Predicate, "type" | "dimension" | "metric"> =>
  info.kind === "dimension" ? { type: "dimension", dimension: name } : { type: "metric", metric: name }

const literalValue = (literal: Literal) => literal.text

const compare = (field: string, operator: "=" | ">" | ">=" | "<" | "<=", value: Literal, column: number): Atom => {
  const info = lookup(field, column)
  const base = side(info, field)
  if (operator === "=") {
    if (info.kind === "dimension")
      return { target: info.target, column, predicate: { ...base, value: literalValue(value) } }
    if (value._tag !== "Number") {
      throw new Failure(column, `metric "${field}" compares with numbers, not "${value.text}"`)
    }
    return { target: info.target, column, predicate: { ...base, range: { gte: value.value, lte: value.value } } }
  }
  if (value._tag !== "Number") {
    throw new Failure(
      column,
      `"${operator}" needs a number on the right (Genesys ranges are numeric), not "${value.text}"`
    )
  }
  const range =
    operator === ">"
      ? { gt: value.value }
      : operator === ">="
        ? { gte: value.value }
        : operator === "<"
          ? { lt: value.value }
          : { lte: value.value }
  return { target: info.target, column, predicate: { ...base, range } }
}

/** `in (...)` and `or`s of atoms, expanded to their atoms; undefined for anything else. */
const atomsOf = (expr: Expr): ReadonlyArray<Atom> | undefined => {
  switch (expr._tag) {
    case "Compare":
      return [compare(expr.field, expr.operator, expr.value, expr.column)]
    case "In":
      return expr.values.map((value) => compare(expr.field, "=", value, expr.column))
    case "Exists": {
      const info = lookup(expr.field, expr.column)
      return [
        {
          target: info.target,
          column: expr.column,
          predicate: { ...side(info, expr.field), operator: expr.negated ? "notExists" : "exists" }
        }
      ]
    }
    default:
      return undefined
  }
}

const sameTarget = (atoms: ReadonlyArray<Atom>, what: string): Target => {
  const target = atoms[0]!.target
  const other = atoms.find((a) => a.target !== target)
  if (other !== undefined) {
    throw new Failure(
      other.column,
      `${what} mixes ${target} and ${other.target} conditions: Genesys ANDs conversationFilters with segmentFilters, so an "or" across them cannot be expressed`
    )
  }
  return target
}

/** A clause of either kind. @internal */
export interface Clause {
  readonly type: "and" | "or"
  readonly predicates: ReadonlyArray<Predicate>
}

/** A filter of either kind. @internal */
export interface Filter {
  readonly type: "and" | "or"
  readonly clauses?: ReadonlyArray<Clause>
  readonly predicates?: ReadonlyArray<Predicate>
}

/** The compiled filters. @internal */
export interface Compiled {
  readonly conversationFilters?: ReadonlyArray<Filter>
  readonly segmentFilters?: ReadonlyArray<Filter>
}

const tooDeep = (column: number) =>
  new Failure(
    column,
    `this nests too deeply: Genesys filters hold clauses of predicates (two levels), so an "or" inside an "and" inside an "or" cannot be expressed; rewrite it as an "or" of "and"s`
  )

/** An `or` item: an atom group (an `in` list flattens into the `or`) or an `and` of atoms. */
const orFilter = (expr: Expr & { readonly _tag: "Or" }): { target: Target; filter: Filter } => {
  const predicates: Array<Atom> = []
  const clauses: Array<ReadonlyArray<Atom>> = []
  for (const item of expr.items) {
    const atoms = atomsOf(item)
    if (atoms !== undefined) {
      predicates.push(...atoms)
      continue
    }
    if (item._tag !== "And") throw tooDeep(item.column)
    const clause: Array<Atom> = []
    for (const inner of item.items) {
      const innerAtoms = atomsOf(inner)
      // An `in` list inside this `and` would be a third level, unless it has a single value.
      if (innerAtoms === undefined || (inner._tag === "In" && innerAtoms.length > 1)) throw tooDeep(inner.column)
      clause.push(...innerAtoms)
    }
    clauses.push(clause)
  }
  const target = sameTarget([...predicates, ...clauses.flat()], `this "or"`)
  return {
    target,
    filter: {
      type: "or",
      ...(clauses.length > 0
        ? { clauses: clauses.map((c) => ({ type: "and" as const, predicates: c.map((a) => a.predicate) })) }
        : {}),
      ...(predicates.length > 0 ? { predicates: predicates.map((a) => a.predicate) } : {})
    }
  }
}

/**
 * Compiles an expression into Genesys filters. The top-level `and` of each target becomes one `and` filter whose
 * predicates are the plain conditions and whose clauses are the `or` groups of plain conditions (and `in` lists);
 * an `or` that contains `and`s becomes a filter of its own (type `or`, its `and`s as clauses), relying on several
 * filters in one array being ANDed (FACTS §8 default). Deeper nesting, and an `or` across conversation and segment
 * conditions, cannot be expressed and fail with the column of the offending part.
 *
 * @internal
 */
export const compile = (expr: Expr): Compiled => {
  const conjuncts = expr._tag === "And" ? expr.items : [expr]
  const plain: Record<Target, Array<Predicate>> = { conversation: [], segment: [] }
  const orClauses: Record<Target, Array<Clause>> = { conversation: [], segment: [] }
  const extra: Record<Target, Array<Filter>> = { conversation: [], segment: [] }

  for (const conjunct of conjuncts) {
    const atoms = atomsOf(conjunct)
    if (atoms !== undefined) {
      if (conjunct._tag === "In" && atoms.length > 1) {
        orClauses[atoms[0]!.target].push({ type: "or", predicates: atoms.map((a) => a.predicate) })
      } else {
        for (const atom of atoms) plain[atom.target].push(atom.predicate)
      }
      continue
    }
    if (conjunct._tag !== "Or") throw tooDeep(conjunct.column)
    const { filter, target } = orFilter(conjunct)
    if (filter.clauses === undefined) orClauses[target].push({ type: "or", predicates: filter.predicates! })
    else extra[target].push(filter)
  }

  const filters = (target: Target): Array<Filter> => {
    const out: Array<Filter> = []
    const predicates = plain[target]
    const clauses = orClauses[target]
    if (predicates.length === 0 && clauses.length === 1) {
      // A lone "or" group is a filter of type "or" rather than an "and" filter wrapping one clause.
      out.push({ type: "or", predicates: clauses[0]!.predicates })
    } else if (predicates.length > 0 || clauses.length > 0) {
      out.push({
        type: "and",
        ...(clauses.length > 0 ? { clauses } : {}),
        ...(predicates.length > 0 ? { predicates } : {})
      })
    }
    return [...out, ...extra[target]]
  }
  const conversationFilters = filters("conversation")
  const segmentFilters = filters("segment")
  return {
    ...(conversationFilters.length > 0 ? { conversationFilters } : {}),
    ...(segmentFilters.length > 0 ? { segmentFilters } : {})
  }
}
