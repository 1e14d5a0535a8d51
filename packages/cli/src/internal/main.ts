/**
 * The command run on the Node runtime, for `bin.ts` once it knows the command line needs more than help text.
 *
 * @internal
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "../Cli.js"
import * as Telemetry from "./telemetry.js"

/** Runs the command of `argv` (`process.argv` shape) and exits with its code. @internal */
export const main = (argv: ReadonlyArray<string>): void => {
  // The runtime interrupts the command on both signals; the exit code says which one it was.
  let terminated = false
  process.once("SIGTERM", () => {
    terminated = true
  })

  NodeRuntime.runMain(
    Cli.run(argv).pipe(
      // OTLP export of traces and metrics when OTEL_EXPORTER_OTLP_ENDPOINT is set, flushed when the command ends.
      Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, Telemetry.layer))
    ),
    {
      disableErrorReporting: true,
      disablePrettyLogger: true,
      teardown: (exit, onExit) => {
        const code: number = Exit.isSuccess(exit)
          ? (exit.value as number)
          : Cause.isInterruptedOnly(exit.cause)
            ? // A command stopped by a signal as designed (the emulator) has set 0.
              process.exitCode === 0
              ? 0
              : terminated
                ? Cli.ExitCode.terminated
                : Cli.ExitCode.interrupted
            : Cli.ExitCode.failed
        process.exitCode = code
        onExit(code)
      }
    }
  )
}
