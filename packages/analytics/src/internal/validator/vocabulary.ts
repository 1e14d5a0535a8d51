import type * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

/**
 * Annotation holding the values the swagger lists for an enum field that is kept open (any string decodes):
 * Genesys adds enum values every release, so a record with a new value must still decode.
 */
export const KnownValuesId: unique symbol = Symbol.for("@effect-genesys/analytics/KnownValues")

/**
 * A string field with a known vocabulary. The type is the literal union plus `string & {}` so editors still
 * complete the known names; at runtime it is a plain string check, because a union of dozens of literals costs
 * microseconds per field and records are decoded by the hundred thousand.
 */
export const openEnum = <const L extends ReadonlyArray<string>>(values: L): Schema.Schema<L[number] | (string & {})> =>
  Schema.String.annotations({ [KnownValuesId]: values }) as unknown as Schema.Schema<L[number] | (string & {})>

/** The known values of an `openEnum` field, if the AST is one. */
export const getKnownValues = (ast: AST.AST): Option.Option<ReadonlyArray<string>> =>
  AST.getAnnotation<ReadonlyArray<string>>(ast, KnownValuesId)

/** Levenshtein distance, bounded by `max` so comparing against long junk strings stays cheap. */
export const editDistance = (a: string, b: string, max: number): number => {
  if (Math.abs(a.length - b.length) > max) return max + 1
  let previous = new Array<number>(b.length + 1)
  let current = new Array<number>(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    let rowMin = current[0]
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost)
      if (current[j]! < rowMin) rowMin = current[j]!
    }
    if (rowMin > max) return max + 1
    const swap = previous
    previous = current
    current = swap
  }
  return previous[b.length]!
}

/**
 * The closest known name to `input`, for a "did you mean". Case-only differences always match; otherwise the
 * distance must be at most a third of the name's length (at least 1, at most 3), so unrelated names are not offered.
 */
export const suggest = (input: string, candidates: Iterable<string>): string | undefined => {
  if (input.length === 0 || input.length > 200) return undefined
  const lower = input.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of candidates) {
    if (candidate.toLowerCase() === lower) return candidate
    const max = Math.min(3, Math.max(1, Math.floor(candidate.length / 3)))
    const distance = editDistance(lower, candidate.toLowerCase(), max)
    if (distance <= max && distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}
