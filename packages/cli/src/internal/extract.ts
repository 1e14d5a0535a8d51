/** @internal */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as CheckpointStore from "@effect-genesys/analytics/CheckpointStore"
import type * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as Extraction from "@effect-genesys/analytics/Extraction"
import * as FileSink from "@effect-genesys/analytics/FileSink"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import type * as Webhook from "@effect-genesys/analytics/Webhook"
import * as IntervalArg from "../IntervalArg.js"
import * as Where from "../Where.js"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import type * as DurableRun from "./durableRun.js"
import * as FsErrors from "./fsErrors.js"
import * as Io from "./io.js"
import * as Output from "./output.js"
import * as OutputKind from "./outputKind.js"
import * as OutputLock from "./outputLock.js"
import * as PlanHints from "./planHints.js"
import * as PlanStore from "./planStore.js"
import * as Progress from "./progress.js"
import * as QuarantineFile from "./quarantineFile.js"
import * as ReconcileCheck from "./reconcileCheck.js"
import * as Stopped from "./stopped.js"

/** The parsed `extract` flags. @internal */
export interface Settings {
  readonly interval: Option.Option<string>
  readonly timeZone: string
  readonly queryFile: Option.Option<string>
  readonly where: Option.Option<string>
  readonly out: Option.Option<string>
  readonly format: Option.Option<Output.Format>
  readonly checkpoint: Option.Option<string>
  /** Jobs running at once; none: the org's limit read when planning, else 2. */
  readonly concurrency: Option.Option<number>
  readonly pageSize: Option.Option<number>
  readonly audit: Option.Option<string>
  readonly reconcile: boolean
  /** Fraction in (0, 1]: how close each reconciled window must be to the sync query's count (1: equal). */
  readonly reconcileThreshold: number
  /** NDJSON file for records set aside instead of failing the run. */
  readonly quarantine: Option.Option<string>
  readonly dryRun: boolean
  /** Submit to this cluster's runners (a postgres:// URL) instead of running here. */
  readonly cluster: Option.Option<string>
  readonly org: string
  readonly detach: boolean
  readonly connection: Connection.Connection
}

/** Reads `--query <file.json>`: a JSON object (a conversation detail query or its filters). @internal */
export const readQueryFile = (
  path: Option.Option<string>
): Effect.Effect<Record<string, unknown>, Cli.CliFailure, FileSystem.FileSystem> =>
  Option.match(path, {
    onNone: () => Effect.succeed({}),
    onSome: (file) =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const text = yield* fs
          .readFileString(file)
          .pipe(Effect.mapError((e) => Cli.usage(`cannot read --query ${file}: ${e.message.split("\n")[0]}`)))
        let parsed: unknown
        try {
          parsed = JSON.parse(text)
        } catch (error) {
          return yield* Cli.usage(
            `--query ${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`
          )
        }
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
          return yield* Cli.usage(`--query ${file} must hold a JSON object (a conversation detail query)`)
        }
        return parsed as Record<string, unknown>
      })
  })

/** Parses `--interval` against the clock. @internal */
export const parseInterval = (text: string, timeZone: string): Effect.Effect<IntervalArg.IntervalArg, Cli.CliFailure> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Either.match(IntervalArg.parse(text, { now, timeZone }), {
      onLeft: (e) => Effect.fail(Cli.usage(`--interval: ${e.message}`, e.pretty)),
      onRight: Effect.succeed
    })
  )

/** Compiles `--where`. @internal */
export const parseWhere = (text: Option.Option<string>): Effect.Effect<Where.WhereFilters, Cli.CliFailure> =>
  Option.match(text, {
    onNone: () => Effect.succeed({}),
    onSome: (t) =>
      Either.match(Where.parse(t), {
        onLeft: (e) => Effect.fail(Cli.usage(e.message, e.pretty)),
        onRight: Effect.succeed
      })
  })

