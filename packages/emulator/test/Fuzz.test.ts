/**
 * Random requests — methods, paths, headers, bodies — must always get a well-formed answer: a valid status,
 * a correlation id, and for errors the body a real org sends (`ErrorBody`, or the OAuth error body on
 * `/oauth/token`). Neither the in-process handler nor the Node server may throw, crash or hang.
 */
import * as Net from "node:net"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as fc from "fast-check"
import * as Emulator from "../src/Emulator.js"
import * as Server from "../src/Server.js"

const options = {
  days: 2,
  perDay: 30,
  rateLimit: { count: 1_000_000, windowSeconds: 60 },
  jobs: { queueMillis: 0, runMillis: 0, runMillisPerConversation: 0 }
}

const DETAILS = "/api/v2/analytics/conversations/details"
const DAY = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

const segment = fc.oneof(
  fc.constantFrom("availability", "results", "details", "query", "jobs", "", "..", "%", "%2F", "%E0%A4%A", "job-1"),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.uuid()
)

const path = (jobIds: ReadonlyArray<string>, conversationId: string) =>
  fc.oneof(
    fc.constantFrom(
      "/oauth/token",
      `${DETAILS}/query`,
      `${DETAILS}/jobs`,
      `${DETAILS}/jobs/availability`,
      DETAILS,
      `/api/v2/analytics/conversations/${conversationId}/details`,
      "/",
      "/api/v2",
      `${DETAILS}/query/`
    ),
    fc.constantFrom(...jobIds).map((id) => `${DETAILS}/jobs/${id}`),
    fc.constantFrom(...jobIds).map((id) => `${DETAILS}/jobs/${id}/results`),
    fc
      .array(segment, { minLength: 1, maxLength: 6 })
      .map((parts) => `/api/v2/analytics/conversations/${parts.join("/")}`),
    fc.array(segment, { maxLength: 4 }).map((parts) => `/${parts.join("/")}`)
  )

const search = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom("cursor", "pageSize", "id", "x"),
        fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String))
      ),
      { maxLength: 4 }
    )
    .map((pairs) => `?${new URLSearchParams(pairs)}`),
  fc.string({ maxLength: 20 }).map((s) => `?${s}`)
)

const predicate = fc.record(
  {
    type: fc.constantFrom("dimension", "metric", "property", "bogus"),
    dimension: fc.constantFrom("mediaType", "queueId", "purpose", "conversationId", "nope"),
    metric: fc.constantFrom("tHandle", "nOffered", "tSegmentDuration", "nope"),
    operator: fc.constantFrom("matches", "exists", "notExists", "like"),
    value: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()),
    range: fc.record({ gt: fc.oneof(fc.double(), fc.string()), lte: fc.integer() }, { requiredKeys: [] }),
    propertyType: fc.constantFrom("string", "integer", "nope"),
    property: fc.string({ maxLength: 8 })
  },
  { requiredKeys: [] }
)

const filter = fc.record(
  {
    type: fc.constantFrom("and", "or", "xor"),
    predicates: fc.oneof(fc.array(predicate, { maxLength: 3 }), fc.string()),
    clauses: fc.array(
      fc.record(
        { type: fc.constantFrom("and", "or"), predicates: fc.array(predicate, { maxLength: 2 }) },
        { requiredKeys: [] }
      ),
      {
        maxLength: 2
      }
    )
  },
  { requiredKeys: [] }
)

const interval = fc.oneof(
  fc.constant(DAY),
  fc.constant("2026-01-05T00:00:00Z/P1D"),
  fc.constant("P2D/2026-01-07"),
  fc.constant("2026-01-01T00:00:00Z/2026-03-01T00:00:00Z"),
  fc.string({ maxLength: 30 }),
  fc.integer()
)

const query = fc.record(
  {
    interval,
    paging: fc.oneof(
      fc.record(
        { pageSize: fc.integer({ min: -5, max: 200 }), pageNumber: fc.integer({ min: -1, max: 2000 }) },
        { requiredKeys: [] }
      ),
      fc.string()
    ),
    order: fc.constantFrom("asc", "desc", "unordered", "up"),
    orderBy: fc.constantFrom("conversationStart", "segmentEnd", "nope"),
    segmentFilters: fc.array(filter, { maxLength: 2 }),
    conversationFilters: fc.oneof(fc.array(filter, { maxLength: 2 }), fc.constant(null)),
    aggregations: fc.array(
      fc.record(
        {
          type: fc.constantFrom("termFrequency", "numericRange", "x"),
          dimension: fc.constantFrom("queueId", "mediaType"),
          metric: fc.constantFrom("tHandle"),
          size: fc.integer({ min: -1, max: 20 }),
          ranges: fc.array(fc.record({ gte: fc.integer(), lt: fc.integer() }, { requiredKeys: [] }), { maxLength: 3 })
        },
        { requiredKeys: [] }
      ),
      { maxLength: 2 }
    ),
    limit: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.string()),
    startOfDayIntervalMatching: fc.oneof(fc.boolean(), fc.string())
  },
  { requiredKeys: [] }
)

const body = fc.oneof(
  fc.constant(""),
  query.map((q) => JSON.stringify(q)),
  fc.json(),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("grant_type=client_credentials", "grant_type=password", "grant_type=", "{", "[]", "null", "\u0000")
)

