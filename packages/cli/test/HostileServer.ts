// A misbehaving Genesys Cloud, written from FACTS.md §1 (token endpoint) and §2–§3 (sync query, jobs, availability),
// independent of the emulator: it serves a small fixed data set correctly, except for one injected fault per run.
// Faults are functions of the endpoint and the call number, so a case says exactly which response goes wrong and how
// (empty, truncated or non-JSON body, wrong types, a status with an error body, a hang, a dropped connection).
//
// Binds 127.0.0.1 on a free port; every request is recorded (method, path, endpoint, Authorization header).
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type * as Net from "node:net"

const DAY = 86_400_000

/** The endpoints of FACTS §1–§3. */
export type Endpoint = "token" | "availability" | "submit" | "status" | "results" | "cancel" | "query"

/** What the server answers. */
export type Reply =
  | { readonly status: number; readonly body: string; readonly headers?: Record<string, string> }
  /** Never answers (the client's request timeout must fire). */
  | { readonly hang: true }
  /** Sends the headers and half the body, then destroys the socket. */
  | { readonly dropMidBody: true; readonly status: number; readonly body: string }
  /** Answers `reply` once `after` settles (the test holds a run at a chosen point). */
  | { readonly after: Promise<unknown>; readonly reply: Reply }

/** The context of one request, given to a fault. */
export interface Call {
  readonly endpoint: Endpoint
  /** 1-based count of calls to this endpoint so far, this one included. */
  readonly n: number
  /** The correct reply. */
  readonly normal: () => Reply
  /** The bearer token this server issued last. */
  readonly token: string
}

/** A fault: a replacement reply for some calls, or undefined to answer normally. */
export type Fault = (call: Call) => Reply | undefined

/** A conversation as served. */
export type Conversation = Record<string, unknown> & { readonly conversationId?: string }

export interface Options {
  readonly clientId: string
  readonly clientSecret: string
  /** First UTC day (ms) of the data and the number of days. */
  readonly day0: number
  readonly days: number
  readonly perDay: number
  /** "settled": availability is now, every window is a job; "fresh": availability is day0, every window a query. */
  readonly mode: "settled" | "fresh"
  readonly fault?: Fault | undefined
  /** Changes records before they are served (missing fields, wrong types). */
  readonly mapRecord?: ((record: Conversation, index: number) => Conversation) | undefined
  /** The most records a sync query page holds, whatever `pageSize` asks (a server capping pages lower, FACTS §8). */
  readonly queryPageCap?: number | undefined
  /** Called on every request, after it is recorded (e.g. to signal the client at a chosen moment). */
  readonly onRequest?: ((call: { readonly endpoint: Endpoint; readonly n: number }) => void) | undefined
}

export interface Recorded {
  readonly method: string
  readonly path: string
  readonly endpoint: Endpoint | "unknown"
  readonly authorization: string | undefined
}

export interface Running {
  readonly url: string
  /** Every conversation the server holds, as served (after `mapRecord`). */
  readonly data: ReadonlyArray<Conversation>
  readonly requests: ReadonlyArray<Recorded>
  /** Every bearer token issued. */
  readonly tokens: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

const iso = (ms: number) => new Date(ms).toISOString()

/** The fixed data set: `perDay` conversations per UTC day, a few minutes long, spread over the day. */
export const dataset = (options: Pick<Options, "day0" | "days" | "perDay" | "mapRecord">): Array<Conversation> => {
  const out: Array<Conversation> = []
  for (let d = 0; d < options.days; d++) {
    for (let i = 0; i < options.perDay; i++) {
      const start = options.day0 + d * DAY + Math.floor(((i + 0.5) * DAY) / (options.perDay + 1))
      const index = out.length
      const id = `0000${d}-hostile-${String(i).padStart(4, "0")}`
      const record: Conversation = {
        conversationId: id,
        conversationStart: iso(start),
        conversationEnd: iso(start + 180_000 + i * 1000),
        originatingDirection: i % 2 === 0 ? "inbound" : "outbound",
        divisionIds: ["div-1"],
        participants: [
          {
            participantId: `${id}-p1`,
            purpose: "customer",
            sessions: [
              {
                sessionId: `${id}-s1`,
                mediaType: i % 3 === 0 ? "chat" : "voice",
                direction: "inbound",
                segments: [{ segmentStart: iso(start), segmentEnd: iso(start + 60_000), segmentType: "interact" }]
              }
            ]
          }
        ]
      }
      out.push(options.mapRecord ? options.mapRecord(record, index) : record)
    }
  }
  return out
}

const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) })

/** A Genesys `ErrorBody` (FACTS §5.3). */
export const errorBody = (status: number, message: string, code = "bad.request"): Reply =>
  json(status, { message, code, status, contextId: "ctx-hostile", details: [], errors: [] })

