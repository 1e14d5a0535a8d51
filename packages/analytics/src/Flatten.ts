/**
 * Conversation records → relational rows. One conversation becomes rows in eleven tables (conversations,
 * participants, participant attributes, sessions, segments, session metrics, flows, flow outcomes, evaluations,
 * surveys, resolutions) with deterministic keys, so that re-extracting a conversation produces the same keys and a
 * sink can upsert instead of duplicating. The table definitions are data: CSV headers and SQL DDL both come from
 * {@link tables}.
 *
 * @since 0.1.0
 */
import * as internal from "./internal/flatten/tables.js"

/** Logical column type; sinks map it to their own (CSV text, SQLite affinity, Postgres type). @since 0.1.0 */
export type LogicalType = internal.LogicalType

/** A column of a flattened table. @since 0.1.0 */
export interface Column {
  readonly name: string
  readonly type: LogicalType
  /** `false` for primary-key columns, which are never null. */
  readonly nullable: boolean
}

/** The names of the flattened tables. @since 0.1.0 */
export type TableName =
  | "conversations"
  | "participants"
  | "participant_attributes"
  | "sessions"
  | "segments"
  | "session_metrics"
  | "flows"
  | "flow_outcomes"
  | "evaluations"
  | "surveys"
  | "resolutions"

/** A flattened table: name, ordered columns and primary key. @since 0.1.0 */
export interface Table {
  readonly name: TableName
  readonly description: string
  readonly columns: ReadonlyArray<Column>
  readonly primaryKey: ReadonlyArray<string>
}

/** A cell value: JSON columns hold their JSON text, timestamps their ISO string. @since 0.1.0 */
export type Value = string | number | boolean | null

/** A row: every column of its table, in column order, present (null when absent). @since 0.1.0 */
export type Row = Readonly<Record<string, Value>>

/** The rows of one or more conversations, per table. @since 0.1.0 */
export type Flattened = { readonly [K in TableName]: ReadonlyArray<Row> }

/** Row counts per table. @since 0.1.0 */
export type Counts = { readonly [K in TableName]: number }

const toTable = (spec: internal.TableSpec): Table => ({
  name: spec.name as TableName,
  description: spec.description,
  primaryKey: spec.primaryKey,
  columns: spec.columns.map((c) => ({ name: c.name, type: c.type, nullable: !spec.primaryKey.includes(c.name) }))
})

/** Every table, in dependency order (parents first). @since 0.1.0 */
export const tables: ReadonlyArray<Table> = internal.all.map(toTable)

/** Every table name, in the order of {@link tables}. @since 0.1.0 */
export const tableNames: ReadonlyArray<TableName> = tables.map((t) => t.name)

const byName = new Map(tables.map((t) => [t.name, t] as const))

/** The definition of one table. @since 0.1.0 */
export const table = (name: TableName): Table => byName.get(name)!

/** A cell per column, in column order. @since 0.1.0 */
export const rowValues = (table: Table, row: Row): Array<Value> => table.columns.map((c) => row[c.name] ?? null)

// --- input shapes -------------------------------------------------------------------------------------------------
// Only the fields that shape the rows are typed; scalar columns are read by name. Both `AnalyticsConversation` (jobs,
// with attributes) and `AnalyticsConversationWithoutAttributes` (sync query) are assignable, and records carrying
// fields this version does not know still flatten.

type Loose = { readonly [field: string]: unknown }

/** A session metric as far as Flatten reads it. @since 0.1.0 */
export interface MetricInput {
  readonly name?: string | undefined
  readonly emitDate?: string | undefined
}

/** A segment as far as Flatten reads it. @since 0.1.0 */
export interface SegmentInput {
  readonly segmentStart?: string | undefined
  readonly segmentType?: string | undefined
}

/** A flow outcome as far as Flatten reads it. @since 0.1.0 */
export interface FlowOutcomeInput {
  readonly flowOutcomeId?: string | undefined
  readonly flowOutcomeStartTimestamp?: string | undefined
}

/** A flow as far as Flatten reads it. @since 0.1.0 */
export interface FlowInput {
  readonly flowId?: string | undefined
  readonly outcomes?: ReadonlyArray<FlowOutcomeInput> | undefined
}

