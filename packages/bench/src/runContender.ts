/**
 * Parent side of a contender run: a fresh Node process per run (`--expose-gc`, optionally `--cpu-prof`),
 * bounded in time, whose one result line is parsed back.
 *
 * @since 0.1.0
 */
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { distEntry } from "./entry.js"
import type { ContenderInput, RunResult } from "./protocol.js"
import { resultPrefix } from "./protocol.js"

/** Options of one run. @since 0.1.0 */
export interface RunOptions {
  /** Kill the child after this long. */
  readonly timeoutMillis: number
  /** Write a V8 CPU profile of the run into this directory. */
  readonly cpuProfileDir?: string | undefined
}

let emptyHome: string | undefined

/** An empty HOME, so that the SDK reads no `~/.genesyscloudjavascript/config`. @since 0.1.0 */
export const isolatedHome = (): string => {
  emptyHome ??= Fs.mkdtempSync(Path.join(Os.tmpdir(), "genesys-bench-home-"))
  return emptyHome
}

/** Removes the temporary HOME. @since 0.1.0 */
export const cleanup = (): void => {
  if (emptyHome !== undefined) Fs.rmSync(emptyHome, { recursive: true, force: true })
  emptyHome = undefined
}

/** Runs one contender in its own process and returns what it measured. @since 0.1.0 */
export const runContender = (input: ContenderInput, options: RunOptions): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const execArgv = ["--expose-gc"]
    if (options.cpuProfileDir !== undefined) execArgv.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`)
    const child = ChildProcess.spawn(
      process.execPath,
      [...execArgv, distEntry("contender.js"), JSON.stringify(input)],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, HOME: isolatedHome(), NODE_OPTIONS: "" }
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < 20_000) stderr += chunk
    })
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMillis)
    child.on("error", (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      const line = stdout.split("\n").find((l) => l.startsWith(resultPrefix))
      if (code === 0 && line !== undefined) {
        resolve(JSON.parse(line.slice(resultPrefix.length)) as RunResult)
      } else {
        reject(
          new Error(
            `${input.contender} ${input.task.kind} failed (${signal ?? `exit ${code}`}${
              signal === "SIGKILL" ? `, timeout ${options.timeoutMillis} ms?` : ""
            }): ${stderr.trim().slice(0, 2_000)}`
          )
        )
      }
    })
  })
