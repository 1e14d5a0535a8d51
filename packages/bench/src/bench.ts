/**
 * Runs the selected scenarios and assembles the results object (figures, machine, profile).
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Analysis from "./analysis.js"
import * as Checks from "./checks.js"
import * as CpuProfile from "./cpuProfile.js"
import * as Latency from "./latency.js"
import type { Results } from "./report.js"
import { cleanup } from "./runContender.js"
import * as Scenarios from "./scenarios.js"
import type { Settings } from "./settings.js"

/** Scenario numbers as in the issue. @since 0.1.0 */
export type ScenarioId = 1 | 2 | 3 | 4 | 5 | 6

/** @since 0.1.0 */
export const allScenarios: ReadonlyArray<ScenarioId> = [1, 2, 3, 4, 5, 6]

/** The scenarios of the main part of the report (scenario 6 has its own section). @since 0.4.0 */
export const mainScenarios: ReadonlyArray<ScenarioId> = [1, 2, 3, 4, 5]

/** What to run. @since 0.1.0 */
export interface BenchOptions {
  readonly settings: Settings
  readonly scenarios: ReadonlyArray<ScenarioId>
  readonly command: string
  /** Run the checks (`checks.ts`) before the scenarios. */
  readonly checks: boolean
}

const machine = (loadStart: number): Results["machine"] => ({
  nproc: Os.availableParallelism?.() ?? Os.cpus().length,
  cpuModel: Os.cpus()[0]?.model.trim() ?? "unknown",
  memoryGiB: Os.totalmem() / 2 ** 30,
  node: process.version,
  platform: `${Os.type()} ${Os.release()} ${Os.arch()}`,
  loadAverage: { start: loadStart, end: Os.loadavg()[0] ?? 0 }
})

/** Runs the scenarios one after the other and returns every figure. @since 0.1.0 */
export const run = async (options: BenchOptions): Promise<Results> => {
  const started = Date.now()
  const loadStart = Os.loadavg()[0] ?? 0
  const want = (id: ScenarioId) => options.scenarios.includes(id)
  const s = options.settings
  const profileRoot =
    s.profile && want(1) ? Fs.mkdtempSync(Path.join(Os.tmpdir(), "genesys-bench-profile-")) : undefined
  const profileDirs =
    profileRoot === undefined
      ? undefined
      : { ours: Path.join(profileRoot, "ours"), floor: Path.join(profileRoot, "floor") }
  try {
    const timed = async <A>(id: ScenarioId, body: () => Promise<A>): Promise<A | undefined> => {
      if (!want(id)) return undefined
      const t0 = Date.now()
      const result = await body()
      seconds[id] = Math.round((Date.now() - t0) / 1000)
      Scenarios.log(`scenario ${id} took ${seconds[id]} s`)
      return result
    }
    const seconds: Partial<Record<ScenarioId, number>> = {}
    // First, in this process and before any contender starts, so that nothing else competes for its heap and CPU.
    const checks = options.checks ? await Checks.run(s, Scenarios.log) : undefined
    const throughputData = await timed(1, () => Scenarios.throughput(s, profileDirs))
    const memoryData = await timed(2, () => Scenarios.memory(s))
    const rateData = await timed(3, () => Scenarios.rateLimit(s))
    const completionData = await timed(4, () => Scenarios.completion(s))
    const extractionData = await timed(5, () => Scenarios.extraction(s))
    const latencyData = await timed(6, () => Scenarios.latency(s))
    const oursProfile = profileDirs && CpuProfile.summarizeDirectory(profileDirs.ours)
    const floorProfile = profileDirs && CpuProfile.summarizeDirectory(profileDirs.floor)
    return {
      command: options.command,
      mode: s.mode,
      generatedAt: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      scenarioSeconds: seconds,
      machine: machine(loadStart),
      throughput: throughputData && Analysis.throughput(throughputData),
      memory: memoryData && Analysis.memory(memoryData),
      rateLimit: rateData && Analysis.rateLimit(rateData),
      completion: completionData && Analysis.completion(completionData),
      extraction: extractionData && Analysis.extraction(extractionData),
      latency:
        latencyData &&
        Latency.figures(latencyData, {
          command: options.command,
          mode: s.mode,
          generatedAt: new Date().toISOString(),
          loadAverage: { start: loadStart, end: Os.loadavg()[0] ?? 0 }
        }),
      checks,
      profile: oursProfile,
      floorProfile
    }
  } finally {
    if (profileRoot !== undefined) Fs.rmSync(profileRoot, { recursive: true, force: true })
    cleanup()
  }
}
