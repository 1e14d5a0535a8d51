/** Argument parsing and help of the emulator command (`genesys-emulator`, `genesys-analytics emulator`). */
import type * as Server from "../../Server.js"

/** The help text of the command called `name` (`genesys-emulator`, `genesys-analytics emulator`). */
export const usage = (name: string): string => `usage: ${name} [options]

Serves the Genesys Cloud emulator on 127.0.0.1 and prints its base URL (one line on stdout) once listening.
It stops on Ctrl-C (SIGINT) or SIGTERM, when the process that started it exits, or when its standard input
is a pipe and is closed.

options (each also as --flag=value):
  --port <n>                      TCP port on 127.0.0.1, 0 to 65535 (default 0: a free one, printed)
                                  e.g. --port 8080
  --seed <n>                      seed of the generated data, >= 0 (default 1); e.g. --seed 42
  --days <n>                      days of data before today, plus today so far, >= 1 (default 7)
                                  e.g. --days 30
  --per-day <n>                   average conversations per day, >= 1 (default 200); e.g. --per-day 500
  --client-id <id>                OAuth client id accepted (default emulator-client)
  --client-secret <s>             its secret (default emulator-secret)
  --faults <file.json>            fault profile in force from the start (default none); e.g. --faults faults.json
  --rate-limit <count>/<seconds>  per-token request budget and window, each >= 1 (default 300/60); e.g. 60/10
  --latency-median-ms <n>         delay every request (token included) by a seeded log-normal draw with this
                                  median in ms, >= 1 (default none); e.g. --latency-median-ms 150
  --latency-p99-ms <n>            with --latency-median-ms: its 99th percentile in ms, >= the median
                                  (default 4 times the median); e.g. --latency-p99-ms 600
  --cache-mb <n>                  MiB of serialised job results kept for re-reads, >= 0 (default 256; 0: off)
  --no-read-ahead                 do not build the next results page while the client reads the current one
  --aggregate-store               compute every conversation's metric facts at start and answer unfiltered aggregate
                                  queries (grouped by nothing or mediaType) from them, as the platform's store does
  --live                          live mode: conversations keep arriving, open ones end later, some are restated,
                                  the availability date advances in steps and is announced on the notifications
                                  WebSocket (ws://127.0.0.1:<port>/channels/<id>)
  --speed <n>                     with --live: emulated time runs n times real time, n > 0 (default 1); e.g. 60
  --step-minutes <n>              with --live: availability step in emulated minutes, >= 1 (default 60)
  -h, --help                      this text

exit codes: 0 stopped (signal, parent gone, stdin closed) or help shown; 2 bad arguments, unreadable fault
profile or port in use.`

export type Parsed =
  | { readonly _tag: "Help" }
  | { readonly _tag: "Invalid"; readonly message: string }
  | { readonly _tag: "Ok"; readonly options: Server.Options & { readonly faultsFile?: string } }

const integer = (flag: string, text: string | undefined, min: number): number | string => {
  if (text === undefined || !/^\d+$/.test(text)) return `${flag} needs a whole number`
  const n = Number(text)
  return n < min || !Number.isSafeInteger(n) ? `${flag} must be at least ${min}` : n
}

export const parseArgs = (argv: ReadonlyArray<string>): Parsed => {
  const options: {
    port?: number
    seed?: number
    days?: number
    perDay?: number
    clientId?: string
    clientSecret?: string
    faultsFile?: string
    rateLimit?: { count: number; windowSeconds: number }
    latency?: { medianMillis: number; p99Millis: number }
    cacheBytes?: number
    readAhead?: boolean
    aggregateStore?: boolean
    live?: { speed?: number; availabilityStepMillis?: number }
  } = {}
  let live = false
  let latencyMedian: number | undefined
  let latencyP99: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const eq = arg.indexOf("=")
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined
    const value = () => inline ?? argv[++i]
    switch (flag) {
      case "-h":
      case "--help":
        return { _tag: "Help" }
      case "--port": {
        const n = integer(flag, value(), 0)
        if (typeof n === "string") return { _tag: "Invalid", message: n }
        if (n > 65535) return { _tag: "Invalid", message: "--port must be at most 65535" }
        options.port = n
        break
      }
      case "--seed":
      case "--days":
      case "--per-day": {
        const n = integer(flag, value(), flag === "--seed" ? 0 : 1)
        if (typeof n === "string") return { _tag: "Invalid", message: n }
        if (flag === "--seed") options.seed = n
        else if (flag === "--days") options.days = n
        else options.perDay = n
        break
      }
      case "--client-id":
      case "--client-secret":
      case "--faults": {
        const v = value()
        if (v === undefined || v === "") return { _tag: "Invalid", message: `${flag} needs a value` }
        if (flag === "--client-id") options.clientId = v
        else if (flag === "--client-secret") options.clientSecret = v
        else options.faultsFile = v
        break
      }
      case "--latency-median-ms":
      case "--latency-p99-ms": {
        const n = integer(flag, value(), 1)
        if (typeof n === "string") return { _tag: "Invalid", message: n }
        if (flag === "--latency-median-ms") latencyMedian = n
        else latencyP99 = n
        break
      }
      case "--cache-mb": {
        const n = integer(flag, value(), 0)
        if (typeof n === "string") return { _tag: "Invalid", message: n }
        options.cacheBytes = n * 1024 * 1024
        break
      }
      case "--no-read-ahead":
        if (inline !== undefined) return { _tag: "Invalid", message: `${flag} takes no value` }
        options.readAhead = false
        break
      case "--aggregate-store":
        if (inline !== undefined) return { _tag: "Invalid", message: `${flag} takes no value` }
        options.aggregateStore = true
        break
      case "--live":
        if (inline !== undefined) return { _tag: "Invalid", message: `${flag} takes no value` }
        live = true
        break
      case "--speed": {
        const text = value()
        const n = Number(text)
        if (text === undefined || !/^\d+(\.\d+)?$/.test(text) || !(n > 0)) {
          return { _tag: "Invalid", message: "--speed needs a number > 0, e.g. 60" }
        }
        options.live = { ...options.live, speed: n }
        break
      }
      case "--step-minutes": {
        const n = integer(flag, value(), 1)
        if (typeof n === "string") return { _tag: "Invalid", message: n }
        options.live = { ...options.live, availabilityStepMillis: n * 60_000 }
        break
      }
      case "--rate-limit": {
        const m = /^(\d+)\/(\d+)$/.exec(value() ?? "")
        if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) {
          return { _tag: "Invalid", message: "--rate-limit needs <count>/<seconds>, e.g. 300/60" }
        }
        options.rateLimit = { count: Number(m[1]), windowSeconds: Number(m[2]) }
        break
      }
      default:
        return { _tag: "Invalid", message: `unknown argument ${arg}` }
    }
  }
  if (options.live !== undefined && !live) return { _tag: "Invalid", message: "--speed and --step-minutes need --live" }
  if (live) options.live ??= {}
  if (latencyP99 !== undefined && latencyMedian === undefined) {
    return { _tag: "Invalid", message: "--latency-p99-ms needs --latency-median-ms" }
  }
  if (latencyMedian !== undefined) {
    const p99Millis = latencyP99 ?? latencyMedian * 4
    if (p99Millis < latencyMedian) {
      return { _tag: "Invalid", message: "--latency-p99-ms must be at least --latency-median-ms" }
    }
    options.latency = { medianMillis: latencyMedian, p99Millis }
  }
  return { _tag: "Ok", options }
}
