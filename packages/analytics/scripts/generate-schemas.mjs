#!/usr/bin/env node
// Generates src/ConversationQuery.ts and src/ConversationRecord.ts from scripts/openapi-subset.json
// (a copy of /work/shared/genesys/openapi-subset.json, see FACTS.md §0 for where it came from).
//
//   node packages/analytics/scripts/generate-schemas.mjs && npx biome format --write packages/analytics/src
//
// Rules (the conformance test checks the output against the swagger, so drift is caught either way):
// - every definition becomes an `interface` plus a `Schema.Struct` typed with it;
// - optional properties are `Schema.optionalWith(X, { exact: true })` (JSON has no `undefined`);
// - integers are `Schema.Int`, numbers `Schema.Number`, date-times stay ISO strings;
// - query definitions (reachable from ConversationQuery / AsyncConversationQuery) use closed `Schema.Literal`
//   enums and reject unknown keys, except predicate `dimension` / `metric`, which are open vocabularies;
// - response definitions keep unknown keys and use open enums (`openEnum`): new values decode; each Struct is
//   wrapped by `recordSchema`, which checks valid records with a compiled predicate before Effect's parser runs.
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const swagger = JSON.parse(fs.readFileSync(path.join(here, "openapi-subset.json"), "utf8"))
const definitions = swagger.definitions
const src = path.join(here, "..", "src")

const refName = (ref) => ref.replace("#/definitions/", "")
const refsOf = (def) =>
  Object.values(def.properties ?? {}).flatMap((p) => {
    const target = p.$ref ?? p.items?.$ref
    return target ? [refName(target)] : []
  })

const reachable = (roots) => {
  const seen = new Set()
  const visit = (name) => {
    if (seen.has(name)) return
    seen.add(name)
    refsOf(definitions[name]).forEach(visit)
  }
  roots.forEach(visit)
  return seen
}

// Dependencies first, so plain references work; only true cycles (ErrorBody.errors) need Schema.suspend.
const topological = (names) => {
  const order = []
  const state = new Map()
  const visit = (name) => {
    if (state.get(name) === "done" || state.get(name) === "active") return
    state.set(name, "active")
    refsOf(definitions[name])
      .filter((n) => names.includes(n))
      .forEach(visit)
    state.set(name, "done")
    order.push(name)
  }
  names.forEach(visit)
  return order
}

const queryRoots = ["ConversationQuery", "AsyncConversationQuery"]
const queryNames = [...reachable(queryRoots)].sort()
const recordRoots = [
  "AnalyticsConversationQueryResponse",
  "AnalyticsConversationAsyncQueryResponse",
  "AnalyticsConversationWithoutAttributesMultiGetResponse",
  "AnalyticsConversation",
  "AnalyticsConversationWithoutAttributes",
  "AsyncQueryResponse",
  "AsyncQueryStatus",
  "DataAvailabilityResponse",
  "ErrorBody"
]
const recordNames = Object.keys(definitions).filter((n) => !queryNames.includes(n))
for (const name of recordNames)
  if (!recordRoots.includes(name) && !reachable(recordRoots).has(name)) recordRoots.push(name)

// The vocabularies named in contracts.md.
const vocabularies = {
  "ConversationDetailQueryPredicate.dimension": ["conversationDimensions", "ConversationDimension"],
  "ConversationDetailQueryPredicate.metric": ["conversationMetrics", "ConversationMetric"],
  "SegmentDetailQueryPredicate.dimension": ["segmentDimensions", "SegmentDimension"],
  "SegmentDetailQueryPredicate.metric": ["segmentMetrics", "SegmentMetric"],
  "EvaluationDetailQueryPredicate.dimension": ["evaluationDimensions", "EvaluationDimension"],
  "EvaluationDetailQueryPredicate.metric": ["evaluationMetrics", "EvaluationMetric"],
  "SurveyDetailQueryPredicate.dimension": ["surveyDimensions", "SurveyDimension"],
  "SurveyDetailQueryPredicate.metric": ["surveyMetrics", "SurveyMetric"],
  "ResolutionDetailQueryPredicate.metric": ["resolutionMetrics", "ResolutionMetric"]
}

