/**
 * File sinks for conversation records, each an {@link ExtractionSink.ExtractionSink}: NDJSON (one conversation per
 * line) and CSV (one RFC 4180 file per {@link Flatten} table). Both write to `<final name>.partial` and rename to the
 * final name only on `close`, so a file under its final name is always complete. Their position is the byte count
 * synced to disk, so an extraction resumes by truncating the partial file to its checkpoint; a stream run through
 * `ExtractionSink.write` that fails or is interrupted removes the partial file instead (`discard`).
 *
 * Uses `@effect/platform` `FileSystem`; the application provides it (e.g. `NodeFileSystem.layer`).
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import { identity } from "effect/Function"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scope from "effect/Scope"
import type * as ExtractionSink from "./ExtractionSink.js"
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

const serialise = (item: unknown): string => JSON.stringify(item) ?? "undefined"

/**
 * NDJSON lines encoded one by one into a buffer kept between batches. Concatenating a page's lines into one string
 * and encoding that (as this sink did) made V8 build a rope, copy it flat and allocate the encoded copy: two more
 * page-sized allocations per batch, each made while the parsed page is still alive, so the young-generation
 * collections they trigger copy that page too. The bytes are the same: UTF-8 of `JSON.stringify(item)` and `\n`.
 */
const makeLineEncoder = () => {
  let buffer = new Uint8Array(1 << 16)
  // Set while a write of `buffer` may still be reading it (an interrupted write): the next batch takes a new one.
  let lent = false
  return {
    encode: <A>(items: Iterable<A>, toLine: (item: A) => string): Uint8Array => {
      if (lent) buffer = new Uint8Array(buffer.length)
      let length = 0
      for (const item of items) {
        const line = toLine(item)
        // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
        const room = line.length * 3 + 1
        if (buffer.length - length < room) {
          const grown = new Uint8Array(Math.max(buffer.length * 2, length + room))
          grown.set(buffer.subarray(0, length))
          buffer = grown
        }
        length += encoder.encodeInto(line, buffer.subarray(length)).written
        buffer[length++] = 0x0a
      }
      return buffer.subarray(0, length)
    },
    lend: () => {
      lent = true
    },
    giveBack: () => {
      lent = false
    }
  }
}

/** The path of a table's CSV file inside a directory. @since 0.1.0 */
export const csvPath = (directory: string, table: Flatten.TableName): string =>
  `${directory.replace(/[\\/]+$/, "")}/${table}.csv`

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

/** One output file: appended to under `.partial`, synced on demand, renamed by `commit` or removed by `discard`. */
interface ResumableFile {
  readonly path: string
  /** Bytes written and synced so far. */
  readonly position: () => number
  readonly open: (resumeFrom: Option.Option<number>, header: string) => Effect.Effect<void, FileSinkError>
  readonly append: (text: string) => Effect.Effect<void, FileSinkError>
  /** Appends bytes; `bytes` may be reused by the caller once the effect has completed. */
  readonly appendBytes: (bytes: Uint8Array) => Effect.Effect<void, FileSinkError>
  readonly sync: Effect.Effect<void, FileSinkError>
  readonly commit: Effect.Effect<void, FileSinkError>
  readonly discard: Effect.Effect<void, FileSinkError>
}

const sizeOf = (fs: FileSystem.FileSystem, file: string) =>
  fs.stat(file).pipe(
    Effect.map((info) => Option.some(Number(info.size))),
    Effect.catchIf(
      (e) => e._tag === "SystemError" && e.reason === "NotFound",
      () => Effect.succeed(Option.none<number>())
    ),
    Effect.mapError(ioError(file, "read its size"))
  )

/**
 * Prepares the partial file of `path` for a resume from `position`: takes back a final file the previous run renamed
 * before its checkpoint was cleared, refuses a missing or shorter file, and cuts what came after the checkpoint.
 */
const truncateForResume = (fs: FileSystem.FileSystem, path: string, position: number) =>
  Effect.gen(function* () {
    const partial = `${path}${partialSuffix}`
    let size = yield* sizeOf(fs, partial)
    if (Option.isNone(size)) {
      const final = yield* sizeOf(fs, path)
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
  })

const resumableFile = (fs: FileSystem.FileSystem, scope: Scope.Scope, path: string): ResumableFile => {
  const partial = `${path}${partialSuffix}`
  let handle: { readonly file: FileSystem.File; readonly scope: Scope.CloseableScope } | undefined
  let written = 0
  let synced = 0
  const openHandle = (flag: FileSystem.OpenFlag) =>
    Effect.gen(function* () {
      const fileScope = yield* Scope.fork(scope, ExecutionStrategy.sequential)
      const file = yield* fs
        .open(partial, { flag })
        .pipe(Scope.extend(fileScope), Effect.mapError(ioError(partial, "open")))
      handle = { file, scope: fileScope }
    })
  const closeHandle = Effect.suspend(() => {
    const current = handle
    handle = undefined
    return current === undefined ? Effect.void : Scope.close(current.scope, Exit.void)
  })
  const appendBytes = (bytes: Uint8Array) =>
    Effect.suspend(() => {
      if (handle === undefined) return Effect.fail(new FileSinkError({ path: partial, reason: "written before open" }))
      if (bytes.length === 0) return Effect.void
      return Effect.map(handle.file.writeAll(bytes).pipe(Effect.mapError(ioError(partial, "write"))), () => {
        written += bytes.length
      })
    })
  const append = (text: string) => Effect.suspend(() => appendBytes(encoder.encode(text)))
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
        onNone: () => Effect.zipRight(openHandle("w"), Effect.zipRight(append(header), sync)),
        onSome: (position) =>
          Effect.gen(function* () {
            yield* truncateForResume(fs, path, position)
            yield* openHandle("a")
            written = position
            synced = position
          })
      }),
    append,
    appendBytes,
    sync,
    commit: Effect.suspend(() => {
      if (handle === undefined) return Effect.fail(new FileSinkError({ path: partial, reason: "closed before open" }))
      return Effect.gen(function* () {
        yield* sync
        yield* closeHandle
        yield* fs.rename(partial, path).pipe(Effect.mapError(ioError(path, "rename the partial file to")))
      })
    }),
    discard: Effect.zipRight(
      closeHandle,
      fs.remove(partial, { force: true }).pipe(Effect.mapError(ioError(partial, "remove")))
    )
  }
}

