// PageSink.staged: pages as part files, finalized in plan order without duplicates. A final sink that takes JSON lines
// gets each record's text as the part holds it (never parsed and serialised again); any other gets the records.
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import type * as ExtractionSink from "../src/ExtractionSink.js"
import * as FileSink from "../src/FileSink.js"
import * as PageSink from "../src/PageSink.js"

// Ids a line format must not trip over: a tab, a quote, a newline, a backslash, non-ASCII, the empty id.
const ids = ["plain", "tab\there", 'quo"te', "new\nline", "back\\slash", "zürich-日本", ""]
const record = (id: string | undefined, n: number): ExtractionSink.Conversation =>
  ({
    ...(id !== undefined ? { conversationId: id } : {}),
    conversationStart: `2026-01-05T00:0${n % 10}:00.000Z`,
    participants: [{ purpose: "customer", sessions: [{ mediaType: "voice", note: "tab\tand ünïcode" }] }]
  }) as unknown as ExtractionSink.Conversation

// Window w0: two pages, the second repeating two ids of the first; w1: one page with a record without id.
const pages: ReadonlyArray<readonly [PageSink.PageKey, ReadonlyArray<ExtractionSink.Conversation>]> = [
  [{ window: "w0", attempt: 0, page: 1 }, ids.slice(0, 4).map(record)],
  [{ window: "w0", attempt: 0, page: 2 }, [record(ids[1]!, 9), record(ids[3]!, 8), ...ids.slice(4).map(record)]],
  [{ window: "w1", attempt: 0, page: 1 }, [record(undefined, 5), record("last", 6)]]
]
const finalWindows: ReadonlyArray<PageSink.FinalWindow> = [
  { window: "w0", attempt: 0, pages: 2 },
  { window: "w1", attempt: 0, pages: 1 }
]
const expected = [...ids.slice(0, 4).map(record), ...ids.slice(4).map(record), record(undefined, 5), record("last", 6)]

/** Writes the pages through a staged sink in a fresh directory and finalizes into `makeSink`'s sink. */
const stageAndFinalize = <E, A, E2, R>(
  makeSink: (dir: string) => Effect.Effect<ExtractionSink.ExtractionSink<E, A>, E2, R>
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "staged-" })
    const sink = yield* makeSink(dir)
    const staged = yield* PageSink.staged({ directory: `${dir}/parts`, makeSink: Effect.succeed(sink) })
    for (const [key, batch] of pages) yield* staged.writePage(key, batch)
    const finalized = yield* staged.finalize(finalWindows)
    return { dir, finalized }
  })

/** Counts the calls of each way in. */
const counted = <E, A>(sink: ExtractionSink.ExtractionSink<E, A>) => {
  const calls = { write: 0, writeJsonLines: 0 }
  const writeJsonLines = sink.writeJsonLines
  const wrapped: ExtractionSink.ExtractionSink<E, A> = {
    ...sink,
    write: (batch) =>
      Effect.suspend(() => {
        calls.write += 1
        return sink.write(batch)
      }),
    writeJsonLines:
      writeJsonLines === undefined
        ? undefined
        : (lines) =>
            Effect.suspend(() => {
              calls.writeJsonLines += 1
              return writeJsonLines(lines)
            })
  }
  return { calls, wrapped }
}

describe("PageSink.staged", () => {
  it.scoped("into NDJSON: the part lines as written, the file byte for byte what writing the records gives", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      let calls = { write: 0, writeJsonLines: 0 }
      const { dir, finalized } = yield* stageAndFinalize((d) =>
        Effect.map(FileSink.ndjson(`${d}/out.ndjson`), (sink) => {
          const c = counted(sink)
          calls = c.calls
          return c.wrapped
        })
      )
      assert.deepStrictEqual(finalized, { conversations: ids.length + 1, duplicates: 2 })
      assert.deepStrictEqual(calls, { write: 0, writeJsonLines: 3 })
      const direct = `${dir}/direct.ndjson`
      yield* Effect.scoped(
        Effect.gen(function* () {
          const sink = yield* FileSink.ndjson(direct)
          yield* sink.open(Option.none())
          yield* sink.write(expected)
          yield* sink.close
        })
      )
      assert.strictEqual(yield* fs.readFileString(`${dir}/out.ndjson`), yield* fs.readFileString(direct))
      assert.isFalse(yield* fs.exists(`${dir}/parts`), "the parts are removed")
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("into a sink without JSON lines: the records themselves, in plan order, each once", () =>
    Effect.gen(function* () {
      const written: Array<ExtractionSink.Conversation> = []
      const sink: ExtractionSink.ExtractionSink = {
        open: () => Effect.void,
        write: (batch) => Effect.sync(() => void written.push(...batch)),
        position: Effect.succeed(written.length),
        close: Effect.void
      }
      yield* stageAndFinalize(() => Effect.succeed(sink))
      assert.deepStrictEqual(written, expected)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("a part written before ids were kept beside records (the record alone on its line) still finalizes", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "staged-old-" })
      const directory = `${dir}/parts`
      const written: Array<ExtractionSink.Conversation> = []
      const staged = yield* PageSink.staged({
        directory,
        makeSink: Effect.succeed<ExtractionSink.ExtractionSink>({
          open: () => Effect.void,
          write: (batch) => Effect.sync(() => void written.push(...batch)),
          position: Effect.succeed(0),
          close: Effect.void
        })
      })
      yield* staged.writePage({ window: "w0", attempt: 0, page: 1 }, [record("a", 1), record("b", 2)])
      const oldPart = `${directory}/${PageSink.partName({ window: "w0", attempt: 0, page: 2 })}`
      yield* fs.writeFileString(oldPart, `${JSON.stringify(record("b", 2))}\n${JSON.stringify(record("c", 3))}\n`)
      const finalized = yield* staged.finalize([{ window: "w0", attempt: 0, pages: 2 }])
      assert.deepStrictEqual(finalized, { conversations: 3, duplicates: 1 })
      assert.deepStrictEqual(written, [record("a", 1), record("b", 2), record("c", 3)])
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("pages read with less checked than the final sink relies on are not finalized into it", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "staged-mismatch-" })
      const csv = yield* FileSink.csv(`${dir}/tables`)
      const staged = yield* PageSink.staged({
        directory: `${dir}/parts`,
        validation: "conversation",
        makeSink: Effect.succeed(csv)
      })
      yield* staged.writePage({ window: "w0", attempt: 0, page: 1 }, [record("a", 1)])
      const exit = yield* Effect.exit(staged.finalize([{ window: "w0", attempt: 0, pages: 1 }]))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      assert.isFalse(yield* fs.exists(`${dir}/tables/conversations.csv`))
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