/**
 * The query of an invocation: `--query`'s object, its interval replaced by `--interval`, with `--where`'s filters
 * added. Validation happens in `Extraction.plan` (exit 2 on a `QueryInvalid`).
 *
 * @internal
 */
export const buildQuery = (settings: {
  readonly interval: Option.Option<string>
  readonly timeZone: string
  readonly queryFile: Option.Option<string>
  readonly where: Option.Option<string>
}): Effect.Effect<Record<string, unknown>, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const base = yield* readQueryFile(settings.queryFile)
    const filters = yield* parseWhere(settings.where)
    const interval = Option.isSome(settings.interval)
      ? (yield* parseInterval(settings.interval.value, settings.timeZone)).interval
      : base.interval
    if (typeof interval !== "string") {
      return yield* Cli.usage("missing --interval (or an interval in the --query file)")
    }
    return Where.merge({ ...base, interval } as Where.WhereFilters & Record<string, unknown>, filters)
  })

/**
 * A run stopped by the file system (disk full, permissions) as exit 4 naming errno and path. The sink's own errors
 * are described already; what is left comes from the checkpoint store, which keeps only the platform's text.
 */
const fileSystemFailure = (e: unknown, checkpoint: Option.Option<string>): Cli.CliFailure =>
  e instanceof Cli.CliFailure
    ? e
    : FsErrors.toFailure(
        e,
        Option.isSome(checkpoint) ? `cannot write the checkpoint in ${checkpoint.value}` : "cannot write",
        Cli.ExitCode.partial
      )

// The durable engine (cluster, workflow, SQLite journal) loads only for a checkpointed run: a plain extract starts
// without it.
const loadDurableRun = Effect.promise(() => import("./durableRun.js"))

/** What an extraction run needs besides the sink. @internal */
export type Requirements =
  | ConversationDetails.ConversationDetails
  | AuditLog.AuditLog
  | FileSystem.FileSystem
  | Webhook.Webhook

/**
 * Plans (or takes the stored plan of a checkpointed run) and runs an extraction into `sink`. With a checkpoint
 * directory the plan is stored before the run and removed with the checkpoint once the run is complete.
 *
 * @internal
 */
