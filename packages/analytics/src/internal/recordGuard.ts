// Fast path for decoding records. Effect's Schema parser spends several microseconds per struct (each of
// AnalyticsSession's 89 optional fields is visited and wrapped), which makes 200 000 conversations cost minutes.
// A record is valid in the common case, so a plain predicate compiled from the same AST checks it first and the
// input itself is returned; only when the predicate fails does the Schema parser run, producing its precise error.
// The predicate is never laxer than the Schema on plain (JSON) objects: whatever it accepts, the Struct would
// accept too. It reads own enumerable keys, which is all `JSON.parse` produces.
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"

type Guard = (input: unknown) => boolean

const RecordSchemaId: unique symbol = Symbol.for("@effect-genesys/analytics/RecordSchema")

const compiled = new WeakMap<AST.AST, Guard>()

const never: Guard = () => false

const isObject = (input: unknown): input is { readonly [key: string]: unknown } =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** A predicate equivalent to (or stricter than) validating with the Schema of `ast`. */
export const compileGuard = (ast: AST.AST): Guard => {
  const cached = compiled.get(ast)
  if (cached !== undefined) return cached
  // Registered before compiling children so that cycles (ErrorBody.errors) resolve lazily.
  let guard: Guard = never
  const self: Guard = (input) => guard(input)
  compiled.set(ast, self)
  guard = build(ast)
  compiled.set(ast, guard)
  return guard
}

const build = (ast: AST.AST): Guard => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => typeof input === "string"
    case "NumberKeyword":
      return (input) => typeof input === "number"
    case "BooleanKeyword":
      return (input) => typeof input === "boolean"
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal
    }
    case "Refinement": {
      const from = compileGuard(ast.from)
      return (input) => from(input) && Option.isNone(ast.filter(input, AST.defaultParseOption, ast))
    }
    case "TupleType": {
      if (ast.elements.length > 0 || ast.rest.length !== 1) return never
      const element = compileGuard(ast.rest[0]!.type)
      return (input) => {
        if (!Array.isArray(input)) return false
        for (let i = 0; i < input.length; i++) if (!element(input[i])) return false
        return true
      }
    }
    case "TypeLiteral": {
      if (ast.indexSignatures.length > 1) return never
      const index = ast.indexSignatures[0]
      if (index !== undefined && index.parameter._tag !== "StringKeyword") return never
      const indexGuard = index === undefined ? undefined : compileGuard(index.type)
      const properties = ast.propertySignatures.map((signature) => ({
        name: signature.name as string,
        optional: signature.isOptional,
        guard: compileGuard(signature.type)
      }))
      if (ast.propertySignatures.some((s) => typeof s.name !== "string")) return never
      if (indexGuard === undefined) {
        // Records carry few of their many optional fields: walk the keys present, not every declared one.
        const byName = new Map(properties.map((p) => [p.name, p.guard] as const))
        const requiredNames = new Set(properties.filter((p) => !p.optional).map((p) => p.name))
        return (input) => {
          if (!isObject(input)) return false
          let requiredSeen = 0
          for (const key of Object.keys(input)) {
            const guard = byName.get(key)
            if (guard === undefined) continue
            if (!guard(input[key])) return false
            if (requiredNames.has(key)) requiredSeen++
          }
          return requiredSeen === requiredNames.size
        }
      }
      return (input) => {
        if (!isObject(input)) return false
        for (const property of properties) {
          if (Object.hasOwn(input, property.name)) {
            if (!property.guard(input[property.name])) return false
          } else if (!property.optional) return false
        }
        if (indexGuard !== undefined) {
          for (const key of Object.keys(input)) if (!indexGuard(input[key])) return false
        }
        return true
      }
    }
    case "Union": {
      // Open enums are `Literal | string`: test the cheap members first and the literals as one set.
      const literals = new Set(ast.types.flatMap((t) => (t._tag === "Literal" ? [t.literal] : [])))
      const others = ast.types
        .filter((t) => t._tag !== "Literal")
        .sort((a, b) => Number(b._tag === "StringKeyword") - Number(a._tag === "StringKeyword"))
        .map(compileGuard)
      return (input) => literals.has(input as AST.LiteralValue) || others.some((member) => member(input))
    }
    case "Suspend": {
      let inner: Guard | undefined
      return (input) => {
        if (inner === undefined) inner = compileGuard(ast.f())
        return inner(input)
      }
    }
    case "Declaration": {
      const inner = AST.getAnnotation<AST.AST>(ast, RecordSchemaId)
      return Option.isSome(inner) ? compileGuard(inner.value) : never
    }
    default:
      return never
  }
}

/**
 * Wraps a record Struct so that decoding tries the compiled predicate first (returning the input unchanged) and
 * falls back to the Struct's own parser for the error. The Struct stays reachable as the declaration's type parameter.
 */
export const recordSchema = <A>(struct: Schema.Schema<A>): Schema.Schema<A> => {
  const guard = compileGuard(struct.ast)
  const identifier = Option.getOrUndefined(AST.getIdentifierAnnotation(struct.ast))
  return Schema.declare(
    [struct],
    {
      decode: (inner) => {
        const slow = ParseResult.decodeUnknown(inner)
        return (input, options) => (guard(input) ? ParseResult.succeed(input as A) : slow(input, options))
      },
      encode: (inner) => {
        const slow = ParseResult.encodeUnknown(inner)
        return (input, options) => (guard(input) ? ParseResult.succeed(input as A) : slow(input, options))
      }
    },
    {
      ...(identifier !== undefined ? { identifier } : {}),
      [RecordSchemaId]: struct.ast,
      arbitrary: (inner) => (fc) => inner(fc),
      pretty: (inner) => inner,
      equivalence: (inner) => inner
    }
  ) as unknown as Schema.Schema<A>
}
