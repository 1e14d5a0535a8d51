/**
 * Predicate evaluation behind FilterEngine.ts (the rules are documented there).
 */
import type { FilterLike, FiltersLike, MatchOptions, PredicateLike, RangeLike } from "../../FilterEngine.js"
import type { ConversationWithoutAttributes, ParticipantWithoutAttributes, Segment, Session } from "./types.js"

type Test<C> = (ctx: C) => boolean

interface SegmentContext {
  participant: ParticipantWithoutAttributes
  session: Session
  segment: Segment
}

/** Dimensions whose values are instants; `value` and `range` compare them as epoch milliseconds. */
const dateDimensions = new Set([
  "conversationStart",
  "conversationEnd",
  "segmentStart",
  "segmentEnd",
  "eventTime",
  "surveyCompletedDate",
  "callbackScheduledTime",
  "detectedSpeechStart",
  "detectedSpeechEnd"
])

const flowFields: Record<string, string> = {
  flowId: "flowId",
  flowName: "flowName",
  flowVersion: "flowVersion",
  exitReason: "exitReason",
  transferType: "transferType",
  transferTargetAddress: "transferTargetAddress",
  transferTargetName: "transferTargetName"
}
const outcomeFields: Record<string, string> = {
  flowOutcome: "flowOutcome",
  flowOutcomeId: "flowOutcomeId",
  flowOutcomeValue: "flowOutcomeValue"
}

const push = (out: Array<unknown>, v: unknown): void => {
  if (v === undefined || v === null) return
  if (Array.isArray(v)) {
    for (const x of v) if (x !== undefined && x !== null) out.push(x)
  } else out.push(v)
}

const field = (obj: unknown, name: string): unknown => (obj as Record<string, unknown>)[name]

const isEmpty = (query: FiltersLike): boolean => !hasFilters(query)

export const hasFilters = (query: FiltersLike): boolean =>
  (query.conversationFilters?.length ?? 0) +
    (query.segmentFilters?.length ?? 0) +
    (query.evaluationFilters?.length ?? 0) +
    (query.surveyFilters?.length ?? 0) +
    (query.resolutionFilters?.length ?? 0) >
  0

// ---- value extraction ----

export const conversationDimensionValuesRaw = (c: ConversationWithoutAttributes, dimension: string): Array<unknown> => {
  const out: Array<unknown> = []
  switch (dimension) {
    case "divisionId":
      push(out, c.divisionIds)
      break
    case "accessAttribute":
      push(out, field(c, "accessAttributes"))
      break
    default:
      push(out, field(c, dimension))
  }
  return out
}

export const segmentValuesRaw = (ctx: SegmentContext, dimension: string): Array<unknown> => {
  const out: Array<unknown> = []
  const { participant, segment, session } = ctx
  switch (dimension) {
    case "requestedRoutingSkillId":
      push(out, segment.requestedRoutingSkillIds)
      return out
    case "scoredAgentId":
      if (segment.scoredAgents) for (const a of segment.scoredAgents) push(out, a.scoredAgentId)
      return out
    case "sipResponseCode":
      push(out, segment.sipResponseCodes)
      return out
    case "requestedRouting":
      push(out, session.requestedRoutings)
      return out
  }
  const ff = flowFields[dimension]
  if (ff !== undefined) {
    if (session.flow !== undefined) push(out, field(session.flow, ff))
    return out
  }
  const of = outcomeFields[dimension]
  if (of !== undefined) {
    if (session.flow?.outcomes) for (const o of session.flow.outcomes) push(out, field(o, of))
    return out
  }
  const onSegment = field(segment, dimension)
  if (onSegment !== undefined) {
    push(out, onSegment)
    return out
  }
  const onSession = field(session, dimension)
  if (onSession !== undefined && (typeof onSession !== "object" || Array.isArray(onSession))) {
    push(out, onSession)
    return out
  }
  const onParticipant = field(participant, dimension)
  if (onParticipant !== undefined && (typeof onParticipant !== "object" || Array.isArray(onParticipant))) {
    push(out, onParticipant)
  }
  return out
}

const forEachSegment = (c: ConversationWithoutAttributes, f: (ctx: SegmentContext) => boolean): boolean => {
  for (const participant of c.participants) {
    for (const session of participant.sessions) {
      for (const segment of session.segments) {
        if (f({ participant, session, segment })) return true
      }
    }
  }
  return false
}

export const segmentDimensionValues = (c: ConversationWithoutAttributes, dimension: string): ReadonlyArray<string> => {
  const out: Array<string> = []
  forEachSegment(c, (ctx) => {
    for (const v of segmentValuesRaw(ctx, dimension)) out.push(String(v))
    return false
  })
  return out
}

