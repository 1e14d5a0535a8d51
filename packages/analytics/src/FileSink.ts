/**
 * Streaming file sinks for conversation records: NDJSON (one conversation per line) and CSV (one RFC 4180 file per
 * {@link Flatten} table). Both write to `<final name>.partial` and rename to the final name only when the stream ends
 * successfully, so a file under its final name is always complete. When the stream fails or is interrupted the
 * `.partial` file is removed; only a crash that kills the process leaves one behind, and its name says what it is.
 *
 * Uses `@effect/platform` `FileSystem`; the application provides it (e.g. `NodeFileSystem.layer`).
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type * as Extraction from "./Extraction.js"
import * as Flatten from "./Flatten.js"
import * as Csv from "./internal/flatten/csvEncode.js"

/** Suffix of the temporary name a sink writes to before renaming. @since 0.1.0 */
export const partialSuffix = ".partial"

/** What an NDJSON sink wrote. @since 0.1.0 */
export interface NdjsonSummary {
  readonly path: string
  readonly conversations: number
}

/** What a CSV sink wrote. @since 0.1.0 */
export interface CsvSummary {
  readonly directory: string
  readonly conversations: number
  /** Rows written per table. */
  readonly rows: Flatten.Counts
  /** The files written, one per table, in the order of `Flatten.tables`. */
  readonly files: ReadonlyArray<string>
}

const encoder = new TextEncoder()

interface AtomicFile {
  readonly write: (text: string) => Effect.Effect<void, PlatformError.PlatformError>
  /** Closes the temporary file and renames it to its final name. */
  readonly commit: Effect.Effect<void, PlatformError.PlatformError>
}

const atomicFile = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<AtomicFile, PlatformError.PlatformError, Scope.Scope> =>
  Effect.gen(function* () {
    const partial = `${path}${partialSuffix}`
    const scope = yield* Effect.scope
    let committed = false
    // Added before the file is opened so that it runs after the file is closed.
    yield* Scope.addFinalizer(
      scope,
      Effect.suspend(() => (committed ? Effect.void : fs.remove(partial).pipe(Effect.ignore)))
    )
    const fileScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
    const file = yield* fs.open(partial, { flag: "w" }).pipe(Scope.extend(fileScope))
    return {
      write: (text) => (text.length === 0 ? Effect.void : file.writeAll(encoder.encode(text))),
      commit: Effect.gen(function* () {
        yield* file.sync
        yield* Scope.close(fileScope, Exit.void)
        yield* fs.rename(partial, path)
        committed = true
      })
    }
  })

const ndjsonText = (items: Iterable<unknown>): string => {
  let text = ""
  for (const item of items) text += `${JSON.stringify(item)}\n`
  return text
}

/**
 * A sink writing each conversation as one JSON line to `path` (UTF-8, `\n`-terminated), atomically.
 *
 * @since 0.1.0
 */
export const ndjson = (
  path: string
): Sink.Sink<NdjsonSummary, unknown, never, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Sink.unwrapScoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const out = yield* atomicFile(fs, path)
      return Sink.foldLeftChunksEffect(0, (count: number, chunk: Chunk.Chunk<unknown>) =>
        Effect.as(out.write(ndjsonText(chunk)), count + chunk.length)
      ).pipe(Sink.mapEffect((conversations) => Effect.as(out.commit, { path, conversations })))
    })
  )

/** The path of a table's CSV file inside a directory. @since 0.1.0 */
export const csvPath = (directory: string, table: Flatten.TableName): string =>
  `${directory.replace(/[\\/]+$/, "")}/${table}.csv`

/**
 * A sink flattening each conversation and writing one CSV file per table (`<directory>/<table>.csv`, header row,
 * RFC 4180 quoting, CRLF records), each atomically. The directory is created when missing. Every table gets a file,
 * header only when it has no rows, so a consumer can rely on the set of files.
 *
 * @since 0.1.0
 */
