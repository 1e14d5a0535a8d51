/**
 * What the command runs first, the entry point of the bundle (`dist/bundle/start.js`, see `scripts/bundle.mjs`) and of
 * the unbundled build alike: the terminal guard, then fixed help text or the command.
 *
 * @internal
 */
import * as Help from "./help.js"
import * as SecretGuard from "./secretGuard.js"

// Before anything can print: no secret or token reaches the terminal, whatever text carries it.
SecretGuard.installTerminal()

// Help is fixed text. Printed before Effect and @effect/cli are loaded, it starts in the time of a bare `node`: their
// several hundred modules are most of every other command's start-up.
const help = Help.forArgs(process.argv.slice(2), process.stdout.isTTY === true)
if (help !== undefined) {
  process.stdout.write(help)
} else {
  const { main } = await import("./main.js")
  main(process.argv)
}
