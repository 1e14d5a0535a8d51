// Reliability suite, bad input through ConversationDetails.query (first page only when valid): 1 000 of the suite's
// 4 000 fuzzed queries (random JSON and JS values, mutated valid queries, huge strings, deep nesting, wrong types,
// hostile objects). Each one ends as a typed GenesysError (QueryInvalid, with no request sent, for what the validator
// refuses) or a valid result; never a defect or a hang. The arbitraries and the checks are in ReliabilityFixtures.ts.
import { assert, describe, it } from "@effect/vitest"
import { fuzzEntryPoint, soakTimeout } from "./ReliabilityFixtures.js"

describe("bad input: query", () => {
  it(
    "fuzzed queries end as typed errors or valid results, and refused ones send nothing",
    async () => {
      const stats = await fuzzEntryPoint("query", 1_000, 20260111)
      assert.isAtLeast(stats.runs, 1_000)
      assert.isAbove(stats.invalid, stats.runs / 2, JSON.stringify(stats))
      // Accepted by the validator: a valid result, or a typed refusal by the platform (e.g. the concurrent-jobs 429).
      assert.isAbove(stats.valid + stats.otherTyped, stats.runs / 100, JSON.stringify(stats))
    },
    soakTimeout(120_000)
  )
})