export const csv = (
  directory: string
): Sink.Sink<CsvSummary, Flatten.ConversationInput, never, PlatformError.PlatformError, FileSystem.FileSystem> =>
  Sink.unwrapScoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      yield* fs.makeDirectory(directory, { recursive: true })
      const files = Flatten.tables.map((table) => csvPath(directory, table.name))
      const outs = yield* Effect.forEach(Flatten.tables, (table, i) =>
        Effect.tap(atomicFile(fs, files[i]!), (out) => out.write(Csv.header(table)))
      )
      const initial = { conversations: 0, rows: Flatten.zeroCounts }
      return Sink.foldLeftChunksEffect(initial, (state, chunk: Chunk.Chunk<Flatten.ConversationInput>) => {
        const flat = Flatten.flattenAll(chunk)
        return Effect.as(
          Effect.forEach(Flatten.tables, (table, i) => outs[i]!.write(Csv.rows(table, flat[table.name])), {
            discard: true
          }),
          {
            conversations: state.conversations + chunk.length,
            rows: Flatten.addCounts(state.rows, Flatten.counts(flat))
          }
        )
      }).pipe(
        Sink.mapEffect((state) =>
          Effect.as(
            Effect.forEach(outs, (out) => out.commit, { discard: true }),
            { directory, files, ...state }
          )
        )
      )
    })
  )

/** Runs a stream into {@link ndjson}. @since 0.1.0 */
export const writeNdjson: {
  (
    path: string
  ): <E, R>(
    stream: Stream.Stream<unknown, E, R>
  ) => Effect.Effect<NdjsonSummary, E | PlatformError.PlatformError, R | FileSystem.FileSystem>
  <E, R>(
    stream: Stream.Stream<unknown, E, R>,
    path: string
  ): Effect.Effect<NdjsonSummary, E | PlatformError.PlatformError, R | FileSystem.FileSystem>
} = dual(2, <E, R>(stream: Stream.Stream<unknown, E, R>, path: string) => Stream.run(stream, ndjson(path)))

/** Runs a stream into {@link csv}. @since 0.1.0 */
export const writeCsv: {
  (
    directory: string
  ): <A extends Flatten.ConversationInput, E, R>(
    stream: Stream.Stream<A, E, R>
  ) => Effect.Effect<CsvSummary, E | PlatformError.PlatformError, R | FileSystem.FileSystem>
  <A extends Flatten.ConversationInput, E, R>(
    stream: Stream.Stream<A, E, R>,
    directory: string
  ): Effect.Effect<CsvSummary, E | PlatformError.PlatformError, R | FileSystem.FileSystem>
} = dual(2, <A extends Flatten.ConversationInput, E, R>(stream: Stream.Stream<A, E, R>, directory: string) =>
  Stream.run(stream, csv(directory))
)

// --- extraction sinks ----------------------------------------------------------------------------------------------

/**
 * An extraction sink could not write, or could not resume: the partial file is missing or shorter than the position
 * the checkpoint recorded (someone removed or cut it), or the position is not one this sink writes. `errno` is the
 * operating system's code when the file system refused (`ENOSPC`, `EACCES`, `EROFS`, ...).
 *
 * @since 0.1.0
 */
export class FileSinkError extends Schema.TaggedError<FileSinkError>(
  "@effect-genesys/analytics/FileSink/FileSinkError"
)("FileSinkError", { path: Schema.String, reason: Schema.String, errno: Schema.optional(Schema.String) }) {
  override get message(): string {
    return `${this.path}: ${this.reason}`
  }
}

/** The errno of a platform error (`ENOSPC`, ...), when the operating system gave one. */
const errnoOf = (error: PlatformError.PlatformError): string | undefined => {
  const cause: unknown = error._tag === "SystemError" ? error.cause : undefined
  const code = typeof cause === "object" && cause !== null && "code" in cause ? cause.code : undefined
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : undefined
}

