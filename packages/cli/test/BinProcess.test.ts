/**
 * The bins as processes (`npm test` builds first): the committed shims, the emulator's lifetime (stdin closed, parent
 * gone) and retry lines on a piped stderr. Every wait is on output or exit, bounded by the test timeout.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, assert, describe, it } from "@effect/vitest"

const here = Path.dirname(fileURLToPath(import.meta.url))
const analyticsShim = Path.join(here, "..", "bin", "genesys-analytics.js")
const emulatorShim = Path.join(here, "..", "..", "emulator", "bin", "genesys-emulator.js")
const slow = { timeout: 30_000 }

const children = new Set<ChildProcess.ChildProcess>()
afterAll(() => {
  for (const child of children) child.kill("SIGKILL")
})

const spawn = (args: ReadonlyArray<string>, options: ChildProcess.SpawnOptions = {}) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) env[k] = v
  const child = ChildProcess.spawn(process.execPath, args, { env, ...options })
  children.add(child)
  child.on("close", () => children.delete(child))
  return child
}

/** Everything a stream writes until it ends. */
const collect = (stream: NodeJS.ReadableStream | null) => {
  let text = ""
  stream?.on("data", (d: Buffer) => {
    text += d.toString()
  })
  return { text: () => text, ended: new Promise<void>((resolve) => stream?.on("end", resolve)) }
}

/** Resolves with the first line the stream writes. */
const firstLine = (stream: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    let text = ""
    stream.on("data", (d: Buffer) => {
      text += d.toString()
      const i = text.indexOf("\n")
      if (i >= 0) resolve(text.slice(0, i))
    })
    stream.on("end", () => reject(new Error(`ended before a line: ${text}`)))
  })

const exitOf = (child: ChildProcess.ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

const closedPort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer()
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as Net.AddressInfo).port
      server.close(() => resolve(port))
    })
  })

describe("bin shims", () => {
  it("without a build, each shim says to run npm run build and exits 1", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bin-shim-"))
    for (const [shim, name] of [
      [analyticsShim, "genesys-analytics"],
      [emulatorShim, "genesys-emulator"]
    ] as const) {
      Fs.mkdirSync(Path.join(dir, name, "bin"), { recursive: true })
      const copy = Path.join(dir, name, "bin", `${name}.js`)
      Fs.copyFileSync(shim, copy)
      const child = spawn([copy, "--help"], { stdio: ["ignore", "pipe", "pipe"] })
      const out = collect(child.stdout)
      const err = collect(child.stderr)
      assert.strictEqual(await exitOf(child), 1)
      await err.ended
      assert.strictEqual(out.text(), "")
      assert.match(err.text(), new RegExp(`^${name}: not built yet .*run \`npm run build\` first\\n$`))
    }
  })

  it("with the build, genesys-analytics --help runs through the shim", slow, async () => {
    const child = spawn([analyticsShim, "--help"], { stdio: ["ignore", "pipe", "pipe"] })
    const out = collect(child.stdout)
    assert.strictEqual(await exitOf(child), 0)
    await out.ended
    assert.include(out.text(), "usage: genesys-analytics <command> [options]")
    assert.notInclude(out.text(), "\x1b")
  })
})

describe("emulator lifetime", () => {
  it(
    "genesys-emulator without --port picks a free port, prints the URL and stops when stdin closes",
    slow,
    async () => {
      const child = spawn([emulatorShim, "--days", "1", "--per-day", "5"], { stdio: ["pipe", "pipe", "pipe"] })
      const err = collect(child.stderr)
      const url = await firstLine(child.stdout!)
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.strictEqual((await fetch(`${url}/api/v2/analytics/conversations/details/jobs/availability`)).status, 401)
      child.stdin!.end()
      assert.strictEqual(await exitOf(child), 0)
      await err.ended
      assert.include(err.text(), "genesys-emulator: stopping: its standard input was closed")
    }
  )

  for (const [how, viaShell] of [
    ["directly", false],
    ["through a shell wrapper, as npx starts bins", true]
  ] as const) {
    it(`genesys-analytics emulator exits when the process that started it dies (SIGKILL, ${how})`, slow, async () => {
      // The parent starts the emulator (with stdin from /dev/null, our pipes as its stdout and stderr) and waits. Once
      // the parent is killed, the pipes end only when the emulator (and the shell, if any) has exited too.
      const argv = [analyticsShim, "emulator", "--days", "1", "--per-day", "5"]
      const command = viaShell
        ? `["/bin/sh", ["-c", ${JSON.stringify(`"${process.execPath}" ${argv.map((a) => `"${a}"`).join(" ")}; :`)}]]`
        : `[process.execPath, ${JSON.stringify(argv)}]`
      const script = `
        const [file, args] = ${command}
        require("node:child_process").spawn(file, args, { stdio: ["ignore", "inherit", "inherit"] })
        setInterval(() => {}, 1000)`
      const parent = spawn(["-e", script], { stdio: ["ignore", "pipe", "pipe"] })
      const err = collect(parent.stderr)
      const out = collect(parent.stdout)
      const url = await firstLine(parent.stdout!)
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      parent.kill("SIGKILL")
      await Promise.all([out.ended, err.ended])
      assert.include(err.text(), "genesys-analytics emulator: stopping: its parent process exited")
      const refused = await fetch(url).then(
        () => "answered",
        (e: Error) => String((e.cause as NodeJS.ErrnoException | undefined)?.code)
      )
      assert.strictEqual(refused, "ECONNREFUSED")
    })
  }
})

describe("retries and transport causes on a piped stderr", () => {
  it("each retry is a line, the failure names ECONNREFUSED, stdout stays empty (exit 4)", slow, async () => {
    const port = await closedPort()
    const child = ChildProcess.spawn(process.execPath, [analyticsShim, "availability"], {
      env: {
        ...process.env,
        GENESYS_API_URL: `http://127.0.0.1:${port}`,
        GENESYS_LOGIN_URL: `http://127.0.0.1:${port}`,
        GENESYS_CLIENT_ID: "a",
        GENESYS_CLIENT_SECRET: "b",
        GENESYS_RETRY_BUDGET: "2 seconds"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    children.add(child)
    const out = collect(child.stdout)
    const err = collect(child.stderr)
    assert.strictEqual(await exitOf(child), 4)
    await err.ended
    assert.strictEqual(out.text(), "")
    const lines = err.text().trimEnd().split("\n")
    assert.match(lines[0]!, /^genesys-analytics: retrying POST \/oauth\/token \(Connection\): attempt 1 in \d+\.\ds/)
    assert.notInclude(err.text(), "\r")
    assert.notInclude(err.text(), "\x1b")
    assert.match(
      lines.at(-1)!,
      new RegExp(`Transport failure \\(Connection\\): connect ECONNREFUSED 127\\.0\\.0\\.1:${port}`)
    )
  })
})
