/** @internal */
import type * as AggregateRecord from "@effect-genesys/analytics/AggregateRecord"
import * as AggregateReconcile from "@effect-genesys/analytics/AggregateReconcile"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationAggregates from "@effect-genesys/analytics/ConversationAggregates"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as Interval from "@effect-genesys/analytics/Interval"
import * as NameLookup from "@effect-genesys/analytics/NameLookup"
import * as QueryValidator from "@effect-genesys/analytics/QueryValidator"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Where from "../Where.js"
import * as AggregateOutput from "./aggregateOutput.js"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Extract from "./extract.js"
import * as FsErrors from "./fsErrors.js"
import * as Io from "./io.js"
import * as OutputKind from "./outputKind.js"
import * as Progress from "./progress.js"
import * as Transport from "./transport.js"

/** How the rows are fetched: `auto` picks by size. @internal */
export type Via = "auto" | "query" | "job"

/** The parsed `aggregate` flags. @internal */
export interface Settings {
  readonly interval: Option.Option<string>
  /** The query's time zone (buckets) and the zone of --interval's calendar words. */
  readonly timeZone: Option.Option<string>
  readonly queryFile: Option.Option<string>
  readonly granularity: Option.Option<string>
  readonly groupBy: Option.Option<string>
  readonly metrics: Option.Option<string>
  readonly where: Option.Option<string>
  readonly format: Option.Option<AggregateOutput.Format>
  readonly out: Option.Option<string>
  readonly via: Via
  readonly names: boolean
  /** Recompute the counts from a details job of the same interval; any difference exits 4. */
  readonly reconcile: boolean
  readonly audit: Option.Option<string>
  readonly connection: Connection.Connection
}

/** `auto` runs a job past this interval length (a sync response is one unpaged body). @internal */
export const jobSpanMillis = 31 * 24 * 3_600_000

/** `auto` runs a job past this many buckets per group. @internal */
export const jobBuckets = 1_000

const list = (text: Option.Option<string>): ReadonlyArray<string> | undefined =>
  Option.match(text, {
    onNone: () => undefined,
    onSome: (t) =>
      t
        .split(",")
        .map((s) => s.trim())
        .filter((s) => s !== "")
  })

/** The aggregates query of an invocation: the --query file's object, overridden by the flags. @internal */
export const buildQuery = (
  settings: Settings
): Effect.Effect<Record<string, unknown>, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const base = yield* Extract.readQueryFile(settings.queryFile)
    const zone = Option.getOrUndefined(settings.timeZone)
    const interval = Option.isSome(settings.interval)
      ? (yield* Extract.parseInterval(settings.interval.value, zone ?? "UTC")).interval
      : base.interval
    if (typeof interval !== "string") {
      return yield* Cli.usage("missing --interval (or an interval in the --query file)")
    }
    const metrics = list(settings.metrics) ?? base.metrics
    if (metrics === undefined || metrics === null) {
      return yield* Cli.usage("missing --metrics, e.g. --metrics nConnected,tHandle (or metrics in the --query file)")
    }
    const where = Option.isSome(settings.where)
      ? yield* Either.match(Where.parseAggregate(settings.where.value), {
          onLeft: (e) => Effect.fail(Cli.usage(e.message, e.pretty)),
          onRight: Effect.succeed
        })
      : undefined
    const own = base.filter as Where.AggregateFilter | undefined
    const filter = Where.mergeAggregate(own ?? undefined, where)
    if (own != null && where !== undefined && filter === undefined) {
      return yield* Cli.usage(
        `--where cannot be joined with the --query file's "${own.type}" filter in two levels; put the conditions in one of them`
      )
    }
    const groupBy = list(settings.groupBy) ?? base.groupBy
    const granularity = Option.getOrUndefined(settings.granularity) ?? base.granularity
    return {
      ...base,
      interval,
      metrics,
      ...(granularity != null ? { granularity } : {}),
      ...(zone !== undefined ? { timeZone: zone } : {}),
      ...(groupBy != null ? { groupBy } : {}),
      ...(filter !== undefined ? { filter } : {})
    }
  })