const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1)
const quote = (s) => JSON.stringify(s)
const doc = (text, indent = "") => {
  const clean = text.replace(/\*\//g, "*\\/").replace(/\s+/g, " ").trim()
  return `${indent}/** ${clean} */\n`
}

const generate = ({ names, roots, open, moduleDoc, extraImports, header }) => {
  const ordered = topological(topologicalRoots(roots, names))
  const enumBlocks = []
  const blocks = []
  const emitted = new Set()
  const field = (defName, propName, prop) => {
    if (prop.$ref) {
      const target = refName(prop.$ref)
      const schema = emitted.has(target) ? target : `Schema.suspend((): Schema.Schema<${target}> => ${target})`
      return { type: target, schema }
    }
    if (prop.type === "array") {
      const item = field(defName, propName, prop.items)
      return { type: `ReadonlyArray<${item.type}>`, schema: `Schema.Array(${item.schema})` }
    }
    if (prop.type === "object" && prop.additionalProperties) {
      const value = field(defName, propName, prop.additionalProperties)
      return {
        type: `{ readonly [key: string]: ${value.type} }`,
        schema: `Schema.Record({ key: Schema.String, value: ${value.schema} })`
      }
    }
    if (prop.enum) {
      const vocabulary = vocabularies[`${defName}.${propName}`]
      if (vocabulary) return { type: `${vocabulary[1]} | (string & {})`, schema: `openEnum(${vocabulary[0]})` }
      if (!open) {
        return {
          type: prop.enum.map(quote).join(" | "),
          schema: `Schema.Literal(${prop.enum.map(quote).join(", ")})`
        }
      }
      const typeName = `${defName}${pascal(propName)}`
      enumBlocks.push(
        `/** Known values of \`${defName}.${propName}\` (the platform adds values over time). @since 0.1.0 */\n` +
          `export const ${typeName}Values = [${prop.enum.map(quote).join(", ")}] as const\n\n` +
          `/** A known value of \`${defName}.${propName}\`. @since 0.1.0 */\n` +
          `export type ${typeName} = (typeof ${typeName}Values)[number]\n`
      )
      return { type: `${typeName} | (string & {})`, schema: `openEnum(${typeName}Values)` }
    }
    switch (prop.type) {
      case "string":
        return { type: "string", schema: "Schema.String" }
      case "integer":
        return { type: "number", schema: "Schema.Int" }
      case "number":
        return { type: "number", schema: "Schema.Number" }
      case "boolean":
        return { type: "boolean", schema: "Schema.Boolean" }
    }
    throw new Error(`unsupported property ${defName}.${propName}: ${JSON.stringify(prop)}`)
  }
  for (const name of ordered) {
    const def = definitions[name]
    const required = new Set(def.required ?? [])
    const members = []
    const fields = []
    for (const [propName, prop] of Object.entries(def.properties)) {
      const { type, schema } = field(name, propName, prop)
      const description = prop.description ? doc(prop.description, "  ") : ""
      const optional = !required.has(propName)
      members.push(`${description}  readonly ${propName}${optional ? "?" : ""}: ${type}`)
      fields.push(`  ${propName}: ${optional ? `Schema.optionalWith(${schema}, { exact: true })` : schema}`)
    }
    const kind = open ? "Unknown keys are kept; unknown enum values decode." : "Unknown keys are rejected."
    blocks.push(
      `/** Swagger definition \`${name}\`. @since 0.1.0 */\n` +
        `export interface ${name} {\n${members.join("\n")}\n}\n\n` +
        `/** Schema of \`${name}\`. ${kind} @since 0.1.0 */\n` +
        `export const ${name}: Schema.Schema<${name}> = ${open ? "recordSchema(" : ""}Schema.Struct({\n${fields.join(",\n")}\n}).annotations({\n` +
        `  identifier: ${quote(name)},\n  parseOptions: { onExcessProperty: ${quote(open ? "preserve" : "error")} }\n})${open ? ")" : ""}\n`
    )
    emitted.add(name)
  }
  return [
    `/**\n${wrap(moduleDoc)}\n *\n * GENERATED by scripts/generate-schemas.mjs from scripts/openapi-subset.json; do not edit by hand.\n *\n * @since 0.1.0\n */`,
    `import * as Schema from "effect/Schema"`,
    `import { openEnum } from "./internal/vocabulary.js"`,
    ...extraImports,
    "",
    header,
    ...enumBlocks,
    ...blocks
  ].join("\n")
}

const wrap = (text) => {
  const lines = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line.length + word.length + 1 > 110) {
      lines.push(line)
      line = word
    } else line = line ? `${line} ${word}` : word
  }
  lines.push(line)
  return lines.map((l) => ` * ${l}`).join("\n")
}

const topologicalRoots = (roots, names) => [...roots, ...names.filter((n) => !roots.includes(n))]

const vocabularyBlock = Object.entries(vocabularies)
  .map(([key, [constName, typeName]]) => {
    const [defName, propName] = key.split(".")
    const values = definitions[defName].properties[propName].enum
    return (
      `/** Known \`${defName}.${propName}\` names (Genesys adds names every release). @since 0.1.0 */\n` +
      `export const ${constName} = [${values.map(quote).join(", ")}] as const\n\n` +
      `/** A known \`${defName}.${propName}\` name. @since 0.1.0 */\n` +
      `export type ${typeName} = (typeof ${constName})[number]\n`
    )
  })
  .join("\n")

const queryOrder = [
  "NumericRange",
  "PagingSpec",
  "AggregationRange",
  "AnalyticsQueryAggregation",
  ...queryNames.filter((n) => n.endsWith("Predicate")),
  ...queryNames.filter((n) => n.endsWith("Clause")),
  ...queryNames.filter((n) => n.endsWith("Filter")),
  ...queryRoots
]

fs.writeFileSync(
  path.join(src, "ConversationQuery.ts"),
  generate({
    names: queryNames,
    roots: queryOrder,
    open: false,
    moduleDoc:
      "Schemas of the conversation-detail query (`POST …/details/query`) and job (`POST …/details/jobs`) bodies. " +
      "Field names, required-ness and enum values are the swagger's; dimension and metric names accept any string " +
      "here (the vocabulary check with its warning-or-error policy is `QueryValidator`'s job).",
    extraImports: [],
    header: vocabularyBlock
  })
)

fs.writeFileSync(
  path.join(src, "ConversationRecord.ts"),
  generate({
    names: recordNames,
    roots: recordRoots,
    open: true,
    moduleDoc:
      "Schemas of the conversation-detail records and response envelopes. Decoding keeps unknown fields and accepts " +
      "enum values newer than the swagger, but rejects wrong types and missing required fields; date-times stay ISO " +
      "strings so records pass through to sinks unchanged and decoding stays cheap.",
    extraImports: [
      `import type * as AST from "effect/SchemaAST"`,
      `import { recordSchema } from "./internal/recordGuard.js"`
    ],
    header:
      "/** Options for decoding records: keep fields the swagger does not know. @since 0.1.0 */\n" +
      `export const parseOptions: AST.ParseOptions = { onExcessProperty: "preserve" }\n`
  })
)

console.log(`generated ${queryNames.length} query and ${recordNames.length} record definitions`)
