// A small misbehaving Genesys Cloud, written from /work/shared/genesys/FACTS.md (§1.1 token, §2.4 sync query
// response, §3 jobs: 202 submit, status states, cursor-paged results ending at the page without cursor, 204
// DELETE, availability), NOT from the emulator: a well-behaved default for every endpoint, and a `fault` hook
// that replaces any answer, so that each test names the one thing the server gets wrong.
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { Clock, Effect, Layer } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import { auditMemory } from "./GenesysHttpFixtures.js"

export const apiUrl = "https://api.hostile.test"
export const clientId = "hostile-client"
export const clientSecret = "hostile-secret-Zq81"
export const accessToken = "hostile-token-8c1f2e0b"
export const jobId = "6f0c2a4e-0000-4000-8000-000000000001"

const base = "/api/v2/analytics/conversations"
export const paths = {
  token: "/oauth/token",
  query: `${base}/details/query`,
  jobs: `${base}/details/jobs`,
  availability: `${base}/details/jobs/availability`,
  job: `${base}/details/jobs/${jobId}`,
  results: `${base}/details/jobs/${jobId}/results`
} as const

/** A request as the server saw it. */
export interface Seen {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly body: string
  readonly atMillis: number
  /** 1 for the first request to this method and path. */
  readonly n: number
}

/** What the server answers; `body` is sent verbatim (a string) or as JSON. */
export interface Reply {
  readonly status: number
  readonly body?: unknown
  readonly raw?: string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

export interface Options {
  /** Records of the job results and of the sync query, in `conversationStart` order. */
  readonly conversations: ReadonlyArray<Record<string, unknown>>
  /** Default 2026-01-10T00:00:00Z. */
  readonly dataAvailabilityDate?: string | undefined
  /** Replaces the well-behaved answer when it returns a reply. */
  readonly fault?: ((seen: Seen) => Reply | undefined) | undefined
}

/** A conversation of the settled past, with what FACTS §4 says every record has. */
export const conversation = (i: number, overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const start = Date.UTC(2026, 0, 5) + i * 60_000
  return {
    conversationId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    conversationStart: new Date(start).toISOString(),
    conversationEnd: new Date(start + 30_000).toISOString(),
    originatingDirection: "inbound",
    participants: [],
    ...overrides
  }
}

const respond = (reply: Reply) => {
  const text = reply.raw ?? (reply.body === undefined ? "" : JSON.stringify(reply.body))
  return new Response(reply.status === 204 ? null : text, {
    status: reply.status,
    headers: { "content-type": "application/json", "inin-correlation-id": "corr-1", ...reply.headers }
  })
}

/** The well-behaved answer of FACTS for every endpoint the library uses. */
const wellBehaved = (options: Options, seen: Seen): Reply => {
  const all = options.conversations
  if (seen.method === "POST" && seen.path === paths.token) {
    return { status: 200, body: { access_token: accessToken, token_type: "bearer", expires_in: 86400 } }
  }
  if (seen.method === "GET" && seen.path === paths.availability) {
    return { status: 200, body: { dataAvailabilityDate: options.dataAvailabilityDate ?? "2026-01-10T00:00:00.000Z" } }
  }
  if (seen.method === "POST" && seen.path === paths.jobs) return { status: 202, body: { jobId } }
  if (seen.method === "GET" && seen.path === paths.job) return { status: 200, body: { state: "FULFILLED" } }
  if (seen.method === "DELETE" && seen.path === paths.job) return { status: 204 }
  if (seen.method === "GET" && seen.path === paths.results) {
    const pageSize = Number(seen.params.pageSize ?? "1000")
    const from = seen.params.cursor === undefined ? 0 : Number(seen.params.cursor.slice(1))
    const next = from + pageSize
    return {
      status: 200,
      body: { conversations: all.slice(from, next), ...(next < all.length ? { cursor: `c${next}` } : {}) }
    }
  }
  if (seen.method === "POST" && seen.path === paths.query) {
    const q = JSON.parse(seen.body) as { paging: { pageSize: number; pageNumber: number } }
    const from = (q.paging.pageNumber - 1) * q.paging.pageSize
    return {
      status: 200,
      body: { totalHits: all.length, conversations: all.slice(from, from + q.paging.pageSize) }
    }
  }
  return { status: 404, body: { message: "not found", code: "not.found", status: 404 } }
}

/** The server as an `HttpClient`, and the requests it saw. */
export const make = (options: Options) => {
  const requests: Array<Seen> = []
  const client = HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const path = url.pathname
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      const n = requests.filter((r) => r.method === request.method && r.path === path).length + 1
      const seen: Seen = {
        method: request.method,
        path,
        params: Object.fromEntries(url.searchParams),
        body,
        atMillis: yield* Clock.currentTimeMillis,
        n
      }
      requests.push(seen)
      const reply = options.fault?.(seen) ?? wellBehaved(options, seen)
      return HttpClientResponse.fromWeb(request, respond(reply))
    })
  )
  return { client, requests }
}

/** The library's layers over a hostile server: config, memory audit, auth, http, details. */
export const layer = (client: HttpClient.HttpClient, http: Partial<GenesysConfig.HttpPolicy> = {}) => {
  const base = Layer.mergeAll(
    Layer.succeed(HttpClient.HttpClient, client),
    GenesysConfig.layer({ apiUrl, loginUrl: apiUrl, clientId, clientSecret, http: { pacing: false, ...http } }).pipe(
      Layer.orDie
    ),
    auditMemory
  )
  const auth = GenesysAuth.layer.pipe(Layer.provideMerge(base))
  const httpLayer = GenesysHttp.layerWithoutAuth.pipe(Layer.provideMerge(auth))
  return ConversationDetails.layerWithoutHttp.pipe(Layer.provideMerge(httpLayer))
}