/** A session as far as Flatten reads it. @since 0.1.0 */
export interface SessionInput {
  readonly sessionId?: string | undefined
  readonly segments?: ReadonlyArray<SegmentInput> | undefined
  readonly metrics?: ReadonlyArray<MetricInput> | undefined
  readonly flow?: FlowInput | undefined
}

/** A participant as far as Flatten reads it. @since 0.1.0 */
export interface ParticipantInput {
  readonly participantId?: string | undefined
  readonly attributes?: { readonly [name: string]: string } | undefined
  readonly sessions?: ReadonlyArray<SessionInput> | undefined
}

/** An evaluation as far as Flatten reads it. @since 0.1.0 */
export interface EvaluationInput {
  readonly evaluationId?: string | undefined
}

/** A survey as far as Flatten reads it. @since 0.1.0 */
export interface SurveyInput {
  readonly surveyId?: string | undefined
}

/** A resolution as far as Flatten reads it. @since 0.1.0 */
export interface ResolutionInput {
  readonly eventTime?: string | undefined
  readonly queueId?: string | undefined
  readonly userId?: string | undefined
}

/** A conversation record (with or without participant attributes) as far as Flatten reads it. @since 0.1.0 */
export interface ConversationInput {
  readonly conversationId?: string | undefined
  readonly participants?: ReadonlyArray<ParticipantInput> | undefined
  readonly evaluations?: ReadonlyArray<EvaluationInput> | undefined
  readonly surveys?: ReadonlyArray<SurveyInput> | undefined
  readonly resolutions?: ReadonlyArray<ResolutionInput> | undefined
}

// --- cell conversion -----------------------------------------------------------------------------------------------

const cell = (type: LogicalType, value: unknown): Value => {
  if (value === undefined || value === null) return null
  switch (type) {
    case "string":
    case "timestamp":
      return typeof value === "string" ? value : typeof value === "object" ? JSON.stringify(value) : String(value)
    case "integer":
    case "real": {
      if (typeof value === "number") return Number.isFinite(value) ? value : null
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : Number.NaN
      return Number.isFinite(n) ? n : null
    }
    case "boolean":
      return typeof value === "boolean" ? value : value === "true" ? true : value === "false" ? false : null
    case "json":
      return JSON.stringify(value)
  }
}

interface Compiled {
  readonly names: ReadonlyArray<string>
  readonly sourced: ReadonlyArray<readonly [name: string, source: string, type: LogicalType]>
}

const compile = (spec: internal.TableSpec): Compiled => ({
  names: spec.columns.map((c) => c.name),
  sourced: spec.columns.flatMap((c) => (c.source === undefined ? [] : [[c.name, c.source, c.type] as const]))
})

const compiled = {
  conversations: compile(internal.conversations),
  participants: compile(internal.participants),
  participant_attributes: compile(internal.participantAttributes),
  sessions: compile(internal.sessions),
  segments: compile(internal.segments),
  session_metrics: compile(internal.sessionMetrics),
  flows: compile(internal.flows),
  flow_outcomes: compile(internal.flowOutcomes),
  evaluations: compile(internal.evaluations),
  surveys: compile(internal.surveys),
  resolutions: compile(internal.resolutions)
} satisfies Record<TableName, Compiled>

const build = (c: Compiled, source: object | undefined, keys: Readonly<Record<string, Value>>): Row => {
  const row: Record<string, Value> = {}
  for (const name of c.names) row[name] = keys[name] ?? null
  if (source !== undefined) {
    const loose = source as Loose
    for (const [name, field, type] of c.sourced) row[name] = cell(type, loose[field])
  }
  return row
}

// --- keys ---------------------------------------------------------------------------------------------------------

const escapePart = (part: string | undefined) => (part === undefined ? "" : part.replace(/[\\|]/g, "\\$&"))

/** Joins key parts injectively (`|` separated, `\` escaped) so distinct tuples never meet. */
const compound = (parts: ReadonlyArray<string | undefined>) => parts.map(escapePart).join("|")

