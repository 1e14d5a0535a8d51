/**
 * The sink contract of a durable extraction, where every step may run more than once: a page is written under its
 * key (window, attempt, page) and writing the same key again is a no-op; `finalize` then makes the output exactly the
 * pages of each window's final attempt, in plan order, each conversation once. {@link staged} implements it over any
 * `ExtractionSink` (NDJSON, CSV, ...) with part files in a state directory; `SqlSink` implements it with a page ledger
 * in the database.
 *
 * @since 0.2.0
 */
import type { PlatformError } from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import type { RecordValidation } from "./ConversationDetails.js"
import type * as ExtractionSink from "./ExtractionSink.js"

/** Where one page of a durable extraction lands. @since 0.2.0 */
export const PageKey = Schema.Struct({
  /** The plan's window id. */
  window: Schema.String,
  /** The window's job attempt (0 for the first job; a resubmission reads the window again under the next). */
  attempt: Schema.NonNegativeInt,
  /** 1-based page number within the attempt. */
  page: Schema.Int.pipe(Schema.positive())
})

/** @since 0.2.0 */
export type PageKey = typeof PageKey.Type

/** The pages that make up one window's output: those of its final attempt. @since 0.2.0 */
export const FinalWindow = Schema.Struct({
  window: Schema.String,
  attempt: Schema.NonNegativeInt,
  pages: Schema.NonNegativeInt
})

/** @since 0.2.0 */
export type FinalWindow = typeof FinalWindow.Type

/** What `finalize` made of the pages. @since 0.2.0 */
export const Finalized = Schema.Struct({
  /** Distinct conversations in the output. */
  conversations: Schema.NonNegativeInt,
  /** Conversations found in more than one page (or twice in one) and written once. */
  duplicates: Schema.NonNegativeInt
})

/** @since 0.2.0 */
export type Finalized = typeof Finalized.Type

/**
 * A sink for at-least-once writers. `writePage` is idempotent per key and safe to call from several processes for
 * different keys; `finalize` is idempotent too (a crash inside it is repaired by calling it again).
 *
 * @since 0.2.0
 */
export interface PageSink<E = never> {
  readonly writePage: (key: PageKey, batch: ReadonlyArray<ExtractionSink.Conversation>) => Effect.Effect<void, E>
  /** Makes the output exactly the listed pages, in this order, each conversation once. */
  readonly finalize: (windows: ReadonlyArray<FinalWindow>) => Effect.Effect<Finalized, E>
  /** How much of each record the output relies on being checked (default `full`; see `ExtractionSink.validation`). */
  readonly validation?: RecordValidation | undefined
}

/** The file name of a page's part file: fixed, so a replayed page overwrites nothing new. @since 0.2.0 */
export const partName = (key: PageKey): string =>
  `${encodeURIComponent(key.window)}.a${key.attempt}.p${String(key.page).padStart(6, "0")}.ndjson`

const conversationIdOf = (c: ExtractionSink.Conversation): string | undefined =>
  (c as { readonly conversationId?: string }).conversationId

// A part's line: the record's id as JSON (empty when it has none), a tab, the record as JSON. A JSON text holds no raw
// tab, so the first one ends the id: finalize de-duplicates by it and hands a sink that takes JSON lines the record's
// text as written here, never parsing and serialising the record again.
const partLine = (c: ExtractionSink.Conversation): string => {
  const id = conversationIdOf(c)
  return `${id === undefined ? "" : JSON.stringify(id)}\t${JSON.stringify(c)}`
}

interface PartRecord {
  readonly id: string | undefined
  readonly json: string
}

const readPartLine = (line: string): PartRecord => {
  // A part written before ids were kept beside records (a run resumed across an upgrade) holds the record alone.
  if (line.startsWith("{")) return { id: conversationIdOf(JSON.parse(line)), json: line }
  const tab = line.indexOf("\t")
  const id = line.slice(0, tab)
  return { id: id === "" ? undefined : (JSON.parse(id) as string), json: line.slice(tab + 1) }
}

/**
 * Pages as NDJSON part files in `directory` (temp file + rename, so a part is whole or absent), finalized by streaming
 * the final attempts' parts, in plan order and without duplicate conversations, into a fresh sink from `makeSink`, then
 * removing the parts. `directory` must be shared by every process that writes pages. A marker beside it
 * (`<directory>.finalized.json`) holds the counts, so a finalize repeated after a crash returns them again.
 *
 * @since 0.2.0
 */
