/**
 * What a start of the command loads, as processes (`npm test` builds first; alone: `npm run build -w
 * @effect-genesys/cli`, which makes the bundle as well). The bundle in `dist/bundle/` loads its files as the command
 * needs them: `--help` without Effect, a refused command line without any command's code, a plain extraction without
 * SQL, the cluster or telemetry. The modules a bundle file holds are read from its module comments (`// <path>` before
 * each module). `dist/bin.js` runs the bundle while it is current, else the unbundled build: checked on a scratch copy,
 * since a `tsc -b` elsewhere in this checkout can make the real one out of date at any time. No timing: start-up time
 * is measured by hand (docs/cli.md).
 */
import * as ChildProcess from "node:child_process"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Server from "@effect-genesys/emulator/Server"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"

const cliDir = fileURLToPath(new URL("..", import.meta.url))
const binJs = Path.join(cliDir, "dist", "bin.js")
const bundleEntry = Path.join(cliDir, "dist", "bundle", "start.js")
const slow = { timeout: 30_000 }

const scratch = Fs.mkdtempSync(Path.join(Os.tmpdir(), "bin-startup-"))
afterAll(() => Fs.rmSync(scratch, { recursive: true, force: true }))

// A module hook (in Node's loader thread) appends every file: URL the process loads to $STARTUP_LOADED.
const hooks = `data:text/javascript,${encodeURIComponent(
  `import * as Fs from "node:fs"
export async function load(url, context, next) {
  if (url.startsWith("file:")) Fs.appendFileSync(process.env.STARTUP_LOADED, url + "\\n")
  return next(url, context)
}`
)}`
const register = `data:text/javascript,${encodeURIComponent(
  `import { register } from "node:module"; register(${JSON.stringify(hooks)})`
)}`
// CommonJS files loaded with `require` (the bundle's `undici.cjs`) pass no module hook: listed from `require.cache`.
const requireLog = Path.join(scratch, "require-log.cjs")
Fs.writeFileSync(
  requireLog,
  `process.on("exit", () => require("node:fs").appendFileSync(process.env.STARTUP_LOADED, Object.keys(require.cache).map((f) => require("node:url").pathToFileURL(f).href + "\\n").join("")))\n`
)

let runs = 0
/** `node <script> ...args` with the load logs, without GENESYS_* settings but `settings`. */
const command = (script: string, args: ReadonlyArray<string>, settings: Record<string, string>) => {
  const log = Path.join(scratch, `loaded-${runs++}.txt`)
  const env: Record<string, string> = { STARTUP_LOADED: log }
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) env[k] = v
  const loaded = () =>
    (Fs.existsSync(log) ? Fs.readFileSync(log, "utf8").trim().split("\n") : [])
      .map((url) => fileURLToPath(url))
      .filter((file) => file !== requireLog)
  return {
    argv: ["--import", register, "--require", requireLog, script, ...args],
    options: { env: { ...env, ...settings }, cwd: scratch },
    loaded
  }
}

/** Runs `node <script> ...args`; its exit code, output and the files it loaded. */
const run = (script: string, args: ReadonlyArray<string>) => {
  const { argv, loaded, options } = command(script, args, {})
  const result = ChildProcess.spawnSync(process.execPath, argv, { ...options, encoding: "utf8", timeout: 25_000 })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, loaded: loaded() }
}

/** `run` without blocking this process, for a command that talks to a server in it. */
const runBeside = (script: string, args: ReadonlyArray<string>, settings: Record<string, string>) =>
  Effect.async<{ code: number | null; stdout: string; stderr: string; loaded: ReadonlyArray<string> }>((resume) => {
    const { argv, loaded, options } = command(script, args, settings)
    const child = ChildProcess.execFile(
      process.execPath,
      argv,
      { ...options, timeout: 25_000 },
      (error, stdout, stderr) =>
        resume(
          Effect.succeed({ code: error === null ? 0 : (child.exitCode ?? null), stdout, stderr, loaded: loaded() })
        )
    )
    return Effect.sync(() => child.kill())
  })