export const conversationDimensionValues = (
  c: ConversationWithoutAttributes,
  dimension: string
): ReadonlyArray<string> => conversationDimensionValuesRaw(c, dimension).map(String)

export const conversationMetric = (c: ConversationWithoutAttributes, name: string): number | undefined => {
  let sum = 0
  let seen = false
  for (const p of c.participants) {
    for (const s of p.sessions) {
      for (const m of s.metrics) {
        if (m.name === name) {
          sum += m.value
          seen = true
        }
      }
    }
  }
  return seen ? sum : undefined
}

const segmentDuration = (segment: Segment): number | undefined =>
  segment.segmentEnd === undefined ? undefined : Date.parse(segment.segmentEnd) - Date.parse(segment.segmentStart)

// ---- comparison ----

const numeric = (v: unknown, isDate: boolean): number | undefined => {
  if (typeof v === "number") return v
  if (typeof v === "boolean") return undefined
  if (typeof v === "string") {
    if (isDate) {
      const t = Date.parse(v)
      return Number.isNaN(t) ? undefined : t
    }
    if (v.trim() === "") return undefined
    const n = Number(v)
    return Number.isNaN(n) ? undefined : n
  }
  return undefined
}

const inRange = (n: number | undefined, range: RangeLike): boolean =>
  n !== undefined &&
  (range.gt === undefined || n > range.gt) &&
  (range.gte === undefined || n >= range.gte) &&
  (range.lt === undefined || n < range.lt) &&
  (range.lte === undefined || n <= range.lte)

const makeEquals = (value: string, isDate: boolean, options: MatchOptions): ((v: unknown) => boolean) => {
  const lower = value.toLowerCase()
  const asNumber = value.trim() === "" ? Number.NaN : Number(value)
  const asDate = isDate ? Date.parse(value) : Number.NaN
  const partial = options.partialEmailMatch && value.includes("@")
  return (v) => {
    if (typeof v === "boolean") return lower === String(v)
    if (typeof v === "number") return v === asNumber
    if (typeof v !== "string") return false
    if (isDate) {
      const t = Date.parse(v)
      return !Number.isNaN(t) && t === asDate
    }
    const s = v.toLowerCase()
    if (s === lower) return true
    return partial && s.includes("@") && s.startsWith(lower)
  }
}

/** Evaluate one predicate against the values its attribute has (an empty list means "absent"). */
const makeValueTest = (
  p: PredicateLike,
  isDate: boolean,
  options: MatchOptions
): ((values: ReadonlyArray<unknown>) => boolean) => {
  const operator = p.operator ?? "matches"
  if (operator === "exists") return (values) => values.length > 0
  if (operator === "notExists") return (values) => values.length === 0
  const value = p.value
  const range = p.range
  if (value === undefined && range === undefined) return (values) => values.length > 0
  const eq = value === undefined ? undefined : makeEquals(value, isDate, options)
  return (values) => {
    for (const v of values) {
      if ((eq === undefined || eq(v)) && (range === undefined || inRange(numeric(v, isDate), range))) return true
    }
    return false
  }
}

type Kind = "dimension" | "metric" | "property"
const kindOf = (p: PredicateLike): Kind =>
  p.type === "metric" || p.type === "property" || p.type === "dimension"
    ? p.type
    : p.metric !== undefined
      ? "metric"
      : p.property !== undefined
        ? "property"
        : "dimension"

const one = (v: unknown): ReadonlyArray<unknown> => (v === undefined || v === null ? [] : [v])

// ---- predicate compilers per filter kind ----

const conversationPredicate = (p: PredicateLike, options: MatchOptions): Test<ConversationWithoutAttributes> => {
  if (kindOf(p) === "metric") {
    const name = p.metric ?? ""
    const test = makeValueTest(p, false, options)
    return (c) => test(one(conversationMetric(c, name)))
  }
  const dimension = p.dimension ?? ""
  const test = makeValueTest(p, dateDimensions.has(dimension), options)
  return (c) => test(conversationDimensionValuesRaw(c, dimension))
}

const propertyValues = (segment: Segment, name: string, propertyType: string | undefined): Array<unknown> => {
  const out: Array<unknown> = []
  if (segment.properties === undefined) return out
  for (const prop of segment.properties) {
    if (prop.property !== name) continue
    if (propertyType !== undefined && prop.propertyType !== propertyType) continue
    switch (prop.propertyType) {
      case "integer":
      case "real": {
        const n = Number(prop.value)
        out.push(Number.isNaN(n) ? prop.value : n)
        break
      }
      case "bool":
        out.push(prop.value.toLowerCase() === "true")
        break
      default:
        out.push(prop.value)
    }
  }
  return out
}

