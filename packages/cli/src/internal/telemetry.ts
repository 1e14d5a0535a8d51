/**
 * OpenTelemetry export of the command: when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, its traces (a span per HTTP
 * attempt, named by route, with `genesys.route`, `genesys.attempt` and `http.response.status_code`, under the
 * library's operation spans) and its metrics (`AnalyticsMetrics`: the request latency histogram, counters) go over
 * OTLP/HTTP (JSON) to `<endpoint>/v1/traces` and `<endpoint>/v1/metrics`, through `@effect/opentelemetry`'s
 * `NodeSdk` and the OpenTelemetry JS SDK 2.x. The exporters read the standard variables themselves
 * (`OTEL_EXPORTER_OTLP_HEADERS`, the per-signal endpoints, timeouts); `OTEL_SERVICE_NAME` names the service (default
 * `genesys-analytics`), `OTEL_METRIC_EXPORT_INTERVAL` the metric export period in ms (default 60000). Everything
 * still buffered is flushed when the command ends, interrupted or not. Unset: nothing is loaded, nothing exported.
 *
 * @internal
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** The endpoint, when telemetry is on (`OTEL_EXPORTER_OTLP_ENDPOINT`, or `OTEL_SDK_DISABLED=true` to turn it off). */
export const endpoint: Effect.Effect<Option.Option<string>> = Effect.gen(function* () {
  const disabled = yield* Config.boolean("OTEL_SDK_DISABLED").pipe(Config.withDefault(false))
  const url = yield* Config.option(Config.nonEmptyString("OTEL_EXPORTER_OTLP_ENDPOINT"))
  return disabled ? Option.none() : url
}).pipe(Effect.orElseSucceed(() => Option.none()))

const exportIntervalMillis = Config.integer("OTEL_METRIC_EXPORT_INTERVAL").pipe(
  Config.withDefault(60_000),
  Effect.orElseSucceed(() => 60_000)
)

const serviceName = Config.nonEmptyString("OTEL_SERVICE_NAME").pipe(
  Config.withDefault("genesys-analytics"),
  Effect.orElseSucceed(() => "genesys-analytics")
)

/** Tracer and metric export over OTLP/HTTP when configured; the empty layer otherwise. @internal */
export const layer: Layer.Layer<never> = Layer.unwrapEffect(
  Effect.gen(function* () {
    if (Option.isNone(yield* endpoint)) return Layer.empty
    const interval = yield* exportIntervalMillis
    const name = yield* serviceName
    // Loaded only when asked for: the SDK costs start-up time every other run would pay for nothing.
    const { otlpLayer } = yield* Effect.promise(() => import("./telemetrySdk.js"))
    return otlpLayer({ serviceName: name, exportIntervalMillis: interval })
  })
)
