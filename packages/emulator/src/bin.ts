#!/usr/bin/env node
/**
 * `genesys-emulator [--port <n>] [--seed <n>] [--days <n>] [--per-day <n>] [--client-id <id>] [--client-secret <s>]
 * [--faults <file.json>] [--rate-limit <count>/<seconds>] [--latency-median-ms <n> [--latency-p99-ms <n>]]
 * [--cache-mb <n>] [--no-read-ahead] [--aggregate-store] [--live [--speed <n>] [--step-minutes <n>]]`
 *
 * Serves the emulator on 127.0.0.1, prints its base URL once listening, stops on SIGINT/SIGTERM, when the process
 * that started it dies, or when its standard input (a pipe) is closed. `serve` is the same command as an effect:
 * `genesys-analytics emulator` runs it, so both entry points take the same flags.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import { fileURLToPath } from "node:url"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Faults from "./Faults.js"
import { parseArgs, usage } from "./internal/http/cli.js"
import * as Server from "./Server.js"

const write = (stream: NodeJS.WriteStream, text: string) =>
  Effect.async<void>((resume) => {
    stream.write(text, () => resume(Effect.void))
  })

/** A process's command name and parent pid from /proc (Linux), or undefined. */
const procStat = (pid: number | "self"): { readonly comm: string; readonly ppid: number } | undefined => {
  try {
    // The command name, in parentheses, may hold spaces; the parent pid is the second field after it.
    const stat = Fs.readFileSync(`/proc/${pid}/stat`, "utf8")
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
    const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))
    return Number.isInteger(ppid) ? { comm, ppid } : undefined
  } catch {
    return undefined
  }
}

// Read when the module loads: `process.ppid` is computed on first use, which may be after the parent is gone.
const startingParent = procStat("self")?.ppid ?? process.ppid
// `npx` runs a bin through `sh -c`; when npx itself is killed the shell lives on, so its parent is watched too.
const startingGrandparent = (() => {
  const parent = procStat(startingParent)
  return parent !== undefined && /^(sh|bash|dash|ash|zsh)$/.test(parent.comm) && parent.ppid > 1
    ? { shell: startingParent, pid: parent.ppid }
    : undefined
})()

/**
 * Whether the process that started this one is gone: reparented away from it (Linux /proc), or no such process
 * (signal 0, elsewhere); when that parent is a shell wrapper, whether the shell's own parent is gone.
 */
const orphaned = (): boolean => {
  const self = procStat("self")
  if (self !== undefined) {
    if (self.ppid !== startingParent) return true
    return startingGrandparent !== undefined && procStat(startingGrandparent.shell)?.ppid !== startingGrandparent.pid
  }
  try {
    process.kill(startingParent, 0)
    return false
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH"
  }
}

/**
 * Resolves when the parent process is gone (polled every 500 ms: the server does not outlive a `npx … &` that was
 * killed, even with SIGKILL) or standard input, when it is a pipe or socket, reaches its end.
 */
const parentGone: Effect.Effect<string> = Effect.async<string>((resume) => {
  let done = false
  const finish = (why: string) => {
    if (done) return
    done = true
    resume(Effect.succeed(why))
  }
  const timer =
    startingParent > 1
      ? setInterval(() => {
          if (orphaned()) finish("its parent process exited")
        }, 500)
      : undefined
  timer?.unref()
  let piped = false
  try {
    const stat = Fs.fstatSync(0)
    piped = stat.isFIFO() || stat.isSocket()
  } catch {
    piped = false
  }
  const onEnd = () => finish("its standard input was closed")
  if (piped) {
    process.stdin.on("end", onEnd)
    process.stdin.on("close", onEnd)
    process.stdin.resume()
  }
  return Effect.sync(() => {
    if (timer !== undefined) clearInterval(timer)
    if (piped) {
      process.stdin.off("end", onEnd)
      process.stdin.off("close", onEnd)
      process.stdin.pause()
      process.stdin.unref?.()
    }
  })
})

/**
 * The command: parses `argv` (the arguments after the command name), serves until interrupted or orphaned, and
 * returns the exit code: 0 (help shown, or stopped because the parent or standard input went away), 2 (bad
 * arguments, unreadable fault profile, a port in use). Interruption (SIGINT, SIGTERM) is the caller's to report.
 *
 * @since 0.1.0
 */
export const serve = (argv: ReadonlyArray<string>, name: string = "genesys-emulator"): Effect.Effect<number> =>
  Effect.gen(function* () {
    const parsed = parseArgs(argv)
    if (parsed._tag === "Help") {
      yield* write(process.stdout, `${usage(name)}\n`)
      return 0
    }
    if (parsed._tag === "Invalid") {
      yield* write(process.stderr, `${name}: ${parsed.message} (see ${name} --help)\n`)
      return 2
    }
    const { faultsFile, ...options } = parsed.options
    return yield* Effect.gen(function* () {
      const faults =
        faultsFile === undefined
          ? undefined
          : yield* Effect.try({
              try: () => Fs.readFileSync(faultsFile, "utf8"),
              catch: (e) => new Error(`cannot read ${faultsFile}: ${e instanceof Error ? e.message : String(e)}`)
            }).pipe(
              Effect.flatMap((text) =>
                Effect.mapError(Faults.fromJson(text), (e) => new Error(`invalid ${faultsFile}: ${e.message}`))
              )
            )
      const running = yield* Server.start(faults === undefined ? options : { ...options, faults })
      const o = running.emulator.options
      yield* write(process.stdout, `${running.url}\n`)
      yield* write(
        process.stderr,
        `${name}: listening on ${running.url} (client id ${o.clientId}; ${o.days} days from ${o.startDate}, ` +
          `~${o.perDay}/day${
            o.latency === undefined
              ? ""
              : `; latency median ${o.latency.medianMillis} ms, p99 ${o.latency.p99Millis} ms`
          }); Ctrl-C stops it\n`
      )
      const why = yield* parentGone
      yield* write(process.stderr, `${name}: stopping: ${why}\n`)
      return 0
    }).pipe(
      Effect.scoped,
      Effect.catchAll((e) =>
        Effect.as(write(process.stderr, `${name}: cannot start the emulator: ${e.message.split("\n")[0]}\n`), 2)
      )
    )
  })

/**
 * Runs `serve` on `process.argv` as the program: the exit code is the command's, 0 when stopped by SIGINT or SIGTERM,
 * 1 for a defect. The committed `bin/genesys-emulator.js` shim calls it.
 *
 * @since 0.1.0
 */
export const main = (): void =>
  NodeRuntime.runMain(serve(process.argv.slice(2)), {
    disablePrettyLogger: true,
    teardown: (exit, onExit) => {
      const code: number = Exit.isSuccess(exit) ? (exit.value as number) : Cause.isInterruptedOnly(exit.cause) ? 0 : 1
      process.exitCode = code
      onExit(code)
    }
  })

// `node dist/bin.js` runs it; importing the module (for `serve`, or from the shim) does not.
const isMain = (() => {
  const entry = process.argv[1]
  if (entry === undefined) return false
  try {
    return Fs.realpathSync(entry) === Fs.realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
})()

if (isMain) main()
