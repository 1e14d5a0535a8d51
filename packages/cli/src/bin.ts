#!/usr/bin/env node
/**
 * `genesys-analytics`: see docs/cli.md. Exit codes: 0 done, 1 a check failed or an internal error, 2 usage or
 * invalid query, 3 authentication, 4 partial or failed extraction, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
 *
 * @since 0.1.0
 */
import * as Help from "./internal/help.js"
import * as SecretGuard from "./internal/secretGuard.js"

// Before anything can print: no secret or token reaches the terminal, whatever text carries it.
SecretGuard.installTerminal()

// Help is fixed text. Printed before Effect and @effect/cli are loaded, it starts in the time of a bare `node`: their
// several hundred modules are most of every other command's start-up.
const help = Help.forArgs(process.argv.slice(2), process.stdout.isTTY === true)
if (help !== undefined) {
  process.stdout.write(help)
} else {
  const { main } = await import("./internal/main.js")
  main(process.argv)
}
