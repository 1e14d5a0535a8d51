import { addEqualityTesters } from "@effect/vitest"
import { assert } from "vitest"

addEqualityTesters()

// chai's deep equality compares iterables by their items, and Effect's Option, Either, Exit and Effect iterate to one
// opaque wrapper of themselves (that is what `yield*` uses): `assert.deepStrictEqual(Option.none(), Option.some(1))`
// would pass. The assertions compare such values by their JSON form instead, wherever they sit in plain data.
const effectTypeIds = [Symbol.for("effect/Effect"), Symbol.for("effect/Option"), Symbol.for("effect/Either")]

const isEffectValue = (u: object): boolean =>
  effectTypeIds.some((id) => id in u) && typeof (u as { toJSON?: unknown }).toJSON === "function"

const isPlain = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const comparable = (u: unknown, depth = 0): unknown => {
  if (typeof u !== "object" || u === null || depth > 64) return u
  if (isEffectValue(u)) return comparable((u as { toJSON: () => unknown }).toJSON(), depth + 1)
  if (Array.isArray(u))
    return u.some((v) => comparable(v, depth + 1) !== v) ? u.map((v) => comparable(v, depth + 1)) : u
  if (!isPlain(u)) return u
  const entries = Object.entries(u)
  const mapped = entries.map(([k, v]) => [k, comparable(v, depth + 1)] as const)
  return mapped.some(([, v], i) => v !== entries[i]![1]) ? Object.fromEntries(mapped) : u
}

type Compare = (actual: unknown, expected: unknown, message?: string) => void
const deep = assert as unknown as Record<
  "deepStrictEqual" | "deepEqual" | "notDeepStrictEqual" | "notDeepEqual",
  Compare
>
for (const name of ["deepStrictEqual", "deepEqual", "notDeepStrictEqual", "notDeepEqual"] as const) {
  const original = deep[name]
  if (typeof original === "function") {
    deep[name] = (actual, expected, message) => original.call(assert, comparable(actual), comparable(expected), message)
  }
}
