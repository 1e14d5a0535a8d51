/**
 * Where an extraction records each window's progress, so that a restarted run resumes instead of
 * starting over. File-based by default (atomic writes), memory for tests.
 *
 * @since 0.1.0
 */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { ConfigInvalid } from "./GenesysError.js"
import * as checkpointFile from "./internal/extraction/checkpointFileName.js"

/** One planned window's progress. @since 0.1.0 */
export const WindowCheckpoint = Schema.Struct({
  /** The plan's id for the window, when it has one. */
  id: Schema.optional(Schema.String),
  /** ISO-8601 interval of the window. */
  window: Schema.String,
  kind: Schema.Literal("job", "query"),
  state: Schema.Literal("pending", "submitted", "paging", "done"),
  jobId: Schema.optional(Schema.String),
  /** Cursor of the next job-results page to fetch. */
  cursor: Schema.optional(Schema.String),
  /** Every cursor followed for the current job, so a cursor the platform repeats is caught across restarts. */
  seenCursors: Schema.optional(Schema.Array(Schema.String)),
  /** Rows of the current job still to skip because an earlier job of the window wrote them. */
  pendingSkip: Schema.optional(Schema.NonNegativeInt),
  /**
   * Ids the current job returned so far, kept while its paging is in progress (cleared when the window is done), so
   * that a duplicate straddling a resume is still recognised.
   */
  seenIds: Schema.optional(Schema.Array(Schema.String)),
  pagesDone: Schema.NonNegativeInt,
  conversations: Schema.NonNegativeInt
})

/** @since 0.1.0 */
export interface WindowCheckpoint extends Schema.Schema.Type<typeof WindowCheckpoint> {}

/** A run's progress: the plan it belongs to and every window's state. @since 0.1.0 */
export const Checkpoint = Schema.Struct({
  /** SHA-256 of the plan; a checkpoint only resumes the plan it was written for. */
  planHash: Schema.String,
  windows: Schema.Array(WindowCheckpoint),
  /** The sink's position after the last committed page (any JSON value). */
  sinkPosition: Schema.optional(Schema.Unknown),
  /** Conversations counted per UTC day (epoch day number as key), for reconciliation. */
  dayCounts: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Number }))
})

/** @since 0.1.0 */
export interface Checkpoint extends Schema.Schema.Type<typeof Checkpoint> {}

/** @since 0.1.0 */
export interface Service {
  /**
   * The checkpoint saved under `key`, if any. A stored checkpoint that cannot be read fails with
   * `ConfigInvalid`: it is never taken as absent, since resuming from nothing would write
   * conversations to the sink a second time.
   */
  readonly load: (key: string) => Effect.Effect<Option.Option<Checkpoint>, ConfigInvalid>
  /** Replaces the checkpoint of `key`. A value that does not match the Schema is a defect. */
  readonly save: (key: string, checkpoint: Checkpoint) => Effect.Effect<void, ConfigInvalid>
  /** Removes the checkpoint; clearing a missing key succeeds. */
  readonly clear: (key: string) => Effect.Effect<void, ConfigInvalid>
}

/** The checkpoint store. @since 0.1.0 */
export class CheckpointStore extends Context.Tag("@effect-genesys/analytics/CheckpointStore")<
  CheckpointStore,
  Service
>() {}

const encode = Schema.encode(Checkpoint)
const decode = Schema.decodeUnknown(Checkpoint)

const FIELD = "checkpointStore.directory"

// Saving a value outside the Schema is a bug in the caller, not a condition to handle.
const encodeOrDie = (key: string, checkpoint: Checkpoint) =>
  Effect.catchAll(encode(checkpoint), (error) =>
    Effect.dieMessage(
      `CheckpointStore.save(${JSON.stringify(key)}): not a Checkpoint: ${ParseResult.TreeFormatter.formatErrorSync(error)}`
    )
  )

const withoutIds = (checkpoint: Checkpoint): Checkpoint => ({
  ...checkpoint,
  windows: checkpoint.windows.map(({ seenIds: _, ...w }) => w)
})

