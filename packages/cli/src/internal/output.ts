/** @internal */
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as FileSink from "@effect-genesys/analytics/FileSink"
import type * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Cli from "./cliError.js"
import type * as Flags from "./flags.js"

/** @internal */
export type Format = (typeof Flags.formats)[number]

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

const dirname = (path: string) => {
  const i = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"))
  return i < 0 ? "." : i === 0 ? "/" : path.slice(0, i)
}

const writableDirectory = (fs: FileSystem.FileSystem, directory: string, what: string) =>
  Effect.gen(function* () {
    const info = yield* fs.stat(directory).pipe(Effect.option)
    if (Option.isNone(info) || info.value.type !== "Directory") {
      return yield* Cli.usage(`cannot write ${what}: directory ${directory} does not exist`)
    }
    yield* fs
      .access(directory, { writable: true })
      .pipe(Effect.mapError(() => Cli.usage(`cannot write ${what}: directory ${directory} is not writable`)))
  })

const mapSinkErrors = <E>(
  sink: Extraction.Sink<E>,
  describeError: (e: E) => string
): Extraction.Sink<Cli.CliFailure> => {
  const map = <A>(effect: Effect.Effect<A, E>) => Effect.mapError(effect, (e) => Cli.partial(describeError(e)))
  return {
    open: (resumeFrom) => map(sink.open(resumeFrom)),
    write: (batch) => map(sink.write(batch)),
    position: map(sink.position),
    close: map(sink.close)
  }
}

/** NDJSON on standard output: no position, so no resume. @internal */
export const stdoutSink: Extraction.Sink<Cli.CliFailure> = {
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
  close: Effect.void
}

// The SQL client type comes from the sql package's layers, so this package needs no direct @effect/sql dependency.
type SqlLayer = ReturnType<typeof SqlSink.layerSqlite> | ReturnType<typeof SqlSink.layerPg>

// Loaded only for SQL outputs: the drivers are the heaviest part of the command.
const loadSqlSink = Effect.promise(() => import("@effect-genesys/sql/SqlSink"))

const sqlSink = (makeLayer: (sql: typeof SqlSink) => SqlLayer, what: string) =>
  Effect.gen(function* () {
    const SqlSink = yield* loadSqlSink
    const layer = makeLayer(SqlSink)
    const scope = yield* Effect.scope
    const context = yield* Layer.buildWithScope(layer, scope).pipe(
      Effect.mapError((e) => Cli.usage(`cannot open ${what}: ${messageOf(e)}`))
    )
    // Migrating here finds an unreachable or read-only database before anything is requested from Genesys.
    yield* SqlSink.migrate.pipe(
      Effect.provide(context),
      Effect.mapError((e) => Cli.usage(`cannot use ${what}: ${messageOf(e)}`))
    )
    const sink = yield* Effect.provide(SqlSink.extractionSink, context)
    return mapSinkErrors(sink, (e) => `writing to ${what} failed: ${messageOf(e)}`)
  })

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
export const open = (
  output: Output
): Effect.Effect<Extraction.Sink<Cli.CliFailure>, Cli.CliFailure, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    if (Option.isNone(output.target)) return stdoutSink
    const target = output.target.value
    switch (output.format) {
      case "ndjson": {
        yield* writableDirectory(fs, dirname(target), target)
        const sink = yield* FileSink.ndjsonExtraction(target)
        return mapSinkErrors(sink, (e) => e.message)
      }
      case "csv": {
        yield* fs
          .makeDirectory(target, { recursive: true })
          .pipe(Effect.mapError((e) => Cli.usage(`cannot create directory ${target}: ${messageOf(e)}`)))
        yield* writableDirectory(fs, target, `CSV files to ${target}`)
        const sink = yield* FileSink.csvExtraction(target)
        return mapSinkErrors(sink, (e) => e.message)
      }
      case "sqlite": {
        yield* writableDirectory(fs, dirname(target), target)
        return yield* sqlSink((sql) => sql.layerSqlite({ filename: target }), `SQLite database ${target}`)
      }
      case "postgres":
        return yield* sqlSink((sql) => sql.layerPg({ url: target }), "the Postgres database")
    }
  })

/** Writes every batch to all sinks; the position holds each one's. @internal */
export const tee = <E>(sinks: ReadonlyArray<Extraction.Sink<E>>): Extraction.Sink<E> => ({
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
  close: Effect.forEach(sinks, (sink) => sink.close, { discard: true })
})

/** Removes nothing but says where partial output is. @internal */
export const partialNote = (output: Output): string =>
  Option.match(output.target, {
    onNone: () => "",
    onSome: (t) =>
      output.format === "ndjson"
        ? ` (partial output in ${t}${FileSink.partialSuffix})`
        : output.format === "csv"
          ? ` (partial output in ${t}/*.csv${FileSink.partialSuffix})`
          : ""
  })
