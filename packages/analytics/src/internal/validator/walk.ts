// Structural check of a query driven by the Schema AST (so it follows the swagger-generated Schemas): JSON types,
// required keys, unknown keys with "did you mean", closed enums. Reports every problem with its JSON path and never
// descends into values the Schema does not describe, so cyclic or deeply nested junk cannot make it loop. A key whose
// value is `null` is treated as absent (FACTS §7b).
import * as Option from "effect/Option"
import * as AST from "effect/SchemaAST"
import { child, describe, index, type Issues, shown } from "./issues.js"
import { suggest } from "./vocabulary.js"

/** Hints for keys that are valid elsewhere, keyed by `Definition.key`. */
const keyHints: Record<string, { readonly rule?: string; readonly message: string }> = {
  "ConversationQuery.limit": {
    message: "only jobs (AsyncConversationQuery) take limit; a sync query pages with paging"
  },
  "ConversationQuery.startOfDayIntervalMatching": {
    message:
      "only jobs (AsyncConversationQuery) take startOfDayIntervalMatching; sync queries always match by start day"
  },
  "AsyncConversationQuery.paging": { message: "jobs have no paging: their results are read with a cursor" },
  "AsyncConversationQuery.aggregations": { message: "jobs have no aggregations; use a sync query" },
  "ConversationAggregationQuery.pageSize": {
    message:
      "only aggregate jobs (ConversationAsyncAggregationQuery) take pageSize; a sync aggregate query has no pages"
  },
  "ConversationAggregationQuery.paging": {
    message: "aggregate queries have no paging (a details field); it is sent as written, and Genesys may ignore it"
  },
  "ConversationAsyncAggregationQuery.paging": {
    message: "aggregate jobs page by cursor, with pageSize in the body; paging is a details field"
  }
}

const nestingHint = (definition: string, key: string): string | undefined => {
  if (definition.endsWith("Clause") && key === "clauses") {
    return "clauses do not nest: a filter holds clauses and predicates, a clause holds only predicates"
  }
  if (definition.endsWith("Predicate") && (key === "clauses" || key === "predicates")) {
    return "predicates do not nest: put them side by side in a clause or filter"
  }
  if (
    definition.endsWith("Predicate") &&
    !definition.startsWith("Segment") &&
    (key === "property" || key === "propertyType")
  ) {
    return "only segment predicates (segmentFilters) have property and propertyType"
  }
  if (definition === "ResolutionDetailQueryPredicate" && key === "dimension") {
    return "resolution predicates have no dimension, only metric (nNextContactAvoided)"
  }
  return undefined
}

/** Bounds on the work one walk does: longest string checked, most array elements visited. */
export interface WalkLimits {
  readonly maxStringLength: number
  readonly maxArrayLength: number
}

const INT32_MAX = 2_147_483_647
const INT32_MIN = -2_147_483_648

const isInt = (ast: AST.AST): boolean =>
  ast._tag === "Refinement" && Option.getOrUndefined(AST.getIdentifierAnnotation(ast)) === "Int"

const literalsOf = (ast: AST.AST): ReadonlyArray<AST.LiteralValue> | undefined => {
  if (ast._tag === "Literal") return [ast.literal]
  if (ast._tag === "Union" && ast.types.every((t) => t._tag === "Literal")) {
    return ast.types.map((t) => (t as AST.Literal).literal)
  }
  return undefined
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const INTEGER_TEXT = /^-?\d{1,10}$/
const NUMBER_TEXT = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/

/**
 * The value a scalar of the wrong JSON type stands for when Genesys's JSON reader coerces it (a Genesys blueprint
 * sends `"pageSize": "100"`): integer and number text, `"true"`/`"false"`. `undefined` when no coercion applies.
 */
const coerced = (ast: AST.AST, value: unknown): unknown => {
  switch (ast._tag) {
    case "NumberKeyword":
      return typeof value === "string" && NUMBER_TEXT.test(value) ? Number(value) : undefined
    case "BooleanKeyword":
      return value === "true" ? true : value === "false" ? false : undefined
    case "Refinement":
      if (isInt(ast)) return typeof value === "string" && INTEGER_TEXT.test(value) ? Number(value) : undefined
      return coerced(ast.from, value)
    default: {
      // An enum name in another case is sent in the definition's spelling (it was warned about as enum.case).
      const literals = literalsOf(ast)
      if (literals === undefined || typeof value !== "string" || literals.includes(value)) return undefined
      return literals.find((l) => typeof l === "string" && l.toLowerCase() === value.toLowerCase())
    }
  }
}

const present = (value: Record<string, unknown>, key: string): boolean =>
  Object.hasOwn(value, key) && value[key] !== null && value[key] !== undefined

const propertiesOf = (ast: AST.AST): ReadonlyArray<AST.PropertySignature> | undefined => {
  switch (ast._tag) {
    case "TypeLiteral":
      return ast.propertySignatures
    case "Refinement":
      return propertiesOf(ast.from)
    case "Suspend":
      return propertiesOf(ast.f())
    case "Declaration":
      return ast.typeParameters[0] ? propertiesOf(ast.typeParameters[0]) : undefined
    default:
      return undefined
  }
}

const elementOf = (ast: AST.AST): AST.AST | undefined => {
  switch (ast._tag) {
    case "TupleType":
      return ast.rest[0]?.type
    case "Refinement":
      return elementOf(ast.from)
    case "Suspend":
      return elementOf(ast.f())
    default:
      return undefined
  }
}

/**
 * A copy of a checked value without its `null` keys, where the Schema describes the value. Unknown keys are kept by
 * reference (they are sent as given) or dropped with `keepUnknown: false`; either way this never walks junk the
 * Schema does not describe.
 */
export const withoutNulls = (ast: AST.AST, value: unknown, keepUnknown: boolean): unknown => {
  const scalar = coerced(ast, value)
  if (scalar !== undefined) return scalar
  if (Array.isArray(value)) {
    const element = elementOf(ast)
    return element === undefined ? value : value.map((item) => withoutNulls(element, item, keepUnknown))
  }
  if (!isPlainObject(value)) return value
  const properties = propertiesOf(ast)
  if (properties === undefined) return value
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    const item = value[key]
    if (item === null || item === undefined) continue
    const signature = properties.find((p) => p.name === key)
    if (signature !== undefined) out[key] = withoutNulls(signature.type, item, keepUnknown)
    else if (keepUnknown) out[key] = item
  }
  return out
}

