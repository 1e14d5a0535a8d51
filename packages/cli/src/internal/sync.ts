/**
 * `genesys-analytics sync`: keeps a SQLite or Postgres database equal to what Genesys holds, from `--from` on. Each
 * cycle is a durable extraction (journal in the state directory) into the database's page ledger, upserting by
 * conversation id; the settled point lives in the database (`genesys_sync_state`) and moves only after a cycle
 * completed. One line per cycle on stderr; with `--until` it stops, with the summary, once everything up to that time
 * is settled; without, it runs until SIGINT/SIGTERM, and the same command continues it.
 *
 * @internal
 */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as AvailabilityNotifications from "@effect-genesys/analytics/AvailabilityNotifications"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as Sync from "@effect-genesys/analytics/Sync"
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as SqlSyncStore from "@effect-genesys/sql/SqlSyncStore"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Where from "../Where.js"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Engine from "./engine.js"
import * as Extract from "./extract.js"
import * as Io from "./io.js"
import * as Output from "./output.js"
import * as OutputLock from "./outputLock.js"
import * as Progress from "./progress.js"

/** The parsed `sync` flags. @internal */
export interface Settings {
  readonly from: string
  readonly until: Option.Option<string>
  readonly out: string
  readonly format: Option.Option<Output.Format>
  readonly state: Option.Option<string>
  readonly tailEveryMinutes: number
  readonly restatementHours: number
  readonly pollSeconds: number
  /** Poll the availability date only, without the notifications socket. */
  readonly pollOnly: boolean
  readonly where: Option.Option<string>
  readonly queryFile: Option.Option<string>
  readonly audit: Option.Option<string>
  readonly connection: Connection.Connection
}

const date = (flag: string, text: string) =>
  Number.isNaN(Date.parse(text))
    ? Effect.fail(Cli.usage(`${flag} must be an ISO-8601 date or date-time, not ${JSON.stringify(text)}`))
    : Effect.succeed(new Date(Date.parse(text)).toISOString())

const positive = (flag: string, value: number) =>
  Number.isFinite(value) && value > 0 ? Effect.void : Effect.fail(Cli.usage(`${flag} must be above 0, not ${value}`))

const checked = (settings: Settings) =>
  Effect.gen(function* () {
    const from = yield* date("--from", settings.from)
    const until = Option.isSome(settings.until)
      ? Option.some(yield* date("--until", settings.until.value))
      : Option.none()
    yield* positive("--tail-every", settings.tailEveryMinutes)
    yield* positive("--poll-seconds", settings.pollSeconds)
    if (!(settings.restatementHours >= 0)) return yield* Cli.usage("--restatement-hours must be 0 or more")
    const output = yield* Output.resolve(Option.some(settings.out), settings.format)
    if (output.format !== "sqlite" && output.format !== "postgres") {
      return yield* Cli.usage(`sync writes to SQLite or Postgres (upserts by conversation id), not ${output.format}`)
    }
    const state = Option.getOrElse(settings.state, () => (output.format === "sqlite" ? `${settings.out}.sync` : ""))
    if (state === "")
      return yield* Cli.usage("--state <dir> is needed with a Postgres output (where the journal lives)")
    return { from, until, output, state }
  })

const sqlLayer = (output: Output.Output) =>
  Layer.unwrapEffect(
    output.format === "postgres"
      ? Effect.map(
          Effect.promise(() => import("@effect-genesys/sql/SqlSinkPg")),
          (pg) => pg.layer({ url: Option.getOrThrow(output.target) }) as Layer.Layer<SqlClient.SqlClient, unknown>
        )
      : Effect.map(
          Effect.promise(() => import("@effect-genesys/sql/SqlSinkSqlite")),
          (sqlite) =>
            sqlite.layer({ filename: Option.getOrThrow(output.target) }) as Layer.Layer<SqlClient.SqlClient, unknown>
        )
  )

const line = (event: Sync.SyncEvent): string => {
  switch (event._tag) {
    case "CycleCompleted":
      return `genesys-analytics: sync cycle ${event.cycle}: ${event.from}/${event.to}, ${event.conversations} conversations, settled until ${event.settledUntil}${event.advanced ? "" : " (tail only)"}\n`
    case "Done":
      return `genesys-analytics: sync done: settled until ${event.settledUntil}\n`
    case "NotificationsConnected":
      return `genesys-analytics: sync: listening to the availability topic (channel ${event.channelId})\n`
    case "NotificationsLost":
      return `genesys-analytics: sync: notifications lost (${event.reason}); polling the availability date until they are back\n`
  }
}

/** The `sync` command. @internal */
export const command = (settings: Settings) =>
  Effect.gen(function* () {
    const { from, output, state, until } = yield* checked(settings)
    const base = yield* Extract.readQueryFile(settings.queryFile)
    const where = yield* Extract.parseWhere(settings.where)
    const { interval: _interval, ...filters } = Where.merge(
      { ...base, interval: from } as Where.WhereFilters & Record<string, unknown>,
      where
    )
    // A cycle's jobs hold an hour or so of new data: a status poll at most a second apart notices them done within a
    // second (the default backoff, ×1.5 up to 30 s, noticed a 10 s job at 14 s), at a few requests per cycle.
    const config = yield* Connection.resolve(settings.connection, { poll: { maxDelay: Duration.seconds(1) } })
    const client = Connection.clientLayer(config, Connection.auditLayer(config, settings.audit))
    const progress = Progress.make()
    const fs = yield* FileSystem.FileSystem
    yield* fs
      .makeDirectory(state, { recursive: true })
      .pipe(Effect.mapError((e) => Cli.usage(`cannot use --state ${state}: ${e.message.split("\n")[0]}`)))
    return yield* Effect.gen(function* () {
      yield* OutputLock.acquire(`${state}/lock`, `--state ${state}`, (m) => Io.stderr(`genesys-analytics: ${m}\n`))
      const sql = yield* Layer.build(sqlLayer(output))
      yield* Effect.provide(SqlSink.migrate, sql)
      const name = `sync:${yield* AuditLog.hashQuery({ from, filters })}`
      const store = yield* Effect.provide(SqlSyncStore.make(name), sql)
      const environment = ExtractionWorkflow.layerEnvironment({
        sink: (execution) =>
          Effect.provide(SqlSink.makePageSink({ execution: `${execution.org}:${execution.planHash}` }), sql),
        onRetry: progress.onRetry
      })
      const engine = ExtractionWorkflow.layer.pipe(
        Layer.provideMerge(environment),
        Layer.provideMerge(Engine.embedded(state))
      )
      yield* Sync.run({
        from,
        filters,
        ...(Option.isSome(until) ? { until: until.value } : {}),
        tailEvery: `${settings.tailEveryMinutes} minutes`,
        restatement: `${settings.restatementHours} hours`,
        pollEvery: `${settings.pollSeconds} seconds`,
        ...(settings.pollOnly ? {} : { notifications: AvailabilityNotifications.listen() })
      }).pipe(
        Stream.runForEach((event) => Io.stderr(line(event))),
        Effect.provide(engine),
        Effect.provideService(Sync.Store, store),
        Effect.provide(NodeSocket.layerWebSocketConstructor),
        Effect.mapError((e) => {
          const failure = Cli.fromUnknown(e)
          return new Cli.CliFailure({
            code: failure.code === Cli.ExitCode.usage ? Cli.ExitCode.usage : Cli.ExitCode.partial,
            message: `sync failed: ${failure.message}; the database holds every completed cycle, run the same command again to continue`
          })
        })
      )
      return Cli.ExitCode.ok
    }).pipe(Effect.scoped, Effect.provide(client))
  })
