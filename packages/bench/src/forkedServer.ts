/**
 * The start of an emulator server in a child process forked by a bench: options as JSON in `argv[2]`, 127.0.0.1, a
 * scope closed (and the process ended) by `stop` or when the parent goes away, and messages to the parent over IPC.
 *
 * @since 0.5.0
 */
import * as Server from "@effect-genesys/emulator/Server"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

/** Sends `message` to the parent; resolves once it is written (at once without an IPC channel). @since 0.5.0 */
export const send = (message: unknown): Promise<void> =>
  new Promise<void>((resolve) => {
    if (process.send === undefined) return resolve()
    process.send(message, undefined, undefined, () => resolve())
  })

/** Starts the server of `argv[2]`'s options; `entry` names the child in the error when it was not forked. @since 0.5.0 */
export const start = async (
  entry: string
): Promise<{ readonly running: Server.Running; readonly stop: () => Promise<void> }> => {
  if (process.send === undefined) throw new Error(`${entry} must be started with an IPC channel (fork)`)
  const options = JSON.parse(process.argv[2] ?? "{}") as Server.Options
  const scope = Effect.runSync(Scope.make())
  const running = await Effect.runPromise(Server.start({ ...options, host: "127.0.0.1" }).pipe(Scope.extend(scope)))
  const stop = async () => {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    process.exit(0)
  }
  process.on("disconnect", () => void stop())
  return { running, stop }
}
