import { assert, describe, it } from "@effect/vitest"
import * as ConversationRecord from "@effect-genesys/analytics/ConversationRecord"
import { Either, Schema } from "effect"
import * as Generator from "../src/Generator.js"

const dataset = Generator.make({ seed: 77, startDate: "2026-05-04", days: 7, perDay: 500 })

describe("Generator records decode with the analytics Schemas", () => {
  it("job shape decodes as AnalyticsConversation and sync shape as AnalyticsConversationWithoutAttributes", () => {
    const decodeJob = Schema.decodeUnknownEither(ConversationRecord.AnalyticsConversation)
    const decodeSync = Schema.decodeUnknownEither(ConversationRecord.AnalyticsConversationWithoutAttributes)
    let decoded = 0
    for (let i = 0; i < dataset.size; i += 2) {
      const c = dataset.conversation(i)
      const job = decodeJob(c, ConversationRecord.parseOptions)
      if (Either.isLeft(job)) assert.fail(`#${i}: ${job.left.message}`)
      decoded++
      if (i % 4 !== 0) continue
      const sync = decodeSync(Generator.withoutAttributes(c), ConversationRecord.parseOptions)
      if (Either.isLeft(sync)) assert.fail(`#${i}: ${sync.left.message}`)
    }
    assert.strictEqual(decoded, 1750)
  })
})
