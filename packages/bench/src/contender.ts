/**
 * Child process entry: runs one contender's flow (argument: a JSON `ContenderInput`) and prints its measured
 * `RunResult` on one stdout line. Only the chosen contender's code is imported, so each process pays for its
 * own dependencies alone; wall time, CPU time and RSS cover the flow, after the imports.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import type { ContenderInput, Outcome, RunResult, Task } from "./protocol.js"
import { resultPrefix } from "./protocol.js"
import { median } from "./stats.js"

type Flow = (input: ContenderInput) => Promise<Outcome>

const load = async (name: ContenderInput["contender"]): Promise<Flow> => {
  switch (name) {
    case "ours":
      return (await import("./contenders/ours.js")).run
    case "sdk":
      return (await import("./contenders/sdk.js")).run
    case "floor":
      return (await import("./contenders/floor.js")).run
  }
}

/** `VmHWM` (peak resident set) from /proc/self/status, in bytes; undefined off Linux. @since 0.1.0 */
export const highWaterMark = (): number | undefined => {
  try {
    const status = Fs.readFileSync("/proc/self/status", "utf8")
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status)
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

const describe = (task: Task) => `${task.kind} ${"interval" in task ? task.interval : task.intervals.join(",")}`

const main = async () => {
  const input = JSON.parse(process.argv[2] ?? "null") as ContenderInput | null
  if (input === null) throw new Error("usage: contender.js <ContenderInput JSON>")
  const flow = await load(input.contender)
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const baselineRssBytes = process.memoryUsage.rss()
  let sampledPeak = baselineRssBytes
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > sampledPeak) sampledPeak = rss
  }, input.sampleMillis)
  let liveHeap = 0
  const liveHeapSamples: Array<number> = []
  const collector =
    input.gcSampleMillis === undefined || gc === undefined
      ? undefined
      : setInterval(() => {
          gc()
          const used = process.memoryUsage().heapUsed
          liveHeapSamples.push(used)
          if (used > liveHeap) liveHeap = used
        }, input.gcSampleMillis)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const outcome = await flow(input)
  const wallMillis = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  if (collector !== undefined) clearInterval(collector)
  const end = process.memoryUsage.rss()
  if (end > sampledPeak) sampledPeak = end
  const result: RunResult = {
    contender: input.contender,
    ...outcome,
    wallMillis,
    cpuUserMillis: cpu.user / 1000,
    cpuSystemMillis: cpu.system / 1000,
    baselineRssBytes,
    peakRssBytes: highWaterMark() ?? sampledPeak,
    sampledPeakRssBytes: sampledPeak,
    ...(collector === undefined ? {} : { peakLiveHeapBytes: liveHeap, medianLiveHeapBytes: median(liveHeapSamples) })
  }
  process.stdout.write(`${resultPrefix}${JSON.stringify(result)}\n`)
}

main().then(
  // Exit explicitly: an HTTP agent's idle keep-alive sockets must not hold the process open.
  () => process.exit(0),
  (error) => {
    const input = process.argv[2] ?? ""
    let what = ""
    try {
      what = describe((JSON.parse(input) as ContenderInput).task)
    } catch {}
    // `fetch` reports a network failure as "fetch failed" with the socket error as its cause.
    const cause = error instanceof Error && error.cause !== undefined ? `\ncaused by: ${String(error.cause)}` : ""
    console.error(
      `contender failed (${what}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}`
    )
    process.exit(1)
  }
)
