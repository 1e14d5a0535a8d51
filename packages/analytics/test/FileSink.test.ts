import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import * as fc from "fast-check"
import * as ExtractionSink from "../src/ExtractionSink.js"
import * as FileSink from "../src/FileSink.js"
import * as Flatten from "../src/Flatten.js"
import { parseCsv } from "./CsvReader.js"
import { conversation, voiceCall } from "./FlattenFixtures.js"

// The fixtures are flatten inputs; the sinks take conversations as extracted, which they stand for here.
const sample = [
  voiceCall,
  ...fc.sample(conversation, { numRuns: 40, seed: 7 })
] as unknown as ReadonlyArray<ExtractionSink.Conversation>

const withTemp = <A, E>(f: (dir: string, fs: FileSystem.FileSystem) => Effect.Effect<A, E, FileSystem.FileSystem>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const dir = yield* fs.makeTempDirectoryScoped({ prefix: "filesink-" })
    return yield* f(dir, fs)
  }).pipe(Effect.provide(NodeFileSystem.layer))

const failing = <A>(items: ReadonlyArray<A>) =>
  Stream.concat(Stream.fromIterable(items), Stream.fail("upstream failed" as const))

describe("FileSink", () => {
  it.scoped("ndjson writes one conversation per line and round-trips", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        const summary = yield* Stream.fromIterable(sample).pipe(
          Stream.rechunk(7),
          ExtractionSink.write(FileSink.ndjson(path))
        )
        assert.deepStrictEqual(summary, { path, conversations: sample.length })
        const text = yield* fs.readFileString(path)
        assert.isTrue(text.endsWith("\n"))
        const lines = text.split("\n").slice(0, -1)
        assert.strictEqual(lines.length, sample.length)
        assert.deepStrictEqual(
          lines.map((l) => JSON.parse(l)),
          JSON.parse(JSON.stringify(sample))
        )
        assert.isFalse(yield* fs.exists(`${path}${FileSink.partialSuffix}`))
      })
    )
  )

  it.scoped("ndjson bytes are the UTF-8 of JSON.stringify per line, across batches of any size and text", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        // Lines are encoded into a buffer reused between batches and grown when a batch does not fit: wide
        // characters, surrogate pairs, a lone surrogate and batches larger and smaller than the first one.
        const text = (i: number) =>
          ["plain", "Müller", "東京", "emoji 😀", "lone \ud800 surrogate", "x".repeat(100_000)][i % 6]!
        const batches = [3, 40, 1, 0, 7, 25].map((size, b) =>
          Array.from({ length: size }, (_, i) => ({ ...sample[(b + i) % sample.length], note: text(b * 7 + i) }))
        )
        const path = `${dir}/wide.ndjson`
        yield* Stream.fromIterable(batches).pipe(
          Stream.flatMap((batch) => Stream.fromChunk(Chunk.fromIterable(batch))),
          Stream.rechunk(9),
          ExtractionSink.write(FileSink.ndjson(path))
        )
        const expected = new TextEncoder().encode(
          batches
            .flat()
            .map((c) => `${JSON.stringify(c)}\n`)
            .join("")
        )
        assert.deepStrictEqual(yield* fs.readFile(path), expected)
      })
    )
  )

  it.scoped("ndjson of an empty stream is an empty file", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/empty.ndjson`
        const summary = yield* Stream.run(Stream.empty, ExtractionSink.toSink(FileSink.ndjson(path)))
        assert.strictEqual(summary.conversations, 0)
        assert.strictEqual(yield* fs.readFileString(path), "")
      })
    )
  )

  it.scoped("csv writes one file per table whose rows parse back to the flattened rows", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const out = `${dir}/csv/nested`
        const summary = yield* Stream.fromIterable(sample).pipe(
          Stream.rechunk(5),
          ExtractionSink.write(FileSink.csv(out))
        )
        const flat = Flatten.flattenAll(sample)
        assert.strictEqual(summary.conversations, sample.length)
        assert.deepStrictEqual(summary.rows, Flatten.counts(flat))
        assert.deepStrictEqual((yield* fs.readDirectory(out)).sort(), Flatten.tableNames.map((t) => `${t}.csv`).sort())
        for (const table of Flatten.tables) {
          const records = parseCsv(yield* fs.readFileString(FileSink.csvPath(out, table.name)))
          assert.deepStrictEqual(
            records[0],
            table.columns.map((c) => c.name)
          )
          assert.deepStrictEqual(
            records.slice(1),
            flat[table.name].map((row) => Flatten.rowValues(table, row).map((v) => (v === null ? null : String(v))))
          )
        }
        assert.isAbove(summary.rows.segments, 0)
      })
    )
  )

  it.scoped("a failed stream leaves neither a final nor a partial file", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        const exit = yield* Effect.exit(ExtractionSink.write(failing(sample), FileSink.ndjson(path)))
        assert.deepStrictEqual(exit, Exit.fail("upstream failed" as const))
        assert.isFalse(yield* fs.exists(path))
        assert.isFalse(yield* fs.exists(`${path}${FileSink.partialSuffix}`))

        const csvDir = `${dir}/csv`
        const csvExit = yield* Effect.exit(ExtractionSink.write(failing(sample), FileSink.csv(csvDir)))
        assert.isTrue(Exit.isFailure(csvExit))
        assert.deepStrictEqual(csvExit, Exit.fail("upstream failed" as const))
        assert.deepStrictEqual(yield* fs.readDirectory(csvDir), [])
      })
    )
  )

  it.scoped("writes under the partial name, renames only on success, and cleans up on interruption", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        const path = `${dir}/out.ndjson`
        const partial = `${path}${FileSink.partialSuffix}`
        const written = yield* Deferred.make<void>()
        const stream = Stream.concat(
          Stream.fromChunk(Chunk.fromIterable(sample)),
          Stream.fromEffect(Deferred.succeed(written, undefined)).pipe(Stream.drain, Stream.concat(Stream.never))
        )
        const fiber = yield* Effect.fork(ExtractionSink.write(stream, FileSink.ndjson(path)))
        yield* Deferred.await(written)
        assert.isTrue(yield* fs.exists(partial))
        assert.isFalse(yield* fs.exists(path))
        assert.strictEqual((yield* fs.readFileString(partial)).split("\n").length - 1, sample.length)
        yield* Fiber.interrupt(fiber)
        assert.isFalse(yield* fs.exists(partial))
        assert.isFalse(yield* fs.exists(path))
      })
    )
  )

  it.scoped("a failure to create the output is a PlatformError, not a defect", () =>
    withTemp((dir, fs) =>
      Effect.gen(function* () {
        yield* fs.writeFileString(`${dir}/file`, "x")
        const exit = yield* Effect.exit(
          ExtractionSink.write(Stream.fromIterable(sample), FileSink.ndjson(`${dir}/file/out.ndjson`))
        )
        assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail")
        const error = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined
        assert.instanceOf(error, FileSink.FileSinkError)
        assert.strictEqual(error?._tag, "FileSinkError")
        assert.strictEqual(error?.path, `${dir}/file/out.ndjson${FileSink.partialSuffix}`)
        assert.strictEqual(error?.errno, "ENOTDIR")
        assert.match(error?.reason ?? "", /^cannot open: ENOTDIR: not a directory/)
      })
    )
  )
})