// Months and years are taken as 30 and 365 days: only the order of magnitude matters to the choice.
const durationPattern =
  /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/
const approxMillis = (text: string): number | undefined => {
  const m = durationPattern.exec(text)
  if (m === null) return undefined
  const [y, mo, w, d, h, mi, s] = m.slice(1).map((v) => (v === undefined ? 0 : Number(v)))
  const millis = ((((y! * 365 + mo! * 30 + w! * 7 + d!) * 24 + h!) * 60 + mi!) * 60 + s!) * 1000
  return millis > 0 ? millis : undefined
}

/** What `auto` chooses: a job for a long interval or many buckets, else the sync query. @internal */
export const chooseVia = (query: Record<string, unknown>, via: Via): "query" | "job" => {
  if (via !== "auto") return via
  const interval = typeof query.interval === "string" ? Interval.parse(query.interval) : undefined
  if (interval === undefined || Either.isLeft(interval)) return "query"
  const span = interval.right.endMillis - interval.right.startMillis
  const step = typeof query.granularity === "string" ? approxMillis(query.granularity) : undefined
  return span > jobSpanMillis || (step !== undefined && span / step > jobBuckets) ? "job" : "query"
}

/** The services of a run, over one `GenesysHttp` (one token, one pacer). @internal */
export type Services =
  | ConversationAggregates.ConversationAggregates
  | ConversationDetails.ConversationDetails
  | NameLookup.NameLookup
  | AuditLog.AuditLog

/** The client layers over `http`. @internal */
export const servicesLayer = (
  config: GenesysConfig.Service,
  audit: Layer.Layer<AuditLog.AuditLog, Cli.CliFailure>,
  http: Layer.Layer<HttpClient.HttpClient>
): Layer.Layer<Services, Cli.CliFailure> => {
  const base = Layer.mergeAll(
    Layer.succeed(GenesysConfig.GenesysConfig, config),
    audit,
    Connection.observingCredentials(http)
  )
  const client = GenesysHttp.layer.pipe(Layer.provideMerge(base))
  return Layer.mergeAll(
    ConversationAggregates.layerWithoutHttp,
    ConversationDetails.layerWithoutHttp,
    NameLookup.layerWithoutHttp
  ).pipe(Layer.provideMerge(client))
}

const nameFailure = (e: NameLookup.UnresolvedNames) => Cli.usage(`${e.message} (nothing was sent)`)

/** Fetches the rows (names resolved first, errors refused before any analytics request). @internal */
export const fetchRows = (query: Record<string, unknown>, via: "query" | "job", names: boolean) =>
  Effect.gen(function* () {
    const lookup = yield* NameLookup.NameLookup
    const aggregates = yield* ConversationAggregates.ConversationAggregates
    const resolved = yield* lookup.resolveQuery(query).pipe(Effect.catchTag("UnresolvedNames", (e) => nameFailure(e)))
    const rows = aggregates.rows(resolved, { via })
    const dimensions = (resolved.groupBy as ReadonlyArray<string> | undefined) ?? []
    const named = names ? lookup.withNames(dimensions)(rows) : Stream.map(rows, (row) => ({ ...row, names: {} }))
    return { query: resolved, rows: Chunk.toReadonlyArray(yield* Stream.runCollect(named)) }
  })

/** Refuses a query the platform is known to refuse before anything is sent (warnings come once, from the run). */
const precheck = (query: Record<string, unknown>) => {
  const checked = QueryValidator.checkAggregateQuery(query)
  return Either.isLeft(checked.result) ? Effect.fail(Cli.fromGenesys(checked.result.left)) : Effect.void
}

/** Writes `text` to `--out` (through a `.partial` file renamed at the end) or stdout. */
const write = (out: Option.Option<string>, text: string) =>
  Option.match(out, {
    onNone: () => Io.stdout(text),
    onSome: (path) =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const partial = `${path}.partial`
        yield* fs.writeFileString(partial, text)
        yield* fs.rename(partial, path)
      }).pipe(Effect.mapError((e) => FsErrors.toFailure(e, `cannot write --out ${path}`, Cli.ExitCode.partial)))
  })

