/**
 * Validates a conversation-detail query before anything is sent: shape (JSON types, required and unknown keys,
 * enum values), then the platform's rules (interval grammar and limits, paging caps, filter → clause → predicate
 * nesting, predicate consistency, vocabularies, counts). A rule fails the query only where a source shows that
 * Genesys refuses it; every other finding is a warning returned beside the query (`strict` makes them errors). A
 * JSON `null` is an absent key. Every problem is reported at once in one `QueryInvalid`, each with its JSON path,
 * rule, offending value and, for a misspelled name, a "did you mean". Pure and fast: no I/O, and bounded work on any
 * input (malformed JSON, megabyte strings, huge arrays, cyclic objects).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AggregateQuery from "./ConversationAggregateQuery.js"
import * as Query from "./ConversationQuery.js"
import { QueryInvalid, type QueryIssue } from "./GenesysError.js"
import { catalog, type RuleSpec } from "./internal/validator/catalog.js"
import { checkAggregateRules } from "./internal/validator/aggregateRules.js"
import { Issues, toQueryIssue } from "./internal/validator/issues.js"
import { checkRules, type QueryKind } from "./internal/validator/rules.js"
import { walk, withoutNulls } from "./internal/validator/walk.js"

/**
 * Limits and policies. FACTS.md lists most real limits as uncertain: every default below is marked "default" and
 * can be changed.
 *
 * @since 0.1.0
 */
export interface ValidatorOptions {
  /** Largest `paging.pageSize`. Default 200: a Genesys blog post pages with 200 (FACTS §7b); the real cap is uncertain. */
  readonly maxPageSize: number
  /** Largest `pageSize × pageNumber`. Default 100 000 (the platform's "Pagination may not exceed 100000 results."). */
  readonly maxResults: number
  /** Longest sync interval without any filter, in days. Default 7 (documented by Genesys). */
  readonly maxDaysUnfiltered: number
  /** Longest sync interval with at least one filter, in days. Default 31 (documented by Genesys). */
  readonly maxDaysFiltered: number
  /** Longest job interval in days; `undefined` means no check. Default `undefined` (the real limit is uncertain). */
  readonly maxJobDays: number | undefined
  /**
   * Slack added to the day limits, in milliseconds. Default 3 600 000 (1 h): a local-calendar week that crosses a
   * daylight-saving change is 7 × 24 h + 1 h, and whether Genesys counts wall-clock days is uncertain. Set 0 to be strict.
   */
  readonly intervalToleranceMillis: number
  /** Most filters in one query (all five filter arrays together). Default 50 (real limit uncertain). */
  readonly maxFilters: number
  /** Most clauses in one query. Default 100 (real limit uncertain). */
  readonly maxClauses: number
  /** Most predicates in one query, in filters and clauses together. Default 1 000 (real limit uncertain). */
  readonly maxPredicates: number
  /** Longest string value (interval, predicate value, ...). Default 4 096 characters. */
  readonly maxStringLength: number
  /** Longest array that is checked element by element; longer arrays are reported. Default 10 000. */
  readonly maxArrayLength: number
  /** Longest JSON text accepted when the input is a string. Default 1 000 000 characters. */
  readonly maxInputLength: number
  /** Most issues listed; the rest are summarised as one final "and N more" issue. Default 100. */
  readonly maxIssues: number
  /** A dimension or metric name this library does not know: reject, or warn and send. Default "warn" (the enums grow). */
  readonly unknownNames: "error" | "warn"
  /** A value outside a dimension's known values, ignoring case (e.g. `mediaType: "vidoe"`). Default "warn". */
  readonly unknownValues: "error" | "warn"
  /** Every warning fails the query, as an error would. Default false. */
  readonly strict: boolean
}

/** One validator rule: what it checks, whether it fails the query, and the evidence that Genesys refuses it. @since 0.2.0 */
export type Rule = RuleSpec

/**
 * Every rule the validator reports, by the id that `QueryIssue.rule` carries. `severity` is `"error"` only where a
 * source shows the platform refuses the shape; `"policy"` rules follow `unknownNames` / `unknownValues`.
 *
 * @since 0.2.0
 */
export const rules: { readonly [Id in keyof typeof catalog]: Rule } = catalog