export const execute = (options: {
  readonly query: Record<string, unknown>
  readonly invocation: string
  readonly checkpoint: Option.Option<string>
  readonly sink: Effect.Effect<Output.Opened, Cli.CliFailure, FileSystem.FileSystem | Scope.Scope>
  /** A reason the finished run's output is not exact (reconciliation), if any: the run table records it failed. */
  readonly verify?: ((report: Extraction.Report) => string | undefined) | undefined
  readonly runOptions: Extraction.RunOptions<Cli.CliFailure>
  readonly partialNote: string
  readonly dryRun: boolean
  readonly printPlan: (text: string) => Effect.Effect<void>
}) =>
  Effect.gen(function* () {
    const stored = Option.isSome(options.checkpoint)
      ? yield* PlanStore.load(options.checkpoint.value, options.invocation)
      : Option.none<Extraction.Plan>()
    // The output is opened before planning so that an unwritable path fails before any request.
    const sink = options.dryRun ? undefined : yield* options.sink
    const plan = Option.isSome(stored) ? stored.value : yield* Extraction.plan(options.query)
    if (sink === undefined) {
      yield* options.printPlan(PlanHints.formatPlan(plan))
      return Option.none<Extraction.Report>()
    }
    if (Option.isSome(options.checkpoint) && Option.isNone(stored)) {
      yield* PlanStore.save(options.checkpoint.value, options.invocation, plan)
    }
    const runLog = sink.runLog
    if (runLog !== undefined) yield* runLog.start(plan)
    const report = yield* Effect.gen(function* () {
      const engine: Effect.Effect<
        Extraction.Report,
        unknown,
        | Effect.Effect.Context<ReturnType<typeof DurableRun.run>>
        | Effect.Effect.Context<ReturnType<typeof Extraction.run<Cli.CliFailure>>>
      > = Option.match(options.checkpoint, {
        onNone: () => Extraction.run(plan, sink, options.runOptions),
        onSome: (directory) =>
          Effect.flatMap(loadDurableRun, (durable) =>
            durable.run({ plan, directory, sink, runOptions: options.runOptions })
          )
      })
      const report = yield* engine.pipe(
        Effect.mapError((e) => {
          const failure = FsErrors.find(e) !== undefined ? fileSystemFailure(e, options.checkpoint) : Cli.fromUnknown(e)
          const resume = Option.isSome(options.checkpoint) ? "; run the same command again to resume" : ""
          return new Cli.CliFailure({
            code: failure.code === Cli.ExitCode.usage ? Cli.ExitCode.partial : failure.code,
            message: `extraction failed: ${failure.message}${options.partialNote}${resume}`
          })
        })
      )
      if (Option.isSome(options.checkpoint)) {
        // Done: a later run of the same command is a new extraction, not a resume.
        const store = yield* CheckpointStore.CheckpointStore
        yield* Effect.ignore(store.clear(options.runOptions.checkpointKey ?? plan.planHash))
        const directory = options.checkpoint.value
        yield* Effect.flatMap(loadDurableRun, (durable) => durable.clear(directory))
        yield* PlanStore.clear(directory)
      }
      return report
    }).pipe(
      Effect.provide(
        Option.match(options.checkpoint, {
          onNone: () => CheckpointStore.layerMemory,
          onSome: (dir) => CheckpointStore.layerFile(dir)
        })
      ),
      Effect.onExit((exit) => {
        if (runLog === undefined) return Effect.void
        if (Exit.isSuccess(exit)) {
          const problem = options.verify?.(exit.value)
          return problem !== undefined
            ? runLog.finish("failed", problem)
            : exit.value.complete
              ? runLog.finish("complete")
              : runLog.finish("failed", "not every window completed")
        }
        return Cause.isInterruptedOnly(exit.cause)
          ? runLog.finish("interrupted", "interrupted by a signal")
          : runLog.finish("failed", Cli.fromCause(exit.cause).message)
      })
    )
    return Option.some(report)
  })

const notice = (message: string) => Io.stderr(`genesys-analytics: ${message}\n`)

/**
 * Takes the locks of the output file (or CSV directory) and of the checkpoint directory for the command's scope, so
 * that a second run on either fails at once (exit 2) instead of corrupting the first one's output. The checkpoint
 * directory is created here: an unwritable one fails before any request.
 *
 * @internal
 */
export const lockOutputs = (
  output: Output.Output,
  checkpoint: Option.Option<string>
): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    if (Option.isSome(output.target) && output.format !== "postgres") {
      const target = output.target.value
      const lockFile = OutputLock.lockFileOf(target)
      // The lock sits beside the output: its directory must exist first (CSV creates its own directory anyway).
      if (output.format === "csv") {
        yield* FileSystem.FileSystem.pipe(
          Effect.flatMap((fs) => fs.makeDirectory(Output.dirname(lockFile), { recursive: true })),
          Effect.mapError((e) => FsErrors.toFailure(e, `cannot create the directory of --out ${target}`))
        )
      } else {
        yield* Output.writableDirectory(Output.dirname(target), target)
      }
      yield* OutputLock.acquire(lockFile, `--out ${target}`, notice)
    }
    if (Option.isSome(checkpoint)) {
      const directory = checkpoint.value.replace(/(.)[\\/]+$/, "$1")
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(directory, { recursive: true }).pipe(
        // Node's recursive mkdir reports ENOENT on a read-only file system; a plain mkdir gives the real reason.
        Effect.catchAll(() => fs.makeDirectory(directory)),
        Effect.mapError((e) => FsErrors.toFailure(e, `cannot use --checkpoint ${directory}`))
      )
      yield* OutputLock.acquire(`${directory}/lock`, `--checkpoint ${directory}`, notice)
    }
  })

