// OpenTelemetry for real: the built command, with OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver on
// 127.0.0.1 (a node:http server in this test that keeps what is posted), exports a span per HTTP attempt (route,
// status, attempt) and the request latency histogram; without the variable it exports nothing.
import * as Server from "@effect-genesys/emulator/Server"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const HOUR = 3_600_000
const DAY = 24 * HOUR
const startDate = "2026-01-05"
const day0 = Date.parse(`${startDate}T00:00:00.000Z`)
const interval = `${new Date(day0).toISOString()}/${new Date(day0 + DAY).toISOString()}`
const SECRET = "emulator-secret"

interface Posted {
  readonly path: string
  readonly contentType: string
  readonly body: string
}

let scope: Scope.CloseableScope
let emulator: Server.Running
let receiver: Http.Server
let receiverUrl: string
const posted: Array<Posted> = []
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-otlp-"))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  emulator = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 3,
      startDate,
      days: 1,
      perDay: 60,
      anchorMillis: day0 + DAY + 11 * HOUR,
      jobs: { queueMillis: 20, runMillis: 40, runMillisPerConversation: 0 },
      rateLimit: { count: 10_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
  receiver = Http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      posted.push({
        path: request.url ?? "",
        contentType: String(request.headers["content-type"]),
        body: Buffer.concat(chunks).toString("utf8")
      })
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve))
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => receiver.close(() => resolve()))
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const cli = (
  args: ReadonlyArray<string>,
  extra: Record<string, string>
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined && !k.startsWith("GENESYS_") && !k.startsWith("OTEL_")) env[k] = v
    }
    const child = ChildProcess.spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: {
        ...env,
        GENESYS_API_URL: emulator.url,
        GENESYS_CLIENT_ID: "emulator-client",
        GENESYS_CLIENT_SECRET: SECRET,
        ...extra
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

// ---- OTLP/JSON reading ---------------------------------------------------------------------------------------
interface AnyValue {
  readonly stringValue?: string
  readonly intValue?: number | string
  readonly doubleValue?: number
  readonly boolValue?: boolean
}
interface KeyValue {
  readonly key: string
  readonly value: AnyValue
}
interface OtlpSpan {
  readonly name: string
  readonly kind: number
  readonly traceId: string
  readonly attributes?: ReadonlyArray<KeyValue>
}
interface OtlpDataPoint {
  readonly attributes?: ReadonlyArray<KeyValue>
  readonly count?: number | string
  readonly sum?: number
  readonly bucketCounts?: ReadonlyArray<number | string>
}
interface OtlpMetric {
  readonly name: string
  readonly histogram?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
  readonly sum?: { readonly dataPoints: ReadonlyArray<OtlpDataPoint> }
}

const otlpValue = (v: AnyValue): string | number | boolean | undefined =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : (v.doubleValue ?? v.boolValue))
const attrs = (list: ReadonlyArray<KeyValue> | undefined): Record<string, string | number | boolean | undefined> =>
  Object.fromEntries((list ?? []).map((kv) => [kv.key, otlpValue(kv.value)]))

const spansIn = (bodies: ReadonlyArray<Posted>): Array<OtlpSpan> =>
  bodies.flatMap((p) =>
    (
      JSON.parse(p.body) as {
        resourceSpans: ReadonlyArray<{ scopeSpans: ReadonlyArray<{ spans?: ReadonlyArray<OtlpSpan> }> }>
      }
    ).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans ?? []))
  )

const metricsIn = (bodies: ReadonlyArray<Posted>): Array<OtlpMetric> =>
  bodies.flatMap((p) =>
    (
      JSON.parse(p.body) as {
        resourceMetrics: ReadonlyArray<{ scopeMetrics: ReadonlyArray<{ metrics?: ReadonlyArray<OtlpMetric> }> }>
      }
    ).resourceMetrics.flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics ?? []))
  )

const STATUS_ROUTE = "GET /api/v2/analytics/conversations/details/jobs/{jobId}"

