/**
 * Child process entry of the aggregates bench: runs one contender's flow (argument: a JSON
 * `AggregateContenderInput`) and prints its measured `AggregateRunResult` on one stdout line. Only the chosen
 * contender's code is imported; wall time, CPU time and RSS cover the flow (login included), after the imports.
 *
 * @since 0.3.0
 */
import * as Fs from "node:fs"
import type { AggregateContenderInput, AggregateOutcome, AggregateRunResult } from "./aggregatesProtocol.js"
import { aggregateResultPrefix } from "./aggregatesProtocol.js"

// `contender.ts` has the same helper, but importing it would run that entry's `main`.
const highWaterMark = (): number | undefined => {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(Fs.readFileSync("/proc/self/status", "utf8"))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

type Flow = (input: AggregateContenderInput) => Promise<AggregateOutcome>

const load = async (name: AggregateContenderInput["contender"]): Promise<Flow> => {
  switch (name) {
    case "ours":
      return (await import("./contenders/aggregatesOurs.js")).run
    case "sdk":
      return (await import("./contenders/aggregatesSdk.js")).run
    case "floor":
      return (await import("./contenders/aggregatesFloor.js")).run
  }
}

const main = async () => {
  const input = JSON.parse(process.argv[2] ?? "null") as AggregateContenderInput | null
  if (input === null) throw new Error("usage: aggregatesContender.js <AggregateContenderInput JSON>")
  const flow = await load(input.contender)
  ;(globalThis as { gc?: () => void }).gc?.()
  let sampledPeak = process.memoryUsage.rss()
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss()
    if (rss > sampledPeak) sampledPeak = rss
  }, input.sampleMillis)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const outcome = await flow(input)
  const wallMillis = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  clearInterval(sampler)
  const result: AggregateRunResult = {
    contender: input.contender,
    flow: input.task.flow,
    ...outcome,
    wallMillis,
    cpuUserMillis: cpu.user / 1000,
    cpuSystemMillis: cpu.system / 1000,
    peakRssBytes: highWaterMark() ?? Math.max(sampledPeak, process.memoryUsage.rss())
  }
  process.stdout.write(`${aggregateResultPrefix}${JSON.stringify(result)}\n`)
}

main().then(
  // Exit explicitly: an HTTP agent's idle keep-alive sockets must not hold the process open.
  () => process.exit(0),
  (error) => {
    console.error(
      `aggregates contender failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`
    )
    process.exit(1)
  }
)
