// What each start of the command loads before it knows what it will run: the static import graph of the emitted
// JavaScript (TypeScript's own transpiler decides which imports survive), from `bin.ts`, `internal/start.ts` (the
// entry of the bundle) and the command tree. Start-up time is mostly module loading, so a heavy module imported
// statically here shows up on every `--help` and every dry run; the commands themselves load on first use, through
// `import()`, and the bundle keeps each of them in its own files for that reason. A guard for the start-up time, with
// no timing in it; BinProcessStartup.test.ts checks the same of the built bundle, as processes.
import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"

const packages = fileURLToPath(new URL("../..", import.meta.url))
const cliSrc = path.join(packages, "cli", "src")

// Workspace packages are followed into their sources; any other bare specifier is an external package.
const workspace = /^@effect-genesys\/(analytics|emulator|sql)\/(.+)$/

const staticImports = (file: string): ReadonlyArray<string> => {
  const output = ts.transpileModule(fs.readFileSync(file, "utf8"), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: file
  }).outputText
  const source = ts.createSourceFile(file, output, ts.ScriptTarget.ES2022)
  const found: Array<string> = []
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      found.push(statement.moduleSpecifier.text)
    }
  }
  return found
}

/** The files (relative to packages/) and external specifiers `entry` loads before any of its code runs. */
const graph = (entry: string) => {
  const files = new Set<string>()
  const externals = new Set<string>()
  const visit = (file: string) => {
    if (files.has(file)) return
    files.add(file)
    for (const specifier of staticImports(file)) {
      const inWorkspace = workspace.exec(specifier)
      if (specifier.startsWith(".")) {
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, ".ts")))
      } else if (inWorkspace !== null) {
        visit(path.join(packages, inWorkspace[1]!, "src", `${inWorkspace[2]}.ts`))
      } else if (!specifier.startsWith("node:")) {
        externals.add(specifier)
      }
    }
  }
  visit(path.join(cliSrc, entry))
  return {
    files: [...files].map((file) => path.relative(packages, file)),
    packages: new Set(
      [...externals].map((s) =>
        s
          .split("/")
          .slice(0, s.startsWith("@") ? 2 : 1)
          .join("/")
      )
    )
  }
}

// What a command's handler needs, never the command line: clients, databases, the cluster, telemetry, the emulator.
const heavy = [
  "@effect/sql",
  "@effect/sql-pg",
  "@effect/sql-sqlite-node",
  "@effect/cluster",
  "@effect/workflow",
  "@effect/rpc",
  "@effect/opentelemetry",
  "@opentelemetry/",
  "better-sqlite3",
  "pg",
  "ws",
  "undici"
]
const heavyFiles =
  /^(emulator|sql)\/|^analytics\/src\/(?!GenesysError|KnownSecrets|internal\/http\/knownSecrets)|^cli\/src\/(internal\/(extract|commands|aggregate|demo|demoSync|runner|cluster\w*|sync|engine|durableRun|connection|output|telemetrySdk)|Where|IntervalArg)\.ts$/

describe("start-up imports", () => {
  it("bin.ts loads nothing before it picks the bundle or the unbundled build", () => {
    const { files, packages: loaded } = graph("bin.ts")
    assert.deepStrictEqual([...loaded], [])
    assert.deepStrictEqual(files, ["cli/src/bin.ts"])
  })

  it("help needs neither Effect nor @effect/cli: start.ts loads only the help text and the terminal guard", () => {
    const { files, packages: loaded } = graph("internal/start.ts")
    assert.deepStrictEqual([...loaded], [])
    assert.deepStrictEqual(files.sort(), [
      "analytics/src/KnownSecrets.ts",
      "analytics/src/internal/http/knownSecrets.ts",
      "cli/src/internal/help.ts",
      "cli/src/internal/secretGuard.ts",
      "cli/src/internal/start.ts"
    ])
  })

  it("the command tree and the runtime load @effect/cli, the platform and effect, no command's dependencies", () => {
    for (const entry of ["Cli.ts", "internal/main.ts"]) {
      const { files, packages: loaded } = graph(entry)
      for (const name of loaded) {
        assert.isFalse(
          heavy.some((h) => (h.endsWith("/") ? name.startsWith(h) : name === h)),
          `${entry} imports ${name} statically`
        )
        assert.include(["effect", "@effect/cli", "@effect/platform", "@effect/platform-node"], name, entry)
      }
      for (const file of files) assert.notMatch(file, heavyFiles, `${entry} imports ${file} statically`)
    }
  })
})