const segmentPredicate = (p: PredicateLike, options: MatchOptions): Test<SegmentContext> => {
  switch (kindOf(p)) {
    case "metric": {
      const name = p.metric ?? ""
      const test = makeValueTest(p, false, options)
      return (ctx) => test(name === "tSegmentDuration" ? one(segmentDuration(ctx.segment)) : [])
    }
    case "property": {
      const name = p.property ?? ""
      const test = makeValueTest(p, p.propertyType === "date", options)
      return (ctx) => test(propertyValues(ctx.segment, name, p.propertyType))
    }
    case "dimension": {
      const dimension = p.dimension ?? ""
      const test = makeValueTest(p, dateDimensions.has(dimension), options)
      return (ctx) => test(segmentValuesRaw(ctx, dimension))
    }
  }
}

/** Evaluations, surveys and resolutions carry their dimensions and metrics as plain fields. */
const objectPredicate = <O>(p: PredicateLike, options: MatchOptions): Test<O> => {
  const name = (kindOf(p) === "metric" ? p.metric : p.dimension) ?? ""
  const test = makeValueTest(p, dateDimensions.has(name), options)
  return (o) => test(one(field(o, name)))
}

const combine = <C>(type: string, tests: ReadonlyArray<Test<C>>): Test<C> => {
  if (tests.length === 0) return () => true
  if (type.toLowerCase() === "or") return (ctx) => tests.some((t) => t(ctx))
  return (ctx) => tests.every((t) => t(ctx))
}

const compileFilter = <C>(filter: FilterLike, predicate: (p: PredicateLike) => Test<C>): Test<C> => {
  const tests: Array<Test<C>> = (filter.predicates ?? []).map(predicate)
  for (const clause of filter.clauses ?? []) tests.push(combine(clause.type, (clause.predicates ?? []).map(predicate)))
  return combine(filter.type, tests)
}

const someOf =
  <O>(list: (c: ConversationWithoutAttributes) => ReadonlyArray<O> | undefined, test: Test<O>) =>
  (c: ConversationWithoutAttributes): boolean => {
    const items = list(c)
    if (items === undefined) return false
    for (const item of items) if (test(item)) return true
    return false
  }

export const compile = (query: FiltersLike, options: MatchOptions): Test<ConversationWithoutAttributes> => {
  if (isEmpty(query)) return () => true
  const tests: Array<Test<ConversationWithoutAttributes>> = []
  for (const f of query.conversationFilters ?? [])
    tests.push(compileFilter(f, (p) => conversationPredicate(p, options)))
  for (const f of query.segmentFilters ?? []) {
    if (options.segmentScope === "sameSegment") {
      const test = compileFilter(f, (p) => segmentPredicate(p, options))
      tests.push((c) => forEachSegment(c, test))
    } else {
      tests.push(
        compileFilter(f, (p) => {
          const test = segmentPredicate(p, options)
          return (c: ConversationWithoutAttributes) => forEachSegment(c, test)
        })
      )
    }
  }
  for (const f of query.evaluationFilters ?? []) {
    tests.push(
      someOf(
        (c) => c.evaluations,
        compileFilter(f, (p) => objectPredicate(p, options))
      )
    )
  }
  for (const f of query.surveyFilters ?? []) {
    tests.push(
      someOf(
        (c) => c.surveys,
        compileFilter(f, (p) => objectPredicate(p, options))
      )
    )
  }
  for (const f of query.resolutionFilters ?? []) {
    tests.push(
      someOf(
        (c) => c.resolutions,
        compileFilter(f, (p) => objectPredicate(p, options))
      )
    )
  }
  return (c) => {
    for (const t of tests) if (!t(c)) return false
    return true
  }
}

export const matches = (c: ConversationWithoutAttributes, query: FiltersLike, options: MatchOptions): boolean =>
  compile(query, options)(c)

/**
 * One filter (`{type, clauses, predicates}`) over any context whose dimension values `values` reads, with the
 * details' predicate semantics (matching in any case, `exists`/`notExists`, ranges, an empty filter or clause
 * constrains nothing). Predicates without a `dimension` are ignored. Used by the aggregates.
 */
export const compileDimensionFilter = <C>(
  filter: FilterLike,
  values: (ctx: C, dimension: string) => ReadonlyArray<unknown>,
  options: MatchOptions
): Test<C> => {
  const keep = (ps: ReadonlyArray<PredicateLike> | undefined) =>
    (ps ?? []).filter((p) => typeof p.dimension === "string")
  const predicate = (p: PredicateLike): Test<C> => {
    const dimension = p.dimension!
    const test = makeValueTest(p, dateDimensions.has(dimension), options)
    return (ctx) => test(values(ctx, dimension))
  }
  return compileFilter(
    {
      type: filter.type,
      predicates: keep(filter.predicates),
      clauses: (filter.clauses ?? []).map((c) => ({ type: c.type, predicates: keep(c.predicates) }))
    },
    predicate
  )
}
