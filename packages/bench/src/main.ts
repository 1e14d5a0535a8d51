/**
 * `npm run bench [-- --quick] [--only 1,3] [--no-profile] [--no-checks] [--reps n] [--out dir]`, or `npm run bench -- --render`
 *
 * The full run writes `docs/benchmarks.md` and `bench-results.json` at the repository root; `--quick` writes
 * nothing unless `--out` names a directory, so a smoke run never replaces the published figures. `--render`
 * runs nothing: it writes `docs/benchmarks.md` again from `bench-results.json` (after an edit of the template).
 * Marked sections other benches wrote are kept. Scenario 6 has its own marked section: a run of scenario 6 alone
 * (`--only 6`) replaces that section and the `latency` figures of `bench-results.json`, and nothing else (no checks).
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Bench from "./bench.js"
import * as Latency from "./latency.js"
import * as Report from "./report.js"
import { log } from "./scenarios.js"
import * as Sections from "./sections.js"
import * as Settings from "./settings.js"

const usage =
  "usage: npm run bench [-- --quick] [--only 1,2,3,4,5,6] [--no-profile] [--no-checks] [--reps <n>] [--out <dir>] | npm run bench -- --render"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

const readIfAny = (path: string): string | undefined =>
  Fs.existsSync(path) ? Fs.readFileSync(path, "utf8") : undefined

interface Args {
  readonly quick: boolean
  readonly only: ReadonlyArray<Bench.ScenarioId>
  readonly profile: boolean
  readonly checks: boolean
  readonly reps: number | undefined
  readonly out: string | undefined
  readonly render: boolean
}

const parse = (argv: ReadonlyArray<string>): Args | string => {
  let quick = false
  let only: ReadonlyArray<Bench.ScenarioId> = Bench.allScenarios
  let profile = true
  let checks = true
  let reps: number | undefined
  let out: string | undefined
  let render = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    switch (arg) {
      case "--quick":
        quick = true
        break
      case "--no-profile":
        profile = false
        break
      case "--no-checks":
        checks = false
        break
      case "--render":
        render = true
        break
      case "--only": {
        const ids = (argv[++i] ?? "").split(",").map(Number)
        if (ids.length === 0 || ids.some((n) => !Bench.allScenarios.includes(n as Bench.ScenarioId))) {
          return "--only takes scenario numbers 1-6, e.g. --only 1,3"
        }
        only = ids as ReadonlyArray<Bench.ScenarioId>
        break
      }
      case "--reps":
      case "--rounds": {
        const n = Number(argv[++i])
        if (!Number.isInteger(n) || n < 1 || n > 50) return `${arg} takes a whole number from 1 to 50`
        reps = n
        break
      }
      case "--out": {
        const dir = argv[++i]
        if (dir === undefined || dir === "") return "--out needs a directory"
        out = dir
        break
      }
      case "-h":
      case "--help":
        return usage
      default:
        return `unknown argument ${arg}\n${usage}`
    }
  }
  if (render && argv.length > 1) return `--render takes no other argument\n${usage}`
  return { quick, only, profile, checks, reps, out, render }
}

const withReps = (s: Settings.Settings, reps: number | undefined): Settings.Settings =>
  reps === undefined
    ? s
    : {
        ...s,
        throughput: { ...s.throughput, reps },
        memory: { ...s.memory, reps },
        rateLimit: { ...s.rateLimit, reps },
        completion: { ...s.completion, reps },
        extraction: { ...s.extraction, reps },
        latency: { ...s.latency, reps }
      }

const hasMainPart = (results: Report.Results) =>
  [results.throughput, results.memory, results.rateLimit, results.completion, results.extraction].some(
    (x) => x !== undefined
  )

/**
 * The document for `results` over the `previous` one: the main part regenerated when the run has any of scenarios
 * 1-5 (else the previous text as it is), every marked section of `previous` kept, scenario 6's replaced when the
 * results have it.
 */
const document = (results: Report.Results, previous: string | undefined): string => {
  const md = hasMainPart(results) ? Sections.keepMarked(Report.markdown(results), previous) : (previous ?? "")
  return results.latency === undefined
    ? md
    : Sections.replaceBlock(md, Latency.sectionBegin, Latency.sectionEnd, Latency.section(results.latency))
}

/** `results` with what the run left out taken from `previous`: scenario 6, or all but scenario 6. */
const merged = (results: Report.Results, previous: Report.Results | undefined): Report.Results =>
  previous === undefined
    ? results
    : hasMainPart(results)
      ? { ...results, latency: results.latency ?? previous.latency }
      : { ...previous, latency: results.latency ?? previous.latency }

const main = async () => {
  const argv = process.argv.slice(2)
  const args = parse(argv)
  if (typeof args === "string") {
    console.error(args)
    process.exitCode = args === usage ? 0 : 2
    return
  }
  if (args.render) {
    const results = JSON.parse(Fs.readFileSync(Path.join(root, "bench-results.json"), "utf8")) as Report.Results
    const mdPath = Path.join(root, "docs", "benchmarks.md")
    Fs.writeFileSync(mdPath, document(results, readIfAny(mdPath)))
    log(`wrote ${mdPath} from bench-results.json`)
    return
  }
  const base = args.quick ? Settings.quick : Settings.full
  const settings = withReps({ ...base, profile: base.profile && args.profile }, args.reps)
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`
  log(`${settings.mode} run of scenarios ${args.only.join(", ")}`)
  // The checks belong to the main part: a run of scenario 6 alone skips them.
  const checks = args.checks && args.only.some((id) => Bench.mainScenarios.includes(id))
  const results = await Bench.run({ settings, scenarios: args.only, command, checks })
  const outDir = args.out ?? (args.quick ? undefined : root)
  const jsonPath = Path.join(outDir ?? root, "bench-results.json")
  const mdPath =
    args.out === undefined ? Path.join(root, "docs", "benchmarks.md") : Path.join(args.out, "benchmarks.md")
  const previousMd = readIfAny(mdPath)
  const md = document(results, previousMd)
  if (outDir !== undefined) {
    const previousJson = readIfAny(jsonPath)
    const json = merged(results, previousJson === undefined ? undefined : (JSON.parse(previousJson) as Report.Results))
    Fs.mkdirSync(Path.dirname(mdPath), { recursive: true })
    Fs.writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`)
    Fs.writeFileSync(mdPath, md)
    log(`wrote ${jsonPath} and ${mdPath}`)
  }
  // Printed: the whole document, or scenario 6's section alone when that is all the run made.
  process.stdout.write(hasMainPart(results) || results.latency === undefined ? md : Latency.section(results.latency))
  const failed = (results.checks ?? []).filter((c) => !c.passed)
  if (failed.length > 0) {
    console.error(`bench: ${failed.length} check(s) failed: ${failed.map((c) => c.name).join("; ")}`)
    process.exitCode = 1
  }
}

main().catch((error) => {
  console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
