/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and ranks where the time went: self time by function
 * and by file, and shares by origin (our library, Effect, @effect/platform, Node internals, GC, idle).
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

interface Node {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
  readonly hitCount?: number
}

interface Profile {
  readonly nodes: ReadonlyArray<Node>
  readonly startTime: number
  readonly endTime: number
  readonly samples?: ReadonlyArray<number>
  readonly timeDeltas?: ReadonlyArray<number>
}

/** One ranked entry. @since 0.1.0 */
export interface Entry {
  readonly name: string
  readonly selfMillis: number
  /** Share of the non-idle samples. */
  readonly share: number
}

/** A ranked profile. @since 0.1.0 */
export interface Summary {
  readonly file: string
  readonly totalMillis: number
  /** Sampled time excluding `(idle)`. */
  readonly busyMillis: number
  readonly byOrigin: ReadonlyArray<Entry>
  readonly byFile: ReadonlyArray<Entry>
  readonly byFunction: ReadonlyArray<Entry>
}

/** A short, repository-relative name for a script URL. @since 0.1.0 */
export const shortUrl = (url: string): string => {
  if (url === "") return ""
  const path = url.replace(/^file:\/\//, "")
  const nm = path.lastIndexOf("node_modules/")
  if (nm >= 0) return path.slice(nm + "node_modules/".length)
  const pk = path.indexOf("/packages/")
  if (pk >= 0) return path.slice(pk + 1)
  return path
}

/** The origin of a frame. @since 0.1.0 */
export const origin = (functionName: string, url: string): string => {
  if (functionName === "(idle)") return "(idle)"
  if (functionName === "(garbage collector)") return "garbage collector"
  if (functionName === "(program)") return "(program: V8/native)"
  const u = shortUrl(url)
  if (u.startsWith("packages/analytics/")) return "@effect-genesys/analytics"
  if (u.startsWith("packages/bench/dist/contenders/")) return "contender loop (incl. its JSON.parse)"
  if (u.startsWith("packages/bench/")) return "bench harness"
  if (u.startsWith("effect/")) return "effect"
  if (u.startsWith("@effect/platform")) return "@effect/platform"
  if (u.startsWith("node:") || u === "") return "node internals / native"
  if (u.startsWith("undici")) return "undici"
  return u.split("/")[0] ?? u
}

const rank = (totals: Map<string, number>, busy: number, top: number): ReadonlyArray<Entry> =>
  [...totals.entries()]
    .filter(([name]) => name !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, selfMillis]) => ({ name, selfMillis, share: busy > 0 ? selfMillis / busy : 0 }))

/** Summarises one profile file. @since 0.1.0 */
export const summarize = (file: string, top = 15): Summary => {
  const profile = JSON.parse(Fs.readFileSync(file, "utf8")) as Profile
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  if (profile.samples !== undefined && profile.timeDeltas !== undefined) {
    // Each sample's time is the delta to the next sample.
    for (let i = 0; i < profile.samples.length; i++) {
      const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000
      const id = profile.samples[i]!
      self.set(id, (self.get(id) ?? 0) + dt)
    }
  } else {
    const total = (profile.endTime - profile.startTime) / 1000
    const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0)
    for (const node of profile.nodes) self.set(node.id, ((node.hitCount ?? 0) / Math.max(1, hits)) * total)
  }
  const origins = new Map<string, number>()
  const files = new Map<string, number>()
  const functions = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, millis] of self) {
    const node = byId.get(id)
    if (node === undefined) continue
    const { functionName, url, lineNumber } = node.callFrame
    total += millis
    if (functionName === "(idle)") {
      idle += millis
      continue
    }
    const o = origin(functionName, url)
    origins.set(o, (origins.get(o) ?? 0) + millis)
    const f = shortUrl(url) || functionName
    files.set(f, (files.get(f) ?? 0) + millis)
    const fn = `${functionName || "(anonymous)"} ${shortUrl(url)}${url === "" ? "" : `:${lineNumber + 1}`}`
    functions.set(fn, (functions.get(fn) ?? 0) + millis)
  }
  const busy = total - idle
  return {
    file: Path.basename(file),
    totalMillis: total,
    busyMillis: busy,
    byOrigin: rank(origins, busy, top),
    byFile: rank(files, busy, top),
    byFunction: rank(functions, busy, top)
  }
}

/** Summarises the newest `.cpuprofile` in a directory, if any. @since 0.1.0 */
export const summarizeDirectory = (directory: string, top = 15): Summary | undefined => {
  if (!Fs.existsSync(directory)) return undefined
  const files = Fs.readdirSync(directory)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => Path.join(directory, f))
    .sort((a, b) => Fs.statSync(b).mtimeMs - Fs.statSync(a).mtimeMs)
  return files[0] === undefined ? undefined : summarize(files[0], top)
}