const ioError = (path: string, action: string) => (error: PlatformError.PlatformError) => {
  const errno = errnoOf(error)
  // With an errno, the platform's message ("Unknown: FileSystem.writeAll (21): ENOSPC: ...") adds only noise.
  const detail = errno !== undefined && error._tag === "SystemError" ? (error.description ?? errno) : error.message
  return new FileSinkError({ path, reason: `cannot ${action}: ${detail}`, ...(errno !== undefined ? { errno } : {}) })
}

/** One output file of an extraction: appended to under `.partial`, synced per batch, renamed by `commit`. */
interface ResumableFile {
  readonly path: string
  /** Bytes written and synced so far. */
  readonly position: () => number
  readonly open: (resumeFrom: Option.Option<number>, header: string) => Effect.Effect<void, FileSinkError>
  readonly append: (text: string) => Effect.Effect<void, FileSinkError>
  readonly sync: Effect.Effect<void, FileSinkError>
  readonly commit: Effect.Effect<void, FileSinkError>
}

const resumableFile = (fs: FileSystem.FileSystem, scope: Scope.Scope, path: string): ResumableFile => {
  const partial = `${path}${partialSuffix}`
  let handle: { readonly file: FileSystem.File; readonly scope: Scope.CloseableScope } | undefined
  let written = 0
  let synced = 0
  const sizeOf = (file: string) =>
    fs.stat(file).pipe(
      Effect.map((info) => Option.some(Number(info.size))),
      Effect.catchIf(
        (e) => e._tag === "SystemError" && e.reason === "NotFound",
        () => Effect.succeed(Option.none<number>())
      ),
      Effect.mapError(ioError(file, "read its size"))
    )
  const openHandle = (flag: FileSystem.OpenFlag) =>
    Effect.gen(function* () {
      const fileScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
      const file = yield* fs
        .open(partial, { flag })
        .pipe(Scope.extend(fileScope), Effect.mapError(ioError(partial, "open")))
      handle = { file, scope: fileScope }
    })
  const append = (text: string) =>
    Effect.suspend(() => {
      if (handle === undefined) return Effect.fail(new FileSinkError({ path: partial, reason: "written before open" }))
      if (text.length === 0) return Effect.void
      const bytes = encoder.encode(text)
      return Effect.map(handle.file.writeAll(bytes).pipe(Effect.mapError(ioError(partial, "write"))), () => {
        written += bytes.length
      })
    })
  const sync = Effect.suspend(() => {
    if (handle === undefined || synced === written) return Effect.void
    return Effect.map(handle.file.sync.pipe(Effect.mapError(ioError(partial, "sync"))), () => {
      synced = written
    })
  })
  return {
    path,
    position: () => synced,
    open: (resumeFrom, header) =>
      Option.match(resumeFrom, {
        onNone: () =>
          Effect.gen(function* () {
            yield* openHandle("w")
            yield* append(header)
            yield* sync
          }),
        onSome: (position) =>
          Effect.gen(function* () {
            let size = yield* sizeOf(partial)
            if (Option.isNone(size)) {
              // The previous run renamed its output and stopped before its checkpoint was cleared: take it back.
              const final = yield* sizeOf(path)
              if (Option.isSome(final) && final.value >= position) {
                yield* fs.rename(path, partial).pipe(Effect.mapError(ioError(path, "rename")))
                size = final
              }
            }
            if (Option.isNone(size)) {
              return yield* new FileSinkError({
                path: partial,
                reason: `cannot resume: the partial file is missing (the checkpoint expects ${position} bytes); remove the checkpoint to start again`
              })
            }
            if (size.value < position) {
              return yield* new FileSinkError({
                path: partial,
                reason: `cannot resume: the partial file has ${size.value} bytes, the checkpoint expects ${position}; remove the checkpoint to start again`
              })
            }
            // Bytes past the position were written after the last checkpoint: the resumed run writes them again.
            yield* fs.truncate(partial, position).pipe(Effect.mapError(ioError(partial, "truncate")))
            yield* openHandle("a")
            written = position
            synced = position
          })
      }),
    append,
    sync,
    commit: Effect.suspend(() => {
      if (handle === undefined) return Effect.fail(new FileSinkError({ path: partial, reason: "closed before open" }))
      const { scope: fileScope } = handle
      return Effect.gen(function* () {
        yield* sync
        yield* Scope.close(fileScope, Exit.void)
        handle = undefined
        yield* fs.rename(partial, path).pipe(Effect.mapError(ioError(path, "rename the partial file to")))
      })
    })
  }
}

