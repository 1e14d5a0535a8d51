/** @internal */
import type * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import type * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as FileSink from "@effect-genesys/analytics/FileSink"
import type * as SqlSinkPg from "@effect-genesys/sql/SqlSinkPg"
import type * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Cli from "./cliError.js"
import * as FsErrors from "./fsErrors.js"
import type * as Flags from "./flags.js"

/** @internal */
export type Format = (typeof Flags.formats)[number]

/**
 * What the sinks of a format rely on being checked in each record, known before they are opened (a cluster runner
 * makes its sink only to finalize): NDJSON writes records as received, the others flatten nested fields into tables.
 *
 * @internal
 */
export const validationOf = (format: Format): ConversationDetails.RecordValidation =>
  format === "ndjson" ? "conversation" : "full"

/** Where `extract` writes. @internal */
export interface Output {
  readonly format: Format
  /** File (ndjson, sqlite), directory (csv), URL (postgres); none: NDJSON on stdout. */
  readonly target: Option.Option<string>
}

const isPostgresUrl = (text: string) => /^postgres(ql)?:\/\//i.test(text)

/** The format named by `--format`, or guessed from `--out`. @internal */
export const resolve = (
  out: Option.Option<string>,
  format: Option.Option<Format>
): Either.Either<Output, Cli.CliFailure> => {
  const target = Option.filter(out, (o) => o.trim() !== "")
  const guessed: Format = Option.match(target, {
    onNone: () => "ndjson",
    onSome: (o) =>
      isPostgresUrl(o)
        ? "postgres"
        : /\.(sqlite3?|db)$/i.test(o)
          ? "sqlite"
          : /\.(ndjson|jsonl|json)$/i.test(o)
            ? "ndjson"
            : /[\\/]$/.test(o) || !/\.[A-Za-z0-9]+$/.test(o)
              ? "csv"
              : "ndjson"
  })
  const chosen = Option.getOrElse(format, () => guessed)
  if (chosen !== "ndjson" && Option.isNone(target)) {
    return Either.left(
      Cli.usage(
        `--format ${chosen} needs --out (${chosen === "postgres" ? "a postgres:// URL" : chosen === "csv" ? "a directory" : "a file"})`
      )
    )
  }
  if (chosen === "postgres" && Option.isSome(target) && !isPostgresUrl(target.value)) {
    return Either.left(Cli.usage(`--format postgres needs --out postgres://user@host/database, not ${target.value}`))
  }
  return Either.right({ format: chosen, target })
}

/** A description of an output for messages. @internal */
export const describe = (output: Output): string =>
  Option.match(output.target, {
    onNone: () => "standard output",
    onSome: (t) => (output.format === "postgres" ? "the Postgres database" : t)
  })

/** The directory part of a path ("." when none). @internal */
export const dirname = (path: string) => {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i)
}

/** Fails (exit 2) unless `directory` exists and can be written, naming `what` the command wanted to write. @internal */
export const writableDirectory = (directory: string, what: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* fs.stat(directory).pipe(Effect.option)
    if (Option.isNone(info) || info.value.type !== "Directory") {
      return yield* Cli.usage(`cannot write ${what}: directory ${directory} does not exist`)
    }
    yield* fs
      .access(directory, { writable: true })
      .pipe(Effect.mapError(() => Cli.usage(`cannot write ${what}: directory ${directory} is not writable`)))
  })

/**
 * A sink's failure as exit 4 (the run has started): a file-system condition (disk full, permissions) names the
 * errno and the path; anything else gets the sink's description. A defect carrying an errno (a driver that throws
 * on a full disk) is reported the same way instead of as an internal error.
 */
const sinkFailure =
  <E>(describeError: (e: E) => string, what: (e: unknown) => string) =>
  (e: E): Cli.CliFailure =>
    FsErrors.find(e) !== undefined
      ? FsErrors.toFailure(e, `cannot write ${what(e)}`, Cli.ExitCode.partial)
      : Cli.partial(describeError(e))

const mapSinkErrors = <E>(
  sink: ExtractionSink.ExtractionSink<E>,
  describeError: (e: E) => string,
  what: (e: unknown) => string
): ExtractionSink.ExtractionSink<Cli.CliFailure> => {
  const failure = sinkFailure(describeError, what)
  const map = <A>(effect: Effect.Effect<A, E>) =>
    effect.pipe(
      Effect.mapError(failure),
      Effect.catchAllDefect((defect) =>
        FsErrors.isPathProblem(defect)
          ? Effect.fail(FsErrors.toFailure(defect, `cannot write ${what(defect)}`, Cli.ExitCode.partial))
          : Effect.die(defect)
      )
    )
  const writeJsonLines = sink.writeJsonLines
  return {
    open: (resumeFrom) => map(sink.open(resumeFrom)),
    write: (batch) => map(sink.write(batch)),
    position: map(sink.position),
    close: map(sink.close),
    validation: sink.validation,
    writeJsonLines: writeJsonLines === undefined ? undefined : (lines) => map(writeJsonLines(lines))
  }
}

