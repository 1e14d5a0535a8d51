/**
 * Names instead of ids. Users write "Issue Resolved"; the analytics APIs want the wrap-up code's id. `NameLookup`
 * reads the directory lists (`GET /api/v2/routing/wrapupcodes`, `/api/v2/routing/queues`, `/api/v2/users`, page
 * after page), once per layer (a run), and:
 * - `resolveQuery` replaces the names in a query's filters (`filter`, `conversationFilters`, `segmentFilters`) on
 *   `wrapUpCode`, `queueId` and `userId` with their ids. A value that is a UUID is an id and is sent as it is (no
 *   request); anything else is a name. A name matches exactly, else case-insensitively; no match or several fail
 *   `UnresolvedNames`, naming the path, the value and the candidates, before any analytics request.
 * - `withNames` adds a `names` map (dimension → name) to aggregate rows, for `columns` to print beside the ids.
 *
 * @since 0.3.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as SynchronizedRef from "effect/SynchronizedRef"
import type * as AggregateRecord from "./AggregateRecord.js"
import type { GenesysConfig } from "./GenesysConfig.js"
import type { GenesysError } from "./GenesysError.js"
import * as GenesysHttp from "./GenesysHttp.js"
import * as Names from "./internal/lookups/names.js"

/** The directory lists: wrap-up codes, queues, users. @since 0.3.0 */
export type Kind = Names.Kind

/** A directory entry. @since 0.3.0 */
export type Entity = Names.Entity

/** Which dimensions take the ids of which list (`wrapUpCode`, `queueId`, `userId`). @since 0.3.0 */
export const dimensionKinds: Readonly<Record<string, Kind>> = Names.dimensionKinds

/** Whether a filter value is an id (a UUID), sent as it is, rather than a name. @since 0.3.0 */
export const isId: (value: string) => boolean = Names.isId

/** Route templates of the list requests, as recorded in metrics. @since 0.3.0 */
export const routes: Readonly<Record<Kind, string>> = {
  wrapUpCode: `GET ${Names.listPaths.wrapUpCode}`,
  queue: `GET ${Names.listPaths.queue}`,
  user: `GET ${Names.listPaths.user}`
}

const Candidate = Schema.Struct({ id: Schema.String, name: Schema.String })

/** One name that could not be resolved. @since 0.3.0 */
export class NameProblem extends Schema.Class<NameProblem>("@effect-genesys/analytics/NameLookup/NameProblem")({
  /** JSON path of the value, e.g. `$.filter.predicates[0].value`. */
  path: Schema.String,
  dimension: Schema.String,
  name: Schema.String,
  reason: Schema.Literal("unknown", "ambiguous"),
  /** The entries it could mean: every match when ambiguous, the closest names when unknown. */
  candidates: Schema.Array(Candidate),
  /** Where the names were read: the list endpoint. */
  source: Schema.String
}) {}

const describe = (p: NameProblem): string => {
  const listed = p.candidates.map((c) => (p.reason === "ambiguous" ? `"${c.name}" (${c.id})` : `"${c.name}"`))
  const what = p.reason === "ambiguous" ? `matches ${p.candidates.length} entries` : "matches no entry"
  const hint =
    p.reason === "ambiguous"
      ? `: ${listed.join(", ")}; use the id`
      : listed.length > 0
        ? `; did you mean ${listed.join(", ")}?`
        : ""
  return `${p.path}: ${p.dimension} "${p.name}" ${what} of ${p.source}${hint}`
}

/** Names in a query that match no entry, or several; nothing was sent. Lists every problem at once. @since 0.3.0 */
export class UnresolvedNames extends Schema.TaggedError<UnresolvedNames>(
  "@effect-genesys/analytics/NameLookup/UnresolvedNames"
)("UnresolvedNames", { problems: Schema.Array(NameProblem) }) {
  override get message(): string {
    return this.problems.map(describe).join("; ")
  }
}

/** An aggregate row with the names of its group's ids (dimension → name) where a list has them. @since 0.3.0 */
export interface NamedRow extends AggregateRecord.AggregateRow {
  readonly names: { readonly [dimension: string]: string }
}

/** The operations. @since 0.3.0 */
export interface Service {
  /** Every entry of a list (all pages; read once per layer). */
  readonly list: (kind: Kind) => Effect.Effect<ReadonlyArray<Entity>, GenesysError>
  /** The id of one name of a list. */
  readonly resolve: (kind: Kind, name: string) => Effect.Effect<string, UnresolvedNames | GenesysError>
  /** `query` with the names in its filters replaced by ids (see the module). Lists are read only if needed. */
  readonly resolveQuery: <Q>(query: Q) => Effect.Effect<Q, UnresolvedNames | GenesysError>
  /** Rows with `names` for those of `dimensions` that take list ids (their lists read before the first row). */
  readonly withNames: (
    dimensions: ReadonlyArray<string>
  ) => <E, R>(rows: Stream.Stream<AggregateRecord.AggregateRow, E, R>) => Stream.Stream<NamedRow, E | GenesysError, R>
}

/** Names ↔ ids of wrap-up codes, queues and users. @since 0.3.0 */
export class NameLookup extends Context.Tag("@effect-genesys/analytics/NameLookup")<NameLookup, Service>() {}

/** Options of `makeWith` / `layerWith`. @since 0.3.0 */
export interface Options {
  /** Entries per list page (default 100). */
  readonly pageSize?: number | undefined
}

const Listing = Schema.Struct({
  entities: Schema.optional(
    Schema.NullOr(
      Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.optional(Schema.NullOr(Schema.String)) }))
    )
  ),
  pageCount: Schema.optional(Schema.NullOr(Schema.Number))
})

