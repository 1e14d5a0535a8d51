import { addEqualityTesters } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import { assert } from "vitest"

addEqualityTesters()

// chai's deep equality falls back to comparing iterables by their items, and Effect's Option, Either and Exit iterate
// to one opaque wrapper of themselves (that is what `yield*` uses): `assert.deepStrictEqual(Option.none(),
// Option.some(1))` would pass. The assertions compare such values by their structure instead, wherever they sit in
// arrays, plain objects, Maps and Sets.
const structure = (u: unknown, depth: number): unknown => {
  if (Option.isOption(u)) return Option.isSome(u) ? { Some: comparable(u.value, depth) } : { None: true }
  if (Either.isEither(u))
    return Either.isRight(u) ? { Right: comparable(u.right, depth) } : { Left: comparable(u.left, depth) }
  if (Exit.isExit(u)) return Exit.isSuccess(u) ? { Success: comparable(u.value, depth) } : { Failure: u.cause }
  return undefined
}

const isPlain = (u: object): boolean => {
  const proto = Object.getPrototypeOf(u)
  return proto === Object.prototype || proto === null
}

const comparable = (u: unknown, depth = 0): unknown => {
  if (typeof u !== "object" || u === null || depth > 64) return u
  const effect = structure(u, depth + 1)
  if (effect !== undefined) return effect
  if (Array.isArray(u)) {
    const items = u.map((v) => comparable(v, depth + 1))
    return items.some((v, i) => v !== u[i]) ? items : u
  }
  if (u instanceof Map) {
    const entries = Array.from(u, ([k, v]) => [k, comparable(v, depth + 1)] as const)
    return entries.some(([k, v]) => v !== u.get(k)) ? new Map(entries) : u
  }
  if (u instanceof Set) {
    const items = Array.from(u, (v) => comparable(v, depth + 1))
    return items.some((v) => !u.has(v)) ? new Set(items) : u
  }
  if (!isPlain(u)) return u
  const keys = Reflect.ownKeys(u)
  const values = keys.map((k) => comparable((u as Record<PropertyKey, unknown>)[k], depth + 1))
  if (values.every((v, i) => v === (u as Record<PropertyKey, unknown>)[keys[i]!])) return u
  const out: Record<PropertyKey, unknown> = Object.create(Object.getPrototypeOf(u))
  keys.forEach((k, i) => {
    Object.defineProperty(out, k, { value: values[i], enumerable: true, writable: true, configurable: true })
  })
  return out
}

type Compare = (actual: unknown, expected: unknown, message?: string) => void
const deep = assert as unknown as Record<
  "deepStrictEqual" | "deepEqual" | "notDeepStrictEqual" | "notDeepEqual",
  Compare
>
// Test files share a worker without isolation (vitest.shared.ts), so this file runs once per file in one `assert`:
// wrap it once, or every comparison walks its arguments once per file that ran before.
const wrapped = Symbol.for("effect-genesys/vitest.setup/structural-deep-equal")
const marks = assert as unknown as Record<symbol, boolean>
if (marks[wrapped] !== true) {
  marks[wrapped] = true
  for (const name of ["deepStrictEqual", "deepEqual", "notDeepStrictEqual", "notDeepEqual"] as const) {
    const original = deep[name]
    if (typeof original === "function") {
      deep[name] = (actual, expected, message) =>
        original.call(assert, comparable(actual), comparable(expected), message)
    }
  }
}