/**
 * The run table of a SQL output: `start` records the run as `running` once the plan is known, `finish` sets its
 * final status (best effort: a database that cannot take the update keeps `running`, which readers treat as not
 * complete either).
 *
 * @internal
 */
export interface RunLog {
  readonly start: (plan: Extraction.Plan) => Effect.Effect<void, Cli.CliFailure>
  readonly finish: (status: "complete" | "failed" | "interrupted", detail?: string) => Effect.Effect<void>
}

/** An opened output: its sink, and its run table when it has one. @internal */
export type Opened = ExtractionSink.ExtractionSink<Cli.CliFailure> & { readonly runLog?: RunLog | undefined }

/** NDJSON on standard output: no position, so no resume. @internal */
export const stdoutSink: ExtractionSink.ExtractionSink<Cli.CliFailure> = {
  open: () => Effect.void,
  write: (batch) =>
    Effect.async<void, Cli.CliFailure>((resume) => {
      let text = ""
      for (const c of batch) text += `${JSON.stringify(c)}\n`
      process.stdout.write(text, (error) =>
        resume(error ? Effect.fail(Cli.partial(`cannot write to standard output: ${error.message}`)) : Effect.void)
      )
    }),
  position: Effect.succeed(null),
  close: Effect.void,
  validation: "conversation"
}

// The SQL client type comes from the sql package's layers, so this package needs no direct @effect/sql dependency.
type SqlLayer = ReturnType<typeof SqlSinkSqlite.layer> | ReturnType<typeof SqlSinkPg.layer>

// Loaded only for SQL outputs, each driver only for its own format: the drivers are the heaviest part of the command.
const loadSqlSink = Effect.promise(() => import("@effect-genesys/sql/SqlSink"))
const loadSqlite = Effect.promise(() => import("@effect-genesys/sql/SqlSinkSqlite"))
const loadPg = Effect.promise(() => import("@effect-genesys/sql/SqlSinkPg"))

const sqlSink = (makeLayer: Effect.Effect<SqlLayer>, what: string) =>
  Effect.gen(function* () {
    const SqlSink = yield* loadSqlSink
    const layer = yield* makeLayer
    const scope = yield* Effect.scope
    const refused = (e: unknown) =>
      FsErrors.find(e) !== undefined
        ? FsErrors.toFailure(e, `cannot use ${what}`)
        : Cli.usage(`cannot use ${what}: ${messageOf(e)}`)
    const context = yield* Layer.buildWithScope(layer, scope).pipe(Effect.mapError(refused))
    // Migrating here finds an unreachable, read-only or full database before anything is requested from Genesys.
    yield* SqlSink.migrate.pipe(Effect.provide(context), Effect.mapError(refused))
    const runId = crypto.randomUUID()
    const sink = yield* Effect.provide(SqlSink.make({ runId }), context)
    const runLog: RunLog = {
      start: (plan) =>
        SqlSink.startRun({
          runId,
          planHash: plan.planHash,
          interval: plan.interval,
          windows: plan.windows.length
        }).pipe(
          Effect.provide(context),
          Effect.mapError(
            sinkFailure(
              (e) => `cannot record the run in ${what}: ${messageOf(e)}`,
              () => what
            )
          )
        ),
      finish: (status, detail) => SqlSink.finishRun(runId, status, detail).pipe(Effect.provide(context), Effect.ignore)
    }
    const opened: Opened = {
      ...mapSinkErrors(
        sink,
        (e) => `writing to ${what} failed: ${messageOf(e)}`,
        () => what
      ),
      runLog
    }
    return opened
  })

/** The file a sink error names, else the output's path. */
const pathOf = (fallback: string) => (e: unknown) =>
  typeof e === "object" && e !== null && "path" in e && typeof e.path === "string" ? e.path : fallback

const messageOf = (e: unknown): string => {
  const text = typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e)
  const cause = typeof e === "object" && e !== null && "cause" in e ? e.cause : undefined
  const extra = cause instanceof Error && !text.includes(cause.message) ? ` (${cause.message})` : ""
  return `${text}${extra}`.split("\n")[0]!
}