describe("genesys-analytics with OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("exports a span per HTTP attempt (route, status, attempt) and the latency histogram", {
    timeout: 90_000
  }, async () => {
    // The first job status poll (the second GET under jobs/, after the plan's availability) answers 503 once: its
    // retry is attempt 2 of the same request.
    await Effect.runPromise(emulator.emulator.clearRequests)
    await Effect.runPromise(
      emulator.emulator.setFaults({
        script: [
          {
            method: "GET",
            path: "/api/v2/analytics/conversations/details/jobs/*",
            nth: 2,
            times: 1,
            fault: { kind: "serverError", status: 503 }
          }
        ]
      })
    )
    posted.length = 0
    const out = Path.join(root, "day.ndjson")
    const result = await cli(["extract", "--interval", interval, "--out", out], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
      OTEL_SERVICE_NAME: "otlp-test"
    })
    await Effect.runPromise(emulator.emulator.setFaults({}))
    assert.strictEqual(result.code, 0, result.stderr)
    const written = Fs.readFileSync(out, "utf8")
      .split("\n")
      .filter((l) => l !== "").length
    assert.isAbove(written, 0)

    const traceBodies = posted.filter((p) => p.path === "/v1/traces")
    const metricBodies = posted.filter((p) => p.path === "/v1/metrics")
    assert.isAbove(traceBodies.length, 0, `posted to ${posted.map((p) => p.path).join(", ")}`)
    assert.isAbove(metricBodies.length, 0, `posted to ${posted.map((p) => p.path).join(", ")}`)
    assert.include(traceBodies[0]!.contentType, "application/json")
    // No secret and no credentials leave in telemetry.
    for (const p of posted) {
      assert.notInclude(p.body, SECRET)
      assert.notInclude(p.body, "Basic ")
    }

    // One span per request the emulator received (every attempt), named by route, with route, status and attempt.
    const spans = spansIn(traceBodies).filter((s) => attrs(s.attributes)["genesys.route"] !== undefined)
    const requests = (await Effect.runPromise(emulator.emulator.requests)).filter((r) => !r.path.startsWith("/v1/"))
    assert.strictEqual(spans.length, requests.length, spans.map((s) => s.name).join("\n"))
    for (const span of spans) {
      const a = attrs(span.attributes)
      assert.strictEqual(span.name, a["genesys.route"])
      assert.strictEqual(span.kind, 3) // SPAN_KIND_CLIENT
      assert.isNumber(a["http.response.status_code"], span.name)
      assert.isAtLeast(Number(a["genesys.attempt"]), 1)
    }
    const routes = new Set(spans.map((s) => s.name))
    for (const route of [
      "POST /oauth/token",
      "POST /api/v2/analytics/conversations/details/jobs",
      STATUS_ROUTE,
      "GET /api/v2/analytics/conversations/details/jobs/{jobId}/results"
    ]) {
      assert.isTrue(routes.has(route), `no span for ${route}: ${[...routes].join(", ")}`)
    }
    const status = spans.filter((s) => s.name === STATUS_ROUTE).map((s) => attrs(s.attributes))
    const failed = status.find((a) => a["http.response.status_code"] === 503)
    assert.isDefined(failed)
    assert.strictEqual(failed!["genesys.attempt"], 1)
    assert.isTrue(
      status.some((a) => a["genesys.attempt"] === 2 && a["http.response.status_code"] === 200),
      JSON.stringify(status)
    )
    // The attempts of one request belong to one trace, under the library's operation span.
    const failedSpan = spansIn(traceBodies).find(
      (s) => s.name === STATUS_ROUTE && attrs(s.attributes)["http.response.status_code"] === 503
    )!
    const retried = spansIn(traceBodies).find(
      (s) => s.name === STATUS_ROUTE && attrs(s.attributes)["genesys.attempt"] === 2
    )!
    assert.strictEqual(retried.traceId, failedSpan.traceId)

    // The latency histogram, per route and status, counts every request.
    const histograms = metricsIn(metricBodies).filter((m) => m.name === "genesys_http_request_duration_ms")
    assert.isAbove(
      histograms.length,
      0,
      metricsIn(metricBodies)
        .map((m) => m.name)
        .join(", ")
    )
    const points = histograms.flatMap((m) => m.histogram?.dataPoints ?? [])
    const pointRoutes = new Set(points.map((p) => attrs(p.attributes).route))
    assert.isTrue(pointRoutes.has(STATUS_ROUTE), [...pointRoutes].join(", "))
    assert.isTrue(
      points.some((p) => attrs(p.attributes).status === "503"),
      JSON.stringify(points.map((p) => attrs(p.attributes)))
    )
    // Cumulative: the last export of a series holds the total; every request was measured.
    const last = new Map<string, number>()
    for (const p of points) last.set(JSON.stringify(attrs(p.attributes)), Number(p.count))
    assert.strictEqual(
      [...last.values()].reduce((a, b) => a + b, 0),
      requests.length
    )
    assert.isTrue(metricsIn(metricBodies).some((m) => m.name === "genesys_http_requests_total"))
  })

  it("exports nothing without the variable", { timeout: 60_000 }, async () => {
    posted.length = 0
    const result = await cli(["extract", "--interval", interval, "--dry-run", "--out", "never.ndjson"], {})
    assert.strictEqual(result.code, 0, result.stderr)
    assert.deepStrictEqual(posted, [])
  })

  it("docs/metrics.md shows the layer the command uses, as it is written", () => {
    const docs = Fs.readFileSync(fileURLToPath(new URL("../../../docs/metrics.md", import.meta.url)), "utf8")
    const start = docs.indexOf("<!-- snippet: otlp-layer -->")
    assert.isAtLeast(start, 0, "snippet otlp-layer is missing from docs/metrics.md")
    const open = docs.indexOf("```ts\n", start) + "```ts\n".length
    const snippet = docs.slice(open, docs.indexOf("\n```", open))
    const source = Fs.readFileSync(fileURLToPath(new URL("../src/internal/telemetrySdk.ts", import.meta.url)), "utf8")
    const [imports, layer] = snippet.split("\n\n")
    assert.include(source, imports!)
    assert.include(source, layer!)
    assert.isAbove(layer!.length, 200)
  })
})
