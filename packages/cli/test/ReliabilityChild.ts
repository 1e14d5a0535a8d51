// Child processes of the built command for the reliability suite: run one to its end, or run one and SIGKILL it at
// a moment chosen by watching its progress on disk (file-system events, no timers), plus a seeded random source so
// that a failing kill schedule can be replayed.
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import { fileURLToPath } from "node:url"

/** The built command (`npm run build -w @effect-genesys/cli`, which also bundles it; `npm test` builds first). */
export const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

/** How a child ended. */
export interface Result {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  /** Whether this harness killed it. */
  readonly killed: boolean
  /** What the kill trigger saw when it fired. */
  readonly killedAt: string | undefined
}

const running = new Set<ChildProcess.ChildProcess>()

/** SIGKILLs every child still running (a failed assertion before a kill); for `afterAll`. */
export const killAll = (): void => {
  for (const child of running) child.kill("SIGKILL")
}

/** The environment of a child: this process's, without `GENESYS_*`, plus `env`. */
const childEnv = (env: Record<string, string>): Record<string, string> => {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) base[k] = v
  return { ...base, ...env }
}

/**
 * Decides when to kill: called on every file-system event in the watched directories with the file name; returns a
 * description of the moment to kill now, or undefined to wait.
 */
export type Trigger = (file: string) => string | undefined

/** Runs the command; with a trigger, watches `watch` and SIGKILLs the child when the trigger fires. */
export const run = (
  args: ReadonlyArray<string>,
  options: {
    readonly cwd: string
    readonly env: Record<string, string>
    readonly watch?: ReadonlyArray<string> | undefined
    readonly trigger?: Trigger | undefined
    /** Receives a function that SIGKILLs the child (for triggers outside the file system, e.g. a proxy). */
    readonly onSpawn?: ((kill: (why: string) => void) => void) | undefined
  }
): Promise<Result> =>
  new Promise((resolve, reject) => {
    const child = ChildProcess.spawn(process.execPath, [bin, ...args], {
      cwd: options.cwd,
      env: childEnv(options.env),
      stdio: ["ignore", "pipe", "pipe"]
    })
    running.add(child)
    let stdout = ""
    let stderr = ""
    let killedAt: string | undefined
    const watchers: Array<Fs.FSWatcher> = []
    const onEvent = (_event: string, file: string | null) => {
      if (killedAt !== undefined || child.exitCode !== null || options.trigger === undefined) return
      const why = options.trigger(file ?? "")
      if (why === undefined) return
      killedAt = why
      child.kill("SIGKILL")
    }
    for (const dir of options.watch ?? []) watchers.push(Fs.watch(dir, onEvent))
    options.onSpawn?.((why) => {
      if (killedAt !== undefined || child.exitCode !== null) return
      killedAt = why
      child.kill("SIGKILL")
    })
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code, signal) => {
      running.delete(child)
      for (const w of watchers) w.close()
      resolve({ code, signal, stdout, stderr, killed: killedAt !== undefined && signal === "SIGKILL", killedAt })
    })
  })

/** `f` over `items`, at most `limit` at a time, results in input order. */
export const mapLimit = async <A, B>(
  items: ReadonlyArray<A>,
  limit: number,
  f: (a: A) => Promise<B>
): Promise<Array<B>> => {
  const results: Array<B> = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await f(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

/** A seeded pseudo-random source (mulberry32): `next()` in [0, 1), `int(lo, hi)` inclusive. */
export const random = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
  return { next, int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)) }
}

/**
 * A TCP relay on 127.0.0.1 in front of `target` that counts the connections it accepts: every request the command
 * sends, including one the HTTP server refuses before routing it (oversized headers), opens a connection here.
 */
export const countingRelay = (target: { readonly host: string; readonly port: number }) =>
  new Promise<{ readonly url: string; readonly connections: () => number; readonly close: () => Promise<void> }>(
    (resolve, reject) => {
      let connections = 0
      const sockets = new Set<Net.Socket>()
      const server = Net.createServer((client) => {
        connections++
        const upstream = Net.connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on("close", () => sockets.delete(s))
          s.on("error", () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream)
        upstream.pipe(client)
      })
      server.on("error", reject)
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as Net.AddressInfo).port
        resolve({
          url: `http://127.0.0.1:${port}`,
          connections: () => connections,
          close: () =>
            new Promise((done) => {
              for (const s of sockets) s.destroy()
              server.close(() => done())
            })
        })
      })
    }
  )
