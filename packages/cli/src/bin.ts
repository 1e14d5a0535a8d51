#!/usr/bin/env node
/**
 * `genesys-analytics`: see docs/cli.md. Exit codes: 0 done, 1 a check failed or an internal error, 2 usage or
 * invalid query, 3 authentication, 4 partial or failed extraction, 130 interrupted (SIGINT), 143 terminated (SIGTERM).
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "./Cli.js"
import * as SecretGuard from "./internal/secretGuard.js"
import * as Telemetry from "./internal/telemetry.js"

// Before anything can print: no secret or token reaches the terminal, whatever text carries it.
SecretGuard.installTerminal()

// The runtime interrupts the command on both signals; the exit code says which one it was.
let terminated = false
process.once("SIGTERM", () => {
  terminated = true
})

NodeRuntime.runMain(
  Cli.run(process.argv).pipe(
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
