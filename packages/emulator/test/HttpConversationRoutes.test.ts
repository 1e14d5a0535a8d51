import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Generator from "../src/Generator.js"
import * as ConversationRoutes from "../src/internal/http/conversationRoutes.js"
import { isApiError, type RawResponse } from "../src/internal/http/wire.js"

const options = EmulatorOptions.resolve({ multiGetMaxIds: 3 })
const dataset = Generator.make({ seed: 5, startDate: "2026-01-05", days: 1, perDay: 10 })
const idOf = (i: number) => dataset.conversation(i).conversationId
const routes = ConversationRoutes.make(options, dataset)
const settled = dataset.spanEndMillis + Generator.maxDurationMillis

describe("conversation routes", () => {
  it("multi-get ids: repeated parameters and comma lists, empty ones dropped", () => {
    assert.deepStrictEqual(ConversationRoutes.multiGetIds(new URLSearchParams("id=a,b&id=&id=c,,a")), [
      "a",
      "b",
      "c",
      "a"
    ])
  })

  it("a conversation exists once it has ended", () => {
    const before = routes.one(idOf(0), dataset.endMillis(0) - 1)
    assert.isTrue(isApiError(before) && before.status === 404)
    const after = routes.one(idOf(0), dataset.endMillis(0)) as RawResponse
    assert.strictEqual(JSON.parse(after.body!).conversationId, idOf(0))
    assert.isUndefined(JSON.parse(after.body!).attributes)
  })

  it("multi-get answers each visible id once, leaves out unknown ones, refuses none or too many", () => {
    const search = new URLSearchParams({ id: `${idOf(1)},${idOf(1)},missing` })
    const found = routes.many(search, settled) as RawResponse
    assert.deepStrictEqual(
      JSON.parse(found.body!).conversations.map((c: { conversationId: string }) => c.conversationId),
      [idOf(1)]
    )
    const none = routes.many(new URLSearchParams(), settled)
    assert.isTrue(isApiError(none) && none.message === "At least one id is required")
    const many = routes.many(new URLSearchParams({ id: "a,b,c,d" }), settled)
    assert.isTrue(isApiError(many) && many.message === "No more than 3 ids may be requested")
  })
})
