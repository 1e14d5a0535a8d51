import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Generator from "../src/Generator.js"
import * as GroundTruth from "../src/GroundTruth.js"
import * as QueryTruth from "../src/internal/http/queryTruth.js"

const options = EmulatorOptions.resolve({})
const dataset = Generator.make({ seed: 3, startDate: "2026-01-05", days: 1, perDay: 30 })
const settled = dataset.spanEndMillis + Generator.maxDurationMillis
const INTERVAL = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

describe("query truth", () => {
  it("memoises settled sync answers, one per query whatever its paging", () => {
    const truth = QueryTruth.make(options, dataset)
    const a = truth.sync(
      { interval: INTERVAL, paging: { pageSize: 5, pageNumber: 1 } } as GroundTruth.QueryLike,
      settled
    )
    const b = truth.sync(
      { interval: INTERVAL, paging: { pageSize: 5, pageNumber: 2 } } as GroundTruth.QueryLike,
      settled
    )
    assert.strictEqual(a, b)
    assert.deepStrictEqual(a, GroundTruth.syncQuery(dataset, { interval: INTERVAL }, { nowMillis: settled }))
  })

  it("memoises nothing before the dataset settles (conversations may still end)", () => {
    const truth = QueryTruth.make(options, dataset)
    const t = settled - Generator.maxDurationMillis
    const a = truth.sync({ interval: INTERVAL }, t)
    assert.notStrictEqual(a, truth.sync({ interval: INTERVAL }, t))
  })

  it("keeps at most 64 settled answers, evicting the oldest", () => {
    const truth = QueryTruth.make(options, dataset)
    const query = (k: number) => ({ interval: INTERVAL, order: "asc", k }) as unknown as GroundTruth.QueryLike
    const first = truth.sync(query(0), settled)
    for (let k = 1; k < 64; k++) truth.sync(query(k), settled)
    assert.strictEqual(truth.sync(query(0), settled), first)
    truth.sync(query(64), settled)
    truth.sync(query(65), settled)
    assert.notStrictEqual(truth.sync(query(1), settled), first)
    assert.notStrictEqual(truth.sync(query(0), settled), first)
  })

  it("jobs see data up to the availability instant, `availabilityLagMillis` before now", () => {
    const truth = QueryTruth.make(options, dataset)
    assert.strictEqual(truth.availabilityAt(10_000_000), 10_000_000 - options.jobs.availabilityLagMillis)
    const early = truth.job({ interval: INTERVAL }, Date.parse("2026-01-05T12:00:00.000Z"))
    const late = truth.job({ interval: INTERVAL }, settled + options.jobs.availabilityLagMillis)
    assert.isBelow(early.indices.length, late.indices.length)
  })
})