/** The defaults of every limit and policy. @since 0.1.0 */
export const defaultValidatorOptions: ValidatorOptions = {
  maxPageSize: 200,
  maxResults: 100_000,
  maxDaysUnfiltered: 7,
  maxDaysFiltered: 31,
  maxJobDays: undefined,
  intervalToleranceMillis: 3_600_000,
  maxFilters: 50,
  maxClauses: 100,
  maxPredicates: 1_000,
  maxStringLength: 4_096,
  maxArrayLength: 10_000,
  maxInputLength: 1_000_000,
  maxIssues: 100,
  unknownNames: "warn",
  unknownValues: "warn",
  strict: false
}

/** The outcome of a pure check: the decoded query or every problem, plus warnings. @since 0.1.0 */
export interface Check<A> {
  readonly result: Either.Either<A, QueryInvalid>
  /** Findings that do not stop the query: rules without a source of a platform refusal, and `"warn"` policies. */
  readonly warnings: ReadonlyArray<QueryIssue>
}

// Queries this module produced, so that a window built from a validated plan is not checked a second time on submit.
type CheckedKind = QueryKind | "aggregate" | "asyncAggregate"

const checked = new WeakMap<object, { readonly kind: CheckedKind; readonly options: ValidatorOptions }>()

/** The rules run after the structural walk, and the rule ids the walk's findings are reported under. */
interface Ruleset {
  readonly rules: (value: unknown, issues: Issues, options: ValidatorOptions) => void
  readonly renames?: { readonly [rule: string]: string }
}

const detailRules = (kind: QueryKind): Ruleset => ({
  rules: (value, issues, options) => checkRules(value, kind, issues, options)
})

const aggregateRules: Ruleset = { rules: checkAggregateRules, renames: { required: "aggregate.required" } }

const sameOptions = (a: ValidatorOptions, b: ValidatorOptions): boolean =>
  a === b || (Object.keys(a) as Array<keyof ValidatorOptions>).every((key) => a[key] === b[key])

/**
 * Marks a query built by this library from an already validated one (an extraction window: the plan's filters with a
 * sub-interval) as checked under `options`, so validating it again as the same kind with the same options returns it
 * as it is.
 *
 * @since 0.2.0
 */
export const markChecked = <A extends object>(
  query: A,
  kind: "sync" | "async",
  options?: Partial<ValidatorOptions>
): A => {
  checked.set(query, { kind, options: resolveOptions(options) })
  return query
}

/** The full options: the defaults under the given overrides. @since 0.2.0 */
export const resolveOptions = (overrides: Partial<ValidatorOptions> | undefined): ValidatorOptions =>
  overrides ? { ...defaultValidatorOptions, ...overrides } : defaultValidatorOptions

const check = <A>(
  schema: Schema.Schema<A>,
  kind: CheckedKind,
  input: unknown,
  overrides: Partial<ValidatorOptions> | undefined,
  ruleset: Ruleset = detailRules(kind as QueryKind)
): Check<A> => {
  const options = resolveOptions(overrides)
  if (typeof input === "object" && input !== null) {
    const marked = checked.get(input)
    if (marked !== undefined && marked.kind === kind && sameOptions(marked.options, options)) {
      return { result: Either.right(input as A), warnings: [] }
    }
  }
  const issues = new Issues(Math.max(1, options.maxIssues), options.strict, ruleset.renames)
  const invalid = () =>
    ({
      result: Either.left(new QueryInvalid({ issues: issues.toQueryIssues() })),
      warnings: issues.warnings.map(toQueryIssue)
    }) as const
  let value = input
  try {
    if (typeof input === "string") {
      if (input.length > options.maxInputLength) {
        issues.add({
          path: "$",
          rule: "json.tooLarge",
          message: `the JSON text is ${input.length} characters long; the limit is ${options.maxInputLength} (ValidatorOptions.maxInputLength)`,
          value: input.length
        })
        return invalid()
      }
      try {
        value = JSON.parse(input)
      } catch (error) {
        issues.add({
          path: "$",
          rule: "json.malformed",
          message: `not valid JSON: ${error instanceof Error ? error.message : String(error)}`
        })
        return invalid()
      }
    }
    walk(schema.ast, value, "$", issues, options)
    ruleset.rules(value, issues, options)
  } catch (error) {
    // A throwing getter or Proxy in a hand-made object: report it rather than crash.
    issues.add({
      path: "$",
      rule: "input.unreadable",
      message: `the input could not be read: ${error instanceof Error ? error.message : String(error)}`
    })
  }
  if (issues.count > 0) return invalid()
  const decoded = Schema.decodeUnknownEither(schema)(withoutNulls(schema.ast, value, false))
  if (Either.isLeft(decoded)) {
    // Only reachable if the checks above miss something the Schema enforces; still one QueryInvalid.
    for (const issue of ParseResult.ArrayFormatter.formatErrorSync(decoded.left)) {
      issues.add({
        path: `$${issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("")}`,
        rule: "schema",
        message: issue.message
      })
    }
    return invalid()
  }
  // What is sent: the input without its nulls, unknown keys included (they were warned about, and may be newer
  // than this library).
  const sent = withoutNulls(schema.ast, value, true) as A
  checked.set(sent as object, { kind, options })
  return { result: Either.right(sent), warnings: issues.warnings.map(toQueryIssue) }
}

