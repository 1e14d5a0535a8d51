import { QueryIssue } from "../../GenesysError.js"
import { specOf } from "./catalog.js"

/** A problem before it becomes a `QueryIssue` (plain data, cheap to collect). */
export interface RawIssue {
  readonly path: string
  readonly rule: string
  readonly message: string
  readonly value?: unknown
  readonly suggestion?: string | undefined
}

/**
 * Collects issues up to a cap, counting the rest so the report can say "and N more". Each issue is an error or a
 * warning as its rule's catalog entry says (policy rules are told by the caller); `strict` makes every warning an
 * error.
 */
export class Issues {
  readonly kept: Array<RawIssue> = []
  readonly warnings: Array<RawIssue> = []
  dropped = 0
  constructor(
    readonly maxIssues: number,
    readonly strict = false,
    /** Rule ids reported under another id (an aggregates query's `required` is `aggregate.required`). */
    readonly renames: { readonly [rule: string]: string } = {}
  ) {}

  add(raw: RawIssue, severity?: "error" | "warning"): void {
    const renamed = this.renames[raw.rule]
    const issue = renamed === undefined ? raw : { ...raw, rule: renamed }
    const resolved = severity ?? specOf(issue.rule).severity
    if (resolved === "error" || this.strict) this.error(issue)
    else if (this.warnings.length < this.maxIssues) this.warnings.push(issue)
  }

  private error(issue: RawIssue): void {
    if (this.kept.length < this.maxIssues) this.kept.push(issue)
    else this.dropped++
  }

  get count(): number {
    return this.kept.length + this.dropped
  }

  toQueryIssues(): Array<QueryIssue> {
    const issues = this.kept.map(toQueryIssue)
    if (this.dropped > 0) {
      issues.push(
        new QueryIssue({
          path: "$",
          rule: "issues.truncated",
          message: `and ${this.dropped} more problem${this.dropped === 1 ? "" : "s"} not listed`,
          value: this.dropped
        })
      )
    }
    return issues
  }
}

export const toQueryIssue = (issue: RawIssue): QueryIssue =>
  new QueryIssue({
    path: issue.path,
    rule: issue.rule,
    message: issue.message,
    ...(issue.value !== undefined ? { value: issue.value } : {}),
    ...(issue.suggestion !== undefined ? { suggestion: issue.suggestion } : {})
  })

const MAX_SHOWN = 100

/** The offending value as an issue shows it: primitives only, long strings cut, so reports stay small and safe. */
export const shown = (value: unknown): unknown => {
  switch (typeof value) {
    case "string":
      return value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}… (${value.length} characters)` : value
    case "number":
    case "boolean":
      return value
    case "bigint":
      return `${value}n`
    default:
      return value === null ? null : undefined
  }
}

/** A short description of a value's JSON type, for "expected X, got Y". */
export const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return "an array"
  switch (typeof value) {
    case "string":
      return "a string"
    case "number":
      return Number.isFinite(value) ? "a number" : String(value)
    case "boolean":
      return "a boolean"
    case "object":
      return "an object"
    case "undefined":
      return "undefined"
    default:
      return `a ${typeof value}`
  }
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/

/** `$.a.b` / `$["odd key"]` JSON path of a child key. */
export const child = (path: string, key: string): string =>
  key.length <= 50 && identifier.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key.length > 50 ? `${key.slice(0, 50)}…` : key)}]`

export const index = (path: string, i: number): string => `${path}[${i}]`
