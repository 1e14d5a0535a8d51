// The durable engine under SIGKILL at the four moments that matter: while a job is being submitted (the job exists,
// the answer is lost), while a job is being polled, while a page is being written, and while the output is being
// finalized. Each kill is placed exactly: the first two by a proxy in front of the emulator that kills the command
// when the request has been answered upstream but before the answer is relayed, the last two by file-system events
// in the checkpoint's page directory and beside the output. After the kills, the same command finishes with exactly
// the ground truth, and the last run resumes instead of starting over: it fetches fewer result pages than the run
// holds.
//
// Needs the build (`npm test` builds first; alone: `npm run build -w @effect-genesys/cli`, which also bundles it).
import * as Server from "@effect-genesys/emulator/Server"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Fs from "node:fs"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Child from "./ReliabilityChild.js"

const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-03-02"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const DAYS = 3
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + DAYS * DAY).toISOString()}`

let scope: Scope.CloseableScope
let server: Server.Running
let proxy: Http.Server
let proxyUrl: string
let truth: ReadonlyArray<string>
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-durable-crash-"))

/** What the proxy relays; `hook` may kill the command before an answer reaches it. */
const exchanges: Array<{ readonly method: string; readonly path: string }> = []
let hook: ((method: string, path: string) => void) | undefined

const relay = (req: Http.IncomingMessage, res: Http.ServerResponse) => {
  const chunks: Array<Buffer> = []
  req.on("data", (c: Buffer) => chunks.push(c))
  req.on("end", async () => {
    try {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host") headers[k] = v
      const upstream = await fetch(`${server.url}${req.url}`, {
        method: req.method ?? "GET",
        headers,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {})
      })
      const body = Buffer.from(await upstream.arrayBuffer())
      const path = (req.url ?? "").split("?")[0]!
      exchanges.push({ method: req.method ?? "GET", path })
      hook?.(req.method ?? "GET", path)
      const out: Record<string, string> = {}
      upstream.headers.forEach((v, k) => {
        if (k !== "content-length" && k !== "transfer-encoding" && k !== "content-encoding") out[k] = v
      })
      res.writeHead(upstream.status, out)
      res.end(body)
    } catch {
      res.destroy()
    }
  })
}

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 31,
      startDate,
      days: DAYS,
      perDay: 60,
      // Every window is a job: now is eleven hours after the data ends.
      anchorMillis: day0 + DAYS * DAY + 11 * HOUR,
      jobs: { queueMillis: 20, runMillis: 300, runMillisPerConversation: 0 },
      rateLimit: { count: 100_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
  truth = await Effect.runPromise(server.emulator.groundTruthSync({ interval }))
  proxy = Http.createServer(relay)
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve))
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
})

afterAll(async () => {
  Child.killAll()
  await new Promise<void>((resolve) => proxy.close(() => resolve()))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const isJobPost = (method: string, path: string) => method === "POST" && path.endsWith("/details/jobs")
const isJobStatus = (method: string, path: string) => method === "GET" && /\/details\/jobs\/[^/]+$/.test(path)
const isResults = (method: string, path: string) => method === "GET" && path.endsWith("/results")

describe("genesys-analytics extract --checkpoint on the durable engine, SIGKILLed at four moments", () => {
  it("mid-submit, mid-poll, mid-page write and mid-finalize: the same command ends with exactly the ground truth", {
    timeout: 120_000
  }, async () => {
    assert.isAbove(truth.length, 100)
    const dir = Path.join(root, "run")
    const parts = Path.join(dir, "ckpt", "parts")
    Fs.mkdirSync(parts, { recursive: true })
    const args = ["extract", "--interval", interval, "--out", "out.ndjson", "--checkpoint", "ckpt"]
    const extra = ["--concurrency", "1", "--page-size", "5"]
    const env = {
      GENESYS_API_URL: proxyUrl,
      GENESYS_CLIENT_ID: "emulator-client",
      GENESYS_CLIENT_SECRET: "emulator-secret"
    }
    const log: Array<string> = []
    const runKilledBy = async (
      name: string,
      options: { readonly onRequest?: (method: string, path: string) => boolean; readonly trigger?: Child.Trigger }
    ) => {
      const result = await Child.run([...args, ...extra], {
        cwd: dir,
        env,
        watch: [dir, parts],
        trigger: options.trigger,
        onSpawn: (kill) => {
          hook = (method, path) => {
            if (options.onRequest?.(method, path)) kill(`${name}: ${method} ${path}`)
          }
        }
      })
      hook = undefined
      log.push(`${name}: ${result.killed ? `SIGKILL (${result.killedAt})` : `exit ${result.code}\n${result.stderr}`}`)
      assert.isTrue(result.killed, log.join("\n"))
    }
    const partFiles = () => Fs.readdirSync(parts).filter((f) => f.endsWith(".ndjson"))

    // 1. The first job is created upstream; its id never reaches the command.
    await runKilledBy("mid-submit", { onRequest: isJobPost })
    // 2. A job's status is answered, the command dies before reading it.
    await runKilledBy("mid-poll", { onRequest: isJobStatus })
    // 3. While a page's part file is being written (its temporary file appears), after a few committed pages.
    await runKilledBy("mid-page write", {
      trigger: (file) => (file.endsWith(".tmp") && partFiles().length >= 3 ? `writing ${file}` : undefined)
    })
    // 4. While the output is being written from the pages (its .partial file appears).
    await runKilledBy("mid-finalize", {
      trigger: (file) => (file.startsWith("out.ndjson.partial") ? `finalizing (${file})` : undefined)
    })
    assert.isAbove(partFiles().length, 3, log.join("\n"))

    const before = exchanges.length
    const last = await Child.run([...args, ...extra], { cwd: dir, env })
    log.push(`final: exit ${last.code}`)
    const context = `${log.join("\n")}\n${last.stderr}`
    assert.strictEqual(last.code, 0, context)
    assert.match(last.stderr, /complete\s+yes/, context)
    const ids = Fs.readFileSync(Path.join(dir, "out.ndjson"), "utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => (JSON.parse(l) as { conversationId: string }).conversationId)
    assert.strictEqual(new Set(ids).size, ids.length, context)
    assert.deepStrictEqual([...ids].sort(), [...truth].sort(), context)
    // Resumed, not restarted: the finalize-only rerun fetches no results page at all.
    const fetched = exchanges.slice(before).filter((e) => isResults(e.method, e.path)).length
    const pages = Number(/(\d+) pages/.exec(last.stderr)?.[1])
    assert.isAbove(pages, 10, context)
    assert.isBelow(fetched, pages, context)
    console.info(`${log.join("\n")}\nfinal run fetched ${fetched} of ${pages} result pages`)
    assert.deepStrictEqual(
      Fs.readdirSync(Path.join(dir, "ckpt")).filter((f) => f !== "lock"),
      [],
      `a finished run leaves no journal, pages or plan\n${context}`
    )
  })
})
