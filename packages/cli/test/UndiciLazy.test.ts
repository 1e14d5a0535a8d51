// The bundle's stand-in for `@effect/platform-node`'s `Undici.js` (scripts/undiciLazy.mjs): `undici` is loaded from
// `undici.cjs` beside it the first time the platform calls it, not when the platform's modules are imported. The
// stand-in is tried on a copy beside a fake `undici.cjs`; the real one is checked in the built bundle.
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import { createRequire } from "node:module"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const cliDir = fileURLToPath(new URL("..", import.meta.url))
const scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "undici-lazy-"))
afterAll(() => Fs.rmSync(scratch, { recursive: true, force: true }))

interface StandIn {
  readonly Agent: new (options?: unknown) => { readonly options: unknown }
  readonly getGlobalDispatcher: () => unknown
}

describe("the undici stand-in", () => {
  it("loads undici.cjs on the first call, once, and forwards Agent and getGlobalDispatcher", async () => {
    Fs.copyFileSync(Path.join(cliDir, "scripts", "undiciLazy.mjs"), Path.join(scratch, "undiciLazy.mjs"))
    Fs.writeFileSync(
      Path.join(scratch, "undici.cjs"),
      `globalThis.undiciLoads = (globalThis.undiciLoads ?? 0) + 1
class Agent { constructor(options) { this.options = options } }
module.exports = { Agent, getGlobalDispatcher: () => "the global dispatcher" }
`
    )
    const loads = () => (globalThis as { undiciLoads?: number }).undiciLoads ?? 0
    const standIn = (await import(pathToFileURL(Path.join(scratch, "undiciLazy.mjs")).href)) as StandIn
    assert.strictEqual(loads(), 0)
    const agent = new standIn.Agent({ connections: 4 })
    assert.deepStrictEqual(agent.options, { connections: 4 })
    assert.strictEqual(agent.constructor.name, "Agent")
    assert.strictEqual(standIn.getGlobalDispatcher(), "the global dispatcher")
    new standIn.Agent()
    assert.strictEqual(loads(), 1)
  })

  it("the bundle's undici.cjs is undici, with the members the stand-in forwards", async () => {
    const file = Path.join(cliDir, "dist", "bundle", "undici.cjs")
    assert.isTrue(Fs.existsSync(file), "no bundle: build it with `npm run build -w @effect-genesys/cli`")
    const undici = createRequire(import.meta.url)(file) as {
      Agent: new () => { close(): Promise<void> }
      getGlobalDispatcher: () => unknown
    }
    assert.strictEqual(typeof undici.getGlobalDispatcher, "function")
    await new undici.Agent().close()
  })
})