const str = (value: unknown): string | undefined =>
  typeof value === "string" ? value : value === undefined || value === null ? undefined : String(value)

/**
 * Hands out keys unique within one scope: an id (or a synthetic `#index`) is used as is the first time and a repeat
 * gets the lowest free `#n` suffix; compound keys always end in `|n`, the occurrence number of their tuple. Counted in
 * input order, so the result is a pure function of the record.
 */
class KeyScope {
  private readonly used = new Set<string>()
  id(id: string | undefined, fallback: string): string {
    return this.take(id ?? fallback, "#", 0)
  }
  compound(parts: ReadonlyArray<string | undefined>): string {
    return this.take(compound(parts), "|", 1)
  }
  private take(base: string, sep: string, start: number): string {
    let n = start
    let candidate = n === 0 ? base : `${base}${sep}${n}`
    while (this.used.has(candidate)) candidate = `${base}${sep}${++n}`
    this.used.add(candidate)
    return candidate
  }
}

// --- flatten ------------------------------------------------------------------------------------------------------

type Mutable = { [K in TableName]: Array<Row> }

/** A fresh set of empty row arrays, one per table. @since 0.1.0 */
export const empty = (): { [K in TableName]: Array<Row> } => ({
  conversations: [],
  participants: [],
  participant_attributes: [],
  sessions: [],
  segments: [],
  session_metrics: [],
  flows: [],
  flow_outcomes: [],
  evaluations: [],
  surveys: [],
  resolutions: []
})

/** The key scopes of one conversation's participant tree: a key is unique across the whole conversation. */
interface TreeKeys {
  readonly participants: KeyScope
  readonly sessions: KeyScope
  readonly segments: KeyScope
  readonly metrics: KeyScope
  readonly outcomes: KeyScope
}

const flattenAttributes = (
  out: Mutable,
  conversation_id: string,
  participant_id: string,
  attributes: ParticipantInput["attributes"]
): void => {
  if (attributes === undefined || attributes === null || typeof attributes !== "object") return
  // Sorted so that two extractions of the same record give rows in the same order.
  for (const name of Object.keys(attributes).sort()) {
    out.participant_attributes.push(
      build(compiled.participant_attributes, undefined, {
        conversation_id,
        participant_id,
        name,
        value: cell("string", attributes[name])
      })
    )
  }
}

const flattenFlow = (
  out: Mutable,
  keys: TreeKeys,
  parent: { readonly conversation_id: string; readonly session_id: string; readonly participant_id: string },
  flow: SessionInput["flow"]
): void => {
  if (flow === undefined || flow === null || typeof flow !== "object") return
  const { conversation_id, session_id } = parent
  out.flows.push(build(compiled.flows, flow, parent))
  for (const outcome of flow.outcomes ?? []) {
    const outcome_key = keys.outcomes.compound([
      session_id,
      str(outcome.flowOutcomeId),
      str(outcome.flowOutcomeStartTimestamp)
    ])
    out.flow_outcomes.push(build(compiled.flow_outcomes, outcome, { conversation_id, session_id, outcome_key }))
  }
}

const flattenSession = (
  out: Mutable,
  keys: TreeKeys,
  conversation_id: string,
  participant_id: string,
  session: SessionInput,
  s: number
): void => {
  const session_id = keys.sessions.id(str(session.sessionId), `${participant_id}#${s}`)
  const parent = { conversation_id, session_id, participant_id }
  out.sessions.push(build(compiled.sessions, session, { ...parent, session_index: s }))
  for (const segment of session.segments ?? []) {
    // segmentEnd is left out of the key: an ongoing segment has none yet and gains it on re-extraction.
    const segment_key = keys.segments.compound([session_id, str(segment.segmentStart), str(segment.segmentType)])
    out.segments.push(build(compiled.segments, segment, { ...parent, segment_key }))
  }
  for (const metric of session.metrics ?? []) {
    const metric_key = keys.metrics.compound([session_id, str(metric.name), str(metric.emitDate)])
    out.session_metrics.push(build(compiled.session_metrics, metric, { ...parent, metric_key }))
  }
  flattenFlow(out, keys, parent, session.flow)
}

