// Validator warnings reach whoever runs and whoever audits a query: ConversationDetails sends a warning-only query
// and records each warning as a `query.warning` audit event; GENESYS_VALIDATOR_STRICT=true refuses it instead.
import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Effect, Layer, Stream } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import { AuditRecords, clientLayer } from "./GenesysHttpFixtures.js"

const query = {
  interval: "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z",
  segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "vioce" }] }],
  paging: { pageSize: "10", pageNumber: 1 }
}

describe("query warnings", () => {
  it.effect("a warning-only query is sent, and each warning is audited once with its route", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const pages = yield* Stream.runCollect(Stream.take(details.queryPages(query), 1))
      assert.strictEqual(pages.length, 1)
      const warnings = (yield* AuditRecords).filter((e) => e.type === "query.warning")
      assert.deepStrictEqual(
        warnings.map((w) => [w.route, w.status]),
        [
          ["POST /api/v2/analytics/conversations/details/query", "type.coerced"],
          ["POST /api/v2/analytics/conversations/details/query", "vocabulary.value"]
        ]
      )
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("GENESYS_VALIDATOR_STRICT=true turns the warnings into a QueryInvalid before any request", () =>
    Effect.gen(function* () {
      const env = new Map([
        ["GENESYS_API_URL", "http://127.0.0.1:9"],
        ["GENESYS_LOGIN_URL", "http://127.0.0.1:9"],
        ["GENESYS_CLIENT_ID", "id"],
        ["GENESYS_CLIENT_SECRET", "secret"],
        ["GENESYS_VALIDATOR_STRICT", "true"]
      ])
      const config = yield* Effect.provide(
        GenesysConfig.GenesysConfig,
        GenesysConfig.layerConfig(
          Config.map(GenesysConfig.config, (o) => ({ ...o, validator: { ...o.validator, maxIssues: 10 } }))
        ).pipe(Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(env, { pathDelim: "_" }))))
      )
      assert.deepStrictEqual(config.validator, { strict: true, maxIssues: 10 })
      const error = yield* Effect.flip(
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) => Stream.runDrain(d.queryPages(query))).pipe(
          Effect.provide(clientLayer({}, { validator: config.validator }))
        )
      )
      assert.strictEqual(error._tag, "QueryInvalid")
      if (error._tag === "QueryInvalid") {
        // The two findings that were warnings above, now errors: strict changes severity, not what is found.
        assert.deepStrictEqual(
          error.issues.map((i) => [i.path, i.rule]),
          [
            ["$.paging.pageSize", "type.coerced"],
            ["$.segmentFilters[0].predicates[0].value", "vocabulary.value"]
          ]
        )
      }
    })
  )
})
