/**
 * `node packages/bench/dist/latencyAlone.js [--variants ours,sdk-best-effort,...] [--reps n] [--days d] [--cpu-prof-dir d] [--transport node|fetch] [--first-requests n]`: scenario 6's
 * variants (ours alone by default) against their own emulators with the scenario's options, all of one round at the
 * same time, each printed as a timeline (`latencyTimeline.ts`) beside the bound. Run alone on a quiet machine, ours
 * shows its own wall against the bound, without the other variants' CPU; listing every variant reproduces the
 * scenario's contention. Writes nothing.
 *
 * @since 0.4.0
 */
import * as Os from "node:os"
import * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import type * as Server from "@effect-genesys/emulator/Server"
import * as Emulator from "./emulatorHandle.js"
import * as Latency from "./latency.js"
import * as Timeline from "./latencyTimeline.js"
import type { ContenderName, LatencyTask } from "./protocol.js"
import { cleanup, runContender } from "./runContender.js"
import * as Settings from "./settings.js"
import { spanInterval, startDate } from "./scenarios.js"

type Variant = "ours" | "sdk-loop" | "sdk-best-effort" | "floor-best-effort"

const variants: Record<Variant, { readonly contender: ContenderName; readonly jobs: (best: number) => number }> = {
  ours: { contender: "ours", jobs: () => 0 },
  "sdk-loop": { contender: "sdk", jobs: () => 1 },
  "sdk-best-effort": { contender: "sdk", jobs: (best) => best },
  "floor-best-effort": { contender: "floor", jobs: (best) => best }
}

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name)
  return i < 0 ? undefined : process.argv[i + 1]
}

const main = async () => {
  const settings = Settings.full
  const s = settings.latency
  const chosen = (arg("--variants") ?? "ours").split(",") as ReadonlyArray<Variant>
  for (const v of chosen) if (!(v in variants)) throw new Error(`unknown variant ${v}`)
  const reps = Number(arg("--reps") ?? "1")
  const days = Number(arg("--days") ?? s.days)
  const profileDir = arg("--cpu-prof-dir")
  const transport = arg("--transport") as "fetch" | "node" | undefined
  const firstRequests = Number(arg("--first-requests") ?? "0")
  const { maxConcurrent, queueMillis, runMillis, runMillisPerConversation } = EmulatorOptions.defaultJobs
  const jobs = { queueMillis, runMillis, runMillisPerConversation, maxConcurrent }
  const latency = { medianMillis: s.medianMillis, p99Millis: s.p99Millis }
  // The options of scenario 6 (`scenarios.ts`).
  const options: Server.Options = {
    seed: settings.seed,
    days,
    perDay: s.perDay,
    startDate: startDate(days),
    clientId: "bench-client",
    clientSecret: "bench-secret",
    recordLimit: 1_000_000,
    rateLimit: { count: s.count, windowSeconds: s.windowSeconds },
    latency,
    jobs,
    cacheBytes: settings.emulatorCacheBytes,
    aggregateStore: true
  }
  const endpoint = (url: string) => ({ url, clientId: "bench-client", clientSecret: "bench-secret" })
  const probe = await Emulator.start(options)
  const interval = spanInterval(probe)
  const truth = await probe.truthAll()
  await probe.stop()
  const bound = Latency.bound({
    conversations: truth.count,
    jobs,
    latency,
    pageSize: s.pageSize,
    count: s.count,
    windowSeconds: s.windowSeconds
  })
  process.stdout.write(
    `${days} days, ${truth.count} conversations; bound ${bound.seconds} s (jobs ${bound.jobSeconds} s + round trips ${bound.latencySeconds} s)\n`
  )
  for (let rep = 0; rep < reps; rep++) {
    const load0 = Os.loadavg()[0]!
    const emulators = await Promise.all(chosen.map(() => Emulator.start(options)))
    try {
      const results = await Promise.all(
        chosen.map(async (v, i) => {
          const emulator = emulators[i]!
          const task: LatencyTask = {
            kind: "latency",
            interval,
            jobs: variants[v].jobs(s.bestEffortJobs),
            pageSize: s.pageSize,
            pollMillis: settings.pollMillis
          }
          const cpu0 = await emulator.cpuMillis()
          const result = await runContender(
            {
              contender: variants[v].contender,
              endpoint: endpoint(emulator.url),
              task,
              sampleMillis: 50,
              ...(transport !== undefined ? { transport } : {})
            },
            {
              timeoutMillis: settings.runTimeoutMillis,
              ...(profileDir !== undefined ? { cpuProfileDir: profileDir } : {})
            }
          )
          const emulatorCpu = (await emulator.cpuMillis()) - cpu0
          const requests = await emulator.requests()
          if (result.conversations !== truth.count || result.checksum !== truth.checksum) {
            throw new Error(`${v}: ${result.conversations} conversations, expected ${truth.count}`)
          }
          // Ours reports each job's window's conversations; the hand loops report each job's completionDate.
          const info = new Map(
            result.jobs.map((j) => [
              j.jobId,
              v === "ours"
                ? { conversations: j.conversations }
                : {
                    completedAtMillis: j.completionDate === undefined ? undefined : Date.parse(j.completionDate),
                    conversations: v === "sdk-loop" ? truth.count : undefined
                  }
            ])
          )
          const line = Timeline.timeline(requests, jobs, (jobId) => info.get(jobId) ?? {})
          const start = requests[0]?.atMillis ?? 0
          const first = requests
            .slice(0, firstRequests)
            .map((r) => `${((r.atMillis - start) / 1000).toFixed(3)} ${r.status} ${r.method} ${r.path}`)
          return { v, result, emulatorCpu, line, first }
        })
      )
      const load1 = Os.loadavg()[0]!
      for (const { emulatorCpu, first, line, result, v } of results) {
        const wall = result.wallMillis / 1000
        process.stdout.write(
          `\n== round ${rep + 1}, ${v}: wall ${wall.toFixed(2)} s = ${(wall / bound.seconds).toFixed(2)}x the bound; ` +
            `CPU ${((result.cpuUserMillis + result.cpuSystemMillis) / 1000).toFixed(2)} s, its emulator's ${(emulatorCpu / 1000).toFixed(2)} s; ` +
            `load ${load0.toFixed(2)} -> ${load1.toFixed(2)}${result.plan === undefined ? "" : `; plan ${JSON.stringify(result.plan)}`}\n` +
            `${Timeline.format(line)}\n`
        )
        if (first.length > 0)
          process.stdout.write(`first requests (s after the first, status, method, path):\n${first.join("\n")}\n`)
      }
    } finally {
      await Promise.all(emulators.map((e) => e.stop()))
    }
  }
  cleanup()
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error))
    process.exit(1)
  }
)
