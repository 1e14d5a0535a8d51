#!/usr/bin/env node
/**
 * `genesys-analytics`: see docs/cli.md. Exit codes: 0 done, 1 a check failed or an internal error, 2 usage or
 * invalid query, 3 authentication, 4 partial or failed extraction, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
 *
 * It runs the bundle of the command (`dist/bundle/`, made by `npm run build` after the TypeScript build): a few dozen
 * files instead of some 1,500 modules of Effect, `@effect/cli`, the platform and this repository, several times faster
 * to load. Without a bundle, or with one older than the TypeScript build (`tsc -b` alone since the last
 * `npm run build`), it runs the unbundled build next to this file: the same code, slower to start.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"

/** What `scripts/bundle.mjs` records of the TypeScript build it bundled: each project's build info file. */
interface Stamp {
  readonly builds: ReadonlyArray<{
    readonly file: string
    readonly size: number
    readonly mtimeMs: number
    /** SHA-1 of the file's content (stamps written before it was recorded have none). */
    readonly sha1?: string
  }>
}

const packageDir = new URL("../", import.meta.url)
const bundle = new URL("dist/bundle/start.js", packageDir)

/**
 * The bundle is current when every build info file it was made from is unchanged; a file absent now (an installed
 * package carries none) says nothing. Size and time decide at once; a file whose time alone moved is read and compared
 * by content: turbo restores a cached build with new times (the build info and the bundle of one build, the bundle
 * current). Any other change (a TypeScript build since) runs the unbundled build, which is never out of date.
 */
const current = async (): Promise<boolean> => {
  try {
    const stamp = JSON.parse(Fs.readFileSync(new URL("dist/bundle/stamp.json", packageDir), "utf8")) as Stamp
    for (const build of stamp.builds) {
      const file = new URL(build.file, packageDir)
      const stat = Fs.statSync(file, { throwIfNoEntry: false })
      if (stat === undefined || (stat.size === build.size && stat.mtimeMs === build.mtimeMs)) continue
      if (stat.size !== build.size || build.sha1 === undefined) return false
      // Loaded only here: a start with an unchanged build does not pay for it.
      const { createHash } = await import("node:crypto")
      if (createHash("sha1").update(Fs.readFileSync(file)).digest("hex") !== build.sha1) return false
    }
    return true
  } catch {
    // No stamp, or not one this file can read.
    return false
  }
}

if (Fs.existsSync(bundle) && (await current())) {
  await import(bundle.href)
} else {
  await import("./internal/start.js")
}