const MAX_UNKNOWN_DEPTH = 64
const MAX_UNKNOWN_NODES = 100_000

/**
 * Why an unknown key's value cannot be sent as it is (it is sent unchanged, so it must be plain JSON of bounded
 * size), or `undefined` when it can. Bounded in depth and nodes, so cyclic or huge junk is judged quickly.
 */
const unsendable = (value: unknown): string | undefined => {
  let nodes = 0
  const visit = (v: unknown, depth: number): string | undefined => {
    if (++nodes > MAX_UNKNOWN_NODES) return `holds more than ${MAX_UNKNOWN_NODES} values`
    if (v === null || typeof v === "string" || typeof v === "boolean") return undefined
    if (typeof v === "number") return Number.isFinite(v) ? undefined : `holds ${v}, which JSON cannot carry`
    if (typeof v !== "object") return `holds a ${typeof v}, which JSON cannot carry`
    if (depth >= MAX_UNKNOWN_DEPTH) return `is nested deeper than ${MAX_UNKNOWN_DEPTH} levels`
    const proto = Object.getPrototypeOf(v)
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) return "is not a plain JSON object"
    if ("toJSON" in v) return "has a toJSON method"
    for (const item of Array.isArray(v) ? v : Object.values(v)) {
      const reason = visit(item, depth + 1)
      if (reason !== undefined) return reason
    }
    return undefined
  }
  return visit(value, 0)
}

/** Reports a value of the wrong JSON type, noting what Genesys would coerce it to when it would. */
const reportExpected = (ast: AST.AST, value: unknown, path: string, issues: Issues, what: string): void => {
  const as = coerced(ast, value)
  if (as === undefined) {
    issues.add({ path, rule: "type", message: `expected ${what}, got ${describe(value)}`, value: shown(value) })
    return
  }
  if (typeof as === "number" && isInt(ast) && (as > INT32_MAX || as < INT32_MIN)) {
    issues.add({ path, rule: "integer.int32", message: "is outside the 32-bit integer range", value: shown(value) })
    return
  }
  issues.add({
    path,
    rule: "type.coerced",
    message: `expected ${what}, got ${describe(value)}; Genesys reads it as ${JSON.stringify(as)}, which is sent`,
    value: shown(value)
  })
}

/** Reports a key the definition does not have: unsendable, misplaced (nesting or a hint), or unknown. */
const reportUnknownKey = (
  definition: string,
  names: ReadonlyArray<string>,
  key: string,
  item: unknown,
  path: string,
  issues: Issues
): void => {
  const reason = unsendable(item)
  if (reason !== undefined) {
    issues.add({ path: child(path, key), rule: "input.unreadable", message: `this unknown key ${reason}` })
    return
  }
  const nesting = nestingHint(definition, key)
  const hint = keyHints[`${definition}.${key}`]
  const suggestion = nesting === undefined && hint === undefined ? suggest(key, names) : undefined
  issues.add({
    path: child(path, key),
    rule: nesting !== undefined ? "nesting.depth" : "unknownKey",
    message:
      nesting ??
      hint?.message ??
      `${definition} has no key "${key.length > 50 ? `${key.slice(0, 50)}…` : key}"; ` +
        "it is sent as written, and Genesys may ignore it",
    suggestion
  })
}