const isPosition = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

const badPosition = (path: string, position: unknown) =>
  new FileSinkError({ path, reason: `cannot resume from ${JSON.stringify(position)}: not a position of this sink` })

/**
 * An {@link Extraction.Sink} writing one JSON line per conversation to `<path>.partial`, renamed to `path` by `close`.
 * Its position is the number of bytes written and synced to disk; resuming truncates the partial file to the
 * checkpoint's position, so lines written after the last checkpoint are written once more, never twice. The file
 * handle lives in the surrounding scope; a failed run leaves the partial file for the resume.
 *
 * @since 0.1.0
 */
export const ndjsonExtraction = (
  path: string
): Effect.Effect<Extraction.Sink<FileSinkError>, never, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const scope = yield* Effect.scope
    const file = resumableFile(fs, scope, path)
    return {
      open: (resumeFrom) =>
        Option.match(resumeFrom, {
          onNone: () => file.open(Option.none(), ""),
          onSome: (p) => (isPosition(p) ? file.open(Option.some(p), "") : Effect.fail(badPosition(path, p)))
        }),
      write: (batch) => Effect.zipRight(file.append(ndjsonText(batch)), file.sync),
      position: Effect.sync(() => file.position()),
      close: file.commit
    }
  })

/** The position of a CSV extraction sink: bytes written and synced per table. @since 0.1.0 */
export type CsvPosition = { readonly [K in Flatten.TableName]: number }

/**
 * An {@link Extraction.Sink} flattening conversations into one CSV file per table in `directory`
 * (`<table>.csv.partial`, renamed by `close`). Its position holds the synced byte count of every file; resuming
 * truncates each file to its count.
 *
 * @since 0.1.0
 */
export const csvExtraction = (
  directory: string
): Effect.Effect<Extraction.Sink<FileSinkError>, never, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const scope = yield* Effect.scope
    const files = Flatten.tables.map((table) => resumableFile(fs, scope, csvPath(directory, table.name)))
    const parse = (p: unknown): Option.Option<CsvPosition> => {
      if (typeof p !== "object" || p === null) return Option.none()
      const record = p as Record<string, unknown>
      return Flatten.tableNames.every((name) => isPosition(record[name]))
        ? Option.some(p as CsvPosition)
        : Option.none()
    }
    return {
      open: (resumeFrom) =>
        Effect.gen(function* () {
          yield* fs
            .makeDirectory(directory, { recursive: true })
            .pipe(Effect.mapError(ioError(directory, "create the directory")))
          const position = Option.isNone(resumeFrom) ? Option.none<CsvPosition>() : parse(resumeFrom.value)
          if (Option.isSome(resumeFrom) && Option.isNone(position)) {
            return yield* badPosition(directory, resumeFrom.value)
          }
          yield* Effect.forEach(
            Flatten.tables,
            (table, i) =>
              files[i]!.open(
                Option.map(position, (p) => p[table.name]),
                Csv.header(table)
              ),
            { discard: true }
          )
        }),
      write: (batch) =>
        Effect.gen(function* () {
          const flat = Flatten.flattenAll(batch)
          yield* Effect.forEach(Flatten.tables, (table, i) => files[i]!.append(Csv.rows(table, flat[table.name])), {
            discard: true
          })
          yield* Effect.forEach(files, (file) => file.sync, { discard: true })
        }),
      position: Effect.sync(
        () => Object.fromEntries(Flatten.tables.map((table, i) => [table.name, files[i]!.position()])) as CsvPosition
      ),
      close: Effect.forEach(files, (file) => file.commit, { discard: true })
    }
  })
