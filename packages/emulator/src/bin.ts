#!/usr/bin/env node
/**
 * `genesys-emulator --port <n> [--seed <n>] [--days <n>] [--per-day <n>] [--client-id <id>]
 * [--client-secret <s>] [--faults <file.json>] [--rate-limit <count>/<seconds>] [--cache-mb <n>]
 * [--no-read-ahead]`
 *
 * Serves the emulator on 127.0.0.1, prints its base URL once listening, stops on SIGINT/SIGTERM.
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Faults from "./Faults.js"
import { parseArgs } from "./internal/http/cli.js"
import * as Server from "./Server.js"

const usage = `usage: genesys-emulator --port <n> [options]

  --port <n>                      TCP port on 127.0.0.1 (required; 0 picks a free one)
  --seed <n>                      seed of the generated data (default 1)
  --days <n>                      days of data, ending at today's UTC midnight (default 7)
  --per-day <n>                   average conversations per day (default 200)
  --client-id <id>                OAuth client id accepted (default emulator-client)
  --client-secret <s>             its secret (default emulator-secret)
  --faults <file.json>            fault profile in force from the start
  --rate-limit <count>/<seconds>  per-token request budget and window (default 300/60)
  --cache-mb <n>                  MiB of serialised job-result conversations kept for re-reads (default 256; 0: off)
  --no-read-ahead                 do not build the next results page while the client reads the current one`

const main = Effect.gen(function* () {
  const parsed = parseArgs(process.argv.slice(2))
  if (parsed._tag === "Help") {
    yield* Console.log(usage)
    return
  }
  if (parsed._tag === "Invalid") {
    yield* Console.error(`genesys-emulator: ${parsed.message}\n${usage}`)
    process.exitCode = 2
    return
  }
  const { faultsFile, ...options } = parsed.options
  const faults =
    faultsFile === undefined
      ? undefined
      : yield* Effect.try({
          try: () => Fs.readFileSync(faultsFile, "utf8"),
          catch: (e) => new Error(`cannot read ${faultsFile}: ${String(e)}`)
        }).pipe(Effect.flatMap(Faults.fromJson))
  const running = yield* Server.start(faults === undefined ? options : { ...options, faults })
  yield* Console.log(running.url)
  return yield* Effect.never
})

NodeRuntime.runMain(Effect.scoped(main), { disablePrettyLogger: true })
