// In the bundle, this module stands in for `@effect/platform-node`'s `Undici.js` (see `bundle.mjs`), which re-exports
// the `undici` package and so evaluates it (some 65 ms) whenever `NodeHttpClient` or `NodeClusterSocket` is
// imported, even for a command that never uses it: the commands send their requests over Node's `http`. `undici`
// is bundled on its own into `undici.cjs` beside the bundle's files and loaded the first time one of the two members
// the platform uses is called; `bundle.mjs` fails the build if the platform starts using any other.
import { createRequire } from "node:module"

let undici

// Synchronous, as the platform calls these inside `Effect.sync`; relative to the bundle file this code is in.
const load = () => {
  undici ??= createRequire(import.meta.url)("./undici.cjs")
  return undici
}

/** `new Agent(options)` builds an `undici` `Agent` (a constructor that returns another object gives that object). */
export function Agent(options) {
  const UndiciAgent = load().Agent
  return new UndiciAgent(options)
}

/** `undici`'s global dispatcher. */
export const getGlobalDispatcher = () => load().getGlobalDispatcher()
