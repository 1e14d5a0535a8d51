import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import { NodeFileSystem, NodePath, NodeTerminal } from "@effect/platform-node"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Cli from "../src/Cli.js"
import * as Help from "../src/internal/help.js"
import * as Progress from "../src/internal/progress.js"

const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

/** Runs the CLI in-process with stdout and stderr captured (in a vitest worker neither is a terminal). */
const run = async (args: ReadonlyArray<string>) => {
  const out = { stdout: "", stderr: "" }
  const sink = (key: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, ...rest: Array<unknown>) => {
      out[key] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
      const callback = rest.find((r): r is () => void => typeof r === "function")
      if (callback !== undefined) queueMicrotask(callback)
      return true
    }) as typeof process.stdout.write
  vi.spyOn(process.stdout, "write").mockImplementation(sink("stdout"))
  vi.spyOn(process.stderr, "write").mockImplementation(sink("stderr"))
  vi.spyOn(console, "log").mockImplementation((...a: Array<unknown>) => {
    out.stdout += `${a.map(String).join(" ")}\n`
  })
  vi.spyOn(console, "error").mockImplementation((...a: Array<unknown>) => {
    out.stderr += `${a.map(String).join(" ")}\n`
  })
  const code = await Effect.runPromise(Cli.run(["node", "genesys-analytics", ...args]).pipe(Effect.provide(platform)))
  vi.restoreAllMocks()
  return { code, ...out }
}

afterEach(() => {
  vi.restoreAllMocks()
})

// The flags @effect/cli parses, per command path, from its own usage lines ("- jobs results [--page-size integer] ...").
const parsedFlags = (): Map<string, Array<string>> => {
  const text = HelpDoc.toAnsiText(Command.getHelp(Cli.command, CliConfig.defaultConfig)).replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes
    /\x1b\[[0-9;]*m/g,
    ""
  )
  const flags = new Map<string, Array<string>>()
  for (const line of text.split("\n").map((l) => l.trim())) {
    if (!line.startsWith("- ")) continue
    const words = line.slice(2).split(" ")
    const path = words.filter((w, i) => i < 2 && /^[a-z]+$/.test(w)).join(" ")
    flags.set(path, line.match(/--[a-z][a-z-]*/g) ?? [])
  }
  return flags
}

describe("--help", () => {
  it("documents every flag of every command, each with its default", () => {
    const parsed = parsedFlags()
    assert.includeMembers([...parsed.keys()], ["extract", "query", "jobs results", "audit verify", "demo"])
    for (const [path, flags] of parsed) {
      assert.include(Help.paths, path, `no help for ${path}`)
      for (const flag of flags) assert.include(Help.flagsOf(path), flag, `${path} --help omits ${flag}`)
      const text = Help.render(path, false) ?? ""
      for (const flag of flags) {
        const block = text.split(`\n  ${flag}`)[1]?.split("\n  -")[0] ?? ""
        assert.match(block, /default: /, `${path} ${flag} has no default`)
      }
    }
  })

  it("extract --help, piped: no ANSI, the defaults, ranges, examples and exit codes, lines under 101 columns", async () => {
    const { code, stdout, stderr } = await run(["extract", "--help"])
    assert.strictEqual(code, 0)
    assert.strictEqual(stderr, "")
    assert.notInclude(stdout, "\x1b")
    assert.notInclude(stdout, "A user-defined piece of text")
    assert.include(stdout, "--concurrency <n>")
    assert.include(stdout, "default: the org's concurrent-jobs limit (limits API), else 2; 1 to 50")
    assert.include(stdout, "default: 1 (equal); above 0, at most 1; e.g. --reconcile-threshold 0.99")
    assert.include(stdout, "exit codes:")
    for (const c of ["0 ", "1 ", "2 ", "3 ", "4 ", "130", "143"]) assert.match(stdout, new RegExp(`\\n  ${c}`))
    for (const line of stdout.split("\n")) assert.isAtMost(line.length, 100, line)
  })

  it("the root help lists short command descriptions; subcommand help; emulator help is the emulator's", async () => {
    const root = await run(["--help"])
    assert.strictEqual(root.code, 0)
    assert.match(root.stdout, /\n {2}extract {7}extract every conversation/)
    for (const line of root.stdout.split("\n")) assert.isAtMost(line.length, 100, line)
    const results = await run(["jobs", "results", "-h"])
    assert.include(results.stdout, "usage: genesys-analytics jobs results <job-id>")
    assert.include(results.stdout, "default: 1000; 1 to 1000")
    const emulator = await run(["emulator", "--help"])
    assert.strictEqual(emulator.code, 0)
    assert.include(emulator.stdout, "usage: genesys-analytics emulator [options]")
    assert.include(emulator.stdout, "--port <n>")
    assert.include(emulator.stdout, "default 0: a free one, printed")
    assert.include(emulator.stdout, "--rate-limit")
    assert.include(emulator.stdout, "exit codes:")
    for (const line of emulator.stdout.split("\n")) assert.isAtMost(line.length, 120, line)
  })

  it("emulator refuses a bad flag with one line and exit 2 (the emulator's parser)", async () => {
    const { code, stderr, stdout } = await run(["emulator", "--port", "70000"])
    assert.strictEqual(code, 2)
    assert.strictEqual(stdout, "")
    assert.strictEqual(
      stderr,
      "genesys-analytics emulator: --port must be at most 65535 (see genesys-analytics emulator --help)\n"
    )
  })

  it("--version and parse errors carry no ANSI when piped", async () => {
    const version = await run(["--version"])
    assert.include(version.stdout, "0.1.0")
    assert.notInclude(version.stdout, "\x1b")
    const bad = await run(["extract", "--concurrency", "x"])
    assert.strictEqual(bad.code, 2)
    assert.notInclude(bad.stderr, "\x1b")
    assert.match(bad.stderr, /^genesys-analytics: /)
  })

  it("headings are bold on a terminal only", () => {
    assert.include(Help.render("extract", true), "\x1b[1musage:\x1b[0m")
    assert.notInclude(Help.render("extract", false), "\x1b")
  })
})

describe("retry lines", () => {
  it("each retry is one stderr line without terminal control when stderr is not a terminal", () => {
    let err = ""
    vi.spyOn(process.stderr, "write").mockImplementation(((chunk: string) => {
      err += chunk
      return true
    }) as typeof process.stderr.write)
    const progress = Progress.make(false)
    Effect.runSync(
      progress.onRetry({
        route: "GET /api/v2/x",
        reason: "Connection",
        attempt: 2,
        delayMillis: 1500,
        elapsedMillis: 800
      })
    )
    Effect.runSync(
      progress.onRetry({ route: "POST /oauth/token", reason: "503", attempt: 1, delayMillis: 400, elapsedMillis: 0 })
    )
    vi.restoreAllMocks()
    assert.strictEqual(
      err,
      "genesys-analytics: retrying GET /api/v2/x (Connection): attempt 2 in 1.5s, failing for 1s\n" +
        "genesys-analytics: retrying POST /oauth/token (503): attempt 1 in 0.4s, failing for 0s\n"
    )
  })
})