/**
 * Opens the sink of an output, checking first that it can be written (a missing or read-only directory, a database
 * that cannot be opened or reached): those fail with exit 2 before any request.
 *
 * @internal
 */
export const open = (output: Output): Effect.Effect<Opened, Cli.CliFailure, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    if (Option.isNone(output.target)) return stdoutSink
    const target = output.target.value
    switch (output.format) {
      case "ndjson": {
        yield* writableDirectory(dirname(target), target)
        const sink = yield* FileSink.ndjson(target)
        return mapSinkErrors(sink, (e) => e.message, pathOf(target))
      }
      case "csv": {
        yield* fs
          .makeDirectory(target, { recursive: true })
          .pipe(Effect.mapError((e) => Cli.usage(`cannot create directory ${target}: ${messageOf(e)}`)))
        yield* writableDirectory(target, `CSV files to ${target}`)
        const sink = yield* FileSink.csv(target)
        return mapSinkErrors(sink, (e) => e.message, pathOf(target))
      }
      case "sqlite": {
        yield* writableDirectory(dirname(target), target)
        return yield* sqlSink(
          Effect.map(loadSqlite, (sqlite) => sqlite.layer({ filename: target })),
          `SQLite database ${target}`
        )
      }
      case "postgres":
        return yield* sqlSink(
          Effect.map(loadPg, (pg) => pg.layer({ url: target })),
          "the Postgres database"
        )
    }
  })

/** Writes every batch to all sinks; the position holds each one's; the run table is the first one's. @internal */
export const tee = <E>(
  sinks: ReadonlyArray<ExtractionSink.ExtractionSink<E> & { readonly runLog?: RunLog | undefined }>
): ExtractionSink.ExtractionSink<E> & { readonly runLog?: RunLog | undefined } => {
  const jsonLines = sinks.flatMap((sink) => (sink.writeJsonLines === undefined ? [] : [sink.writeJsonLines]))
  return {
    runLog: sinks.find((sink) => sink.runLog !== undefined)?.runLog,
    open: (resumeFrom) =>
      Effect.forEach(
        sinks,
        (sink, i) =>
          sink.open(
            Option.flatMap(resumeFrom, (p) => (Array.isArray(p) ? Option.fromNullable(p[i] as unknown) : Option.none()))
          ),
        { discard: true }
      ),
    write: (batch) => Effect.forEach(sinks, (sink) => sink.write(batch), { discard: true }),
    position: Effect.forEach(sinks, (sink) => sink.position),
    close: Effect.forEach(sinks, (sink) => sink.close, { discard: true }),
    validation: sinks.every((sink) => sink.validation === "conversation") ? "conversation" : "full",
    writeJsonLines:
      jsonLines.length === sinks.length
        ? (lines) => Effect.forEach(jsonLines, (write) => write(lines), { discard: true })
        : undefined
  }
}

/** Removes nothing but says where partial output is. @internal */
export const partialNote = (output: Output, checkpoint: Option.Option<string> = Option.none()): string =>
  Option.match(output.target, {
    onNone: () => "",
    onSome: (t) =>
      Option.isSome(checkpoint)
        ? ` (pages read so far are kept in ${checkpoint.value.replace(/(.)[\\/]+$/, "$1")}/parts; ${t} is written when the run completes)`
        : output.format === "ndjson"
          ? ` (partial output in ${t}${FileSink.partialSuffix})`
          : output.format === "csv"
            ? ` (partial output in ${t}/*.csv${FileSink.partialSuffix})`
            : ` (rows written so far stay in ${describe(output)}; its extraction_runs table marks this run not complete)`
  })

/**
 * Puts a committed file output back under its `.partial` name(s): the run ended, but the output turned out not to be
 * exact (reconciliation), and a file under its final name must always be complete. SQL outputs are marked in their
 * run table instead. Returns what was renamed, for the message.
 *
 * @internal
 */
export const markIncomplete = (
  output: Output,
  tables: ReadonlyArray<string>
): Effect.Effect<ReadonlyArray<string>, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    if (Option.isNone(output.target)) return []
    const fs = yield* FileSystem.FileSystem
    const target = output.target.value
    const files =
      output.format === "ndjson"
        ? [target]
        : output.format === "csv"
          ? tables.map((t) => FileSink.csvPath(target, t as Parameters<typeof FileSink.csvPath>[1]))
          : []
    const moved: Array<string> = []
    for (const file of files) {
      const partial = `${file}${FileSink.partialSuffix}`
      const ok = yield* fs.rename(file, partial).pipe(
        Effect.as(true),
        Effect.orElseSucceed(() => false)
      )
      if (ok) moved.push(partial)
    }
    return moved
  })