/** No ids, or an array of strings in every slot (a hole is not a string, as the Schema says). */
const idsAreStrings = (window: unknown): boolean => {
  if (typeof window !== "object" || window === null) return false
  const ids: unknown = (window as { readonly seenIds?: unknown }).seenIds
  if (ids === undefined) return true
  if (!Array.isArray(ids)) return false
  for (let i = 0; i < ids.length; i++) if (typeof ids[i] !== "string") return false
  return true
}

/**
 * `encodeOrDie` that checks the windows' `seenIds` (thousands of ids a page, saved again with every page) with a
 * plain loop instead of the Schema's per-element parse; anything else, and every failure's message, is the Schema's.
 */
const checkedOrDie = (key: string, checkpoint: Checkpoint) =>
  Array.isArray(checkpoint.windows) && checkpoint.windows.every(idsAreStrings)
    ? Effect.as(encodeOrDie(key, withoutIds(checkpoint)), checkpoint)
    : encodeOrDie(key, checkpoint)

/** A copy sharing nothing mutable with `checkpoint`: its arrays and objects copied, its strings shared. */
const detach = (checkpoint: Checkpoint): Checkpoint => ({
  ...checkpoint,
  windows: checkpoint.windows.map((w) => ({
    ...w,
    ...(w.seenCursors !== undefined ? { seenCursors: w.seenCursors.slice() } : {}),
    ...(w.seenIds !== undefined ? { seenIds: w.seenIds.slice() } : {})
  })),
  ...(checkpoint.dayCounts !== undefined ? { dayCounts: { ...checkpoint.dayCounts } } : {}),
  ...(checkpoint.sinkPosition !== undefined ? { sinkPosition: structuredClone(checkpoint.sinkPosition) } : {})
})

/** Keeps validated, detached copies, so later mutation by the caller cannot change what was saved. @since 0.1.0 */
export const makeMemory: Effect.Effect<Service> = Effect.sync(() => {
  const entries = new Map<string, Checkpoint>()
  return {
    load: (key) =>
      Effect.suspend(() => {
        const stored = entries.get(key)
        return stored === undefined
          ? Effect.succeed(Option.none())
          : Effect.map(Effect.orDie(decode(detach(stored))), Option.some)
      }),
    save: (key, checkpoint) =>
      Effect.map(checkedOrDie(key, checkpoint), (checked) => {
        entries.set(key, detach(checked))
      }),
    clear: (key) => Effect.sync(() => void entries.delete(key))
  }
})

/** In-memory store for tests. @since 0.1.0 */
export const layerMemory: Layer.Layer<CheckpointStore> = Layer.effect(CheckpointStore, makeMemory)

const FileFormat = Schema.parseJson(
  Schema.Struct({
    format: Schema.Literal(checkpointFile.FORMAT),
    version: Schema.Literal(1),
    key: Schema.String,
    savedAt: Schema.String,
    checkpoint: Checkpoint
  })
)
const decodeFile = Schema.decodeUnknown(FileFormat)

const corrupt = (key: string, path: string, detail: string) =>
  new ConfigInvalid({
    field: FIELD,
    detail: `checkpoint ${JSON.stringify(key)} at ${path} is corrupt (${detail}); move it aside to start the run afresh`
  })

/** The text of `path`, or `None` when it does not exist. */
const readIfPresent = (fs: FileSystem.FileSystem, path: string) =>
  fs.readFileString(path).pipe(
    Effect.map(Option.some),
    Effect.catchIf(
      (e) => e._tag === "SystemError" && e.reason === "NotFound",
      () => Effect.succeed(Option.none<string>())
    )
  )

/** Writes `text` to a new `temp` file, syncs it and renames it over `path`: a crash leaves the old or the new file. */
const replaceFile = (fs: FileSystem.FileSystem, temp: string, path: string, text: string) =>
  Effect.scoped(
    Effect.gen(function* () {
      const file = yield* fs.open(temp, { flag: "wx" })
      yield* file.writeAll(new TextEncoder().encode(text))
      yield* file.sync
    })
  ).pipe(
    Effect.zipRight(fs.rename(temp, path)),
    Effect.tapError(() => Effect.ignore(fs.remove(temp)))
  )

