/**
 * The demo's sync phase: a live emulated org whose time runs `speed`× faster, followed by `Sync.run` into SQLite for a
 * few emulated hours (the availability date stepping every emulated hour and announced on the notifications socket),
 * then checked: every conversation settled by the end is in the database once. The sync reads the emulator's clock,
 * so that "now" means the same to both; everything else runs on real time.
 *
 * @internal
 */
import * as AvailabilityNotifications from "@effect-genesys/analytics/AvailabilityNotifications"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as Sync from "@effect-genesys/analytics/Sync"
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as SqlSyncStore from "@effect-genesys/sql/SqlSyncStore"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Engine from "./engine.js"
import * as Io from "./io.js"

const HOUR = 3_600_000

/**
 * A `Clock` that reads the emulated time and sleeps emulated durations `speed`× faster, on the real clock (not through
 * `Effect.sleep`, which would ask this clock again).
 */
const emulatedClock = (nowMillis: () => number, speed: number, real: Clock.Clock = Clock.make()): Clock.Clock => ({
  [Clock.ClockTypeId]: Clock.ClockTypeId,
  unsafeCurrentTimeMillis: nowMillis,
  currentTimeMillis: Effect.sync(nowMillis),
  unsafeCurrentTimeNanos: () => BigInt(nowMillis()) * 1_000_000n,
  currentTimeNanos: Effect.sync(() => BigInt(nowMillis()) * 1_000_000n),
  sleep: (duration) => real.sleep(Duration.millis(Duration.toMillis(duration) / speed))
})

/** Runs the sync phase in `directory`; true when the database holds exactly what settled. @internal */
export const run = (directory: string, options: { readonly speed: number; readonly hours: number }) =>
  Effect.gen(function* () {
    const server = yield* Server.start({
      port: 0,
      days: 1,
      perDay: 400,
      live: { speed: options.speed, availabilityStepMillis: HOUR, horizonDays: 1, restatementRate: 0.05 },
      jobs: { queueMillis: 200, runMillis: 400, runMillisPerConversation: 0, availabilityLagMillis: 30 * 60_000 },
      rateLimit: { count: 5_000, windowSeconds: 60 }
    }).pipe(Effect.mapError((e) => Cli.usage(`cannot start the live emulator: ${e.message}`)))
    const startMillis = yield* server.emulator.nowMillis
    const realStart = Date.now()
    const now = () => startMillis + (Date.now() - realStart) * options.speed
    const from = new Date(Math.floor(startMillis / HOUR) * HOUR - 6 * HOUR).toISOString()
    const until = new Date(startMillis + options.hours * HOUR - 60 * 60_000).toISOString()
    const file = `${directory}/sync.sqlite`
    const fs = yield* FileSystem.FileSystem
    yield* Effect.orDie(fs.makeDirectory(`${directory}/sync-state`, { recursive: true }))
    yield* Io.stdout(
      `\nsync      a live org at ${options.speed}× speed (${server.url}): from ${from} until ${until} settled → ${file}\n`
    )
    const config = yield* GenesysConfig.make({
      apiUrl: server.url,
      loginUrl: server.url,
      clientId: server.emulator.options.clientId,
      clientSecret: server.emulator.options.clientSecret,
      poll: { initialDelay: Duration.millis(100), maxDelay: Duration.millis(500) },
      // The sync reads every timeout on the emulated clock: at 1,800× the usual 30 s a request would be 17 ms of real
      // time, which a pause of the process can pass. Scaled, they mean the usual real time.
      http: {
        requestTimeout: Duration.seconds(30 * options.speed),
        retryBudget: Duration.minutes(2 * options.speed)
      }
    }).pipe(Effect.mapError(Cli.fromGenesys))
    const client = Connection.clientLayer(config, Connection.auditLayer(config, Option.none()))
    const sql = yield* Layer.build(SqlSinkSqlite.layer({ filename: file }))
    yield* Effect.provide(SqlSink.migrate, sql)
    const store = yield* Effect.provide(SqlSyncStore.make("demo"), sql)
    const engine = ExtractionWorkflow.layer.pipe(
      Layer.provideMerge(
        ExtractionWorkflow.layerEnvironment({
          sink: (execution) =>
            Effect.provide(SqlSink.makePageSink({ execution: `${execution.org}:${execution.planHash}` }), sql)
        })
      ),
      Layer.provideMerge(Engine.embedded(`${directory}/sync-state`))
    )
    yield* Effect.gen(function* () {
      yield* Sync.run({
        from,
        until,
        tailEvery: "1 hour",
        pollEvery: "20 minutes",
        restatement: "2 hours",
        // Timeouts are read on the emulated clock here: scaled so that they mean the usual real seconds.
        notifications: AvailabilityNotifications.listen({
          heartbeatTimeout: Duration.minutes(10),
          openTimeout: Duration.seconds(10 * options.speed)
        })
      }).pipe(
        Stream.runForEach((event) =>
          event._tag === "CycleCompleted"
            ? Io.stdout(
                `sync      cycle ${event.cycle}: ${event.conversations} conversations, settled until ${event.settledUntil}\n`
              )
            : event._tag === "NotificationsConnected"
              ? Io.stdout(`sync      listening to the availability topic\n`)
              : event._tag === "NotificationsLost"
                ? Io.stdout(`sync      notifications lost (${event.reason}); polling until they are back\n`)
                : Effect.void
        ),
        Effect.withClock(emulatedClock(now, options.speed)),
        Effect.provide(engine),
        Effect.provideService(Sync.Store, store),
        Effect.provide(NodeSocket.layerWebSocketConstructor)
      )
    }).pipe(
      Effect.provide(client),
      Effect.mapError((e) => Cli.partial(`sync failed: ${Cli.fromUnknown(e).message}`))
    )
    const settledUntil = Option.getOrElse(yield* Effect.orDie(store.settledUntil), () => from)
    const truth = yield* server.emulator.groundTruthSettled({ interval: `${from}/${until}` })
    const ids = yield* Effect.flatMap(
      SqlClient.SqlClient,
      (q) => q<{ readonly conversation_id: string }>`SELECT conversation_id FROM conversations`
    ).pipe(
      Effect.provide(sql),
      Effect.map((rows) => new Set(rows.map((r) => r.conversation_id))),
      Effect.orDie
    )
    // The truth holds every conversation whose lifetime overlaps the interval; a sync reads those that start in it.
    const settled = truth.filter(
      (c) =>
        c.conversationEnd !== undefined &&
        Date.parse(c.conversationEnd) <= Date.parse(settledUntil) &&
        c.conversationStart !== undefined &&
        Date.parse(c.conversationStart) >= Date.parse(from)
    )
    const missing = settled.filter((c) => !ids.has(c.conversationId)).length
    yield* Io.stdout(
      `sync      settled until ${settledUntil}: ${settled.length} settled conversations, ${missing} missing; ${ids.size} rows in all (the rest provisional)\n`
    )
    return missing === 0
  }).pipe(Effect.scoped)