const routes: ReadonlyArray<readonly [string, RegExp, Endpoint]> = [
  ["POST", /^\/oauth\/token$/, "token"],
  ["GET", /^\/api\/v2\/analytics\/conversations\/details\/jobs\/availability$/, "availability"],
  ["POST", /^\/api\/v2\/analytics\/conversations\/details\/jobs$/, "submit"],
  ["GET", /^\/api\/v2\/analytics\/conversations\/details\/jobs\/[^/]+$/, "status"],
  ["GET", /^\/api\/v2\/analytics\/conversations\/details\/jobs\/[^/]+\/results$/, "results"],
  ["DELETE", /^\/api\/v2\/analytics\/conversations\/details\/jobs\/[^/]+$/, "cancel"],
  ["POST", /^\/api\/v2\/analytics\/conversations\/details\/query$/, "query"]
]

const startOf = (c: Conversation) => Date.parse(String(c.conversationStart ?? ""))

/** Conversations that started in `interval` ("start/end"), in start order (FACTS §2.1: start-day semantics). */
const inInterval = (data: ReadonlyArray<Conversation>, interval: string): Array<Conversation> => {
  const [a, b] = interval.split("/")
  const from = Date.parse(a ?? "")
  const to = Date.parse(b ?? "")
  // A record without a parseable start still belongs to the day its index says: it is served where it was made.
  return data.filter((c, i) => {
    const s = startOf(c)
    const at = Number.isNaN(s) ? ((c as { __start?: number }).__start ?? i) : s
    return at >= from && at < to
  })
}

/** Starts the server. */
export const start = (options: Options): Promise<Running> => {
  const data = dataset(options)
  // A record whose start was removed or mangled is still served by the window of its original start.
  const original = dataset({ ...options, mapRecord: undefined })
  const located = data.map((c, i) =>
    Number.isNaN(startOf(c)) ? Object.defineProperty({ ...c }, "__start", { value: startOf(original[i]!) }) : c
  )
  const availability = options.mode === "settled" ? Date.now() : options.day0
  const requests: Array<Recorded> = []
  const counts = new Map<Endpoint, number>()
  const tokens: Array<string> = []
  const jobs = new Map<string, { readonly interval: string }>()
  const sockets = new Set<Net.Socket>()
  const basic = `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString("base64")}`
  let tokenCounter = 0
  let jobCounter = 0

  const normalReply = (endpoint: Endpoint, req: Http.IncomingMessage, url: URL, body: string): Reply => {
    if (endpoint === "token") {
      if (req.headers.authorization !== basic) {
        return json(401, { error: "invalid_client", description: "authentication failed" })
      }
      const token = `hostile-token-${++tokenCounter}-${Math.random().toString(36).slice(2)}`
      tokens.push(token)
      return json(200, { access_token: token, token_type: "bearer", expires_in: 86_400 })
    }
    if (req.headers.authorization !== `Bearer ${tokens[tokens.length - 1]}`) {
      return errorBody(401, "Invalid login credentials.", "authentication.required")
    }
    switch (endpoint) {
      case "availability":
        return json(200, { dataAvailabilityDate: iso(availability) })
      case "submit": {
        const query = JSON.parse(body) as { interval: string }
        const jobId = `job-${++jobCounter}`
        jobs.set(jobId, { interval: query.interval })
        return json(202, { jobId })
      }
      case "status": {
        const jobId = url.pathname.split("/").pop()!
        if (!jobs.has(jobId)) return errorBody(404, `job ${jobId} not found`, "not.found")
        return json(200, {
          state: "FULFILLED",
          submissionDate: iso(Date.now() - 1000),
          completionDate: iso(Date.now()),
          expirationDate: iso(Date.now() + DAY)
        })
      }
      case "results": {
        const jobId = url.pathname.split("/").slice(-2)[0]!
        const job = jobs.get(jobId)
        if (job === undefined) return errorBody(404, `job ${jobId} not found`, "not.found")
        const pageSize = Number(url.searchParams.get("pageSize") ?? "1000")
        const cursor = url.searchParams.get("cursor")
        const offset = cursor === null ? 0 : Number(Buffer.from(cursor, "base64url").toString())
        const all = inInterval(located, job.interval)
        const page = all.slice(offset, offset + pageSize)
        const next =
          offset + pageSize < all.length ? Buffer.from(String(offset + pageSize)).toString("base64url") : undefined
        return json(200, {
          conversations: page,
          ...(next !== undefined ? { cursor: next } : {}),
          dataAvailabilityDate: iso(availability)
        })
      }
      case "cancel":
        return { status: 204, body: "" }
      case "query": {
        const query = JSON.parse(body) as { interval: string; paging?: { pageSize?: number; pageNumber?: number } }
        const pageSize = Math.min(query.paging?.pageSize ?? 25, options.queryPageCap ?? Number.POSITIVE_INFINITY)
        const pageNumber = query.paging?.pageNumber ?? 1
        const all = inInterval(located, query.interval)
        const page = all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize)
        // FACTS §2.4: `conversations` is omitted when a page is empty.
        return json(200, { ...(page.length > 0 ? { conversations: page } : {}), totalHits: all.length })
      }
    }
  }

  const send = (res: Http.ServerResponse, reply: Reply): void => {
    if ("hang" in reply) return
    if ("after" in reply) {
      void reply.after.then(() => send(res, reply.reply))
      return
    }
    const headers = { "content-type": "application/json", ...("headers" in reply ? reply.headers : {}) }
    if ("dropMidBody" in reply) {
      res.writeHead(reply.status, { ...headers, "content-length": String(Buffer.byteLength(reply.body)) })
      res.write(reply.body.slice(0, Math.floor(reply.body.length / 2)), () => res.socket?.destroy())
      return
    }
    res.writeHead(reply.status, reply.status === 204 ? {} : headers)
    res.end(reply.status === 204 ? undefined : reply.body)
  }

  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1")
      const route = routes.find(([method, path]) => method === req.method && path.test(url.pathname))
      const endpoint = route?.[2]
      requests.push({
        method: req.method ?? "",
        path: url.pathname,
        endpoint: endpoint ?? "unknown",
        authorization: req.headers.authorization
      })
      if (endpoint === undefined) return send(res, errorBody(404, `no route ${req.method} ${url.pathname}`))
      const n = (counts.get(endpoint) ?? 0) + 1
      counts.set(endpoint, n)
      options.onRequest?.({ endpoint, n })
      const body = Buffer.concat(chunks).toString("utf8")
      const normal = () => normalReply(endpoint, req, url, body)
      const faulty = options.fault?.({ endpoint, n, normal, token: tokens[tokens.length - 1] ?? "" })
      send(res, faulty ?? normal())
    })
  })
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  return new Promise((resolve, reject) => {
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        data,
        requests,
        tokens,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })
}

