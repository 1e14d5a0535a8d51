// The README's first program, run as written against the emulator's HTTP server on 127.0.0.1 over real
// sockets, with its configuration taken from GENESYS_* variables.
import * as Server from "@effect-genesys/emulator/Server"
import { NodeFileSystem, NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Clock, ConfigProvider, Effect, Layer, Stream } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as AuditLog from "../src/AuditLog.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysConfig from "../src/GenesysConfig.js"

// ---- README program (keep in sync with the README section) ----------------------------------------
const DAY = 86_400_000

const program = Effect.gen(function* () {
  const details = yield* ConversationDetails.ConversationDetails
  const today = Math.floor((yield* Clock.currentTimeMillis) / DAY) * DAY
  const interval = `${new Date(today - 7 * DAY).toISOString()}/${new Date(today).toISOString()}`
  const count = yield* details.runJob({ interval }).pipe(Stream.runCount)
  yield* Effect.log(`${count} conversations in ${interval}`)
  return count
})

const MainLayer = (auditFile: string) =>
  ConversationDetails.layer.pipe(
    Layer.provide(GenesysConfig.layerConfig()),
    Layer.provide(AuditLog.layerFile(auditFile, { actor: "readme-example", region: "emulator" })),
    Layer.provide([NodeHttpClient.layerUndici, NodeFileSystem.layer])
  )
// ------------------------------------------------------------------------------------------------------

describe("README example", () => {
  it.live(
    "counts a week of conversations with runJob against the emulator server over HTTP",
    () =>
      Effect.gen(function* () {
        const server = yield* Server.start({ days: 7, perDay: 40, jobs: { queueMillis: 100, runMillis: 200 } })
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "readme-example-"))
        const auditFile = path.join(dir, "audit.jsonl")
        const env = new Map([
          ["GENESYS_API_URL", server.url],
          ["GENESYS_LOGIN_URL", server.url],
          ["GENESYS_CLIENT_ID", server.emulator.options.clientId],
          ["GENESYS_CLIENT_SECRET", server.emulator.options.clientSecret]
        ])
        const count = yield* program.pipe(
          Effect.provide(MainLayer(auditFile)),
          Effect.withConfigProvider(ConfigProvider.fromMap(env, { pathDelim: "_" }))
        )
        const today = Math.floor(Date.now() / DAY) * DAY
        const interval = `${new Date(today - 7 * DAY).toISOString()}/${new Date(today).toISOString()}`
        const expected = yield* server.emulator.groundTruthJob({ interval })
        assert.isAbove(count, 100)
        assert.strictEqual(count, expected.length)
        const requests = yield* server.emulator.requests
        assert.isTrue(requests.some((r) => r.method === "POST" && r.path === "/oauth/token"))
        assert.isFalse(requests.some((r) => r.method === "DELETE"))
        const lines = fs.readFileSync(auditFile, "utf8").trim().split("\n")
        assert.isTrue(lines.some((l) => l.includes('"job.submitted"')))
        assert.isFalse(lines.some((l) => l.includes(server.emulator.options.clientSecret)))
        fs.rmSync(dir, { recursive: true, force: true })
      }).pipe(Effect.scoped),
    30_000
  )
})
