import { NodeFileSystem } from "@effect/platform-node"
import { FileSystem } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option } from "effect"
import * as fc from "fast-check"
import * as CheckpointStore from "../src/CheckpointStore.js"

const checkpoint: CheckpointStore.Checkpoint = {
  planHash: "f".repeat(64),
  sinkPosition: { bytes: 1234, file: "out.ndjson" },
  dayCounts: { "19723": 10 },
  windows: [
    {
      id: "w0",
      window: "2024-01-01T00:00:00.000Z/2024-01-02T00:00:00.000Z",
      kind: "job",
      state: "paging",
      jobId: "job-1",
      cursor: "c-2",
      pagesDone: 2,
      conversations: 200
    },
    {
      window: "2024-01-02T00:00:00.000Z/2024-01-02T06:00:00.000Z",
      kind: "query",
      state: "pending",
      pagesDone: 0,
      conversations: 0
    }
  ]
}

const windowArb: fc.Arbitrary<CheckpointStore.WindowCheckpoint> = fc.record(
  {
    id: fc.string(),
    window: fc.string(),
    kind: fc.constantFrom("job" as const, "query" as const),
    state: fc.constantFrom("pending" as const, "submitted" as const, "paging" as const, "done" as const),
    jobId: fc.string(),
    cursor: fc.string(),
    pagesDone: fc.nat(),
    conversations: fc.nat()
  },
  { requiredKeys: ["window", "kind", "state", "pagesDone", "conversations"] }
)

const checkpointArb: fc.Arbitrary<CheckpointStore.Checkpoint> = fc.record(
  {
    planHash: fc.string(),
    windows: fc.array(windowArb, { maxLength: 5 }),
    sinkPosition: fc.jsonValue(),
    // Keys are epoch days, as Extraction writes them (an arbitrary string such as "__proto__" is not a day).
    dayCounts: fc.dictionary(fc.nat({ max: 200_000 }).map(String), fc.integer())
  },
  { requiredKeys: ["planHash", "windows"] }
)

/** JSON has no `-0`; compare checkpoints the way they round-trip. */
const normalize = (value: unknown) => JSON.parse(JSON.stringify(value))

const behavesAsStore = (store: CheckpointStore.Service) =>
  Effect.gen(function* () {
    assert.isTrue(Option.isNone(yield* store.load("run-1")))
    yield* store.save("run-1", checkpoint)
    assert.deepStrictEqual(yield* store.load("run-1"), Option.some(checkpoint))
    const next = { ...checkpoint, windows: checkpoint.windows.map((w) => ({ ...w, state: "done" as const })) }
    yield* store.save("run-1", next)
    assert.deepStrictEqual(yield* store.load("run-1"), Option.some(next))
    assert.isTrue(Option.isNone(yield* store.load("run-2")))
    yield* store.clear("run-1")
    yield* store.clear("run-1")
    assert.isTrue(Option.isNone(yield* store.load("run-1")))
  })

describe("CheckpointStore (memory)", () => {
  it.effect("loads what was saved, overwrites, clears", () =>
    Effect.flatMap(CheckpointStore.CheckpointStore, behavesAsStore).pipe(Effect.provide(CheckpointStore.layerMemory))
  )

  it.effect("keeps a detached copy, and refuses a value outside the Schema", () =>
    Effect.gen(function* () {
      const store = yield* CheckpointStore.makeMemory
      const mutable = structuredClone(checkpoint) as unknown as { windows: Array<{ pagesDone: number }> }
      yield* store.save("k", mutable as unknown as CheckpointStore.Checkpoint)
      mutable.windows[0]!.pagesDone = 99
      const loaded = yield* store.load("k")
      assert.strictEqual(Option.getOrThrow(loaded).windows[0]!.pagesDone, 2)
      const bad = { ...checkpoint, windows: [{ ...checkpoint.windows[0]!, pagesDone: -1 }] }
      const exit = yield* Effect.exit(store.save("k", bad))
      assert.isTrue(Exit.isFailure(exit) && Cause.isDie(exit.cause))
      const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
      assert.instanceOf(defect, Error)
      assert.match((defect as Error).message, /^CheckpointStore\.save\("k"\): not a Checkpoint: /)
      assert.include((defect as Error).message, "Expected a non-negative number, actual -1")
    })
  )
})