/**
 * One JSON file per key in `directory` (created on first save); file-system failures and corrupt
 * files fail with `ConfigInvalid` (field `checkpointStore.directory`). A save writes a temporary file in
 * the same directory, syncs it and renames it over the old one, so a crash leaves either the old
 * or the new checkpoint, never half of one. Saves are serialized, so the last save called wins. A temp file
 * left by a crash is removed when its key is next loaded.
 *
 * @since 0.1.0
 */
export const makeFile = (directory: string): Effect.Effect<Service, never, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const lock = yield* Effect.makeSemaphore(1)
    const exclusive = lock.withPermits(1)
    let counter = 0
    const io = (key: string, path: string) => (error: PlatformError.PlatformError) =>
      new ConfigInvalid({ field: FIELD, detail: `checkpoint ${JSON.stringify(key)} at ${path}: ${error.message}` })

    // A process killed between writing a temp file and renaming it leaves the temp behind.
    const removeLeftoverTemps = (name: string) =>
      fs.readDirectory(directory).pipe(
        Effect.flatMap((entries) =>
          Effect.forEach(
            entries.filter((entry) => entry.startsWith(`.${name}.`) && entry.endsWith(".tmp")),
            (entry) => fs.remove(`${directory}/${entry}`),
            { discard: true }
          )
        ),
        Effect.ignore
      )

    const load = (key: string) =>
      Effect.gen(function* () {
        const name = yield* checkpointFile.fileName(key)
        const path = `${directory}/${name}`
        yield* exclusive(removeLeftoverTemps(name))
        const text = yield* readIfPresent(fs, path).pipe(Effect.mapError(io(key, path)))
        if (Option.isNone(text)) return Option.none<Checkpoint>()
        const file = yield* decodeFile(text.value).pipe(
          Effect.mapError((error) => corrupt(key, path, ParseResult.TreeFormatter.formatErrorSync(error)))
        )
        if (file.key !== key) {
          return yield* corrupt(key, path, `the file holds the checkpoint of key ${JSON.stringify(file.key)}`)
        }
        return Option.some<Checkpoint>(file.checkpoint)
      })

    const save = (key: string, checkpoint: Checkpoint) =>
      Effect.gen(function* () {
        const encoded = yield* encodeOrDie(key, checkpoint)
        const name = yield* checkpointFile.fileName(key)
        const path = `${directory}/${name}`
        const savedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
        const text = `${JSON.stringify({ format: checkpointFile.FORMAT, version: 1, key, savedAt, checkpoint: encoded }, null, 2)}\n`
        const temp = `${directory}/.${name}.${globalThis.crypto.randomUUID()}.${counter++}.tmp`
        yield* fs.makeDirectory(directory, { recursive: true }).pipe(Effect.mapError(io(key, directory)))
        yield* replaceFile(fs, temp, path, text).pipe(Effect.mapError(io(key, path)))
      })

    const clear = (key: string) =>
      Effect.gen(function* () {
        const path = `${directory}/${yield* checkpointFile.fileName(key)}`
        yield* fs.remove(path).pipe(
          Effect.catchIf(
            (e) => e._tag === "SystemError" && e.reason === "NotFound",
            () => Effect.void
          ),
          Effect.mapError(io(key, path))
        )
      })

    return {
      load: (key) => Effect.withSpan(load(key), "CheckpointStore.load"),
      save: (key, checkpoint) => Effect.withSpan(exclusive(save(key, checkpoint)), "CheckpointStore.save"),
      clear: (key) => exclusive(clear(key))
    } satisfies Service
  })

/** The default store: one JSON file per key under `directory`. @since 0.1.0 */
export const layerFile = (directory: string): Layer.Layer<CheckpointStore, never, FileSystem.FileSystem> =>
  Layer.effect(CheckpointStore, makeFile(directory))