/** Checks a sync query (`POST …/details/query` body) without effects. @since 0.1.0 */
export const checkQuery = (input: unknown, options?: Partial<ValidatorOptions>): Check<Query.ConversationQuery> =>
  check(Query.ConversationQuery, "sync", input, options)

/** Checks a job query (`POST …/details/jobs` body) without effects. @since 0.1.0 */
export const checkAsyncQuery = (
  input: unknown,
  options?: Partial<ValidatorOptions>
): Check<Query.AsyncConversationQuery> => check(Query.AsyncConversationQuery, "async", input, options)

const run = <A>(checked: Check<A>): Effect.Effect<A, QueryInvalid> =>
  Effect.zipRight(
    Effect.forEach(
      checked.warnings,
      (w) => Effect.logWarning(`${w.path}: ${w.message}${w.suggestion ? ` (did you mean "${w.suggestion}"?)` : ""}`),
      { discard: true }
    ),
    checked.result
  )

/**
 * Validates a sync query: an object or a JSON string. Fails with one `QueryInvalid` listing every problem; warnings
 * (from `"warn"` policies) are logged.
 *
 * @since 0.1.0
 */
export const validateQuery: (
  input: unknown,
  options?: Partial<ValidatorOptions>
) => Effect.Effect<Query.ConversationQuery, QueryInvalid> = Effect.fn("QueryValidator.validateQuery")(function* (
  input: unknown,
  options?: Partial<ValidatorOptions>
) {
  return yield* run(checkQuery(input, options))
})

/** Validates a job query (`AsyncConversationQuery`), like `validateQuery`. @since 0.1.0 */
export const validateAsyncQuery: (
  input: unknown,
  options?: Partial<ValidatorOptions>
) => Effect.Effect<Query.AsyncConversationQuery, QueryInvalid> = Effect.fn("QueryValidator.validateAsyncQuery")(
  function* (input: unknown, options?: Partial<ValidatorOptions>) {
    return yield* run(checkAsyncQuery(input, options))
  }
)

/**
 * Checks a sync aggregates query (`POST …/aggregates/query` body, `ConversationAggregationQuery`) without effects: the
 * same machinery and catalog as the details (`required` findings are reported as `aggregate.required`).
 *
 * @since 0.3.0
 */
export const checkAggregateQuery = (
  input: unknown,
  options?: Partial<ValidatorOptions>
): Check<AggregateQuery.AggregateQuery> =>
  check(AggregateQuery.AggregateQuery, "aggregate", input, options, aggregateRules)

/** Checks an aggregates job query (`ConversationAsyncAggregationQuery`) without effects. @since 0.3.0 */
export const checkAsyncAggregateQuery = (
  input: unknown,
  options?: Partial<ValidatorOptions>
): Check<AggregateQuery.AsyncAggregateQuery> =>
  check(AggregateQuery.AsyncAggregateQuery, "asyncAggregate", input, options, aggregateRules)

/** Validates a sync aggregates query, like `validateQuery`. @since 0.3.0 */
export const validateAggregateQuery: (
  input: unknown,
  options?: Partial<ValidatorOptions>
) => Effect.Effect<AggregateQuery.AggregateQuery, QueryInvalid> = Effect.fn("QueryValidator.validateAggregateQuery")(
  function* (input: unknown, options?: Partial<ValidatorOptions>) {
    return yield* run(checkAggregateQuery(input, options))
  }
)

/** Validates an aggregates job query, like `validateQuery`. @since 0.3.0 */
export const validateAsyncAggregateQuery: (
  input: unknown,
  options?: Partial<ValidatorOptions>
) => Effect.Effect<AggregateQuery.AsyncAggregateQuery, QueryInvalid> = Effect.fn(
  "QueryValidator.validateAsyncAggregateQuery"
)(function* (input: unknown, options?: Partial<ValidatorOptions>) {
  return yield* run(checkAsyncAggregateQuery(input, options))
})