describe("CheckpointStore (memory), the ids of a paging window", () => {
  const paging = (seenIds: ReadonlyArray<unknown>) =>
    ({
      ...checkpoint,
      windows: [{ ...checkpoint.windows[0]!, seenIds, seenCursors: ["c-1", "c-2"] }]
    }) as unknown as CheckpointStore.Checkpoint

  it.effect("are kept apart from the caller's arrays", () =>
    Effect.gen(function* () {
      const store = yield* CheckpointStore.makeMemory
      const saved = paging(["a", "b"])
      yield* store.save("k", saved)
      ;(saved.windows[0]!.seenIds as Array<string>).push("c")
      ;(saved.windows[0]!.seenCursors as Array<string>).push("c-3")
      const loaded = Option.getOrThrow(yield* store.load("k"))
      assert.deepStrictEqual(loaded.windows[0]!.seenIds, ["a", "b"])
      assert.deepStrictEqual(loaded.windows[0]!.seenCursors, ["c-1", "c-2"])
      ;(loaded.windows[0]!.seenIds as Array<string>).push("d")
      assert.deepStrictEqual(Option.getOrThrow(yield* store.load("k")).windows[0]!.seenIds, ["a", "b"])
    })
  )

  it.effect("that is not a string is refused with the Schema's message", () =>
    Effect.gen(function* () {
      const store = yield* CheckpointStore.makeMemory
      const holey: Array<unknown> = []
      holey[1] = "a"
      for (const ids of [["a", 7], holey]) {
        const exit = yield* Effect.exit(store.save("k", paging(ids)))
        const defect = Exit.isFailure(exit) ? Option.getOrUndefined(Cause.dieOption(exit.cause)) : undefined
        assert.match((defect as Error).message, /^CheckpointStore\.save\("k"\): not a Checkpoint: /)
        assert.include((defect as Error).message, "seenIds")
      }
    })
  )
})

describe("CheckpointStore (file)", () => {
  it.scoped("loads what was saved, overwrites, clears", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(`${dir}/nested/checkpoints`)
      yield* behavesAsStore(store)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("writes one readable JSON file per key, atomically, leaving no temporary file", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(dir)
      yield* store.save("nightly-2024", checkpoint)
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["nightly-2024.checkpoint.json"])
      const file = JSON.parse(yield* fs.readFileString(`${dir}/nightly-2024.checkpoint.json`))
      assert.strictEqual(file.format, "effect-genesys/checkpoint")
      assert.strictEqual(file.version, 1)
      assert.strictEqual(file.key, "nightly-2024")
      assert.deepStrictEqual(file.checkpoint, checkpoint)
      // A temporary file left by a crash mid-save does not disturb loading, and loading its key removes it.
      yield* fs.writeFileString(`${dir}/.nightly-2024.checkpoint.json.dead.tmp`, "{ half")
      yield* fs.writeFileString(`${dir}/.other.checkpoint.json.dead.tmp`, "{ half")
      assert.deepStrictEqual(yield* store.load("nightly-2024"), Option.some(checkpoint))
      assert.deepStrictEqual((yield* fs.readDirectory(dir)).sort(), [
        ".other.checkpoint.json.dead.tmp",
        "nightly-2024.checkpoint.json"
      ])
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("keys with path characters stay inside the directory and stay distinct", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(`${dir}/cp`)
      const keys = ["../escape", "a/b", "a%2Fb", "ünïcödé", ".", "", "x".repeat(500), "CON"]
      for (const [i, key] of keys.entries()) yield* store.save(key, { ...checkpoint, planHash: `plan-${i}` })
      for (const [i, key] of keys.entries()) {
        assert.strictEqual(Option.getOrThrow(yield* store.load(key)).planHash, `plan-${i}`)
      }
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["cp"])
      assert.strictEqual((yield* fs.readDirectory(`${dir}/cp`)).length, keys.length)
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("a corrupt file is a ConfigInvalid error, never an absent checkpoint", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(dir)
      yield* store.save("k", checkpoint)
      const path = `${dir}/k.checkpoint.json`
      const good = yield* fs.readFileString(path)
      const variants = [
        good.slice(0, good.length / 2),
        good.replace('"pagesDone": 2', '"pagesDone": "two"'),
        good.replace('"key": "k"', '"key": "other"'),
        ""
      ]
      for (const text of variants) {
        yield* fs.writeFileString(path, text)
        const error = yield* Effect.flip(store.load("k"))
        assert.strictEqual(error._tag, "ConfigInvalid")
        assert.include(error.message, "corrupt")
      }
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("concurrent saves are serialized: the last one called wins", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(dir)
      yield* Effect.forEach(
        Array.from({ length: 20 }, (_, i) => i),
        (i) => store.save("k", { ...checkpoint, planHash: `p${i}` }),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(Option.getOrThrow(yield* store.load("k")).planHash, "p19")
      assert.deepStrictEqual(yield* fs.readDirectory(dir), ["k.checkpoint.json"])
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )

  it.scoped("any checkpoint round-trips through the file format (property)", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped()
      const store = yield* CheckpointStore.makeFile(dir)
      yield* Effect.promise(() =>
        fc.assert(
          fc.asyncProperty(fc.string(), checkpointArb, async (key, value) => {
            await Effect.runPromise(store.save(key, value))
            const loaded = await Effect.runPromise(store.load(key))
            assert.deepStrictEqual(normalize(Option.getOrThrow(loaded)), normalize(value))
          }),
          { numRuns: 40 }
        )
      )
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
