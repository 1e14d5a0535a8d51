/** Enum vocabularies of the query request bodies (the swagger subset); dimension and metric names are the ones
 * the analytics Schemas are generated with. */
import * as AggregateQuery from "@effect-genesys/analytics/ConversationAggregateQuery"
import * as Query from "@effect-genesys/analytics/ConversationQuery"

export const order: ReadonlySet<string> = new Set(["asc", "desc", "unordered"])

export const orderBy: ReadonlySet<string> = new Set([
  "conversationStart",
  "conversationEnd",
  "segmentStart",
  "segmentEnd"
])

export const booleanType: ReadonlySet<string> = new Set(["and", "or"])

export const predicateType: ReadonlySet<string> = new Set(["dimension", "property", "metric"])

export const operator: ReadonlySet<string> = new Set(["matches", "exists", "notExists"])

export const propertyType: ReadonlySet<string> = new Set(["bool", "integer", "real", "date", "string", "uuid"])

export const aggregationType: ReadonlySet<string> = new Set(["termFrequency", "numericRange"])

export const conversationDimensions: ReadonlySet<string> = new Set(Query.conversationDimensions)

export const conversationMetrics: ReadonlySet<string> = new Set(Query.conversationMetrics)

export const segmentDimensions: ReadonlySet<string> = new Set(Query.segmentDimensions)

export const segmentMetrics: ReadonlySet<string> = new Set(Query.segmentMetrics)

export const evaluationDimensions: ReadonlySet<string> = new Set(Query.evaluationDimensions)

export const evaluationMetrics: ReadonlySet<string> = new Set(Query.evaluationMetrics)

export const surveyDimensions: ReadonlySet<string> = new Set(Query.surveyDimensions)

export const surveyMetrics: ReadonlySet<string> = new Set(Query.surveyMetrics)

export const resolutionDimensions: ReadonlySet<string> = new Set([])

export const resolutionMetrics: ReadonlySet<string> = new Set(Query.resolutionMetrics)

/** The aggregates metric enum (FACTS-aggregates §2.7). */
export const aggregateMetrics: ReadonlySet<string> = new Set(AggregateQuery.metrics)

export const viewFunction: ReadonlySet<string> = new Set(["rangeBound"])
