/**
 * Medians and ratios: the only figures the report states as claims.
 *
 * @since 0.1.0
 */

/** The median (mean of the two middle values for an even count); NaN for none. @since 0.1.0 */
export const median = (values: ReadonlyArray<number>): number => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** `a / b`, NaN when b is 0 or either is not finite. @since 0.1.0 */
export const ratio = (a: number, b: number): number =>
  Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? a / b : Number.NaN

/** Rounds for JSON output (keeps 3 significant decimals of small numbers). @since 0.1.0 */
export const round = (value: number, digits = 3): number => {
  if (!Number.isFinite(value)) return value
  const f = 10 ** digits
  return Math.round(value * f) / f
}

/** Rotation `k` of a list: repetition k starts with a different contender. @since 0.1.0 */
export const rotate = <A>(items: ReadonlyArray<A>, k: number): ReadonlyArray<A> => {
  const n = items.length
  if (n === 0) return items
  const s = ((k % n) + n) % n
  return [...items.slice(s), ...items.slice(0, s)]
}