/**
 * Opens `--quarantine <file>` (a regular file or a new path), appending when this run resumes a checkpointed one.
 *
 * @internal
 */
const openQuarantine = (path: string, checkpoint: Option.Option<string>) =>
  Effect.gen(function* () {
    yield* OutputKind.checkFile(path, "--quarantine")
    const fs = yield* FileSystem.FileSystem
    const resuming = Option.isSome(checkpoint)
      ? yield* fs.exists(PlanStore.fileOf(checkpoint.value)).pipe(Effect.orElseSucceed(() => false))
      : false
    return yield* QuarantineFile.open(path, resuming)
  })

type Query = Effect.Effect.Success<ReturnType<typeof buildQuery>>

/** Refuses settings that cannot work together, before anything is locked or requested. */
const checkSettings = (settings: Settings, output: Output.Output) =>
  Effect.gen(function* () {
    if (Option.isNone(settings.cluster) && (settings.detach || settings.org !== "default")) {
      return yield* Cli.usage(`${settings.detach ? "--detach" : "--org"} needs --cluster`)
    }
    if (Option.isSome(settings.cluster) && (Option.isSome(settings.checkpoint) || settings.dryRun)) {
      return yield* Cli.usage(
        `--cluster keeps its state in the cluster: drop ${settings.dryRun ? "--dry-run" : "--checkpoint"}`
      )
    }
    if (Option.isSome(settings.checkpoint) && Option.isNone(output.target)) {
      return yield* Cli.usage("--checkpoint needs --out: output on standard output cannot be resumed")
    }
    const concurrency = Option.getOrUndefined(settings.concurrency)
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 50)) {
      return yield* Cli.usage(`--concurrency must be a whole number from 1 to 50, not ${concurrency}`)
    }
    if (!(settings.reconcileThreshold > 0 && settings.reconcileThreshold <= 1)) {
      return yield* Cli.usage(
        `--reconcile-threshold must be a fraction above 0 and at most 1, not ${settings.reconcileThreshold}`
      )
    }
    if (Option.isSome(settings.pageSize) && (settings.pageSize.value < 1 || settings.pageSize.value > 1000)) {
      return yield* Cli.usage(`--page-size must be from 1 to 1000, not ${settings.pageSize.value}`)
    }
    yield* OutputKind.check(output, Flatten.tableNames, FileSink.partialSuffix)
    if (Option.isSome(settings.checkpoint)) yield* OutputKind.checkCheckpoint(settings.checkpoint.value)
  })

/** What identifies this invocation: relative intervals (P7D, yesterday) resolve differently on a re-run, so by text. */
const invocationOf = (settings: Settings, query: Query, output: Output.Output) =>
  AuditLog.hashQuery({
    query: Option.isSome(settings.interval) ? { ...query, interval: null } : query,
    intervalText: Option.getOrNull(settings.interval),
    timeZone: settings.timeZone,
    format: output.format,
    out: Option.getOrNull(output.target)
  })

/** The lines printed when the run is interrupted: what was written and how to resume. */
const interruptedNote = (settings: Settings, output: Output.Output, progress: ReturnType<typeof Progress.make>) =>
  Io.stderr(
    Stopped.interruptedLines({
      progress: progress.last(),
      partialNote: Output.partialNote(output, settings.checkpoint),
      checkpoint: Option.getOrUndefined(settings.checkpoint),
      argv: process.argv
    })
      .map((line) => `genesys-analytics: ${line}\n`)
      .join("")
  )