// --- fault builders ---------------------------------------------------------------------------------------------

/** Which calls a fault hits: one call number, several, or every call. */
export type Calls = number | ReadonlyArray<number> | "all"

const hits = (calls: Calls, n: number) =>
  calls === "all" ? true : typeof calls === "number" ? n === calls : calls.includes(n)

/** `reply` instead of the normal answer on `calls` of `endpoint`. */
export const on =
  (endpoint: Endpoint, calls: Calls, reply: (call: Call) => Reply): Fault =>
  (call) =>
    call.endpoint === endpoint && hits(calls, call.n) ? reply(call) : undefined

/** A 200 with an empty body. */
export const empty = (endpoint: Endpoint, calls: Calls): Fault => on(endpoint, calls, () => ({ status: 200, body: "" }))

/** A 200 whose body is a proxy's HTML page. */
export const html = (endpoint: Endpoint, calls: Calls): Fault =>
  on(endpoint, calls, () => ({
    status: 200,
    body: "<html><body>502 Bad Gateway</body></html>",
    headers: { "content-type": "text/html" }
  }))

/** The normal body cut in half (a complete response: the content-length matches what is sent). */
export const truncated = (endpoint: Endpoint, calls: Calls): Fault =>
  on(endpoint, calls, (call) => {
    const reply = call.normal()
    return "body" in reply && !("dropMidBody" in reply)
      ? { ...reply, body: reply.body.slice(0, Math.floor(reply.body.length / 2)) }
      : reply
  })

/** The normal JSON body changed by `f`. */
export const mapBody = (endpoint: Endpoint, calls: Calls, f: (body: Record<string, unknown>) => unknown): Fault =>
  on(endpoint, calls, (call) => {
    const reply = call.normal()
    return "body" in reply && !("dropMidBody" in reply) && reply.body !== ""
      ? { ...reply, body: JSON.stringify(f(JSON.parse(reply.body) as Record<string, unknown>)) }
      : reply
  })

/**
 * Every results page is the job's first page again, under a cursor never handed out before: `"0"`, `"00"`, `"000"`, …
 * (base64url), each a new string that this server reads as offset 0. Paging by cursor alone would never end.
 */
export const cursorCycle = (): Fault =>
  on("results", "all", (call) => {
    const reply = call.normal()
    if (!("body" in reply) || "dropMidBody" in reply || reply.status !== 200) return reply
    const body = JSON.parse(reply.body) as Record<string, unknown>
    return {
      ...reply,
      body: JSON.stringify({ ...body, cursor: Buffer.from("0".repeat(call.n)).toString("base64url") })
    }
  })

/** A status with a Genesys error body. */
export const status = (endpoint: Endpoint, calls: Calls, code: number, message = "Service unavailable"): Fault =>
  on(endpoint, calls, () => errorBody(code, message, code >= 500 ? "service.unavailable" : "bad.request"))

/** No answer at all. */
export const hang = (endpoint: Endpoint, calls: Calls): Fault => on(endpoint, calls, () => ({ hang: true }))

/** The first fault that answers. */
export const all =
  (...faults: ReadonlyArray<Fault>): Fault =>
  (call) => {
    for (const fault of faults) {
      const reply = fault(call)
      if (reply !== undefined) return reply
    }
    return undefined
  }
