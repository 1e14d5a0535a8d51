import { SqlClient } from "@effect/sql"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as SqlSink from "../src/SqlSink.js"
import * as SqlSinkSqlite from "../src/SqlSinkSqlite.js"
import { conversation } from "./SqlFixtures.js"

const root = fs.mkdtempSync(path.join(os.tmpdir(), "sqlsink-extraction-"))
afterAll(() => fs.rmSync(root, { recursive: true, force: true }))
let n = 0
const sqliteFile = () => path.join(root, `db-${++n}.sqlite`)
const sqlite = <A, E>(filename: string, effect: Effect.Effect<A, E, SqlClient.SqlClient>) =>
  Effect.scoped(Effect.provide(effect, SqlSinkSqlite.layer({ filename })))

const batch = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => conversation(from + i))

describe("SqlSink.make (extraction)", () => {
  it.effect("migrates on open, has no position, and a crash between write and checkpoint leaves no duplicate", () =>
    Effect.gen(function* () {
      const filename = sqliteFile()
      // First process: one batch committed, a second written, then the process dies before its checkpoint.
      yield* sqlite(
        filename,
        Effect.gen(function* () {
          const sink = yield* SqlSink.make()
          yield* sink.open(Option.none())
          yield* sink.write(batch(0, 5))
          assert.isNull(yield* sink.position)
          yield* sink.write(batch(5, 10))
        })
      )
      // Second process resumes from the older checkpoint: the second batch is written again, then the rest.
      const counts = yield* sqlite(
        filename,
        Effect.gen(function* () {
          const sink = yield* SqlSink.make()
          yield* sink.open(Option.none())
          yield* sink.write(batch(5, 15))
          yield* sink.close
          return yield* SqlSink.counts
        })
      )
      assert.strictEqual(counts.conversations, 15)
      const single = yield* sqlite(
        sqliteFile(),
        Effect.gen(function* () {
          const sink = yield* SqlSink.make()
          yield* sink.open(Option.none())
          yield* sink.write(batch(0, 15))
          return yield* SqlSink.counts
        })
      )
      assert.deepStrictEqual(counts, single)
    })
  )

  it.effect("writes each batch in one transaction: a batch that fails leaves none of its rows", () =>
    Effect.gen(function* () {
      const filename = sqliteFile()
      const result = yield* sqlite(
        filename,
        Effect.gen(function* () {
          const sink = yield* SqlSink.make()
          yield* sink.open(Option.none())
          yield* sink.write(batch(0, 3))
          const sql = yield* SqlClient.SqlClient
          // A trigger that fails the insert of one conversation of the next batch.
          yield* sql.unsafe(
            `CREATE TRIGGER boom BEFORE INSERT ON "participants" WHEN NEW.conversation_id = '${conversation(7).conversationId}' BEGIN SELECT RAISE(ABORT, 'boom'); END`
          )
          const failed = yield* Effect.either(sink.write(batch(3, 8)))
          return { failed, counts: yield* SqlSink.counts }
        })
      )
      assert.isTrue(result.failed._tag === "Left")
      assert.strictEqual(result.counts.conversations, 3)
    })
  )
})
