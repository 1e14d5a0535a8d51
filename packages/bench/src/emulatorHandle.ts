/**
 * Parent side of an emulator child process: start it, ask it for ground truth and its request log, stop it.
 *
 * @since 0.1.0
 */
import * as ChildProcess from "node:child_process"
import type * as Server from "@effect-genesys/emulator/Server"
import { distEntry } from "./entry.js"
import type { Ready } from "./emulatorProcess.js"
import type { RecordedRequest, Truth } from "./protocol.js"

/** A running emulator child. @since 0.1.0 */
export interface EmulatorHandle {
  readonly url: string
  readonly size: number
  readonly spanStartMillis: number
  readonly spanEndMillis: number
  readonly truthJob: (interval: string) => Promise<Truth>
  /** Count and checksum of every conversation of the dataset. */
  readonly truthAll: () => Promise<Truth>
  readonly requests: () => Promise<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: () => Promise<void>
  /** CPU time the emulator process has used so far, in milliseconds. */
  readonly cpuMillis: () => Promise<number>
  readonly stop: () => Promise<void>
}

/** Longest wait for the child to start listening. @since 0.1.0 */
export const startTimeoutMillis = 30_000

/** Forks an emulator child with `options` and waits until it listens. @since 0.1.0 */
export const start = (options: Server.Options): Promise<EmulatorHandle> =>
  new Promise((resolve, reject) => {
    // A larger young generation makes the generator, which allocates heavily, markedly cheaper.
    const child = ChildProcess.fork(distEntry("emulatorProcess.js"), [JSON.stringify(options)], {
      execArgv: ["--max-semi-space-size=64"],
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    let nextId = 1
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
    let exited = false
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error("emulator child did not start in time"))
    }, startTimeoutMillis)
    const call = <A>(op: string, extra: Record<string, unknown> = {}): Promise<A> =>
      new Promise<A>((res, rej) => {
        if (exited) return rej(new Error("emulator child has exited"))
        const id = nextId++
        pending.set(id, { resolve: res as (v: unknown) => void, reject: rej })
        child.send({ id, op, ...extra })
      })
    child.on("exit", (code) => {
      exited = true
      clearTimeout(timer)
      for (const p of pending.values()) p.reject(new Error(`emulator child exited (${code})`))
      pending.clear()
      reject(new Error(`emulator child exited before it was ready (${code})`))
    })
    child.on("message", (raw) => {
      const message = raw as Ready | { id: number; ok: boolean; value?: unknown; error?: string }
      if ("type" in message && message.type === "ready") {
        clearTimeout(timer)
        resolve({
          url: message.url,
          size: message.size,
          spanStartMillis: message.spanStartMillis,
          spanEndMillis: message.spanEndMillis,
          truthJob: (interval) => call<Truth>("truthJob", { query: { interval } }),
          truthAll: () => call<Truth>("truthAll"),
          requests: () => call<ReadonlyArray<RecordedRequest>>("requests"),
          clearRequests: () => call<void>("clearRequests"),
          cpuMillis: () => call<{ user: number; system: number }>("cpu").then((cpu) => (cpu.user + cpu.system) / 1000),
          stop: () =>
            new Promise<void>((res) => {
              if (exited) return res()
              child.once("exit", () => res())
              call("stop").catch(() => undefined)
              // Bounded: a child that does not stop in time is killed.
              setTimeout(() => child.kill("SIGKILL"), 5_000).unref()
            })
        })
        return
      }
      const answer = message as { id: number; ok: boolean; value?: unknown; error?: string }
      const waiter = pending.get(answer.id)
      if (waiter === undefined) return
      pending.delete(answer.id)
      if (answer.ok) waiter.resolve(answer.value)
      else waiter.reject(new Error(answer.error ?? "emulator command failed"))
    })
  })
