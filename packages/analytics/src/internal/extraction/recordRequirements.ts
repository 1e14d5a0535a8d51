/**
 * What Extraction relies on in a record, checked before the record is owned, de-duplicated or counted: the id
 * (de-duplication, sink keys), the start (ownership, day counts, reconciliation) and, when present, the end
 * (ownership: settled or not). The Schema lets all three be absent (the platform declares every field optional),
 * so without this check a record without an id would collapse into another and one without a start would be
 * counted as another window's.
 *
 * @internal
 */
import * as KnownSecrets from "../http/knownSecrets.js"

/** The first problem of a record. @internal */
export interface Problem {
  readonly field: "conversationId" | "conversationStart" | "conversationEnd"
  readonly detail: string
}

const quote = (value: unknown): string => {
  const text = value === undefined ? "undefined" : JSON.stringify(value)
  return KnownSecrets.scrub(text.length > 60 ? `${text.slice(0, 60)}…` : text)
}

const isDate = (value: unknown): boolean => typeof value === "string" && !Number.isNaN(Date.parse(value))

/** `undefined` when the record has what Extraction needs, else the first field that fails. @internal */
export const check = (record: {
  readonly conversationId?: unknown
  readonly conversationStart?: unknown
  readonly conversationEnd?: unknown
}): Problem | undefined => {
  const id = record.conversationId
  if (typeof id !== "string" || id.trim() === "") {
    return { field: "conversationId", detail: `must be a non-empty string, got ${quote(id)}` }
  }
  if (!isDate(record.conversationStart)) {
    return { field: "conversationStart", detail: `must be an ISO-8601 date, got ${quote(record.conversationStart)}` }
  }
  if (record.conversationEnd !== undefined && !isDate(record.conversationEnd)) {
    return {
      field: "conversationEnd",
      detail: `must be an ISO-8601 date when present, got ${quote(record.conversationEnd)}`
    }
  }
  return undefined
}
