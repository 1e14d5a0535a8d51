/**
 * The emulated org: tokens, rate windows, jobs, faults and the request handler over them.
 *
 * State is a plain mutable object: every read-modify-write happens inside one synchronous `Effect.sync`
 * step, and JavaScript runs those to completion, so no two requests can interleave inside one.
 */
import type * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { type EmulatorOptions, anchorOf } from "../../EmulatorOptions.js"
import * as Faults from "../../Faults.js"
import * as Generator from "../../Generator.js"
import * as GroundTruth from "../../GroundTruth.js"
import * as ConversationCache from "./conversationCache.js"
import * as FaultEngine from "./faultEngine.js"
import { Salt, uuid } from "./ids.js"
import { match, type Route } from "./router.js"
import { type ValidAsync, validateAsync, validateSync } from "./validate.js"
import {
  type ApiError,
  apiError,
  badRequest,
  empty,
  isApiError,
  json,
  malformed,
  notFound,
  type RawRequest,
  type RawResponse,
  toBody,
  type WireResponse
} from "./wire.js"

/** The connection was dropped by a fault: no response exists. */
export class ConnectionDropped extends Data.TaggedError("ConnectionDropped")<{
  readonly method: string
  readonly url: string
}> {
  override get message(): string {
    return `Connection dropped by the emulator (fault) during ${this.method} ${this.url}`
  }
}

/** One request as the emulator saw it. */
export interface RecordedRequest {
  readonly method: string
  readonly path: string
  readonly search: string
  /** 0 when the connection was dropped. */
  readonly status: number
  /** Emulator time when the request arrived. */
  readonly atMillis: number
  readonly correlationId: string
}

export type JobState = "QUEUED" | "PENDING" | "FAILED" | "CANCELLED" | "FULFILLED" | "EXPIRED"

interface TokenInfo {
  readonly expiresAt: number
  revoked: boolean
  windowStart: number
  count: number
}

interface Job {
  readonly id: string
  readonly submittedAt: number
  readonly queuedUntil: number
  readonly completedAt: number
  readonly availabilityMillis: number
  readonly indices: ReadonlyArray<number>
  readonly failMessage: string | undefined
  /** Pages after which the job expires (expireJob fault). */
  readonly expireAfterPages: number | undefined
  cancelledAt: number | undefined
  expiredAt: number | undefined
  pagesServed: number
}

const iso = (millis: number) => new Date(millis).toISOString()

const basicCredentials = (header: string | undefined): readonly [string, string] | undefined => {
  if (header === undefined) return undefined
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header)
  if (m === null) return undefined
  let decoded: string
  try {
    // The credentials are UTF-8 bytes (RFC 7617 charset=UTF-8); ASCII decodes the same either way.
    const binary = atob(m[1]!.replace(/-/g, "+").replace(/_/g, "/"))
    decoded = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))
  } catch {
    return undefined
  }
  const i = decoded.indexOf(":")
  return i < 0 ? undefined : [decoded.slice(0, i), decoded.slice(i + 1)]
}

const oauthError = (status: number, error: string, description: string) =>
  json(status, { error, description, error_description: description })

const encodeCursor = (jobId: string, offset: number) =>
  btoa(`${jobId}:${offset}`).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")

const decodeCursor = (cursor: string): readonly [string, number] | undefined => {
  try {
    const text = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))
    const i = text.lastIndexOf(":")
    const offset = Number(text.slice(i + 1))
    return i < 0 || !Number.isSafeInteger(offset) || offset < 0 ? undefined : [text.slice(0, i), offset]
  } catch {
    return undefined
  }
}

const positiveInt = (text: string | null, field: string): number | undefined | ApiError => {
  if (text === null || text === "") return undefined
  if (!/^\d+$/.test(text)) return malformed(field)
  const n = Number(text)
  return n < 1 || !Number.isSafeInteger(n) ? badRequest(`${field} must be greater than 0`, field) : n
}

