// Names → ids, pure: which dimensions take the ids of which directory list, when a filter value is a name (not an
// id), how a name matches a list (exact, then case-insensitive; one match or an error with the candidates), and the
// walk over a query's filters that finds the names to resolve.

/** The directory lists names are looked up in. */
export type Kind = "wrapUpCode" | "queue" | "user"

/** One directory entry. */
export interface Entity {
  readonly id: string
  readonly name: string
}

/** The list endpoint of each kind (the source of every lookup answer). */
export const listPaths: Record<Kind, string> = {
  wrapUpCode: "/api/v2/routing/wrapupcodes",
  queue: "/api/v2/routing/queues",
  user: "/api/v2/users"
}

/** The filter and `groupBy` dimensions whose values are ids of a list. */
export const dimensionKinds: Readonly<Record<string, Kind>> = {
  wrapUpCode: "wrapUpCode",
  queueId: "queue",
  userId: "user"
}

// Genesys ids are UUIDs: such a value is sent as it is, anything else is a name to look up.
const idPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether `value` is an id (a UUID) rather than a name. */
export const isId = (value: string): boolean => idPattern.test(value)

/** The outcome of matching one name. */
export type Match =
  | { readonly _tag: "Found"; readonly id: string }
  | { readonly _tag: "Unknown"; readonly candidates: ReadonlyArray<Entity> }
  | { readonly _tag: "Ambiguous"; readonly candidates: ReadonlyArray<Entity> }

const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]!
}

/** The closest names to an unknown one: containing it (or contained), or within a third of its length in edits. */
const nearest = (name: string, entities: ReadonlyArray<Entity>, limit: number): ReadonlyArray<Entity> => {
  const lower = name.toLowerCase()
  return entities
    .map((entity) => {
      const other = entity.name.toLowerCase()
      const d = other.includes(lower) || lower.includes(other) ? 0 : distance(lower, other)
      return { entity, d }
    })
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 3)))
    .sort((a, b) => a.d - b.d || (a.entity.name < b.entity.name ? -1 : 1))
    .slice(0, limit)
    .map(({ entity }) => entity)
}

/** Matches `name` in `entities`: one exact match, else one case-insensitive match; otherwise the candidates. */
export const match = (name: string, entities: ReadonlyArray<Entity>): Match => {
  const exact = entities.filter((e) => e.name === name)
  const found = exact.length > 0 ? exact : entities.filter((e) => e.name.toLowerCase() === name.toLowerCase())
  if (found.length === 1) return { _tag: "Found", id: found[0]!.id }
  if (found.length > 1) return { _tag: "Ambiguous", candidates: found }
  return { _tag: "Unknown", candidates: nearest(name, entities, 5) }
}

/** A name found in a query's filters: where, on which dimension. */
export interface NameSite {
  readonly path: string
  readonly dimension: string
  readonly kind: Kind
  readonly name: string
}

type Json = { readonly [key: string]: unknown }
const isObject = (u: unknown): u is Json => typeof u === "object" && u !== null && !Array.isArray(u)

const filterKeys = ["filter", "conversationFilters", "segmentFilters"] as const

// Calls `visit` on every predicate of the query's filters (a filter's predicates and its clauses' predicates).
const eachPredicate = (query: Json, visit: (predicate: Json, path: string) => unknown): void => {
  const predicates = (ps: unknown, at: string) => {
    if (!Array.isArray(ps)) return
    for (const [i, p] of ps.entries()) if (isObject(p)) visit(p, `${at}.predicates[${i}]`)
  }
  const filter = (f: unknown, path: string) => {
    if (!isObject(f)) return
    predicates(f.predicates, path)
    if (!Array.isArray(f.clauses)) return
    for (const [i, c] of f.clauses.entries()) if (isObject(c)) predicates(c.predicates, `${path}.clauses[${i}]`)
  }
  for (const key of filterKeys) {
    const value = query[key]
    if (!Array.isArray(value)) filter(value, `$.${key}`)
    else for (const [i, f] of value.entries()) filter(f, `$.${key}[${i}]`)
  }
}

/** The names (values that are not ids) of matching predicates on dimensions that take list ids. */
export const namesIn = (query: unknown): ReadonlyArray<NameSite> => {
  const sites: Array<NameSite> = []
  if (!isObject(query)) return sites
  eachPredicate(query, (p, path) => {
    const dimension = p.dimension
    const value = p.value
    const operator = p.operator ?? "matches"
    if (typeof dimension !== "string" || typeof value !== "string" || operator !== "matches") return
    const kind = dimensionKinds[dimension]
    if (kind !== undefined && !isId(value)) sites.push({ path: `${path}.value`, dimension, kind, name: value })
  })
  return sites
}

/** A copy of `query` with each name replaced by `ids.get(path)` (the paths of `namesIn`). */
export const replaceNames = <Q>(query: Q, ids: ReadonlyMap<string, string>): Q => {
  if (!isObject(query) || ids.size === 0) return query
  const copy = structuredClone(query) as Json
  eachPredicate(copy, (p, path) => {
    const id = ids.get(`${path}.value`)
    if (id !== undefined) (p as { value: unknown }).value = id
  })
  return copy as Q
}
