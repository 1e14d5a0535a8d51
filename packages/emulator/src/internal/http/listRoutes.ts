/**
 * The directory list endpoints with the catalog's names: `GET /api/v2/routing/wrapupcodes`,
 * `GET /api/v2/routing/queues`, `GET /api/v2/users`. Each answers the platform's list envelope
 * (`*EntityListing`: `entities`, `pageSize`, `pageNumber`, `total`, `pageCount`, `firstUri`, `selfUri`,
 * `lastUri`, `nextUri`/`previousUri` when there is such a page), entities sorted by name.
 * `pageSize` defaults to 25 and `pageNumber` to 1; a page size above 500, or a value that is no positive
 * integer, is a 400. Queues and wrap-up codes take `name` (case-insensitive; a leading or trailing `*` is a
 * wildcard); users take repeated or comma-separated `id`.
 */
import type { Catalog } from "../../Catalog.js"
import { positiveInt } from "./resultsRoute.js"
import { type ApiError, badRequest, isApiError, json, type RawResponse } from "./wire.js"

export type ListKind = "wrapupcodes" | "queues" | "users"

export const listPaths: Record<ListKind, string> = {
  wrapupcodes: "/api/v2/routing/wrapupcodes",
  queues: "/api/v2/routing/queues",
  users: "/api/v2/users"
}

export const LIST_MAX_PAGE_SIZE = 500

const nameTest = (pattern: string | null): ((name: string) => boolean) => {
  if (pattern === null || pattern === "") return () => true
  const lead = pattern.startsWith("*")
  const trail = pattern.length > 1 && pattern.endsWith("*")
  const core = pattern.slice(lead ? 1 : 0, trail ? -1 : undefined).toLowerCase()
  return (name) => {
    const n = name.toLowerCase()
    if (lead && trail) return n.includes(core)
    if (lead) return n.endsWith(core)
    if (trail) return n.startsWith(core)
    return n === core
  }
}

const entitiesOf = (catalog: Catalog, kind: ListKind, search: URLSearchParams): Array<{ name: string }> => {
  const division = (id: string) => {
    const d = catalog.divisions.find((x) => x.id === id)
    return { id, name: d?.name ?? "", selfUri: `/api/v2/authorization/divisions/${id}` }
  }
  const byName = nameTest(search.get("name"))
  switch (kind) {
    case "wrapupcodes":
      return catalog.wrapUpCodes
        .filter((w) => byName(w.name))
        .map((w) => ({ id: w.id, name: w.name, selfUri: `/api/v2/routing/wrapupcodes/${w.id}` }))
    case "queues":
      return catalog.queues
        .filter((q) => byName(q.name))
        .map((q) => ({
          id: q.id,
          name: q.name,
          division: division(q.divisionId),
          memberCount: catalog.usersOfQueue(q.id).length,
          selfUri: `/api/v2/routing/queues/${q.id}`
        }))
    case "users": {
      const ids = search
        .getAll("id")
        .flatMap((s) => s.split(","))
        .filter((s) => s !== "")
      return catalog.users
        .filter((u) => ids.length === 0 || ids.includes(u.id))
        .map((u) => ({
          id: u.id,
          name: u.name,
          division: division(u.divisionId),
          email: u.email,
          state: "active",
          username: u.email,
          version: 1,
          selfUri: `/api/v2/users/${u.id}`
        }))
    }
  }
}

/** One page of the `kind` listing. */
export const list = (catalog: Catalog, kind: ListKind, search: URLSearchParams): RawResponse | ApiError => {
  const size = positiveInt(search.get("pageSize"), "pageSize")
  if (isApiError(size)) return size
  const number = positiveInt(search.get("pageNumber"), "pageNumber")
  if (isApiError(number)) return number
  const pageSize = size ?? 25
  const pageNumber = number ?? 1
  if (pageSize > LIST_MAX_PAGE_SIZE) return badRequest(`pageSize may not exceed ${LIST_MAX_PAGE_SIZE}`, "pageSize")
  const all = entitiesOf(catalog, kind, search).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const pageCount = Math.ceil(all.length / pageSize)
  const uri = (n: number) => {
    const params = new URLSearchParams(search)
    params.set("pageSize", String(pageSize))
    params.set("pageNumber", String(n))
    return `${listPaths[kind]}?${params.toString()}`
  }
  const body: Record<string, unknown> = {
    entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total: all.length,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    lastUri: uri(Math.max(pageCount, 1))
  }
  if (pageNumber < pageCount) body.nextUri = uri(pageNumber + 1)
  if (pageNumber > 1) body.previousUri = uri(pageNumber - 1)
  body.pageCount = pageCount
  return json(200, body)
}
