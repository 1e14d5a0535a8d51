/** Argument parsing of the `genesys-emulator` bin (kept apart from bin.ts so it can be tested). */
import type * as Server from "../../Server.js"

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
    cacheBytes?: number
    readAhead?: boolean
  } = {}
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
  if (options.port === undefined) return { _tag: "Invalid", message: "--port is required (0 picks a free port)" }
  return { _tag: "Ok", options }
}
