import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { NodeFileSystem } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as Webhook from "../src/Webhook.js"

const docsPath = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../../docs/audit.md")

/** The code block that follows `<!-- snippet: name -->` in docs/audit.md, verbatim. */
const snippet = (fs: FileSystem.FileSystem, name: string) =>
  Effect.map(fs.readFileString(docsPath), (markdown) => {
    const start = markdown.indexOf(`<!-- snippet: ${name} -->`)
    assert.isAtLeast(start, 0, `snippet ${name} is missing from docs/audit.md`)
    const match = /```js\n([\s\S]*?)```/.exec(markdown.slice(start))
    return match![1]!
  })

const runNode = (args: ReadonlyArray<string>) => {
  try {
    return { code: 0, out: execFileSync(process.execPath, args, { encoding: "utf8", stdio: "pipe" }) }
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string }
    return { code: e.status, out: `${e.stdout}${e.stderr}` }
  }
}

describe("docs/audit.md", () => {
  it.scoped("the standalone verifier agrees with AuditLog.verify on real and tampered logs", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const script = `${dir}/verify-audit.mjs`
      yield* fs.writeFileString(script, yield* snippet(fs, "verify-audit.mjs"))
      const log = `${dir}/audit.jsonl`
      for (const runId of ["first", "second"]) {
        yield* Effect.scoped(
          Effect.gen(function* () {
            const audit = yield* AuditLog.makeFile(log, { actor: "client", region: "r", runId })
            yield* audit.record({ type: "job.submitted", jobId: "j", queryHash: yield* AuditLog.hashQuery({ q: 1 }) })
            yield* audit.record({ type: "failure", detail: 'ünïcödé, "quotes" and \\ backslashes' })
            yield* audit.seal({ conversations: 3 })
          })
        )
      }
      const intact = yield* AuditLog.verify(log)
      assert.strictEqual(intact._tag, "VerifyOk")
      const ok = runNode([script, log])
      assert.strictEqual(ok.code, 0)
      assert.include(ok.out, `ok: 8 records, head ${intact._tag === "VerifyOk" ? intact.head : ""}`)

      const lines = (yield* fs.readFileString(log)).trimEnd().split("\n")
      const tampered: ReadonlyArray<[string, string]> = [
        [
          "edit",
          `${[...lines.slice(0, 2), lines[2]!.replace("backslashes", "backslashez"), ...lines.slice(3)].join("\n")}\n`
        ],
        ["space", `${[...lines.slice(0, 1), lines[1]!.replace(",", ", "), ...lines.slice(2)].join("\n")}\n`],
        ["delete", `${[...lines.slice(0, 4), ...lines.slice(5)].join("\n")}\n`],
        ["insert", `${[...lines.slice(0, 6), lines[1]!, ...lines.slice(6)].join("\n")}\n`],
        ["swap", `${[lines[0]!, lines[2]!, lines[1]!, ...lines.slice(3)].join("\n")}\n`],
        ["cut between lines", `${lines.slice(0, 6).join("\n")}\n`],
        ["cut inside a line", lines.join("\n").slice(0, -10)],
        ["no final newline", lines.join("\n")],
        ["not an object", `${[...lines.slice(0, 3), "null", ...lines.slice(4)].join("\n")}\n`]
      ]
      for (const [name, text] of tampered) {
        yield* fs.writeFileString(log, text)
        const result = yield* AuditLog.verify(log)
        assert.strictEqual(result._tag, "VerifyFailed", name)
        const line = result._tag === "VerifyFailed" ? result.line : -1
        const standalone = runNode([script, log])
        assert.strictEqual(standalone.code, 1, name)
        assert.include(standalone.out, `line ${line}:`, name)
      }
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("the receiver snippet accepts what Webhook signs and refuses tampering", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      yield* fs.writeFileString(`${dir}/verify-webhook.mjs`, yield* snippet(fs, "verify-webhook.mjs"))
      yield* fs.writeFileString(
        `${dir}/check.mjs`,
        [
          'import { verifyWebhook } from "./verify-webhook.mjs"',
          "const cases = JSON.parse(process.argv[2])",
          "console.log(JSON.stringify(cases.map(([s, h, b]) => verifyWebhook(s, h, b))))"
        ].join("\n")
      )
      const secret = "whsec-docs"
      const body = AuditLog.canonicalJson({ type: "job.fulfilled", jobId: "j-1", id: "abc" })
      // The receiver checks freshness against its real clock, so sign with the real time.
      const now = String(Math.floor(Date.now() / 1000))
      const signature = yield* Webhook.sign(Redacted.make(secret), now, body)
      const headers = (timestamp: string, sig: string) => ({
        [Webhook.headerTimestamp]: timestamp,
        [Webhook.headerSignature]: sig
      })
      const cases = [
        [secret, headers(now, signature), body],
        [secret, headers(now, signature), body.replace("j-1", "j-2")],
        ["other", headers(now, signature), body],
        [secret, headers(String(Number(now) - 3600), signature), body],
        [secret, headers(now, signature.slice(2)), body],
        [secret, {}, body]
      ]
      const result = runNode([`${dir}/check.mjs`, JSON.stringify(cases)])
      assert.strictEqual(result.code, 0, result.out)
      assert.deepStrictEqual(JSON.parse(result.out), [true, false, false, false, false, false])
      assert.isTrue(yield* Webhook.verifySignature(secret, now, body, signature))
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
