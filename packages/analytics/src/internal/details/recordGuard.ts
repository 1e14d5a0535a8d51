// Fast path for decoding records. Effect's Schema parser spends several microseconds per struct (each of
// AnalyticsSession's 89 optional fields is visited and wrapped), which makes 200 000 conversations cost minutes.
// A record is valid in the common case, so a plain predicate compiled from the same AST checks it first and the
// input itself is returned; only when the predicate fails does the Schema parser run, producing its precise error.
// The predicate is never laxer than the Schema on plain (JSON) objects: whatever it accepts, the Struct would
// accept too. It walks the enumerable keys (`JSON.parse` produces own ones only) and allocates nothing per record
// object, so that validating a page adds almost no garbage for the collector.
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

// Most fields are strings, numbers or booleans. Their parent checks them inline: a call through a closure per field
// would be megamorphic (every compiled guard is a different closure) and cost more than the check itself.
const OTHER = 0
const STRING = 1
const NUMBER = 2
const BOOLEAN = 3

interface Check {
  readonly kind: number
  readonly guard: Guard
}

const primitiveKind = (ast: AST.AST): number => {
  switch (ast._tag) {
    case "StringKeyword":
      return STRING
    case "NumberKeyword":
      return NUMBER
    case "BooleanKeyword":
      return BOOLEAN
    default:
      return OTHER
  }
}

const checkOf = (ast: AST.AST): Check => ({ kind: primitiveKind(ast), guard: compileGuard(ast) })

const passes = (kind: number, guard: Guard, value: unknown): boolean =>
  kind === STRING
    ? typeof value === "string"
    : kind === NUMBER
      ? typeof value === "number"
      : kind === BOOLEAN
        ? typeof value === "boolean"
        : guard(value)

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

interface Field extends Check {
  readonly required: boolean
}

type NamedField = Field & { readonly name: string }

const buildArray = (ast: AST.TupleType): Guard => {
  if (ast.elements.length > 0 || ast.rest.length !== 1) return never
  const { guard, kind } = checkOf(ast.rest[0]!.type)
  return (input) => {
    if (!Array.isArray(input)) return false
    for (let i = 0; i < input.length; i++) if (!passes(kind, guard, input[i])) return false
    return true
  }
}

/** A struct without an index signature. */
const structGuard = (properties: ReadonlyArray<NamedField>): Guard => {
  // Records carry few of their many optional fields: walk the keys present, not every declared one.
  const fields = new Map(properties.map((p) => [p.name, p] as const))
  const requiredCount = properties.filter((p) => p.required).length
  return (input) => {
    if (!isObject(input)) return false
    let requiredSeen = 0
    // `for...in` reads the keys without allocating an array, and V8 turns `input[key]` into a field load.
    // It also visits inherited enumerable keys: checking those is only stricter than the Schema (which
    // then decides), but a required field counts only when it is the object's own.
    for (const key in input) {
      const field = fields.get(key)
      if (field === undefined) continue
      if (!passes(field.kind, field.guard, input[key])) return false
      if (field.required && Object.hasOwn(input, key)) requiredSeen++
    }
    return requiredSeen === requiredCount
  }
}

/** A struct with a string index signature: every key's value must pass `value`. */
const indexedStructGuard =
  (properties: ReadonlyArray<NamedField>, value: Check): Guard =>
  (input) => {
    if (!isObject(input)) return false
    for (let i = 0; i < properties.length; i++) {
      const property = properties[i]!
      if (Object.hasOwn(input, property.name)) {
        if (!passes(property.kind, property.guard, input[property.name])) return false
      } else if (property.required) return false
    }
    const keys = Object.keys(input)
    for (let i = 0; i < keys.length; i++) if (!passes(value.kind, value.guard, input[keys[i]!])) return false
    return true
  }

const buildStruct = (ast: AST.TypeLiteral): Guard => {
  if (ast.indexSignatures.length > 1) return never
  if (ast.propertySignatures.some((s) => typeof s.name !== "string")) return never
  const index = ast.indexSignatures[0]
  if (index !== undefined && index.parameter._tag !== "StringKeyword") return never
  const properties = ast.propertySignatures.map(
    (signature): NamedField => ({
      name: signature.name as string,
      required: !signature.isOptional,
      ...checkOf(signature.type)
    })
  )
  return index === undefined ? structGuard(properties) : indexedStructGuard(properties, checkOf(index.type))
}

const buildUnion = (ast: AST.Union): Guard => {
  // Open enums are `Literal | string`: test the cheap members first and the literals as one set.
  const literals = new Set(ast.types.flatMap((t) => (t._tag === "Literal" ? [t.literal] : [])))
  const others = ast.types
    .filter((t) => t._tag !== "Literal")
    .sort((a, b) => Number(b._tag === "StringKeyword") - Number(a._tag === "StringKeyword"))
    .map(checkOf)
  return (input) => {
    if (literals.has(input as AST.LiteralValue)) return true
    for (let i = 0; i < others.length; i++) if (passes(others[i]!.kind, others[i]!.guard, input)) return true
    return false
  }
}

