/**
 * `node packages/bench/dist/bodyRead.js [--bytes n] [--pages n] [--rounds n]`: what reading one response body costs
 * the client's CPU, by the way it is read: `fetch` and undici's `arrayBuffer()` (which joins the chunks, then copies
 * them again into a new `ArrayBuffer`), `fetch` and the body's stream joined once with `Buffer.concat` (how
 * `FetchHttpClient` bodies are read since 2026-12-07, `internal/http/bodyText.ts`), and Node's `http` with the same
 * join (how `NodeHttpClient` bodies are read). A server in a child process answers every request with the same body
 * (by default the size of a results page of 1,000 conversations); each round reads `pages` bodies each way, the ways
 * in an order rotated each round, the last three bodies kept alive as a consumer keeps its pages. Prints the median CPU (user + system)
 * per body of each way over the rounds. Writes nothing.
 *
 * @since 0.4.0
 */
import * as ChildProcess from "node:child_process"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { fileURLToPath } from "node:url"
import { median } from "./stats.js"

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name)
  if (i < 0) return fallback
  const value = Number(process.argv[i + 1])
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive whole number`)
  return value
}

const serve = (bytes: number) => {
  const body = Buffer.alloc(bytes, 0x61)
  const server = Http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-length": body.length })
    response.end(body)
  })
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as AddressInfo).port))
}

type Read = (url: string) => Promise<Uint8Array>

const agent = new Http.Agent({ keepAlive: true })

const ways: ReadonlyArray<readonly [string, Read]> = [
  ["fetch, arrayBuffer()", async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer())],
  [
    "fetch, stream + Buffer.concat",
    async (url) => {
      const reader = (await fetch(url)).body!.getReader()
      const chunks: Array<Uint8Array> = []
      let length = 0
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return Buffer.concat(chunks, length)
        chunks.push(value)
        length += value.length
      }
    }
  ],
  [
    "http, data events + Buffer.concat",
    (url) =>
      new Promise((resolve, reject) =>
        Http.get(url, { agent }, (response) => {
          const chunks: Array<Buffer> = []
          let length = 0
          response.on("data", (chunk: Buffer) => {
            chunks.push(chunk)
            length += chunk.length
          })
          response.on("end", () => resolve(Buffer.concat(chunks, length)))
          response.on("error", reject)
        }).on("error", reject)
      )
  ]
]

const main = async () => {
  const bytes = arg("--bytes", 5_800_000)
  const pages = arg("--pages", 40)
  const rounds = arg("--rounds", 7)
  const child = ChildProcess.fork(fileURLToPath(import.meta.url), ["--serve", String(bytes)], { stdio: "inherit" })
  try {
    const port = await new Promise<number>((resolve) => child.once("message", (m) => resolve(Number(m))))
    const url = `http://127.0.0.1:${port}/`
    const perBody = new Map(ways.map(([name]) => [name, [] as Array<number>]))
    for (let round = 0; round < rounds; round++) {
      // Rotated each round: the garbage a way leaves is collected while the next one runs.
      for (const [name, read] of ways.map((_, i) => ways[(i + round) % ways.length]!)) {
        const kept: Array<Uint8Array> = []
        const before = process.cpuUsage()
        for (let page = 0; page < pages; page++) {
          const body = await read(url)
          if (body.length !== bytes) throw new Error(`${name}: ${body.length} bytes, expected ${bytes}`)
          kept.push(body)
          if (kept.length > 3) kept.shift()
        }
        const used = process.cpuUsage(before)
        perBody.get(name)!.push((used.user + used.system) / 1000 / pages)
      }
    }
    process.stdout.write(
      `${bytes} bytes a body, ${pages} bodies a round, ${rounds} rounds; client CPU per body (median of rounds):\n`
    )
    for (const [name, millis] of perBody) {
      process.stdout.write(
        `  ${name.padEnd(36)} ${median(millis).toFixed(2)} ms  [${millis.map((m) => m.toFixed(1)).join(" ")}]\n`
      )
    }
  } finally {
    child.kill()
    agent.destroy()
  }
}

if (process.argv[2] === "--serve") serve(Number(process.argv[3]))
else
  main().catch((error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  })
