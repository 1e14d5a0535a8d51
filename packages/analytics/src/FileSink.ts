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
import * as FileSystem from "@effect/platform/FileSystem"
import type * as PlatformError from "@effect/platform/Error"
import type * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { dual } from "effect/Function"
import * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import * as Flatten from "./Flatten.js"
import * as Csv from "./internal/csvEncode.js"

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

const ndjsonText = (chunk: Chunk.Chunk<unknown>): string => {
  let text = ""
  for (const item of chunk) text += `${JSON.stringify(item)}\n`
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
