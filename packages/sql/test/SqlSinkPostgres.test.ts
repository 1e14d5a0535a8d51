// The Postgres dialect against a real Postgres server on 127.0.0.1 (@effect-genesys/test-postgres), reached by
// @effect/sql-pg.
import * as Flatten from "@effect-genesys/analytics/Flatten"
import { SqlClient } from "@effect/sql"
import { assert, layer } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as SqlSink from "../src/SqlSink.js"
import { postgresDatabase, postgresServer } from "./PostgresServer.js"
import { conversation, conversations } from "./SqlFixtures.js"

layer(postgresServer, { excludeTestServices: true })("SqlSink (Postgres server)", (it) => {
  it.scoped("migrates, writes every flattened row, and re-writing upserts without duplicates", () =>
    Effect.gen(function* () {
      const sql = yield* SqlClient.SqlClient
      assert.strictEqual(yield* SqlSink.dialect, "pg")
      const data = conversations(15)
      yield* Stream.fromIterable(data).pipe(ExtractionSink.write(SqlSink.make(), { batchSize: 4 }))
      const expected = Flatten.counts(Flatten.flattenAll(data))
      assert.deepStrictEqual(yield* SqlSink.counts, expected)
      yield* ExtractionSink.write(
        Stream.fromIterable(conversations(15, { wrapUpEnded: true, tag: "reprocessed" })),
        SqlSink.make()
      )
      assert.deepStrictEqual(yield* SqlSink.counts, expected)
      const tags = yield* sql.unsafe<{ external_tag: string }>("SELECT DISTINCT external_tag FROM conversations")
      assert.deepStrictEqual(
        tags.map((t) => t.external_tag),
        ["reprocessed"]
      )
      const [row] = yield* sql.unsafe<{ self_served: boolean; division_ids: unknown }>(
        "SELECT self_served, division_ids FROM conversations WHERE conversation_id = $1",
        [conversation(0).conversationId]
      )
      assert.strictEqual(row?.self_served, true)
      assert.deepStrictEqual(row?.division_ids, ["div-1"])
    }).pipe(Effect.provide(postgresDatabase("sink_upsert")))
  )
})
