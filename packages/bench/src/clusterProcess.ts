/**
 * Child processes of the cluster bench: `genesys-analytics runner` processes (ready line, every page they commit, their
 * CPU time) and `genesys-analytics extract --cluster` clients, all of the built CLI, every one of them killed when
 * this process exits. Plus the machine's CPU counters, to tell whether a run was bound by the processor.
 *
 * @since 0.2.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

/** The built command line (`npx tsc -b packages/bench` builds it). @since 0.2.0 */
export const bin = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "cli", "dist", "bin.js")

const live = new Set<ChildProcess.ChildProcess>()

/** SIGKILLs every child still running. @since 0.2.0 */
export const killAll = (): void => {
  for (const child of live) child.kill("SIGKILL")
  live.clear()
}

let guarded = false
/** Kills every child when this process exits or is interrupted (installed once). @since 0.2.0 */
export const guardExit = (): void => {
  if (guarded) return
  guarded = true
  process.on("exit", killAll)
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      killAll()
      process.exit(130)
    })
  }
}

/** The environment of a child: this process's without `GENESYS_*`, plus `extra`. */
const childEnv = (extra: Record<string, string>): Record<string, string> => {
  const base: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) base[k] = v
  return { ...base, ...extra }
}

const spawn = (args: ReadonlyArray<string>, cwd: string, env: Record<string, string>) => {
  const child = ChildProcess.spawn(process.execPath, [bin, ...args], {
    cwd,
    env: childEnv(env),
    stdio: ["ignore", "pipe", "pipe"]
  })
  live.add(child)
  child.on("exit", () => live.delete(child))
  return child
}

/** A port that was free on 127.0.0.1 a moment ago. @since 0.2.0 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = Net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as Net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

/** One page a runner committed, as its stderr line says. @since 0.2.0 */
export interface Page {
  readonly runner: string
  readonly org: string
  readonly window: string
  readonly page: number
  readonly written: number
  readonly atMillis: number
}

/** A running `genesys-analytics runner`. @since 0.2.0 */
export interface Runner {
  readonly name: string
  readonly child: ChildProcess.ChildProcess
  /** Resolves on its "ready on" line; rejects if it exits first or after `readyTimeoutMillis`. */
  readonly ready: Promise<void>
  readonly pages: Array<Page>
  /** Its stderr so far (for failures). */
  readonly stderr: () => string
  /** User + system CPU seconds it has used (read from /proc while it runs; NaN once it is gone). */
  readonly cpuSeconds: () => number
  readonly killed: () => boolean
}

const pageLine = /genesys-analytics runner: (\S+) (\S+) page (\d+) \((\d+) written\)/

const clockTicks = 100 // USER_HZ on Linux

/** CPU seconds of a live process from /proc/<pid>/stat (utime + stime); NaN when unreadable. @since 0.2.0 */
export const processCpuSeconds = (pid: number | undefined): number => {
  if (pid === undefined) return Number.NaN
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) / clockTicks
  } catch {
    return Number.NaN
  }
}

/** Starts a runner of the cluster at `clusterUrl` with the org profiles of `orgsFile`. @since 0.2.0 */
export const startRunner = async (options: {
  readonly name: string
  readonly clusterUrl: string
  readonly orgsFile: string
  readonly cwd: string
  readonly env: Record<string, string>
  readonly onPage?: ((page: Page, runner: Runner) => void) | undefined
  readonly readyTimeoutMillis?: number | undefined
}): Promise<Runner> => {
  const port = await freePort()
  const child = spawn(
    [
      "runner",
      "--cluster",
      options.clusterUrl,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--orgs",
      options.orgsFile
    ],
    options.cwd,
    options.env
  )
  let out = ""
  let err = ""
  let partial = ""
  let killed = false
  const pages: Array<Page> = []
  const timeout = options.readyTimeoutMillis ?? 60_000
  const runner: Runner = {
    name: options.name,
    child,
    pages,
    stderr: () => err,
    cpuSeconds: () => processCpuSeconds(child.exitCode === null && child.signalCode === null ? child.pid : undefined),
    killed: () => killed,
    ready: new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} not ready after ${timeout} ms: ${err}`)),
        timeout
      )
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString()
        if (out.includes("ready on")) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on("exit", (code, signal) => {
        clearTimeout(timer)
        reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready: ${err}`))
      })
    })
  }
  runner.ready.catch(() => {})
  child.on("exit", () => {
    killed = true
  })
  child.stderr!.on("data", (d: Buffer) => {
    const text = partial + d.toString()
    const lines = text.split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines) {
      const m = pageLine.exec(line)
      if (m === null) {
        err += `${line}\n`
        continue
      }
      const page: Page = {
        runner: options.name,
        org: m[1]!,
        window: m[2]!,
        page: Number(m[3]),
        written: Number(m[4]),
        atMillis: performance.now()
      }
      pages.push(page)
      options.onPage?.(page, runner)
    }
  })
  return runner
}

