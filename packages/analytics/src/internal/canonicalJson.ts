/**
 * Canonical JSON: one byte-exact text per JSON value, so that a hash of it is stable.
 *
 * The rules are those of RFC 8785 (JSON Canonicalization Scheme) for the values this library writes:
 * - no whitespace anywhere;
 * - object members sorted by key, comparing UTF-16 code units (`Array.prototype.sort` order);
 * - strings escaped as `JSON.stringify` escapes them (`\"`, `\\`, `\b\f\n\r\t`, other control
 *   characters as `\u00xx`, lone surrogates as `\udxxx`; everything else literal, written as UTF-8);
 * - numbers as ECMAScript `Number.prototype.toString` (shortest round-trip form, `-0` as `0`);
 *   `NaN`, `Infinity` and `bigint` are refused;
 * - `true`, `false`, `null`; members whose value is `undefined`, a function or a symbol are left
 *   out, and such array elements become `null` (as `JSON.stringify` does); `toJSON` is honoured.
 *
 * @internal
 */

/** @internal */
export const canonicalJson = (value: unknown): string => {
  const text = serialize(value, new Set())
  if (text === undefined) {
    throw new TypeError("canonical JSON: the value has no JSON representation")
  }
  return text
}

const serialize = (value: unknown, seen: Set<object>): string | undefined => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value)
    case "number":
      if (!Number.isFinite(value)) {
        throw new TypeError(`canonical JSON: ${value} is not a finite number`)
      }
      return JSON.stringify(value)
    case "boolean":
      return value ? "true" : "false"
    case "bigint":
      throw new TypeError("canonical JSON: bigint is not supported")
    case "undefined":
    case "function":
    case "symbol":
      return undefined
  }
  if (value === null) return "null"
  const object = value as { readonly toJSON?: unknown }
  if (typeof object.toJSON === "function") {
    return serialize((object.toJSON as () => unknown)(), seen)
  }
  if (seen.has(object)) {
    throw new TypeError("canonical JSON: the value contains a cycle")
  }
  seen.add(object)
  try {
    if (Array.isArray(object)) {
      return `[${object.map((element) => serialize(element, seen) ?? "null").join(",")}]`
    }
    const record = object as Record<string, unknown>
    const members: Array<string> = []
    for (const key of Object.keys(record).sort()) {
      const member = serialize(record[key], seen)
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`)
    }
    return `{${members.join(",")}}`
  } finally {
    seen.delete(object)
  }
}