// A list that never ends (a server ignoring pageNumber) stops here rather than looping.
const maxPages = 10_000

/** Builds the operations with `options`. @since 0.3.0 */
export const makeWith = (options: Options = {}): Effect.Effect<Service, never, GenesysHttp.GenesysHttp> =>
  Effect.gen(function* () {
    const http = yield* GenesysHttp.GenesysHttp
    const pageSize = options.pageSize ?? 100
    const cache = yield* SynchronizedRef.make(new Map<Kind, ReadonlyArray<Entity>>())

    const fetchAll = (kind: Kind) =>
      Effect.gen(function* () {
        const entities: Array<Entity> = []
        for (let pageNumber = 1; pageNumber <= maxPages; pageNumber++) {
          const page = yield* http.json(
            HttpClientRequest.get(Names.listPaths[kind]).pipe(
              HttpClientRequest.setUrlParams({ pageSize: String(pageSize), pageNumber: String(pageNumber) })
            ),
            Listing,
            { route: routes[kind], idempotent: true, parseOptions: { onExcessProperty: "ignore" } }
          )
          const got = page.entities ?? []
          for (const e of got) entities.push({ id: e.id, name: e.name ?? "" })
          const last = page.pageCount ?? undefined
          if (got.length === 0 || (last !== undefined ? pageNumber >= last : got.length < pageSize)) break
        }
        return entities as ReadonlyArray<Entity>
      })

    const list = Effect.fn("NameLookup.list")((kind: Kind) =>
      SynchronizedRef.modifyEffect(cache, (lists) => {
        const known = lists.get(kind)
        if (known !== undefined) return Effect.succeed([known, lists] as const)
        return Effect.map(fetchAll(kind), (entities) => [entities, new Map(lists).set(kind, entities)] as const)
      })
    )

    const problemOf = (site: Names.NameSite, entities: ReadonlyArray<Entity>): NameProblem | string => {
      const found = Names.match(site.name, entities)
      if (found._tag === "Found") return found.id
      return new NameProblem({
        path: site.path,
        dimension: site.dimension,
        name: site.name,
        reason: found._tag === "Ambiguous" ? "ambiguous" : "unknown",
        candidates: found.candidates.map((c) => ({ id: c.id, name: c.name })),
        source: routes[site.kind]
      })
    }

    const resolveSites = (sites: ReadonlyArray<Names.NameSite>) =>
      Effect.gen(function* () {
        const ids = new Map<string, string>()
        const problems: Array<NameProblem> = []
        for (const site of sites) {
          const outcome = problemOf(site, yield* list(site.kind))
          if (typeof outcome === "string") ids.set(site.path, outcome)
          else problems.push(outcome)
        }
        if (problems.length > 0) return yield* new UnresolvedNames({ problems })
        return ids
      })

    const resolve = Effect.fn("NameLookup.resolve")(function* (kind: Kind, name: string) {
      const ids = yield* resolveSites([{ path: "$", dimension: kind, kind, name }])
      return ids.get("$")!
    })

    const resolveQuery = <Q>(query: Q): Effect.Effect<Q, UnresolvedNames | GenesysError> =>
      Effect.map(resolveSites(Names.namesIn(query)), (ids) => Names.replaceNames(query, ids)).pipe(
        Effect.withSpan("NameLookup.resolveQuery")
      )

    const withNames =
      (dimensions: ReadonlyArray<string>) =>
      <E, R>(rows: Stream.Stream<AggregateRecord.AggregateRow, E, R>): Stream.Stream<NamedRow, E | GenesysError, R> =>
        Stream.unwrap(
          Effect.gen(function* () {
            const byDimension = new Map<string, ReadonlyMap<string, string>>()
            for (const dimension of dimensions) {
              const kind = dimensionKinds[dimension]
              if (kind === undefined || byDimension.has(dimension)) continue
              byDimension.set(dimension, new Map((yield* list(kind)).map((e) => [e.id, e.name])))
            }
            return Stream.map(rows, (row): NamedRow => {
              const names: Record<string, string> = {}
              for (const [dimension, byId] of byDimension) {
                const id = row.group[dimension]
                const name = id === undefined ? undefined : byId.get(id)
                if (name !== undefined) names[dimension] = name
              }
              return { ...row, names }
            })
          })
        )

    return NameLookup.of({ list, resolve, resolveQuery, withNames })
  })

/** Builds the operations (100 entries per list page). @since 0.3.0 */
export const make: Effect.Effect<Service, never, GenesysHttp.GenesysHttp> = makeWith()

/** The lookups over a given `GenesysHttp`. @since 0.3.0 */
export const layerWithoutHttp: Layer.Layer<NameLookup, never, GenesysHttp.GenesysHttp> = Layer.effect(NameLookup, make)

/** The lookups with their own HTTP client and token provider. @since 0.3.0 */
export const layer: Layer.Layer<NameLookup, never, HttpClient.HttpClient | GenesysConfig> = layerWithoutHttp.pipe(
  Layer.provide(GenesysHttp.layer)
)

/**
 * A named row as flat columns: `AggregateRecord.columns`, with `<dimension>Name` right after each dimension that has
 * a list (empty where the name is unknown).
 *
 * @since 0.3.0
 */
export const columns = (
  row: NamedRow,
  base: AggregateRecord.AggregateColumns
): { readonly [column: string]: string | number | undefined } => {
  const out: Record<string, string | number | undefined> = {}
  for (const [column, value] of Object.entries(base)) {
    out[column] = value
    if (dimensionKinds[column] !== undefined) out[`${column}Name`] = row.names[column]
  }
  return out
}