/** The modules the bundle files among `files` hold, by their module comments (paths relative to packages/cli). */
const modulesOf = (files: ReadonlyArray<string>) =>
  files
    .filter((file) => file.startsWith(Path.join(cliDir, "dist", "bundle") + Path.sep))
    .flatMap((file) => [...Fs.readFileSync(file, "utf8").matchAll(/^\/\/ (\S+\.[cm]?js)$/gm)].map((m) => m[1]!))

const packageOf = (module: string) => {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)
  return match !== null ? match[1]! : /^\.\.\/(analytics|emulator|sql)\//.test(module) ? "workspace" : "cli"
}

// Never loaded before a command's handler needs them (the same list as StartupImports.test.ts).
const heavy =
  /^(@effect\/(sql|sql-pg|sql-sqlite-node|cluster|workflow|rpc|opentelemetry)|@opentelemetry\/.*|better-sqlite3|pg|ws|undici)$/

describe("start-up of the bundle", () => {
  it("--help loads neither Effect nor @effect/cli", slow, () => {
    assert.isTrue(Fs.existsSync(bundleEntry), "no bundle: build it with `npm run build -w @effect-genesys/cli`")
    const { code, stdout, loaded } = run(bundleEntry, ["--help"])
    assert.strictEqual(code, 0)
    assert.include(stdout, "usage: genesys-analytics")
    assert.notInclude(loaded, Path.join(cliDir, "dist", "internal", "start.js"))
    const modules = modulesOf(loaded)
    // The module comments are there to be read: the help text is among them.
    assert.include(modules, "dist/internal/help.js")
    assert.deepStrictEqual([...new Set(modules.map(packageOf))].sort(), ["cli", "workspace"], modules.join("\n"))
  })

  it("a refused command line loads @effect/cli and effect, but no command", slow, () => {
    const { code, stderr, loaded } = run(bundleEntry, ["extract", "--no-such-flag"])
    assert.strictEqual(code, 2, stderr)
    const modules = modulesOf(loaded)
    assert.include(modules, "dist/Cli.js")
    const packages = new Set(modules.map(packageOf))
    assert.isTrue(packages.has("effect") && packages.has("@effect/cli"), [...packages].join(" "))
    for (const name of packages) assert.notMatch(name, heavy)
    assert.notInclude(modules, "dist/internal/extract.js")
  })

  it("a plain extraction loads its own code, without undici, SQL, the cluster or telemetry", slow, () => {
    // Refused for its missing client id, after the extract command has loaded.
    const { code, stderr, loaded } = run(bundleEntry, ["extract", "--interval", "last-2-days", "--dry-run"])
    assert.strictEqual(code, 2, stderr)
    assert.include(stderr, "missing client id")
    const modules = modulesOf(loaded)
    assert.include(modules, "dist/internal/extract.js")
    // The platform's HTTP client module is there; the `undici` it re-exports is not (see scripts/undiciLazy.mjs).
    assert.include(modules, "../../node_modules/@effect/platform-node/dist/esm/NodeHttpClient.js")
    assert.notInclude(loaded, Path.join(cliDir, "dist", "bundle", "undici.cjs"))
    for (const name of new Set(modules.map(packageOf))) {
      assert.notMatch(
        name,
        /^(@effect\/(sql|sql-pg|sql-sqlite-node|cluster|workflow|opentelemetry)|@opentelemetry\/.*|pg|undici)$/
      )
    }
    for (const module of modules)
      assert.notMatch(module, /internal\/(durableRun|clusterSubmit|cluster|telemetrySdk)\.js$/)
  })

  it.scoped(
    "a dry run sends its requests over Node's http: undici is never loaded",
    () =>
      Effect.gen(function* () {
        const server = yield* Server.start({ days: 3, perDay: 5 })
        const { code, loaded, stderr, stdout } = yield* runBeside(
          bundleEntry,
          ["extract", "--interval", "last-2-days", "--out", "x.ndjson", "--dry-run"],
          {
            GENESYS_API_URL: server.url,
            GENESYS_CLIENT_ID: "emulator-client",
            GENESYS_CLIENT_SECRET: "emulator-secret"
          }
        )
        assert.strictEqual(code, 0, stderr)
        assert.match(stdout, /^windows +\d+ \(/m)
        const paths = (yield* server.emulator.requests).map((request) => request.path)
        assert.isTrue(
          paths.some((path) => path.includes("availability")),
          paths.join(" ")
        )
        assert.notInclude(loaded, Path.join(cliDir, "dist", "bundle", "undici.cjs"))
        for (const name of new Set(modulesOf(loaded).map(packageOf))) assert.notStrictEqual(name, "undici")
      }),
    slow
  )
})

describe("dist/bin.js picks the bundle while it is current", () => {
  /**
   * A copy of dist/bin.js in a scratch package, with a build info file, a stamp of `kind` and two entries that print
   * which one ran.
   */
  const fake = (kind: "current" | "current-without-hash" | "absent" | "none") => {
    const dir = Fs.mkdtempSync(Path.join(scratch, "pkg-"))
    for (const sub of ["dist/bundle", "dist/internal", ".tsbuildinfo"])
      Fs.mkdirSync(Path.join(dir, sub), { recursive: true })
    Fs.copyFileSync(binJs, Path.join(dir, "dist", "bin.js"))
    Fs.writeFileSync(Path.join(dir, "dist", "bundle", "start.js"), 'process.stdout.write("bundle")\n')
    Fs.writeFileSync(Path.join(dir, "dist", "internal", "start.js"), 'process.stdout.write("unbundled")\n')
    const info = Path.join(dir, ".tsbuildinfo", "src.tsbuildinfo")
    Fs.writeFileSync(info, "{}")
    const stat = Fs.statSync(info)
    const recorded = { file: ".tsbuildinfo/src.tsbuildinfo", size: stat.size, mtimeMs: stat.mtimeMs }
    const builds =
      kind === "current"
        ? [{ ...recorded, sha1: createHash("sha1").update("{}").digest("hex") }]
        : kind === "current-without-hash"
          ? [recorded]
          : [{ file: "../no-such-package/.tsbuildinfo/src.tsbuildinfo", size: 1, mtimeMs: 1 }]
    if (kind !== "none") Fs.writeFileSync(Path.join(dir, "dist", "bundle", "stamp.json"), JSON.stringify({ builds }))
    return {
      info,
      ran: () => ChildProcess.execFileSync(process.execPath, [Path.join(dir, "dist", "bin.js")], { encoding: "utf8" })
    }
  }

  it("the bundle while its build info files are unchanged, or absent (an installed package has none)", () => {
    assert.strictEqual(fake("current").ran(), "bundle")
    assert.strictEqual(fake("absent").ran(), "bundle")
  })

  it("the unbundled build after a TypeScript build the bundle has not seen, or without a stamp", () => {
    const rebuilt = fake("current")
    Fs.writeFileSync(rebuilt.info, '{"changed":true}')
    assert.strictEqual(rebuilt.ran(), "unbundled")
    // The same size, another content.
    const later = new Date(Date.now() + 5_000)
    const sameSize = fake("current")
    Fs.writeFileSync(sameSize.info, "[]")
    Fs.utimesSync(sameSize.info, later, later)
    assert.strictEqual(sameSize.ran(), "unbundled")
    // A stamp from before content hashes: a moved time alone still says rebuilt.
    const oldStamp = fake("current-without-hash")
    Fs.utimesSync(oldStamp.info, later, later)
    assert.strictEqual(oldStamp.ran(), "unbundled")
    assert.strictEqual(fake("none").ran(), "unbundled")
  })

  it("the bundle when only the build info's time moved (turbo restoring a cached build rewrites the files)", () => {
    const restored = fake("current")
    const later = new Date(Date.now() + 5_000)
    Fs.utimesSync(restored.info, later, later)
    assert.strictEqual(restored.ran(), "bundle")
  })
})
