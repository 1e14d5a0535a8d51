#!/usr/bin/env node
/**
 * `genesys-emulator --port <n> [--seed <n>] [--days <n>] [--per-day <n>] [--client-id <id>]
 * [--client-secret <s>] [--faults <file.json>] [--rate-limit <count>/<seconds>]`
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

const usage = `usage: genesys-emulator --port <n> [--seed <n>] [--days <n>] [--per-day <n>] [--client-id <id>]
                        [--client-secret <s>] [--faults <file.json>] [--rate-limit <count>/<seconds>]`

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
