/**
 * The `genesys-emulator` bin as users run it (the built `dist/bin.js`; `npm test` builds first): flags,
 * the printed base URL, a faults file, and a clean stop on SIGTERM.
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { assert, describe, it } from "@effect/vitest"

const bin = Path.join(Path.dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin.js")

describe("genesys-emulator bin", () => {
  it("prints its URL, applies flags and a faults file, and exits 0 on SIGTERM", async () => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "genesys-emulator-bin-"))
    const faults = Path.join(dir, "faults.json")
    Fs.writeFileSync(
      faults,
      JSON.stringify({
        script: [{ path: "/api/v2/**/availability", nth: 2, fault: { kind: "serverError", status: 503 } }]
      })
    )
    const child = ChildProcess.spawn(
      process.execPath,
      [
        bin,
        "--port",
        "0",
        "--days",
        "1",
        "--per-day",
        "20",
        "--client-id",
        "cid",
        "--client-secret",
        "cs",
        "--rate-limit",
        "5/10",
        "--faults",
        faults
      ],
      { stdio: ["ignore", "pipe", "pipe"] }
    )
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = ""
        child.stdout.on("data", (chunk) => {
          out += chunk.toString()
          const line = out.split("\n")[0]!
          if (out.includes("\n")) resolve(line.trim())
        })
        child.once("exit", (code) => reject(new Error(`exited with ${code}`)))
      })
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/)
      const token = await fetch(`${url}/oauth/token`, {
        method: "POST",
        headers: { authorization: `Basic ${btoa("cid:cs")}`, "content-type": "application/x-www-form-urlencoded" },
        body: "grant_type=client_credentials"
      }).then((r) => r.json() as Promise<{ access_token: string }>)
      const get = () =>
        fetch(`${url}/api/v2/analytics/conversations/details/jobs/availability`, {
          headers: { authorization: `Bearer ${token.access_token}` }
        })
      const first = await get()
      assert.strictEqual(first.status, 200)
      assert.strictEqual(first.headers.get("inin-ratelimit-allowed"), "5")
      assert.strictEqual((await get()).status, 503)
      child.kill("SIGTERM")
      assert.strictEqual(await exited, 0)
    } finally {
      child.kill("SIGKILL")
      Fs.rmSync(dir, { recursive: true, force: true })
    }
  })

  it("refuses bad arguments with exit code 2", async () => {
    const child = ChildProcess.spawn(process.execPath, [bin, "--port", "nope"], { stdio: ["ignore", "pipe", "pipe"] })
    let err = ""
    child.stderr.on("data", (chunk) => {
      err += chunk.toString()
    })
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    assert.strictEqual(code, 2)
    assert.match(err, /--port needs a whole number/)
  })
})
