import { assert, describe, it } from "@effect/vitest"
import * as Aggregations from "../src/Aggregations.js"
import * as FilterEngine from "../src/FilterEngine.js"
import * as Generator from "../src/Generator.js"

const dataset = Generator.make({ seed: 8, startDate: "2026-02-02", days: 1, perDay: 500 })
const all = Array.from({ length: dataset.size }, (_, i) => Generator.withoutAttributes(dataset.conversation(i)))

describe("Aggregations", () => {
  it("termFrequency counts conversations per value, sorted and cut to size", () => {
    const [media] = Aggregations.aggregate(all, [{ type: "termFrequency", dimension: "mediaType", size: 3 }])
    assert.strictEqual(media!.type, "termFrequency")
    assert.strictEqual(media!.dimension, "mediaType")
    assert.strictEqual(media!.results.length, 3)
    assert.strictEqual(media!.results[0]!.value, "voice")
    for (let k = 1; k < media!.results.length; k++)
      assert.isTrue(media!.results[k - 1]!.count >= media!.results[k]!.count)
    const voice = all.filter((c) => FilterEngine.segmentDimensionValues(c, "mediaType").includes("voice")).length
    assert.strictEqual(media!.results[0]!.count, voice)
    assert.strictEqual(media!.count, all.length)
  })

  it("termFrequency on a conversation dimension and default size 10", () => {
    const [dir, queues] = Aggregations.aggregate(all, [
      { type: "termFrequency", dimension: "originatingDirection" },
      { dimension: "queueId" }
    ])
    const counts = Object.fromEntries(dir!.results.map((r) => [r.value, r.count]))
    assert.strictEqual((counts.inbound ?? 0) + (counts.outbound ?? 0), all.length)
    assert.isTrue(queues!.results.length <= 10 && queues!.results.length > 3)
  })

  it("numericRange buckets conversation metrics and segment durations into [gte, lt)", () => {
    const ranges = [{ lt: 60_000 }, { gte: 60_000, lt: 300_000 }, { gte: 300_000 }]
    const [talk, seg] = Aggregations.aggregate(all, [
      { type: "numericRange", metric: "tTalk", ranges },
      { type: "numericRange", metric: "tSegmentDuration", ranges: [{ gte: 0, lt: 1000 }] }
    ])
    const values = all.map((c) => FilterEngine.conversationMetric(c, "tTalk")).filter((v) => v !== undefined)
    assert.deepStrictEqual(
      talk!.results.map((r) => r.count),
      [
        values.filter((v) => v < 60_000).length,
        values.filter((v) => v >= 60_000 && v < 300_000).length,
        values.filter((v) => v >= 300_000).length
      ]
    )
    assert.deepStrictEqual(talk!.results[1], { count: talk!.results[1]!.count, gte: 60_000, lt: 300_000 })
    assert.strictEqual(talk!.count, values.length)
    assert.strictEqual(seg!.metric, "tSegmentDuration")
    assert.isTrue(seg!.results[0]!.count > 0)
  })

  it("returns nothing for no aggregations and empty buckets for no conversations", () => {
    assert.deepStrictEqual(Aggregations.aggregate(all, []), [])
    assert.deepStrictEqual(Aggregations.aggregate([], [{ type: "termFrequency", dimension: "queueId" }]), [
      { type: "termFrequency", dimension: "queueId", count: 0, results: [] }
    ])
  })
})