const isPosition = (u: unknown): u is number => typeof u === "number" && Number.isSafeInteger(u) && u >= 0

const badPosition = (path: string, position: unknown) =>
  new FileSinkError({ path, reason: `cannot resume from ${JSON.stringify(position)}: not a position of this sink` })

/**
 * A sink writing one JSON line per conversation (UTF-8, `\n`-terminated) to `<path>.partial`, renamed to `path` by
 * `close`. Its position is the number of bytes written and synced to disk; resuming truncates the partial file to the
 * checkpoint's position, so lines written after the last checkpoint are written once more, never twice. The file
 * handle lives in the surrounding scope; a failed extraction leaves the partial file for the resume.
 *
 * @since 0.1.0
 */
export const ndjson = (
  path: string
): Effect.Effect<
  ExtractionSink.ExtractionSink<FileSinkError, NdjsonSummary>,
  never,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const file = resumableFile(fs, yield* Effect.scope, path)
    const lines = makeLineEncoder()
    let conversations = 0
    const append = <A>(items: ReadonlyArray<A>, toLine: (item: A) => string) =>
      Effect.suspend(() => {
        const bytes = lines.encode(items, toLine)
        lines.lend()
        return Effect.map(file.appendBytes(bytes), () => {
          lines.giveBack()
          conversations += items.length
        })
      })
    return {
      open: (resumeFrom) =>
        Option.match(resumeFrom, {
          onNone: () => file.open(Option.none(), ""),
          onSome: (p) => (isPosition(p) ? file.open(Option.some(p), "") : Effect.fail(badPosition(path, p)))
        }),
      write: (batch) => append(batch, serialise),
      writeJsonLines: (jsonLines) => append(jsonLines, identity),
      position: Effect.map(file.sync, () => file.position()),
      close: Effect.map(file.commit, () => ({ path, conversations })),
      discard: file.discard,
      // Lines are the records as received: nothing nested in a conversation is read on the way.
      validation: "conversation"
    }
  })

/** The position of a CSV sink: bytes written and synced per table. @since 0.1.0 */
export type CsvPosition = { readonly [K in Flatten.TableName]: number }

const parseCsvPosition = (p: unknown): Option.Option<CsvPosition> => {
  if (typeof p !== "object" || p === null) return Option.none()
  const record = p as Record<string, unknown>
  return Flatten.tableNames.every((name) => isPosition(record[name])) ? Option.some(p as CsvPosition) : Option.none()
}

/**
 * A sink flattening conversations into one CSV file per table in `directory` (`<table>.csv.partial` with a header
 * row, RFC 4180 quoting, CRLF records, renamed by `close`). The directory is created when missing; every table gets a
 * file, header only when it has no rows. Its position holds the synced byte count of every file; resuming truncates
 * each file to its count.
 *
 * @since 0.1.0
 */
export const csv = (
  directory: string
): Effect.Effect<
  ExtractionSink.ExtractionSink<FileSinkError, CsvSummary>,
  never,
  FileSystem.FileSystem | Scope.Scope
> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const scope = yield* Effect.scope
    const paths = Flatten.tables.map((table) => csvPath(directory, table.name))
    const files = paths.map((path) => resumableFile(fs, scope, path))
    const all = (f: (file: ResumableFile) => Effect.Effect<void, FileSinkError>) =>
      Effect.forEach(files, f, { discard: true })
    let summary = { conversations: 0, rows: Flatten.zeroCounts }
    return {
      open: (resumeFrom) =>
        Effect.gen(function* () {
          yield* fs
            .makeDirectory(directory, { recursive: true })
            .pipe(Effect.mapError(ioError(directory, "create the directory")))
          const position = Option.isNone(resumeFrom) ? Option.none<CsvPosition>() : parseCsvPosition(resumeFrom.value)
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
          summary = {
            conversations: summary.conversations + batch.length,
            rows: Flatten.addCounts(summary.rows, Flatten.counts(flat))
          }
        }),
      position: Effect.map(
        all((file) => file.sync),
        () => Object.fromEntries(Flatten.tables.map((table, i) => [table.name, files[i]!.position()]))
      ),
      close: Effect.map(
        all((file) => file.commit),
        () => ({ directory, files: paths, ...summary })
      ),
      discard: all((file) => file.discard)
    }
  })
