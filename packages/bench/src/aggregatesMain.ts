/**
 * `npm run bench:aggregates [-- --quick] [--rounds n] [--per-day n] [--no-write]`
 *
 * Runs the aggregates bench (`aggregates.ts`) and writes its section of `docs/benchmarks.md` (between its markers,
 * replacing the previous one, else appended; the rest of the file is kept). `--quick` is a one-week smoke run and
 * writes nothing; `--no-write` prints the section only. The section goes to stdout either way.
 *
 * @since 0.3.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as Aggregates from "./aggregates.js"
import { cleanup } from "./runContender.js"
import { log } from "./scenarios.js"

const usage = "usage: npm run bench:aggregates [-- --quick] [--rounds <n>] [--per-day <n>] [--no-write]"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

interface Args {
  readonly settings: Aggregates.AggregateSettings
  readonly write: boolean
}

const parse = (argv: ReadonlyArray<string>): Args | string => {
  let quick = false
  let write = true
  let rounds: number | undefined
  let perDay: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    switch (arg) {
      case "--quick":
        quick = true
        break
      case "--no-write":
        write = false
        break
      case "--rounds": {
        const n = Number(argv[++i])
        if (!Number.isInteger(n) || n < 1 || n > 20) return "--rounds takes a whole number from 1 to 20"
        rounds = n
        break
      }
      case "--per-day": {
        const n = Number(argv[++i])
        if (!Number.isInteger(n) || n < 1 || n > 10_000) return "--per-day takes a whole number from 1 to 10000"
        perDay = n
        break
      }
      case "-h":
      case "--help":
        return usage
      default:
        return `unknown argument ${arg}\n${usage}`
    }
  }
  const base = quick ? Aggregates.quick : Aggregates.full
  return {
    settings: { ...base, ...(rounds === undefined ? {} : { rounds }), ...(perDay === undefined ? {} : { perDay }) },
    write: write && !quick
  }
}

/** `text` with the section between the markers replaced by `section`, or `section` appended. @since 0.3.0 */
export const withSection = (text: string, section: string): string => {
  const start = text.indexOf(Aggregates.sectionStart)
  const end = text.indexOf(Aggregates.sectionEnd)
  if (start >= 0 && end > start) {
    const after = text.slice(end + Aggregates.sectionEnd.length).replace(/^\n/, "")
    return `${text.slice(0, start)}${section}${after}`
  }
  return `${text.replace(/\n*$/, "\n")}\n${section}`
}

const main = async () => {
  const argv = process.argv.slice(2)
  const args = parse(argv)
  if (typeof args === "string") {
    console.error(args)
    process.exitCode = args === usage ? 0 : 2
    return
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      Aggregates.killChildren()
      cleanup()
      process.exit(130)
    })
  }
  process.once("exit", Aggregates.killChildren)
  const command = `npm run bench:aggregates${argv.length > 0 ? ` -- ${argv.join(" ")}` : ""}`
  try {
    const results = await Aggregates.run(args.settings, command)
    const section = Aggregates.markdown(results)
    if (args.write) {
      const mdPath = Path.join(root, "docs", "benchmarks.md")
      const current = Fs.existsSync(mdPath) ? Fs.readFileSync(mdPath, "utf8") : ""
      Fs.writeFileSync(mdPath, withSection(current, section))
      log(`wrote the aggregates section of ${mdPath}`)
    }
    process.stdout.write(section)
  } finally {
    cleanup()
  }
}

main().catch((error) => {
  console.error(`aggregates bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exitCode = 1
})
