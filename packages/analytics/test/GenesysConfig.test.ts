import { assert, describe, it } from "@effect/vitest"
import { Config, ConfigProvider, Duration, Effect, Either, Layer, Redacted } from "effect"
import fc from "fast-check"
import * as GenesysConfig from "../src/GenesysConfig.js"

const fromEnv = (env: Record<string, string>) =>
  Effect.flatMap(GenesysConfig.GenesysConfig, Effect.succeed).pipe(
    Effect.provide(
      GenesysConfig.layerConfig().pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" })))
      )
    )
  )

describe("GenesysConfig", () => {
  it.effect("reads GENESYS_* variables; the secret stays Redacted", () =>
    Effect.gen(function* () {
      const config = yield* fromEnv({
        GENESYS_REGION: "eu_west_1",
        GENESYS_CLIENT_ID: "cid",
        GENESYS_CLIENT_SECRET: "s3cret",
        GENESYS_JOB_TIMEOUT: "10 minutes"
      })
      assert.strictEqual(config.apiUrl, "https://api.mypurecloud.ie")
      assert.strictEqual(config.loginUrl, "https://login.mypurecloud.ie")
      assert.strictEqual(config.region?.key, "eu_west_1")
      assert.strictEqual(config.clientId, "cid")
      assert.isTrue(Redacted.isRedacted(config.clientSecret))
      assert.strictEqual(Redacted.value(config.clientSecret), "s3cret")
      assert.notInclude(JSON.stringify(config), "s3cret")
      assert.notInclude(String(config.clientSecret), "s3cret")
      assert.isTrue(Duration.equals(config.poll.timeout, Duration.minutes(10)))
      assert.strictEqual(config.paging.maxResults, 100_000)
    })
  )

  it.effect("accepts region by key, underscore key and domain", () =>
    Effect.gen(function* () {
      for (const region of ["ap-southeast-2", "ap_southeast_2", "mypurecloud.com.au"]) {
        const config = yield* GenesysConfig.make({ region, clientId: "c", clientSecret: "s" })
        assert.strictEqual(config.apiUrl, "https://api.mypurecloud.com.au")
      }
    })
  )

  it.effect("explicit URLs override the region; loginUrl defaults to apiUrl without region", () =>
    Effect.gen(function* () {
      const gateway = yield* GenesysConfig.make({
        region: "us_east_1",
        apiUrl: "https://gateway.example.com/genesys/",
        clientId: "c",
        clientSecret: "s"
      })
      assert.strictEqual(gateway.apiUrl, "https://gateway.example.com/genesys")
      assert.strictEqual(gateway.loginUrl, "https://login.mypurecloud.com")
      const local = yield* fromEnv({
        GENESYS_API_URL: "http://127.0.0.1:8080",
        GENESYS_CLIENT_ID: "c",
        GENESYS_CLIENT_SECRET: "s"
      })
      assert.strictEqual(local.apiUrl, "http://127.0.0.1:8080")
      assert.strictEqual(local.loginUrl, "http://127.0.0.1:8080")
      assert.isUndefined(local.region)
    })
  )

  it.effect("a poll factor below 1 is refused: it would poll every initialDelay for the whole timeout", () =>
    Effect.gen(function* () {
      const base = { region: "mypurecloud.com", clientId: "c", clientSecret: "s" }
      for (const factor of [0.5, 0, Number.NaN]) {
        const error = yield* Effect.flip(GenesysConfig.make({ ...base, poll: { factor } }))
        assert.strictEqual(error._tag, "ConfigInvalid", String(factor))
        assert.strictEqual(error.field, "poll.factor", String(factor))
      }
      const fixed = yield* GenesysConfig.make({ ...base, poll: { factor: 1 } })
      assert.strictEqual(fixed.poll.factor, 1)
    })
  )

  it.effect("plain http is accepted for loopback hosts only", () =>
    Effect.gen(function* () {
      for (const ok of ["http://localhost:1", "http://127.0.0.1", "http://127.9.8.7:9", "http://[::1]:8080"]) {
        assert.isTrue(Either.isRight(GenesysConfig.checkUrl("apiUrl", ok)), ok)
      }
      for (const bad of [
        "http://example.com",
        "http://10.0.0.1",
        "http://128.0.0.1",
        "http://localhost.example.com",
        "ftp://127.0.0.1",
        "not a url"
      ]) {
        const result = GenesysConfig.checkUrl("apiUrl", bad)
        assert.isTrue(Either.isLeft(result), bad)
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "ConfigInvalid", bad)
          assert.strictEqual(result.left.field, "apiUrl", bad)
          const expected = bad.startsWith("http://")
            ? "plain http is refused"
            : bad.startsWith("ftp:")
              ? "unsupported protocol ftp:"
              : "is not an absolute URL"
          assert.include(result.left.detail, expected, bad)
        }
      }
      const error = yield* Effect.flip(
        GenesysConfig.make({ apiUrl: "http://api.mypurecloud.com", clientId: "c", clientSecret: "s" })
      )
      assert.strictEqual(error._tag, "ConfigInvalid")
      assert.strictEqual(error.field, "apiUrl")
      assert.include(error.message, "https")
    })
  )

  it("no non-loopback http URL is ever accepted", () =>
    fc.assert(
      fc.property(fc.domain(), (host) => {
        const result = GenesysConfig.checkUrl("apiUrl", `http://${host}/`)
        return host === "localhost" ? Either.isRight(result) : Either.isLeft(result)
      })
    ))

  it.effect("missing region and URL, unknown region, missing or empty credentials fail", () =>
    Effect.gen(function* () {
      const none = yield* Effect.flip(GenesysConfig.make({ clientId: "c", clientSecret: "s" }))
      assert.strictEqual(none.field, "region")
      const unknown = yield* Effect.flip(GenesysConfig.make({ region: "moon_1", clientId: "c", clientSecret: "s" }))
      assert.strictEqual(unknown.field, "region")
      const empty = yield* Effect.flip(GenesysConfig.make({ region: "us_east_1", clientId: "c", clientSecret: "" }))
      assert.strictEqual(empty.field, "clientSecret")
      const missing = yield* Effect.flip(fromEnv({ GENESYS_REGION: "us_east_1", GENESYS_CLIENT_ID: "c" }))
      assert.include(String(missing), "CLIENT_SECRET")
    })
  )

  it.effect("policies merge with the defaults and are checked", () =>
    Effect.gen(function* () {
      const config = yield* GenesysConfig.make({
        region: "us_east_1",
        clientId: "c",
        clientSecret: "s",
        http: { maxRetries: 2 },
        paging: { jobPageSize: 500 }
      })
      assert.strictEqual(config.http.maxRetries, 2)
      assert.isTrue(Duration.equals(config.http.rateLimitMaxWait, Duration.seconds(60)))
      assert.strictEqual(config.paging.jobPageSize, 500)
      assert.strictEqual(config.paging.queryPageSize, 100)
      const bad = yield* Effect.flip(
        GenesysConfig.make({ region: "us_east_1", clientId: "c", clientSecret: "s", paging: { queryPageSize: 0 } })
      )
      assert.strictEqual(bad.field, "paging.queryPageSize")
    })
  )

  const provided = <E>(layer: Layer.Layer<GenesysConfig.GenesysConfig, E>, env: Record<string, string>) =>
    Effect.flatMap(GenesysConfig.GenesysConfig, Effect.succeed).pipe(
      Effect.provide(
        layer.pipe(
          Layer.provide(
            Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)), { pathDelim: "_" }))
          )
        )
      )
    )

  it.effect("layerConfig takes a Config.Wrap: one Config per field, names of the application's choosing", () =>
    Effect.gen(function* () {
      const config = yield* provided(
        GenesysConfig.layerConfig({
          region: Config.succeed("eu_central_1"),
          clientId: Config.string("APP_GC_ID"),
          clientSecret: Config.redacted("APP_GC_SECRET"),
          paging: Config.succeed({ jobPageSize: 250 })
        }),
        { APP_GC_ID: "app-id", APP_GC_SECRET: "app-secret", GENESYS_CLIENT_ID: "ignored" }
      )
      assert.strictEqual(config.apiUrl, "https://api.mypurecloud.de")
      assert.strictEqual(config.clientId, "app-id")
      assert.strictEqual(Redacted.value(config.clientSecret), "app-secret")
      assert.strictEqual(config.paging.jobPageSize, 250)
      const missing = yield* Effect.flip(
        provided(
          GenesysConfig.layerConfig({ clientId: Config.string("APP_GC_ID"), clientSecret: Config.redacted("X") }),
          {}
        )
      )
      assert.include(String(missing), "APP_GC_ID")
    })
  )

  it.effect(
    "layerConfig takes a Config<Options>: the GENESYS_* config mapped to add policies it has no variable for",
    () =>
      Effect.gen(function* () {
        const config = yield* provided(
          GenesysConfig.layerConfig(
            Config.map(GenesysConfig.config, (options) => ({ ...options, http: { ...options.http, maxRetries: 3 } }))
          ),
          {
            GENESYS_REGION: "us_east_1",
            GENESYS_CLIENT_ID: "cid",
            GENESYS_CLIENT_SECRET: "s",
            GENESYS_REQUEST_TIMEOUT: "5 seconds"
          }
        )
        assert.strictEqual(config.http.maxRetries, 3)
        assert.isTrue(Duration.equals(config.http.requestTimeout, Duration.seconds(5)))
        // A value that `make` refuses is a ConfigInvalid, whatever the Config it came from.
        const invalid = yield* Effect.flip(
          provided(
            GenesysConfig.layerConfig(
              Config.map(GenesysConfig.config, (options) => ({ ...options, paging: { queryPageSize: 0 } }))
            ),
            { GENESYS_REGION: "us_east_1", GENESYS_CLIENT_ID: "cid", GENESYS_CLIENT_SECRET: "s" }
          )
        )
        assert.strictEqual(invalid._tag, "ConfigInvalid")
      })
  )
})