const buildSuspend = (ast: AST.Suspend): Guard => {
  let inner: Guard | undefined
  return (input) => {
    if (inner === undefined) inner = compileGuard(ast.f())
    return inner(input)
  }
}

const build = (ast: AST.AST): Guard => {
  switch (ast._tag) {
    case "StringKeyword":
      return (input) => typeof input === "string"
    case "NumberKeyword":
      return (input) => typeof input === "number"
    case "BooleanKeyword":
      return (input) => typeof input === "boolean"
    case "ObjectKeyword":
      return (input) => typeof input === "object" && input !== null
    case "Literal": {
      const literal = ast.literal
      return (input) => input === literal
    }
    case "Refinement": {
      const from = compileGuard(ast.from)
      return (input) => from(input) && Option.isNone(ast.filter(input, AST.defaultParseOption, ast))
    }
    case "TupleType":
      return buildArray(ast)
    case "TypeLiteral":
      return buildStruct(ast)
    case "Union":
      return buildUnion(ast)
    case "Suspend":
      return buildSuspend(ast)
    case "Declaration": {
      const inner = AST.getAnnotation<AST.AST>(ast, RecordSchemaId)
      return Option.isSome(inner) ? compileGuard(inner.value) : never
    }
    default:
      return never
  }
}

const structOf = (ast: AST.AST): AST.TypeLiteral | undefined => {
  const inner =
    ast._tag === "Declaration" ? Option.getOrUndefined(AST.getAnnotation<AST.AST>(ast, RecordSchemaId)) : ast
  return inner?._tag === "TypeLiteral" ? inner : undefined
}

const nestedRecord = (ast: AST.AST): AST.AST | undefined =>
  ast._tag === "TupleType" &&
  ast.elements.length === 0 &&
  ast.rest.length === 1 &&
  ast.rest[0]!.type._tag === "Declaration" &&
  structOf(ast.rest[0]!.type) !== undefined
    ? ast.rest[0]!.type
    : undefined

const arrayOf = (element: AST.AST) => new AST.TupleType([], [new AST.Type(element)], true)

/**
 * `record` checked `levels` records deep: its own fields as declared, and arrays of nested records (a response's
 * conversations, a conversation's participants, ...) checked to `levels - 1`; at the last level they need only be
 * arrays of objects. What such a schema lets through unchecked is what a sink writing records as received passes on
 * unread. The type stays `A`: below the last level, records are as the server sent them.
 */
export const limitDepth = <A>(record: Schema.Schema<A>, levels: number): Schema.Schema<A> => {
  const struct = structOf(record.ast)
  if (struct === undefined) throw new Error("limitDepth needs a record schema over a Struct")
  const properties = struct.propertySignatures.map((p) => {
    const nested = nestedRecord(p.type)
    if (nested === undefined) return p
    const element = levels > 1 ? limitDepth(Schema.make(nested), levels - 1).ast : AST.objectKeyword
    return new AST.PropertySignature(p.name, arrayOf(element), p.isOptional, p.isReadonly, p.annotations)
  })
  return recordSchema(Schema.make<A>(new AST.TypeLiteral(properties, struct.indexSignatures, struct.annotations)))
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

/** A record schema split for a reader that leaves nested records unread: see `ownFieldsOf`. @internal */
export interface OwnFields {
  /** The record's own fields checked as declared; its nested-record fields are not read. */
  readonly guard: (input: unknown) => boolean
  /** The fields that hold arrays of nested records. */
  readonly nested: ReadonlySet<string>
}

/**
 * `record` checked without reading its nested records (a conversation's participants, ...): what `limitDepth(record,
 * 1)` checks, minus the check that each nested-record field is an array of objects, which the reader makes itself.
 * `undefined` for a record with an index signature, whose guard reads every key, or with a required nested field.
 *
 * @internal
 */
export const ownFieldsOf = (record: Schema.Schema.Any): OwnFields | undefined => {
  const struct = structOf(record.ast)
  if (struct === undefined || struct.indexSignatures.length > 0) return undefined
  const nested = new Set<string>()
  const own = struct.propertySignatures.filter((p) => {
    if (nestedRecord(p.type) === undefined) return true
    nested.add(p.name as string)
    return false
  })
  // A required nested field would go unchecked for presence: such a record is read the strict way.
  if (struct.propertySignatures.some((p) => nested.has(p.name as string) && !p.isOptional)) return undefined
  return { guard: compileGuard(new AST.TypeLiteral(own, [], struct.annotations)), nested }
}
