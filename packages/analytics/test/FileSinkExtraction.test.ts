import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, type Scope } from "effect"
import * as fc from "fast-check"
import type * as ExtractionSink from "../src/ExtractionSink.js"
import * as FileSink from "../src/FileSink.js"
import * as Flatten from "../src/Flatten.js"
import { parseCsv } from "./CsvReader.js"
import { conversation, voiceCall } from "./FlattenFixtures.js"

const sample = [voiceCall, ...fc.sample(conversation, { numRuns: 30, seed: 11 })].map((c, i) => ({
  ...c,
  conversationId: `conversation-${i}`
})) as unknown as ReadonlyArray<ExtractionSink.Conversation>

const withTemp = <A, E>(f: (dir: string, fs: FileSystem.FileSystem) => Effect.Effect<A, E, FileSystem.FileSystem>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "filesink-extraction-" })
    return yield* f(dir, fs)
  }).pipe(Effect.provide(NodeFileSystem.layer))

const idsOfNdjson = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => (JSON.parse(l) as { conversationId: string }).conversationId)

/** Runs a sink in its own scope, as one process would. */
const session = <A, E>(
  make: Effect.Effect<
    ExtractionSink.ExtractionSink<FileSink.FileSinkError>,
    never,
    FileSystem.FileSystem | Scope.Scope
  >,
  body: (sink: ExtractionSink.ExtractionSink<FileSink.FileSinkError>) => Effect.Effect<A, E, FileSystem.FileSystem>
) => Effect.scoped(Effect.flatMap(make, body))

describe("FileSink.ndjson", () => {
  it.scoped("writes to .partial, reports synced bytes as its position and renames on close", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        yield* session(FileSink.ndjson(path), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.none())
            assert.strictEqual(yield* sink.position, 0)
            yield* sink.write(sample.slice(0, 10))
            const size = Number((yield* fs.stat(`${path}.partial`)).size)
            assert.strictEqual(yield* sink.position, size)
            assert.isFalse(yield* fs.exists(path))
            yield* sink.write(sample.slice(10))
            yield* sink.close
          })
        )
        assert.isFalse(yield* fs.exists(`${path}.partial`))
        assert.deepStrictEqual(
          idsOfNdjson(yield* fs.readFileString(path)),
          sample.map((c) => c.conversationId)
        )
      })
    )
  )

  it.scoped("a crash between write and checkpoint: resuming from the older position writes no duplicate line", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        // First process: two batches committed (checkpointed), a third written but the process dies before its
        // checkpoint; the scope ends without close, as a crash would.
        const checkpoint = yield* session(FileSink.ndjson(path), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.none())
            yield* sink.write(sample.slice(0, 8))
            yield* sink.write(sample.slice(8, 16))
            const saved = yield* sink.position
            yield* sink.write(sample.slice(16, 24))
            return saved
          })
        )
        assert.isAbove(Number((yield* fs.stat(`${path}.partial`)).size), checkpoint as number)
        // Second process: resumes from the checkpoint and writes the uncommitted batch again, then the rest.
        yield* session(FileSink.ndjson(path), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.some(checkpoint))
            assert.strictEqual(yield* sink.position, checkpoint)
            yield* sink.write(sample.slice(16))
            yield* sink.close
          })
        )
        const ids = idsOfNdjson(yield* fs.readFileString(path))
        assert.deepStrictEqual(
          ids,
          sample.map((c) => c.conversationId)
        )
        assert.strictEqual(new Set(ids).size, ids.length)
      })
    )
  )

  it.scoped(
    "resuming fails with FileSinkError when the partial file is missing, shorter, or the position is foreign",
    () =>
      withTemp((dir, fs) =>
        Effect.gen(function* () {
          const path = `${dir}/out.ndjson`
          const missing = yield* session(FileSink.ndjson(path), (sink) => Effect.exit(sink.open(Option.some(10))))
          assert.isTrue(Exit.isFailure(missing))
          if (Exit.isFailure(missing)) assert.match(String(missing.cause), /partial file is missing/)
          const gone = Exit.isFailure(missing) ? Option.getOrUndefined(Cause.failureOption(missing.cause)) : undefined
          assert.strictEqual(gone?._tag, "FileSinkError")
          assert.strictEqual(gone?.path, `${path}.partial`)
          assert.strictEqual(
            gone?.reason,
            "cannot resume: the partial file is missing (the checkpoint expects 10 bytes); remove the checkpoint to start again"
          )
          assert.isUndefined(gone?.errno)

          yield* fs.writeFileString(`${path}.partial`, "{}\n")
          const shorter = yield* session(FileSink.ndjson(path), (sink) => Effect.flip(sink.open(Option.some(100))))
          assert.strictEqual(shorter._tag, "FileSinkError")
          assert.match(shorter.message, /has 3 bytes, the checkpoint expects 100/)

          const foreign = yield* session(FileSink.ndjson(path), (sink) =>
            Effect.flip(sink.open(Option.some({ conversations: 1 })))
          )
          assert.match(foreign.message, /not a position of this sink/)
        })
      )
  )

  it.scoped("a run that closed but kept its checkpoint resumes from the final file", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        const position = yield* session(FileSink.ndjson(path), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.none())
            yield* sink.write(sample)
            const p = yield* sink.position
            yield* sink.close
            return p
          })
        )
        yield* session(FileSink.ndjson(path), (sink) => Effect.zipRight(sink.open(Option.some(position)), sink.close))
        assert.strictEqual(idsOfNdjson(yield* fs.readFileString(path)).length, sample.length)
      })
    )
  )
})

describe("FileSink.csv", () => {
  it.scoped("resumes every table file at its own position: no duplicate rows after a crash", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const out = `${dir}/csv`
        const checkpoint = yield* session(FileSink.csv(out), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.none())
            yield* sink.write(sample.slice(0, 12))
            const saved = yield* sink.position
            yield* sink.write(sample.slice(12, 20))
            return saved
          })
        )
        assert.deepStrictEqual(Object.keys(checkpoint as object).sort(), [...Flatten.tableNames].sort())
        yield* session(FileSink.csv(out), (sink) =>
          Effect.gen(function* () {
            yield* sink.open(Option.some(checkpoint))
            yield* sink.write(sample.slice(12))
            yield* sink.close
          })
        )
        const flat = Flatten.flattenAll(sample)
        for (const table of Flatten.tables) {
          const path = FileSink.csvPath(out, table.name)
          assert.isFalse(yield* fs.exists(`${path}.partial`))
          const records = parseCsv(yield* fs.readFileString(path))
          assert.deepStrictEqual(
            records[0],
            table.columns.map((c) => c.name)
          )
          assert.strictEqual(records.length - 1, flat[table.name].length, table.name)
        }
      })
    )
  )

  it.scoped("refuses a position that lacks a table", () =>
    withTemp((dir) =>
      Effect.gen(function* () {
        const error = yield* session(FileSink.csv(`${dir}/csv`), (sink) =>
          Effect.flip(sink.open(Option.some({ conversations: 10 })))
        )
        assert.strictEqual(error._tag, "FileSinkError")
        assert.match(error.message, /not a position of this sink/)
      })
    )
  )
})