const request = (jobIds: ReadonlyArray<string>, conversationId: string, token: string) =>
  fc.record({
    method: fc.oneof(
      fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH", "OPTIONS", "HEAD"),
      fc.stringMatching(/^[A-Z]{1,8}$/)
    ),
    path: path(jobIds, conversationId),
    search,
    authorization: fc.oneof(
      fc.constant(undefined),
      fc.constant(`Bearer ${token}`),
      fc.constant(`Basic ${btoa("emulator-client:emulator-secret")}`),
      fc.constantFrom("Bearer", "Bearer ", "bearer nope", "Basic ###", "Basic Og==", "Digest x"),
      fc.string({ maxLength: 30 }).map((s) => `Bearer ${s}`)
    ),
    contentType: fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "text/plain",
        ""
      )
    ),
    body
  })

type Fuzzed = typeof request extends (...args: any) => fc.Arbitrary<infer A> ? A : never

const checkAnswer = (req: Fuzzed, status: number, headers: Record<string, string>, text: string | undefined) => {
  assert.isTrue(Number.isInteger(status) && status >= 200 && status <= 599, `status ${status}`)
  const correlationId = headers["inin-correlation-id"]
  assert.isString(correlationId)
  if (req.method === "HEAD" || status === 204) return
  assert.isString(text)
  const parsed = JSON.parse(text!)
  if (status < 400) return
  // The token endpoint answers with the OAuth error body; everything else (and requests the HTTP parser
  // refuses before routing) with an ErrorBody.
  if (req.path === "/oauth/token" && typeof parsed.error === "string") {
    assert.isTrue(status === 400 || status === 401)
    assert.isString(parsed.error_description)
    return
  }
  assert.strictEqual(parsed.status, status)
  assert.isString(parsed.code)
  assert.isString(parsed.message)
  assert.strictEqual(parsed.contextId, correlationId)
  assert.isArray(parsed.details)
  assert.isArray(parsed.errors)
  if (status === 429) assert.isTrue(parsed.limit !== undefined || headers["retry-after"] !== undefined)
}

const toRaw = (req: Fuzzed): Emulator.RawRequest => ({
  method: req.method,
  url: `${req.path}${req.search}`,
  headers: {
    ...(req.authorization === undefined ? {} : { authorization: req.authorization }),
    ...(req.contentType === undefined ? {} : { "content-type": req.contentType })
  },
  body: req.body
})

describe("fuzz", () => {
  it("the in-process handler answers every request with a well-formed response (300 runs)", async () => {
    const emu = await Effect.runPromise(Emulator.make(options))
    const token = await Effect.runPromise(emu.issueToken)
    const jobIds: Array<string> = ["not-a-job"]
    for (let i = 0; i < 2; i++) {
      const r = await Effect.runPromise(
        emu.handleRaw({
          method: "POST",
          url: `${DETAILS}/jobs`,
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ interval: DAY })
        })
      )
      jobIds.push(JSON.parse(r.body!).jobId)
    }
    await fc.assert(
      fc.asyncProperty(request(jobIds, emu.dataset.conversationId(1), token), async (req) => {
        const raw = await Effect.runPromise(Effect.timeout(emu.handleRaw(toRaw(req)), "2 seconds"))
        checkAnswer(req, raw.status, raw.headers, raw.body)
      }),
      { numRuns: 300 }
    )
  })

  describe("the Node server", () => {
    const scope = Effect.runSync(Scope.make())
    let server: Server.Running
    beforeAll(async () => {
      server = await Effect.runPromise(Server.start({ ...options, port: 0 }).pipe(Scope.extend(scope)))
    })
    afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

    it("answers random requests over HTTP and stays up (60 runs)", async () => {
      const token = await Effect.runPromise(server.emulator.issueToken)
      const forbidden = new Set(["CONNECT", "TRACE", "TRACK"])
      await fc.assert(
        fc.asyncProperty(
          request(["not-a-job"], server.emulator.dataset.conversationId(1), token).filter(
            (r) => !forbidden.has(r.method)
          ),
          async (req) => {
            const headers: Record<string, string> = {}
            if (req.authorization !== undefined) headers.authorization = req.authorization
            if (req.contentType !== undefined) headers["content-type"] = req.contentType
            const response = await fetch(`${server.url}${req.path}${req.search}`, {
              method: req.method,
              headers,
              ...(req.method === "GET" || req.method === "HEAD" ? {} : { body: req.body }),
              signal: AbortSignal.timeout(5_000)
            })
            const text = await response.text()
            const flat: Record<string, string> = {}
            response.headers.forEach((value, key) => {
              flat[key] = value
            })
            checkAnswer(
              { ...req, body: req.method === "GET" || req.method === "HEAD" ? "" : req.body },
              response.status,
              flat,
              req.method === "HEAD" ? undefined : text
            )
          }
        ),
        { numRuns: 60 }
      )
    })

    it("survives malformed HTTP on the socket", async () => {
      for (const garbage of [
        "\u0000\u0001\u0002\r\n\r\n",
        "GET / HTTP/9.9\r\n\r\n",
        "POST /oauth/token HTTP/1.1\r\nContent-Length: -1\r\n\r\n"
      ]) {
        const answer = await new Promise<string>((resolve) => {
          const socket = Net.connect(server.port, "127.0.0.1", () => socket.write(garbage))
          let data = ""
          socket.on("data", (chunk) => {
            data += chunk.toString()
          })
          socket.on("close", () => resolve(data))
          socket.on("error", () => resolve(data))
          socket.setTimeout(3_000, () => socket.destroy())
        })
        assert.match(answer, /^HTTP\/1\.1 (400|404|505)/)
      }
      const alive = await fetch(`${server.url}/api/v2/analytics/conversations/details/jobs/availability`)
      assert.strictEqual(alive.status, 401)
    })
  })
})
