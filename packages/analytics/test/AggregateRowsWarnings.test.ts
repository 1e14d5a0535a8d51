// `rows` validates a query once: its warnings are logged and audited once, whether the rows come from the sync
// query or from jobs (the jobs submit the checked bodies without validating them again).
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Effect, Fiber, Layer, Logger, Stream, TestClock } from "effect"
import { AuditLog } from "../src/AuditLog.js"
import * as ConversationAggregates from "../src/ConversationAggregates.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import { type Answer, fakeHttp, memoryAudit } from "./DetailsFixtures.js"

const interval = "2026-10-01T04:00:00.000Z/2026-10-02T04:00:00.000Z"
// `nAnswered` is not in the metrics enum: a warning, sent as written.
const query = { interval, granularity: "P1D", groupBy: ["queueId"], metrics: ["nAnswered"] }
const page = {
  results: [{ group: { queueId: "q" }, data: [{ interval, metrics: [{ metric: "nAnswered", stats: { count: 2 } }] }] }]
}

const answer: Answer = (request) => {
  if (request.method === "POST" && request.url.endsWith("/jobs")) return Effect.succeed({ jobId: "job-1" })
  if (request.method === "POST") return Effect.succeed(page)
  if (request.url.endsWith("/results")) return Effect.succeed(page)
  return Effect.succeed({ state: "FULFILLED" })
}

const rowsWith = (via: "query" | "job") =>
  Effect.gen(function* () {
    const fake = fakeHttp(answer)
    const memory = memoryAudit()
    const logged: Array<string> = []
    const layer = Layer.mergeAll(
      Layer.succeed(GenesysHttp.GenesysHttp, fake.http),
      Layer.succeed(AuditLog, memory.audit),
      GenesysConfig.layer({ region: "us_east_1", clientId: "c", clientSecret: "s" }).pipe(Layer.orDie)
    )
    const aggregates = yield* ConversationAggregates.make.pipe(Effect.provide(layer))
    const logger = Logger.make(({ message }) => {
      logged.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    const fiber = yield* Effect.fork(
      Stream.runCollect(aggregates.rows(query, { via, pageSize: 5 })).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger))
      )
    )
    // The poll may not have reached its sleep when the clock moves (a loaded machine): move it until the rows are in.
    for (let step = 0; step < 120 && fiber.unsafePoll() === null; step++) {
      yield* TestClock.adjust("1 second")
      yield* Effect.yieldNow()
    }
    const rows = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
    return {
      rows: rows.map((r) => [r.group.queueId, r.metric, r.stats.count]),
      logged: logged.filter((l) => l.includes("nAnswered")),
      audited: memory.events.filter((e) => e.type === "query.warning").length,
      submitted: fake.seen.filter((r) => r.method === "POST").map((r) => (r.body as { pageSize?: number }).pageSize)
    }
  })

describe("ConversationAggregates.rows warnings", () => {
  it.effect("via the sync query: one warning logged, one audited", () =>
    Effect.gen(function* () {
      const result = yield* rowsWith("query")
      assert.deepStrictEqual(result.rows, [["q", "nAnswered", 2]])
      assert.strictEqual(result.logged.length, 1)
      assert.strictEqual(result.audited, 1)
    })
  )

  it.effect("via a job: one warning logged, one audited, the checked body submitted with its pageSize", () =>
    Effect.gen(function* () {
      const result = yield* rowsWith("job")
      assert.deepStrictEqual(result.rows, [["q", "nAnswered", 2]])
      assert.strictEqual(result.logged.length, 1, result.logged.join("\n"))
      assert.strictEqual(result.audited, 1)
      assert.deepStrictEqual(result.submitted, [5])
    })
  )
})
