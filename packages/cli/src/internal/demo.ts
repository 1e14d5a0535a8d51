/** @internal */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Extract from "./extract.js"
import * as Io from "./io.js"
import * as Output from "./output.js"
import * as PlanHints from "./planHints.js"
import * as Progress from "./progress.js"

/** The demo's settings; the defaults give a 30-day org with a few hundred conversations a day. @internal */
export interface DemoSettings {
  readonly directory: string
  readonly days: number
  readonly perDay: number
}

/** An emulated org on a free loopback port, announced on standard output, and a configuration pointing at it. */
const startEmulator = (settings: DemoSettings) =>
  Effect.gen(function* () {
    const server = yield* Server.start({
      port: 0,
      days: settings.days,
      perDay: settings.perDay,
      // Short job lifetimes and a generous rate budget keep the demo to seconds; the semantics are unchanged.
      jobs: { queueMillis: 200, runMillis: 400, runMillisPerConversation: 0 },
      rateLimit: { count: 5_000, windowSeconds: 60 }
    }).pipe(Effect.mapError((e) => Cli.usage(`cannot start the emulator: ${e.message}`)))
    const emulatorOptions = server.emulator.options
    yield* Io.stdout(
      `emulator  ${server.url}: ${emulatorOptions.days} days from ${emulatorOptions.startDate}, ~${emulatorOptions.perDay} conversations a day\n`
    )
    return yield* GenesysConfig.make({
      apiUrl: server.url,
      loginUrl: server.url,
      clientId: emulatorOptions.clientId,
      clientSecret: emulatorOptions.clientSecret,
      poll: { initialDelay: Duration.millis(200), maxDelay: Duration.seconds(1) }
    }).pipe(Effect.mapError(Cli.fromGenesys))
  })

/** Where the demo writes. */
const pathsOf = (dir: string) => ({
  audit: `${dir}/audit.jsonl`,
  ndjson: `${dir}/conversations.ndjson`,
  sqlite: `${dir}/conversations.sqlite`
})

/** Reads the outputs back and verifies the audit chain; true when they agree with the report. */
const checkOutputs = (paths: ReturnType<typeof pathsOf>, report: Extraction.Report) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const rows = yield* SqlSink.counts.pipe(
      Effect.provide(SqlSinkSqlite.layer({ filename: paths.sqlite })),
      Effect.mapError((e) => Cli.partial(`cannot read back ${paths.sqlite}: ${e.message}`))
    )
    yield* Io.stdout(
      `sqlite    ${Object.entries(rows)
        .map(([table, n]) => `${table} ${n}`)
        .join(", ")}\n`
    )
    const lines = (yield* fs.readFileString(paths.ndjson).pipe(Effect.orDie)).split("\n").filter((l) => l !== "").length
    yield* Io.stdout(`ndjson    ${lines} conversations\n`)
    const verified = yield* AuditLog.verify(paths.audit).pipe(
      Effect.mapError((e) => Cli.partial(`cannot read ${paths.audit}: ${e.message}`))
    )
    if (verified._tag !== "VerifyOk") {
      return yield* Cli.partial(`audit chain broken at line ${verified.line}: ${verified.message}`)
    }
    yield* Io.stdout(`audit     chain verified: ${verified.records} records, head ${verified.head}\n`)
    return (
      report.complete && lines === report.totals.conversations && rows.conversations === report.totals.conversations
    )
  })

/**
 * `demo`: an emulated org on a free loopback port, the last `days` days extracted through it (jobs for settled data,
 * the sync query for the recent tail) into NDJSON and SQLite with an audit log, the audit chain verified, and the
 * summary printed; then a short continuous sync against a live org at 1,800× speed (`demoSync`).
 *
 * @internal
 */
export const demo = (settings: DemoSettings) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = settings.directory.replace(/[\\/]+$/, "")
    const started = yield* Clock.currentTimeMillis
    // Re-running the demo starts from a clean directory.
    yield* fs.remove(dir, { recursive: true }).pipe(Effect.ignore)
    yield* fs
      .makeDirectory(dir, { recursive: true })
      .pipe(Effect.mapError((e) => Cli.usage(`cannot create ${dir}: ${e.message}`)))
    const config = yield* startEmulator(settings)
    const paths = pathsOf(dir)
    const interval = yield* Extract.parseInterval(`P${settings.days}D`, "UTC")
    yield* Io.stdout(`extract   ${interval.interval} → ${paths.ndjson}, ${paths.sqlite}, audit ${paths.audit}\n\n`)

    const progress = Progress.make()
    const layer = Connection.clientLayer(config, Connection.auditLayer(config, Option.some(paths.audit)))
    const report = yield* Extract.execute({
      query: { interval: interval.interval },
      invocation: "demo",
      checkpoint: Option.none(),
      sink: Effect.map(
        Effect.all([
          Output.open({ format: "ndjson", target: Option.some(paths.ndjson) }),
          Output.open({ format: "sqlite", target: Option.some(paths.sqlite) })
        ]),
        Output.tee
      ),
      runOptions: { concurrency: 4, reconcile: true, onProgress: progress.onProgress, onRetry: progress.onRetry },
      partialNote: "",
      dryRun: false,
      printPlan: () => Effect.void
    }).pipe(Effect.ensuring(progress.clear), Effect.scoped, Effect.provide(layer))
    if (Option.isNone(report)) return Cli.ExitCode.failed
    yield* Io.stdout(`${PlanHints.formatReport(report.value)}\n\n`)
    const extracted = yield* checkOutputs(paths, report.value)
    // Then a few emulated hours of continuous sync against a live org, accelerated to seconds.
    const synced = yield* Effect.flatMap(
      Effect.promise(() => import("./demoSync.js")),
      (m) => m.run(dir, { speed: 1_800, hours: 4 })
    )
    const consistent = extracted && synced
    const elapsed = ((yield* Clock.currentTimeMillis) - started) / 1000
    yield* Io.stdout(
      `\ndemo ${consistent ? "done" : "FINISHED WITH DIFFERENCES"} in ${elapsed.toFixed(1)} s; output in ${dir}/\n`
    )
    return consistent ? Cli.ExitCode.ok : Cli.ExitCode.partial
  }).pipe(Effect.scoped)
