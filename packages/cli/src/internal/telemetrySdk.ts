/**
 * The OpenTelemetry SDK wiring of `telemetry.ts`, in a module of its own so that it is loaded only when export is
 * on. docs/metrics.md shows `otlpLayer` as it is written here (Telemetry.test checks that they agree).
 *
 * @internal
 */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http"
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"

/** Traces and metrics over OTLP/HTTP to `OTEL_EXPORTER_OTLP_ENDPOINT`, flushed when the layer closes. @internal */
export const otlpLayer = (options: { readonly serviceName: string; readonly exportIntervalMillis: number }) =>
  NodeSdk.layer(() => ({
    resource: { serviceName: options.serviceName },
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter()),
    metricReader: new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter(),
      exportIntervalMillis: options.exportIntervalMillis,
      exportTimeoutMillis: Math.min(options.exportIntervalMillis, 30_000)
    }),
    shutdownTimeout: "10 seconds"
  }))
