// Reliability suite, bad input through ConversationDetails.submitJob: 1 500 of the suite's 4 000 fuzzed queries
// (random JSON and JS values, mutated valid queries, huge strings, deep nesting, wrong types, hostile objects). Each
// one ends as a typed GenesysError (QueryInvalid, with no request sent, for what the validator refuses) or a valid
// result; never a defect or a hang. The arbitraries and the checks are in ReliabilityFixtures.ts.
import { assert, describe, it } from "@effect/vitest"
import { fuzzEntryPoint, soakTimeout } from "./ReliabilityFixtures.js"

describe("bad input: submitJob", () => {
  it(
    "fuzzed queries end as typed errors or valid results, and refused ones send nothing",
    async () => {
      const stats = await fuzzEntryPoint("submitJob", 1_500, 20260112)
      assert.isAtLeast(stats.runs, 1_500)
      assert.isAbove(stats.invalid, stats.runs / 2, JSON.stringify(stats))
      // Accepted by the validator: a valid result, or a typed refusal by the platform (e.g. the concurrent-jobs 429).
      assert.isAbove(stats.valid + stats.otherTyped, stats.runs / 100, JSON.stringify(stats))
    },
    soakTimeout(120_000)
  )
})