const flattenParticipants = (
  out: Mutable,
  conversation_id: string,
  participants: ReadonlyArray<ParticipantInput>
): void => {
  const keys: TreeKeys = {
    participants: new KeyScope(),
    sessions: new KeyScope(),
    segments: new KeyScope(),
    metrics: new KeyScope(),
    outcomes: new KeyScope()
  }
  for (let p = 0; p < participants.length; p++) {
    const participant = participants[p]!
    const participant_id = keys.participants.id(str(participant.participantId), `#${p}`)
    out.participants.push(
      build(compiled.participants, participant, { conversation_id, participant_id, participant_index: p })
    )
    flattenAttributes(out, conversation_id, participant_id, participant.attributes)
    const sessions = participant.sessions ?? []
    for (let s = 0; s < sessions.length; s++) {
      flattenSession(out, keys, conversation_id, participant_id, sessions[s]!, s)
    }
  }
}

/** Evaluations, surveys and resolutions: the conversation-level lists, each keyed in its own scope. */
const flattenConversationLists = (out: Mutable, conversation: ConversationInput, conversation_id: string): void => {
  const evaluationKeys = new KeyScope()
  const evaluations = conversation.evaluations ?? []
  for (let e = 0; e < evaluations.length; e++) {
    const evaluation = evaluations[e]!
    const evaluation_key = evaluationKeys.id(str(evaluation.evaluationId), `#${e}`)
    out.evaluations.push(build(compiled.evaluations, evaluation, { conversation_id, evaluation_key }))
  }
  const surveyKeys = new KeyScope()
  const surveys = conversation.surveys ?? []
  for (let s = 0; s < surveys.length; s++) {
    const survey = surveys[s]!
    const survey_key = surveyKeys.id(str(survey.surveyId), `#${s}`)
    out.surveys.push(build(compiled.surveys, survey, { conversation_id, survey_key }))
  }
  const resolutionKeys = new KeyScope()
  for (const resolution of conversation.resolutions ?? []) {
    const resolution_key = resolutionKeys.compound([
      str(resolution.eventTime),
      str(resolution.queueId),
      str(resolution.userId)
    ])
    out.resolutions.push(build(compiled.resolutions, resolution, { conversation_id, resolution_key }))
  }
}

const flattenInto = (out: Mutable, conversation: ConversationInput, index: number): void => {
  const conversation_id = str(conversation.conversationId) ?? `#${index}`
  out.conversations.push(build(compiled.conversations, conversation, { conversation_id }))
  flattenParticipants(out, conversation_id, conversation.participants ?? [])
  flattenConversationLists(out, conversation, conversation_id)
}

/**
 * Flattens one conversation. A conversation without `conversationId` is keyed `#0`; callers that flatten many should
 * use {@link flattenAll}, which keys such records by their position.
 *
 * @since 0.1.0
 */
export const flatten = (conversation: ConversationInput): Flattened => {
  const out = empty()
  flattenInto(out, conversation, 0)
  return out
}

/** Flattens many conversations into one set of tables (rows in input order). @since 0.1.0 */
export const flattenAll = (conversations: Iterable<ConversationInput>): Flattened => {
  const out = empty()
  let index = 0
  for (const conversation of conversations) flattenInto(out, conversation, index++)
  return out
}

/** Row counts per table. @since 0.1.0 */
export const counts = (flattened: Flattened): Counts => {
  const result = {} as Record<TableName, number>
  for (const name of tableNames) result[name] = flattened[name].length
  return result
}

/** Zero rows in every table. @since 0.1.0 */
export const zeroCounts: Counts = counts(empty())

/** Adds two sets of counts. @since 0.1.0 */
export const addCounts = (a: Counts, b: Counts): Counts => {
  const result = {} as Record<TableName, number>
  for (const name of tableNames) result[name] = a[name] + b[name]
  return result
}

/** The primary key of a row as one string (JSON array of the key cells), for de-duplication. @since 0.1.0 */
export const primaryKeyOf = (table: Table, row: Row): string => JSON.stringify(table.primaryKey.map((c) => row[c]))