/**
 * Writes the rows to the `aggregate_rows` table of a SQLite file or Postgres database (replacing an earlier run of the
 * same query); returns what to call the target in messages. Each driver loads only when used.
 */
const writeSql = (
  format: "sqlite" | "postgres",
  out: Option.Option<string>,
  query: unknown,
  rows: ReadonlyArray<AggregateRecord.AggregateRow>
) =>
  Effect.gen(function* () {
    if (Option.isNone(out)) return yield* Cli.usage(`--format ${format} needs --out (a file or a postgres:// URL)`)
    const target = out.value
    const layer =
      format === "postgres"
        ? (yield* Effect.promise(() => import("@effect-genesys/sql/SqlSinkPg"))).layer({ url: target })
        : (yield* Effect.promise(() => import("@effect-genesys/sql/SqlSinkSqlite"))).layer({ filename: target })
    const { write: writeRows } = yield* Effect.promise(() => import("@effect-genesys/sql/SqlAggregateRows"))
    const queryHash = yield* AuditLog.hashQuery(query)
    yield* writeRows(queryHash, rows).pipe(
      Effect.provide(layer as Layer.Layer<SqlClient.SqlClient, unknown>),
      Effect.mapError((e) =>
        Cli.partial(
          `cannot write the rows to ${format === "postgres" ? "the Postgres database" : target}: ${String((e as Error).message ?? e).split("\n")[0]}`
        )
      )
    )
    return format === "postgres" ? "the Postgres database (table aggregate_rows)" : `${target} (table aggregate_rows)`
  })

/** Runs the command over `http`. @internal */
export const run = (settings: Settings, http: Layer.Layer<HttpClient.HttpClient>) =>
  Effect.gen(function* () {
    const query = yield* buildQuery(settings)
    const format = AggregateOutput.formatOf(settings.format, settings.out, process.stdout.isTTY === true)
    if (Option.isSome(settings.out) && format !== "postgres") yield* OutputKind.checkFile(settings.out.value, "--out")
    yield* precheck(query)
    const via = chooseVia(query, settings.via)
    const config = yield* Connection.resolve(settings.connection)
    const layer = servicesLayer(config, Connection.auditLayer(config, settings.audit), http)
    const result = yield* Effect.gen(function* () {
      const fetched = yield* fetchRows(query, via, settings.names)
      const report = settings.reconcile
        ? yield* AggregateReconcile.reconcileRows(fetched.query, fetched.rows)
        : undefined
      const audit = yield* AuditLog.AuditLog
      yield* audit.seal({
        rows: fetched.rows.length,
        ...(report !== undefined ? { reconciledCells: report.cells.length, differingCells: report.differing } : {})
      })
      return { ...fetched, report }
    }).pipe(Progress.withRetryLines, Effect.provide(layer))
    const dimensions = AggregateOutput.dimensionsOf(result.query, result.rows)
    const timeZone = typeof result.query.timeZone === "string" ? result.query.timeZone : "UTC"
    if (format === "sqlite" || format === "postgres") {
      const target = yield* writeSql(format, settings.out, result.query, result.rows)
      yield* Io.stderr(`genesys-analytics: ${result.rows.length} rows (${via}) written to ${target}\n`)
    } else {
      yield* write(settings.out, AggregateOutput.render(format, result.rows, dimensions, timeZone, settings.names))
      if (Option.isSome(settings.out)) {
        yield* Io.stderr(`genesys-analytics: ${result.rows.length} rows (${via}) written to ${settings.out.value}\n`)
      }
    }
    if (result.report !== undefined) {
      yield* Io.stderr(AggregateOutput.reconcileReport(result.report, dimensions, timeZone))
      if (result.report.differing > 0) {
        return yield* Cli.partial(
          `reconcile: ${result.report.differing} of ${result.report.cells.length} cells differ between the aggregates and the details`
        )
      }
    }
    return Cli.ExitCode.ok
  })

/** The `aggregate` command. @internal */
export const command = (settings: Settings) => run(settings, Transport.layer)