export const staged = <E, A>(options: {
  readonly directory: string
  readonly makeSink: Effect.Effect<ExtractionSink.ExtractionSink<E, A>, E>
  /**
   * What the final sink relies on being checked: its own `validation`, given here because it is made only when
   * finalizing (default `full`, also over a sink that would take less). Finalizing into a sink that relies on more
   * than this is a defect: its records were read with less checked than it needs.
   */
  readonly validation?: RecordValidation | undefined
}): Effect.Effect<PageSink<E | PlatformError>, never, FileSystem.FileSystem> =>
  Effect.map(FileSystem.FileSystem, (fs) => {
    const pathOf = (key: PageKey) => `${options.directory}/${partName(key)}`
    const writePage = (key: PageKey, batch: ReadonlyArray<ExtractionSink.Conversation>) =>
      Effect.gen(function* () {
        const path = pathOf(key)
        if (yield* fs.exists(path)) return
        yield* fs.makeDirectory(options.directory, { recursive: true })
        const temp = `${path}.${Math.random().toString(36).slice(2)}.tmp`
        const text = batch.map(partLine).join("\n")
        yield* fs.writeFileString(temp, batch.length > 0 ? `${text}\n` : "")
        // The data must be on disk before the rename makes the part visible.
        yield* Effect.scoped(Effect.flatMap(fs.open(temp, { flag: "r+" }), (file) => file.sync))
        yield* fs.rename(temp, path)
      })
    const readPart = (key: PageKey) =>
      Effect.map(fs.readFileString(pathOf(key)), (text) =>
        text
          .split("\n")
          .filter((line) => line.length > 0)
          .map(readPartLine)
      )
    const marker = `${options.directory}.finalized.json`
    const finalize = (windows: ReadonlyArray<FinalWindow>) =>
      Effect.gen(function* () {
        if (yield* fs.exists(marker)) {
          const done = yield* Effect.orDie(
            Schema.decodeUnknown(Schema.parseJson(Finalized))(yield* fs.readFileString(marker))
          )
          yield* fs.remove(options.directory, { recursive: true, force: true })
          return done
        }
        const sink = yield* options.makeSink
        if (options.validation === "conversation" && sink.validation !== "conversation") {
          return yield* Effect.dieMessage(
            'PageSink.staged: the pages were read with validation "conversation", the final sink relies on "full"'
          )
        }
        yield* sink.open(Option.none())
        const writeJsonLines = sink.writeJsonLines
        const writeRecords = (records: ReadonlyArray<PartRecord>) =>
          writeJsonLines !== undefined
            ? writeJsonLines(records.map((r) => r.json))
            : sink.write(records.map((r) => JSON.parse(r.json) as ExtractionSink.Conversation))
        const seen = new Set<string>()
        let duplicates = 0
        for (const w of windows) {
          for (let page = 1; page <= w.pages; page++) {
            const records = yield* readPart({ window: w.window, attempt: w.attempt, page })
            const fresh = records.filter(({ id }) => {
              if (id === undefined) return true
              if (seen.has(id)) {
                duplicates += 1
                return false
              }
              seen.add(id)
              return true
            })
            if (fresh.length > 0) yield* writeRecords(fresh)
          }
        }
        yield* sink.close
        const done: Finalized = { conversations: seen.size, duplicates }
        yield* fs.writeFileString(marker, JSON.stringify(done))
        yield* fs.remove(options.directory, { recursive: true, force: true })
        return done
      })
    return { writePage, finalize, validation: options.validation }
  })

/**
 * Pages kept in memory, for tests and small runs: `pages` holds every page written, `written` the finalized output.
 *
 * @since 0.2.0
 */
export const memory = (): PageSink & {
  readonly pages: Map<string, ReadonlyArray<ExtractionSink.Conversation>>
  readonly written: Array<ExtractionSink.Conversation>
} => {
  const pages = new Map<string, ReadonlyArray<ExtractionSink.Conversation>>()
  const written: Array<ExtractionSink.Conversation> = []
  return {
    pages,
    written,
    writePage: (key, batch) =>
      Effect.sync(() => {
        if (!pages.has(partName(key))) pages.set(partName(key), batch)
      }),
    finalize: (windows) =>
      Effect.sync(() => {
        written.length = 0
        const seen = new Set<string>()
        let duplicates = 0
        for (const w of windows) {
          for (let page = 1; page <= w.pages; page++) {
            for (const c of pages.get(partName({ window: w.window, attempt: w.attempt, page })) ?? []) {
              const id = conversationIdOf(c)
              if (id !== undefined && seen.has(id)) {
                duplicates += 1
                continue
              }
              if (id !== undefined) seen.add(id)
              written.push(c)
            }
          }
        }
        return { conversations: written.length, duplicates }
      })
  }
}
