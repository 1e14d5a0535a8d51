#!/usr/bin/env node
// The `genesys-analytics` bin: committed so that `npm ci` can link it before anything is built. It runs the build,
// `dist/bin.js`, which starts the bundle (`dist/bundle/`, made by `npm run build`) while it is current.
import { existsSync } from "node:fs"

const target = new URL("../dist/bin.js", import.meta.url)
if (!existsSync(target)) {
  process.stderr.write(
    "genesys-analytics: not built yet (packages/cli/dist/bin.js is missing); run `npm run build` first\n"
  )
  process.exit(1)
}
await import(target.href)