export interface App {
  /** Answers with bytes for results pages and a read-ahead hint for the server. */
  readonly handle: (request: RawRequest) => Effect.Effect<WireResponse, ConnectionDropped>
  /** Serialised job-result conversations by dataset index. */
  readonly cache: ConversationCache.ByteLru
  readonly nowMillis: Effect.Effect<number>
  readonly availabilityMillis: Effect.Effect<number>
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  readonly setFaults: (profile: Faults.FaultProfile | undefined) => Effect.Effect<void>
  readonly revokeTokens: Effect.Effect<void>
  readonly issueToken: Effect.Effect<string>
  readonly jobState: (jobId: string) => Effect.Effect<JobState | undefined>
  readonly groundTruthSync: (query: GroundTruth.QueryLike) => Effect.Effect<ReadonlyArray<string>>
  readonly groundTruthJob: (query: GroundTruth.AsyncQueryLike) => Effect.Effect<ReadonlyArray<string>>
}

export const make = (options: EmulatorOptions, dataset: Generator.Dataset, clock: Clock.Clock): Effect.Effect<App> =>
  Effect.map(clock.currentTimeMillis, (clockStart) => {
    const anchor = anchorOf(options)
    const now = Effect.map(clock.currentTimeMillis, (t) => anchor + (t - clockStart))
    const availabilityAt = (t: number) => t - options.jobs.availabilityLagMillis
    const windowMillis = options.rateLimit.windowSeconds * 1000
    const syncMatch = { segmentScope: options.segmentScope, partialEmailMatch: false }
    const jobMatch = { segmentScope: options.segmentScope, partialEmailMatch: options.jobs.partialEmailMatch }
    // A dataset is fully visible once its last conversation ended; sync answers are then cacheable.
    const settledAt = dataset.spanEndMillis + Generator.maxDurationMillis

    const tokens = new Map<string, TokenInfo>()
    const jobs = new Map<string, Job>()
    let faults = FaultEngine.initial(options.faults, options.seed)
    let recorded: Array<RecordedRequest> = []
    const counters = { request: 0, token: 0, job: 0 }
    const syncCache = new Map<string, GroundTruth.SyncResult>()
    const cache = new ConversationCache.ByteLru(options.cacheBytes)

    const syncTruth = (body: GroundTruth.QueryLike, t: number): GroundTruth.SyncResult => {
      if (t < settledAt) return GroundTruth.syncQuery(dataset, body, { nowMillis: t, match: syncMatch })
      const { paging: _paging, ...rest } = body as GroundTruth.QueryLike & { paging?: unknown }
      const key = JSON.stringify(rest)
      let result = syncCache.get(key)
      if (result === undefined) {
        result = GroundTruth.syncQuery(dataset, body, { nowMillis: t, match: syncMatch })
        if (syncCache.size >= 64) syncCache.delete(syncCache.keys().next().value!)
        syncCache.set(key, result)
      }
      return result
    }

    const jobTruth = (body: GroundTruth.AsyncQueryLike, t: number) =>
      GroundTruth.job(dataset, body, {
        nowMillis: t,
        availabilityMillis: availabilityAt(t),
        startOfDayMode: options.jobs.startOfDayMode,
        match: jobMatch
      })

    const stateAt = (job: Job, t: number): JobState => {
      if (job.cancelledAt !== undefined) return "CANCELLED"
      if (t < job.queuedUntil) return "QUEUED"
      if (t < job.completedAt) return "PENDING"
      if (job.failMessage !== undefined) return "FAILED"
      if (job.expiredAt !== undefined && t >= job.expiredAt) return "EXPIRED"
      if (t >= job.completedAt + options.jobs.resultTtlMillis) return "EXPIRED"
      return "FULFILLED"
    }

    const newToken = (t: number): string => {
      counters.token++
      const token =
        `${uuid(options.seed, counters.token, Salt.token)}${uuid(options.seed, counters.token, Salt.token + 1)}`.replace(
          /-/g,
          ""
        )
      tokens.set(token, { expiresAt: t + options.tokenTtlSeconds * 1000, revoked: false, windowStart: t, count: 0 })
      return token
    }

    // ---- token endpoint ------------------------------------------------------------------------------

    const tokenEndpoint = (request: RawRequest, t: number): RawResponse => {
      const credentials = basicCredentials(request.headers.authorization)
      if (credentials === undefined || credentials[0] !== options.clientId || credentials[1] !== options.clientSecret) {
        return oauthError(options.badCredentialsStatus, "invalid_client", "authentication failed")
      }
      const form = new URLSearchParams(request.body)
      const grant = form.get("grant_type")
      if (grant === null || grant === "") return oauthError(400, "invalid_request", "grant_type is required")
      if (grant !== "client_credentials")
        return oauthError(400, "unsupported_grant_type", `Unsupported grant type: ${grant}`)
      const token = newToken(t)
      return json(200, { access_token: token, token_type: "bearer", expires_in: options.tokenTtlSeconds })
    }

    // ---- API routes ----------------------------------------------------------------------------------

    const parseJson = (request: RawRequest): unknown | ApiError => {
      const type = request.headers["content-type"]
      if (type !== undefined && !/json/i.test(type)) {
        return apiError(415, "unsupported.media.type", "HTTP 415 Unsupported Media Type")
      }
      try {
        return JSON.parse(request.body)
      } catch {
        return malformed()
      }
    }

    const query = (request: RawRequest, t: number): RawResponse | ApiError => {
      const body = parseJson(request)
      if (isApiError(body)) return body
      const valid = validateSync(body, options)
      if (isApiError(valid)) return valid
      const truth = syncTruth(valid.body as unknown as GroundTruth.QueryLike, t)
      const from = (valid.pageNumber - 1) * valid.pageSize
      const page = truth.indices.slice(from, from + valid.pageSize)
      const response: Record<string, unknown> = {}
      if (page.length > 0 || options.sync.pastLastPage === "empty") {
        response.conversations = page.map((i) => Generator.withoutAttributes(dataset.conversation(i)))
      }
      if (truth.aggregations !== undefined) response.aggregations = truth.aggregations
      response.totalHits = truth.totalHits
      return json(200, response)
    }

    const activeJobs = (t: number) => {
      let n = 0
      for (const job of jobs.values()) {
        const state = stateAt(job, t)
        if (state === "QUEUED" || state === "PENDING") n++
      }
      return n
    }

    const submit = (request: RawRequest, t: number, jobFaults: ReadonlyArray<Faults.Fault>): RawResponse | ApiError => {
      const body = parseJson(request)
      if (isApiError(body)) return body
      const valid: ValidAsync | ApiError = validateAsync(body, options)
      if (isApiError(valid)) return valid
      const max = options.jobs.maxConcurrent
      if (activeJobs(t) >= max) {
        return apiError(429, "too.many.requests", `The maximum number of concurrent jobs [${max}] has been reached`, {
          messageWithParams: "The maximum number of concurrent jobs [{limit}] has been reached",
          messageParams: { limit: String(max) },
          limit: { namespace: "analytics", key: options.jobs.concurrentLimitKey, value: max }
        })
      }
      const indices = jobTruth(valid.body as unknown as GroundTruth.AsyncQueryLike, t).indices
      counters.job++
      const id = uuid(options.seed, counters.job, Salt.job)
      const queuedUntil = t + options.jobs.queueMillis
      const completedAt =
        queuedUntil + options.jobs.runMillis + Math.round(options.jobs.runMillisPerConversation * indices.length)
      let failMessage: string | undefined
      let expireAfterPages: number | undefined
      for (const fault of jobFaults) {
        if (fault.kind === "failJob") {
          failMessage ??= fault.errorMessage ?? faults.profile.failJobMessage ?? Faults.defaultFailJobMessage
        } else if (fault.kind === "expireJob") {
          expireAfterPages ??= fault.afterPages ?? faults.profile.expireJobAfterPages ?? 1
        }
      }
      jobs.set(id, {
        id,
        submittedAt: t,
        queuedUntil,
        completedAt,
        availabilityMillis: availabilityAt(t),
        indices,
        failMessage,
        expireAfterPages,
        cancelledAt: undefined,
        expiredAt: expireAfterPages === 0 ? completedAt : undefined,
        pagesServed: 0
      })
      return json(202, { jobId: id })
    }

    const jobNotFound = (jobId: string) => notFound(`Unable to find job with id ${jobId}`)

    const status = (jobId: string, t: number): RawResponse | ApiError => {
      const job = jobs.get(jobId)
      if (job === undefined) return jobNotFound(jobId)
      const state = stateAt(job, t)
      const body: Record<string, unknown> = { state }
      if (state === "FAILED") body.errorMessage = job.failMessage
      body.submissionDate = iso(job.submittedAt)
      if (state === "CANCELLED") body.completionDate = iso(job.cancelledAt!)
      else if (state !== "QUEUED" && state !== "PENDING") body.completionDate = iso(job.completedAt)
      if (state === "FULFILLED" || state === "EXPIRED") {
        body.expirationDate = iso(
          Math.min(job.expiredAt ?? Number.POSITIVE_INFINITY, job.completedAt + options.jobs.resultTtlMillis)
        )
      }
      return json(state === "QUEUED" || state === "PENDING" ? 202 : 200, body)
    }

    const cancel = (jobId: string, t: number): RawResponse | ApiError => {
      const job = jobs.get(jobId)
      if (job === undefined) return jobNotFound(jobId)
      const state = stateAt(job, t)
      if (state === "QUEUED" || state === "PENDING" || state === "FULFILLED") job.cancelledAt = t
      return empty(204)
    }

    const results = (
      jobId: string,
      search: URLSearchParams,
      t: number,
      stale: "repeat" | "reject" | undefined
    ): WireResponse | ApiError => {
      const job = jobs.get(jobId)
      if (job === undefined) return jobNotFound(jobId)
      const state = stateAt(job, t)
      if (state === "EXPIRED") return notFound(`Results for job ${jobId} have expired`)
      if (state !== "FULFILLED") {
        return apiError(
          options.jobs.resultsNotReadyStatus,
          options.jobs.resultsNotReadyStatus === 404 ? "not.found" : "bad.request",
          `Results are not available for job ${jobId} in state ${state}`
        )
      }
      let pageSize = positiveInt(search.get("pageSize"), "pageSize")
      if (isApiError(pageSize)) return pageSize
      pageSize ??= Math.min(options.jobs.resultsDefaultPageSize, options.jobs.resultsMaxPageSize)
      if (pageSize > options.jobs.resultsMaxPageSize) {
        if (options.jobs.resultsPageSizeAboveMax === "reject") {
          return badRequest(`pageSize may not exceed ${options.jobs.resultsMaxPageSize}`, "pageSize")
        }
        pageSize = options.jobs.resultsMaxPageSize
      }
      const cursor = search.get("cursor")
      let offset = 0
      if (cursor !== null && cursor !== "") {
        const decoded = decodeCursor(cursor)
        if (decoded === undefined || decoded[0] !== jobId || decoded[1] > job.indices.length) {
          return badRequest("Invalid cursor", "cursor")
        }
        if (stale === "reject") return badRequest("The cursor is no longer valid", "cursor")
        offset = decoded[1]
      }
      const page = job.indices.slice(offset, offset + pageSize)
      const next = offset + pageSize
      const withConversations = page.length > 0 || options.sync.pastLastPage === "empty"
      // Everything after `conversations`, in the order `JSON.stringify` of the whole body would write it.
      const rest: Record<string, unknown> = {}
      const repeat = stale === "repeat" && cursor !== null && cursor !== ""
      if (repeat) rest.cursor = cursor
      else if (next < job.indices.length) rest.cursor = encodeCursor(jobId, next)
      rest.dataAvailabilityDate = iso(job.availabilityMillis)
      const response: WireResponse = withConversations
        ? {
            status: 200,
            headers: { "content-type": "application/json" },
            body: ConversationCache.pageBytes(
              page.map((i) => ConversationCache.conversationBytes(cache, dataset, i)),
              rest
            ),
            // A repeated cursor asks for this very page again, which is cached already.
            readAhead:
              !repeat && next < job.indices.length
                ? { key: jobId, indices: job.indices.slice(next, next + pageSize) }
                : undefined
          }
        : json(200, rest)
      job.pagesServed++
      if (
        job.expireAfterPages !== undefined &&
        job.pagesServed >= job.expireAfterPages &&
        job.expiredAt === undefined
      ) {
        job.expiredAt = t
      }
      return response
    }

    const visible = (index: number, t: number) => dataset.endMillis(index) <= t

    const conversation = (id: string, t: number): RawResponse | ApiError => {
      const index = dataset.indexOfId(id)
      if (index === undefined || !visible(index, t)) return notFound(`Unable to find conversation with id ${id}`)
      return json(200, Generator.withoutAttributes(dataset.conversation(index)))
    }

    const multiGet = (search: URLSearchParams, t: number): RawResponse | ApiError => {
      const ids = search
        .getAll("id")
        .flatMap((v) => v.split(","))
        .filter((v) => v !== "")
      if (ids.length === 0) return badRequest("At least one id is required", "id")
      if (ids.length > options.multiGetMaxIds) {
        return badRequest(`No more than ${options.multiGetMaxIds} ids may be requested`, "id")
      }
      const conversations = []
      for (const id of new Set(ids)) {
        const index = dataset.indexOfId(id)
        if (index !== undefined && visible(index, t)) {
          conversations.push(Generator.withoutAttributes(dataset.conversation(index)))
        }
      }
      return json(200, { conversations })
    }

    const dispatch = (
      route: Route,
      request: RawRequest,
      search: URLSearchParams,
      t: number,
      decision: FaultEngine.Decision
    ): WireResponse | ApiError => {
      switch (route._tag) {
        case "Query":
          return query(request, t)
        case "Jobs":
          return submit(request, t, decision.job)
        case "Availability":
          return json(200, { dataAvailabilityDate: iso(availabilityAt(t)) })
        case "Job":
          return request.method === "DELETE" ? cancel(route.jobId, t) : status(route.jobId, t)
        case "JobResults":
          return results(route.jobId, search, t, decision.staleCursor)
        case "Conversation":
          return conversation(route.conversationId, t)
        case "MultiGet":
          return multiGet(search, t)
        case "Token":
          return tokenEndpoint(request, t)
      }
    }

    // ---- the pipeline ------------------------------------------------------------------------------------

    interface Prepared {
      readonly t: number
      readonly correlationId: string
      readonly path: string
      readonly search: string
      readonly matched: ReturnType<typeof match>
      readonly decision: FaultEngine.Decision
    }

    const prepare = (request: RawRequest, t: number): Prepared => {
      counters.request++
      const correlationId = uuid(options.seed, counters.request, Salt.correlation)
      const q = request.url.indexOf("?")
      const rawPath = q < 0 ? request.url : request.url.slice(0, q)
      const search = q < 0 ? "" : request.url.slice(q)
      // Absolute URLs are accepted (any origin is answered).
      const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(rawPath) ? new URL(rawPath).pathname : rawPath
      const matched = match(path)
      const api = path.startsWith("/api/v2/")
      const decided = FaultEngine.decide(faults, {
        method: request.method,
        path,
        api,
        submit: matched?.route._tag === "Jobs" && request.method === "POST",
        cursor: matched?.route._tag === "JobResults" && new URLSearchParams(search).get("cursor") !== null
      })
      faults = decided[1]
      return { t, correlationId, path, search, matched, decision: decided[0] }
    }

    const record = (p: Prepared, method: string, status: number) => {
      recorded.push({ method, path: p.path, search: p.search, status, atMillis: p.t, correlationId: p.correlationId })
      if (recorded.length > options.recordLimit) recorded = recorded.slice(-options.recordLimit)
    }

    const finish = (
      p: Prepared,
      request: RawRequest,
      response: WireResponse | ApiError,
      extra: Record<string, string>
    ): WireResponse => {
      const base: WireResponse = isApiError(response)
        ? json(response.status, toBody(response, p.correlationId), { ...response.headers })
        : response
      const head = request.method === "HEAD"
      const out: WireResponse = {
        status: base.status,
        headers: { ...base.headers, ...extra, "inin-correlation-id": p.correlationId },
        body: head ? undefined : base.body,
        readAhead: head ? undefined : base.readAhead
      }
      record(p, request.method, out.status)
      return out
    }

    const respond = (request: RawRequest, p: Prepared): WireResponse => {
      const { decision, matched, t } = p
      if (decision.terminal?.kind === "serverError") {
        const s = decision.terminal.status ?? 500
        const error =
          s === 500
            ? apiError(500, "internal.server.error", "The server encountered an unexpected condition.")
            : s === 502
              ? apiError(502, "bad.gateway", "HTTP 502 Bad Gateway")
              : s === 503
                ? apiError(503, "service.unavailable", "Service Unavailable")
                : apiError(504, "request.timeout", "The request timed out.")
        return finish(p, request, error, {})
      }
      if (request.body.length > options.maxBodyBytes) {
        return finish(p, request, apiError(413, "request.entity.too.large", "The request is too large."), {})
      }
      if (matched === undefined) return finish(p, request, notFound(), {})
      if (!matched.allow.includes(request.method)) {
        return finish(p, request, apiError(405, "method.not.allowed", "HTTP 405 Method Not Allowed"), {
          allow: matched.allow.join(", ")
        })
      }
      if (matched.route._tag === "Token") {
        const r = tokenEndpoint(request, t)
        return finish(p, request, r, {})
      }
      const authorization = request.headers.authorization
      const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
      if (bearer === undefined) {
        return finish(
          p,
          request,
          apiError(401, "authentication.required", "No authentication bearer token specified in authorization header."),
          {}
        )
      }
      const info = tokens.get(bearer)
      if (info !== undefined && decision.terminal?.kind === "revokeToken") info.revoked = true
      if (info === undefined || info.revoked || t >= info.expiresAt) {
        return finish(p, request, apiError(401, "bad.credentials", "Invalid login credentials."), {})
      }
      if (t >= info.windowStart + windowMillis) {
        info.windowStart = t
        info.count = 0
      }
      info.count++
      const resetSeconds = Math.max(1, Math.ceil((info.windowStart + windowMillis - t) / 1000))
      const limitHeaders = {
        "inin-ratelimit-count": String(info.count),
        "inin-ratelimit-allowed": String(options.rateLimit.count),
        "inin-ratelimit-reset": String(resetSeconds)
      }
      const tooMany = (retryAfter: number) =>
        apiError(
          429,
          "too.many.requests.retry.after",
          `Rate limit exceeded the maximum. Retry the request in [${retryAfter}] seconds`,
          {
            messageWithParams: "Rate limit exceeded the maximum. Retry the request in [{retryAfter}] seconds",
            messageParams: { retryAfter: String(retryAfter) },
            headers: { "retry-after": String(retryAfter) }
          }
        )
      if (decision.terminal?.kind === "rateLimit") {
        const retryAfter = decision.terminal.retryAfterSeconds ?? faults.profile.retryAfterSeconds ?? 1
        return finish(p, request, tooMany(retryAfter), limitHeaders)
      }
      if (info.count > options.rateLimit.count) return finish(p, request, tooMany(resetSeconds), limitHeaders)
      const search = new URLSearchParams(p.search)
      return finish(p, request, dispatch(matched.route, request, search, t, decision), limitHeaders)
    }

    // A bug must surface as the 500 a real org would send, not as a defect in the caller's fiber.
    const respondSafely = (request: RawRequest, p: Prepared): WireResponse => {
      try {
        return respond(request, p)
      } catch {
        return finish(
          p,
          request,
          apiError(500, "internal.server.error", "The server encountered an unexpected condition."),
          {}
        )
      }
    }

    const handle = (request: RawRequest): Effect.Effect<WireResponse, ConnectionDropped> =>
      Effect.flatMap(now, (t) => {
        const p = prepare(request, t)
        const { decision } = p
        const answer: Effect.Effect<WireResponse, ConnectionDropped> =
          decision.terminal?.kind === "drop"
            ? Effect.suspend(() => {
                record(p, request.method, 0)
                return Effect.fail(new ConnectionDropped({ method: request.method, url: request.url }))
              })
            : Effect.flatMap(now, (t2) => Effect.sync(() => respondSafely(request, { ...p, t: t2 })))
        return decision.delayMillis > 0
          ? Effect.zipRight(clock.sleep(Duration.millis(decision.delayMillis)), answer)
          : answer
      })

    return {
      handle,
      cache,
      nowMillis: now,
      availabilityMillis: Effect.map(now, availabilityAt),
      requests: Effect.sync(() => recorded.slice()),
      clearRequests: Effect.sync(() => {
        recorded = []
      }),
      setFaults: (profile) =>
        Effect.sync(() => {
          faults = FaultEngine.initial(profile, options.seed)
        }),
      revokeTokens: Effect.sync(() => {
        for (const info of tokens.values()) info.revoked = true
      }),
      issueToken: Effect.flatMap(now, (t) => Effect.sync(() => newToken(t))),
      jobState: (jobId) =>
        Effect.flatMap(now, (t) =>
          Effect.sync(() => {
            const job = jobs.get(jobId)
            return job === undefined ? undefined : stateAt(job, t)
          })
        ),
      groundTruthSync: (q) => Effect.map(now, (t) => GroundTruth.ids(dataset, syncTruth(q, t).indices)),
      groundTruthJob: (q) => Effect.map(now, (t) => GroundTruth.ids(dataset, jobTruth(q, t).indices))
    }
  })