/** SIGKILLs a runner and waits for it to be gone (at most 10 s). @since 0.2.0 */
export const kill = (runner: Runner, signal: NodeJS.Signals = "SIGKILL"): Promise<void> =>
  new Promise((resolve) => {
    if (runner.child.exitCode !== null || runner.child.signalCode !== null) return resolve()
    const timer = setTimeout(() => {
      runner.child.kill("SIGKILL")
      resolve()
    }, 10_000)
    runner.child.once("exit", () => {
      clearTimeout(timer)
      resolve()
    })
    runner.child.kill(signal)
  })

/** How a client ended. @since 0.2.0 */
export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** Runs `genesys-analytics <args>` to its end; SIGKILLed after `timeoutMillis`. @since 0.2.0 */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: Record<string, string>; readonly timeoutMillis: number }
): Promise<Result> =>
  new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(args, options.cwd, options.env)
    let stdout = ""
    let stderr = ""
    child.stdout!.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    const timer = setTimeout(() => {
      stderr += `\n(bench: killed after ${options.timeoutMillis} ms)`
      child.kill("SIGKILL")
    }, options.timeoutMillis)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, millis: performance.now() - started })
    })
  })

/** The machine's CPU counters (all cores, in clock ticks) from /proc/stat. @since 0.2.0 */
export interface CpuCounters {
  readonly busy: number
  readonly total: number
}

/** Reads /proc/stat's first line. @since 0.2.0 */
export const machineCpu = (): CpuCounters => {
  try {
    const line = Fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    const idle = (v[3] ?? 0) + (v[4] ?? 0)
    const total = v.reduce((a, b) => a + b, 0)
    return { busy: total - idle, total }
  } catch {
    return { busy: Number.NaN, total: Number.NaN }
  }
}

/** The share of the machine's CPU (all cores) busy between two readings, 0..1. @since 0.2.0 */
export const busyShare = (from: CpuCounters, to: CpuCounters): number => (to.busy - from.busy) / (to.total - from.total)

/** Sleeps. @since 0.2.0 */
export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

const statFields = (pid: number | "self"): ReadonlyArray<string> | undefined => {
  try {
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  } catch {
    return undefined
  }
}

/** CPU seconds of this workload's processes, by part. @since 0.2.0 */
export interface WorkloadCpu {
  /** This process: the emulators, which run in it, and the orchestration. */
  readonly emulators: number
  /** Children of this process that have ended: runners and clients (read after they are gone). */
  readonly children: number
  /** The Postgres server (a child of this process, still running) with the backends it has reaped. */
  readonly postgres: number
}

/** Reads /proc: this process, its reaped children, and its `postgres` children with theirs. @since 0.2.0 */
export const workloadCpu = (): WorkloadCpu => {
  const self = statFields("self")
  const ticks = (f: ReadonlyArray<string> | undefined, a: number, b: number) =>
    f === undefined ? Number.NaN : (Number(f[a]) + Number(f[b])) / clockTicks
  let postgres = 0
  for (const entry of Fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const f = statFields(Number(entry))
    // fields after the name: [0] state, [1] ppid; utime 11, stime 12, cutime 13, cstime 14
    if (f === undefined || Number(f[1]) !== process.pid) continue
    let comm = ""
    try {
      comm = Fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim()
    } catch {
      continue
    }
    if (comm === "postgres") postgres += ticks(f, 11, 12) + ticks(f, 13, 14)
  }
  return { emulators: ticks(self, 11, 12), children: ticks(self, 13, 14), postgres }
}

/** `to - from`, part by part. @since 0.2.0 */
export const cpuSince = (from: WorkloadCpu, to: WorkloadCpu): WorkloadCpu => ({
  emulators: to.emulators - from.emulators,
  children: to.children - from.children,
  postgres: to.postgres - from.postgres
})
