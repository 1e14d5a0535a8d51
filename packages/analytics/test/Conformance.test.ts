import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as Query from "@effect-genesys/analytics/ConversationQuery"
import * as Record from "@effect-genesys/analytics/ConversationRecord"
import { Option, type Schema } from "effect"
import * as AST from "effect/SchemaAST"
import { getKnownValues } from "../src/internal/validator/vocabulary.js"

// The swagger the Schemas are generated from (a copy of /work/shared/genesys/openapi-subset.json).
const swagger = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "..", "scripts", "openapi-subset.json"), "utf8")
) as {
  readonly definitions: {
    readonly [name: string]: {
      readonly required?: ReadonlyArray<string>
      readonly properties: { readonly [p: string]: SwaggerProperty }
    }
  }
}

interface SwaggerProperty {
  readonly type?: string
  readonly format?: string
  readonly enum?: ReadonlyArray<string>
  readonly $ref?: string
  readonly items?: SwaggerProperty
  readonly additionalProperties?: SwaggerProperty
}

const schemas: { [name: string]: Schema.Schema<any> } = {}
for (const module of [Query, Record] as const) {
  for (const [name, value] of Object.entries(module)) {
    if (name in swagger.definitions) schemas[name] = value as Schema.Schema<any>
  }
}

const unwrap = (ast: AST.AST): AST.AST =>
  ast._tag === "Suspend"
    ? unwrap(ast.f())
    : ast._tag === "Declaration" && ast.typeParameters[0]
      ? unwrap(ast.typeParameters[0])
      : ast

const identifierOf = (ast: AST.AST) => Option.getOrUndefined(AST.getIdentifierAnnotation(ast))

/** Describes a Schema AST in swagger terms, to compare with the swagger property. */
const describeAst = (ast: AST.AST): string => {
  const known = getKnownValues(ast)
  if (Option.isSome(known)) return `enum(${known.value.join(",")})`
  const node = unwrap(ast)
  switch (node._tag) {
    case "StringKeyword":
      return "string"
    case "NumberKeyword":
      return "number"
    case "BooleanKeyword":
      return "boolean"
    case "Refinement":
      return identifierOf(node) === "Int" ? "integer" : `refinement(${describeAst(node.from)})`
    case "TupleType":
      return `array(${describeAst(node.rest[0]!.type)})`
    case "TypeLiteral":
      if (node.propertySignatures.length === 0 && node.indexSignatures.length === 1) {
        return `map(${describeAst(node.indexSignatures[0]!.type)})`
      }
      return `ref(${identifierOf(node)})`
    case "Literal":
      return `enum(${String(node.literal)})`
    case "Union":
      return `enum(${node.types.map((t) => (t._tag === "Literal" ? String(t.literal) : `<${t._tag}>`)).join(",")})`
    default:
      return node._tag
  }
}

const describeSwagger = (property: SwaggerProperty): string => {
  if (property.$ref) return `ref(${property.$ref.replace("#/definitions/", "")})`
  if (property.enum) return `enum(${property.enum.join(",")})`
  if (property.type === "array") return `array(${describeSwagger(property.items!)})`
  if (property.type === "object" && property.additionalProperties)
    return `map(${describeSwagger(property.additionalProperties)})`
  return property.type!
}

describe("Conformance with openapi-subset.json", () => {
  it("every swagger definition has a Schema of the same name", () => {
    assert.deepStrictEqual(
      Object.keys(swagger.definitions).filter((name) => !(name in schemas)),
      []
    )
    assert.strictEqual(Object.keys(schemas).length, 49)
  })

  for (const [name, definition] of Object.entries(swagger.definitions)) {
    it(`${name}: property names, order, required-ness, types and enum values`, () => {
      const ast = unwrap(schemas[name]!.ast)
      assert.strictEqual(ast._tag, "TypeLiteral")
      const signatures = (ast as AST.TypeLiteral).propertySignatures
      assert.deepStrictEqual(
        signatures.map((s) => String(s.name)),
        Object.keys(definition.properties),
        "property names and order"
      )
      const required = new Set(definition.required ?? [])
      for (const signature of signatures) {
        const key = String(signature.name)
        assert.strictEqual(!signature.isOptional, required.has(key), `${name}.${key} required-ness`)
        assert.strictEqual(
          describeAst(signature.type),
          describeSwagger(definition.properties[key]!),
          `${name}.${key} type`
        )
      }
    })
  }

  it("query enums are closed literal unions; predicate dimension and metric are open vocabularies", () => {
    const predicate = unwrap(Query.SegmentDetailQueryPredicate.ast) as AST.TypeLiteral
    const byName = (n: string) => predicate.propertySignatures.find((s) => s.name === n)!.type
    assert.strictEqual(byName("operator")._tag, "Union")
    assert.deepStrictEqual(Option.getOrUndefined(getKnownValues(byName("dimension"))), Query.segmentDimensions)
    assert.strictEqual(byName("dimension")._tag, "StringKeyword")
  })

  it("record enums are open (a new value decodes)", () => {
    const session = unwrap(Record.AnalyticsSession.ast) as AST.TypeLiteral
    const mediaType = session.propertySignatures.find((s) => s.name === "mediaType")!.type
    assert.strictEqual(mediaType._tag, "StringKeyword")
    assert.deepStrictEqual(Option.getOrUndefined(getKnownValues(mediaType)), Record.AnalyticsSessionMediaTypeValues)
  })

  it("vocabularies equal the swagger enums", () => {
    const enumOf = (definition: string, property: string) => swagger.definitions[definition]!.properties[property]!.enum
    assert.deepStrictEqual(Query.conversationDimensions, enumOf("ConversationDetailQueryPredicate", "dimension"))
    assert.deepStrictEqual(Query.conversationMetrics, enumOf("ConversationDetailQueryPredicate", "metric"))
    assert.deepStrictEqual(Query.segmentDimensions, enumOf("SegmentDetailQueryPredicate", "dimension"))
    assert.deepStrictEqual(Query.segmentMetrics, enumOf("SegmentDetailQueryPredicate", "metric"))
    assert.deepStrictEqual(Query.evaluationDimensions, enumOf("EvaluationDetailQueryPredicate", "dimension"))
    assert.deepStrictEqual(Query.evaluationMetrics, enumOf("EvaluationDetailQueryPredicate", "metric"))
    assert.deepStrictEqual(Query.surveyDimensions, enumOf("SurveyDetailQueryPredicate", "dimension"))
    assert.deepStrictEqual(Query.surveyMetrics, enumOf("SurveyDetailQueryPredicate", "metric"))
    assert.deepStrictEqual(Query.resolutionMetrics, enumOf("ResolutionDetailQueryPredicate", "metric"))
  })
})
