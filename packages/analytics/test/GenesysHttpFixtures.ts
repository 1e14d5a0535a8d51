// Shared wiring for the client-core tests: the client layers over the emulator's in-process HttpClient,
// an in-memory AuditLog, and a TestClock driver for forked work.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { Context, type Duration, Effect, type Exit, Layer } from "effect"
import { AuditLog, type AuditEventInput } from "../src/AuditLog.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"

/** The audit records of the test. */
export class AuditRecords extends Context.Tag("test/AuditRecords")<AuditRecords, Array<AuditEventInput>>() {}

/** A minimal in-memory AuditLog (the real layerMemory lives in AuditLog.ts). */
export const auditMemory: Layer.Layer<AuditLog | AuditRecords> = Layer.effectContext(
  Effect.sync(() => {
    const events: Array<AuditEventInput> = []
    return Context.make(AuditRecords, events).pipe(
      Context.add(
        AuditLog,
        AuditLog.of({
          record: (event) => Effect.sync(() => void events.push(event)),
          seal: () => Effect.succeed("sealed"),
          head: Effect.succeed("head")
        })
      )
    )
  })
)

/** Client options pointing at the in-process emulator. */
export const clientOptions = (overrides: Partial<GenesysConfig.Options> = {}): GenesysConfig.Options => ({
  apiUrl: Emulator.baseUrl,
  loginUrl: Emulator.baseUrl,
  clientId: "emulator-client",
  clientSecret: "emulator-secret",
  ...overrides
})

/** Emulator defaults for tests: a small dataset. */
export const emulatorDefaults: EmulatorOptions.Input = { seed: 7, startDate: "2026-01-05", days: 2, perDay: 60 }

/**
 * Everything a test needs: emulator + in-process HttpClient, config, audit, auth, http and details. Build
 * it inside the test (Effect.provide) so that the emulator runs on the test's TestClock.
 */
export const clientLayer = (emulator: EmulatorOptions.Input = {}, client: Partial<GenesysConfig.Options> = {}) => {
  const base = Layer.mergeAll(
    Emulator.layerHttpClient({ ...emulatorDefaults, ...emulator }),
    GenesysConfig.layer(clientOptions(client)).pipe(Layer.orDie),
    auditMemory
  )
  const auth = GenesysAuth.layer.pipe(Layer.provideMerge(base))
  const http = GenesysHttp.layerWithoutAuth.pipe(Layer.provideMerge(auth))
  return ConversationDetails.layerWithoutHttp.pipe(Layer.provideMerge(http))
}

/** Lets microtasks and promise callbacks (web Response bodies) run. */
export const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/** Settles until `condition` holds, dying after `turns` event-loop turns without it (`what` names the wait). */
export const turnsUntil = (what: string, condition: () => boolean, turns = 1_000) =>
  Effect.gen(function* () {
    for (let turn = 0; !condition(); turn++) {
      if (turn === turns) return yield* Effect.dieMessage(`${what}: not within ${turns} event-loop turns`)
      yield* settle
    }
  })

/** Runs `effect` with `Emulator.runWithTestClock` and returns its exit. */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly step?: Duration.DurationInput; readonly maxSteps?: number } = {}
): Effect.Effect<Exit.Exit<A, E>, never, R> => Effect.exit(Emulator.runWithTestClock(effect, options))

/** Requests the emulator saw, filtered by method and path prefix. */
export const requestsTo = (method: string, pathPrefix: string) =>
  Effect.map(
    Effect.flatMap(Emulator.Emulator, (e) => e.requests),
    (all) => all.filter((r) => r.method === method && r.path.startsWith(pathPrefix))
  )