const walkObject = (ast: AST.TypeLiteral, value: unknown, path: string, issues: Issues, limits: WalkLimits): void => {
  if (!isPlainObject(value)) {
    reportExpected(ast, value, path, issues, "an object")
    return
  }
  const definition = Option.getOrElse(AST.getIdentifierAnnotation(ast), () => "object")
  const names: Array<string> = []
  for (const signature of ast.propertySignatures) {
    const name = String(signature.name)
    names.push(name)
    if (present(value, name)) walk(signature.type, value[name], child(path, name), issues, limits)
    else if (!signature.isOptional) {
      issues.add({ path: child(path, name), rule: "required", message: `${definition} requires ${name}` })
    }
  }
  for (const key of Object.keys(value)) {
    if (names.includes(key) || value[key] === null || value[key] === undefined) continue
    reportUnknownKey(definition, names, key, value[key], path, issues)
  }
}

const walkArray = (ast: AST.TupleType, value: unknown, path: string, issues: Issues, limits: WalkLimits): void => {
  if (!Array.isArray(value)) {
    reportExpected(ast, value, path, issues, "an array")
    return
  }
  const element = ast.rest[0]?.type
  if (element === undefined) return
  const length = Math.min(value.length, limits.maxArrayLength)
  for (let i = 0; i < length; i++) walk(element, value[i], index(path, i), issues, limits)
  if (value.length > limits.maxArrayLength) {
    issues.add({
      path,
      rule: "count.array",
      message: `has ${value.length} elements; only the first ${limits.maxArrayLength} were checked`,
      value: value.length
    })
  }
}

const walkString = (ast: AST.AST, value: unknown, path: string, issues: Issues, limits: WalkLimits): void => {
  if (typeof value !== "string") {
    reportExpected(ast, value, path, issues, "a string")
    return
  }
  if (value.length > limits.maxStringLength) {
    issues.add({
      path,
      rule: "string.tooLong",
      message: `is ${value.length} characters long; the limit is ${limits.maxStringLength}`,
      value: shown(value)
    })
  }
}

const walkInt = (ast: AST.AST, value: unknown, path: string, issues: Issues): void => {
  if (typeof value !== "number" || !Number.isFinite(value) || !Number.isInteger(value)) {
    reportExpected(ast, value, path, issues, "an integer")
    return
  }
  if (value > INT32_MAX || value < INT32_MIN) {
    issues.add({ path, rule: "integer.int32", message: "is outside the 32-bit integer range", value })
  }
}

/** Checks a closed enum (a literal or a union of literals); other node kinds are not checked. */
const walkLiteral = (ast: AST.AST, value: unknown, path: string, issues: Issues): void => {
  const literals = literalsOf(ast)
  if (literals === undefined) return
  if (literals.includes(value as AST.LiteralValue)) return
  const names = literals.map(String)
  const sameIgnoringCase =
    typeof value === "string" ? names.find((n) => n.toLowerCase() === value.toLowerCase()) : undefined
  if (sameIgnoringCase !== undefined) {
    issues.add({
      path,
      rule: "enum.case",
      message: `"${shown(value)}" is written "${sameIgnoringCase}" in the Genesys definition`,
      value: shown(value),
      suggestion: sameIgnoringCase
    })
    return
  }
  issues.add({
    path,
    rule: "enum",
    message:
      typeof value === "string"
        ? `"${shown(value)}" is not one of ${names.map((n) => `"${n}"`).join(", ")}`
        : `expected one of ${names.map((n) => `"${n}"`).join(", ")}, got ${describe(value)}`,
    value: shown(value),
    suggestion: typeof value === "string" ? suggest(value, names) : undefined
  })
}

/** Checks `value` against the Schema node `ast`, adding every problem found to `issues`. */
export const walk = (ast: AST.AST, value: unknown, path: string, issues: Issues, limits: WalkLimits): void => {
  switch (ast._tag) {
    case "TypeLiteral":
      walkObject(ast, value, path, issues, limits)
      return
    case "TupleType":
      walkArray(ast, value, path, issues, limits)
      return
    case "StringKeyword":
      walkString(ast, value, path, issues, limits)
      return
    case "NumberKeyword":
      if (typeof value !== "number" || !Number.isFinite(value))
        reportExpected(ast, value, path, issues, "a finite number")
      return
    case "BooleanKeyword":
      if (typeof value !== "boolean") reportExpected(ast, value, path, issues, "a boolean (true or false)")
      return
    case "Refinement":
      if (isInt(ast)) walkInt(ast, value, path, issues)
      else walk(ast.from, value, path, issues, limits)
      return
    case "Suspend":
      walk(ast.f(), value, path, issues, limits)
      return
    case "Declaration":
      if (ast.typeParameters[0]) walk(ast.typeParameters[0], value, path, issues, limits)
      return
    default:
      walkLiteral(ast, value, path, issues)
      return
  }
}