/** Locks the outputs, opens the quarantine file and runs the extraction; `quarantined` counts what was set aside. */
const runExtraction = (settings: Settings, query: Query, invocation: string, output: Output.Output) =>
  Effect.gen(function* () {
    const progress = Progress.make()
    const config = yield* Connection.resolve(settings.connection)
    const layer = Connection.clientLayer(config, Connection.auditLayer(config, settings.audit))
    const counter: { quarantined: (() => number) | undefined } = { quarantined: undefined }
    const report = yield* Effect.gen(function* () {
      if (!settings.dryRun) yield* lockOutputs(output, settings.checkpoint)
      const quarantine =
        Option.isSome(settings.quarantine) && !settings.dryRun
          ? yield* openQuarantine(settings.quarantine.value, settings.checkpoint)
          : undefined
      counter.quarantined = quarantine?.count
      return yield* execute({
        query,
        invocation,
        checkpoint: settings.checkpoint,
        sink: Output.open(output),
        runOptions: {
          concurrency: Option.getOrUndefined(settings.concurrency),
          pageSize: Option.getOrUndefined(settings.pageSize),
          reconcile: settings.reconcile,
          reconcileThreshold: settings.reconcileThreshold,
          onProgress: progress.onProgress,
          onRetry: progress.onRetry,
          ...(quarantine !== undefined ? { quarantine: quarantine.quarantine } : {})
        },
        partialNote: Output.partialNote(output, settings.checkpoint),
        verify: (report) => {
          const short = settings.reconcile ? ReconcileCheck.shortfalls(report, settings.reconcileThreshold) : []
          return short.length > 0 ? ReconcileCheck.message(short, settings.reconcileThreshold) : undefined
        },
        dryRun: settings.dryRun,
        printPlan: (text) => Effect.sync(() => process.stdout.write(`${text}\n`))
      })
    }).pipe(
      // The planning requests (availability, counts) retry too; their retries are shown like the run's.
      GenesysHttp.withRetryObserver(progress.onRetry),
      Effect.ensuring(progress.clear),
      Effect.onInterrupt(() => interruptedNote(settings, output, progress)),
      Effect.scoped,
      Effect.provide(layer)
    )
    return { report, quarantined: counter.quarantined }
  })

/** Prints the report and turns it into the exit code: a short reconciliation moves file output back to `.partial`. */
const finish = (
  settings: Settings,
  output: Output.Output,
  report: Extraction.Report,
  quarantined: number | undefined
) =>
  Effect.gen(function* () {
    const quarantineLine =
      quarantined !== undefined && Option.isSome(settings.quarantine)
        ? `quarantine     ${quarantined} records set aside in ${settings.quarantine.value}\n`
        : ""
    yield* Effect.sync(() =>
      process.stderr.write(
        `${PlanHints.formatReport(report)}\n\noutput         ${Output.describe(output)}\n${quarantineLine}`
      )
    )
    const short = settings.reconcile ? ReconcileCheck.shortfalls(report, settings.reconcileThreshold) : []
    if (short.length > 0) {
      const moved = yield* Output.markIncomplete(output, Flatten.tableNames)
      const where = moved.length > 0 ? ` (output moved back to ${moved.join(", ")})` : ""
      return yield* Cli.partial(`${ReconcileCheck.message(short, settings.reconcileThreshold)}${where}`)
    }
    return report.complete ? Cli.ExitCode.ok : Cli.ExitCode.partial
  })

/** The `extract` command. @internal */
export const command = (settings: Settings) =>
  Effect.gen(function* () {
    const query = yield* buildQuery(settings)
    const output = yield* Either.match(Output.resolve(settings.out, settings.format), {
      onLeft: Effect.fail,
      onRight: Effect.succeed
    })
    yield* checkSettings(settings, output)
    if (Option.isSome(settings.cluster)) {
      const m = yield* Effect.promise(() => import("./clusterSubmit.js"))
      return yield* m.extract({ ...settings, cluster: settings.cluster.value }, query, output)
    }
    const invocation = yield* invocationOf(settings, query, output)
    const { quarantined, report } = yield* runExtraction(settings, query, invocation, output)
    if (Option.isNone(report)) return Cli.ExitCode.ok
    return yield* finish(settings, output, report.value, quarantined?.())
  })
