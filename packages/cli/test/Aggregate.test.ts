// `genesys-analytics aggregate` in-process over the emulator's in-process layer, on the TestClock: the grouped daily
// query by wrap-up code *names* in a time zone prints what the emulator's ground truth gives (table, CSV, NDJSON;
// sync and job), unknown names exit 2 before any analytics request, warnings reach the log once.
import * as AggregateTruth from "@effect-genesys/emulator/AggregateTruth"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { NodeFileSystem } from "@effect/platform-node"
import { afterEach, assert, describe, it, vi } from "@effect/vitest"
import { Effect, Exit, Layer, Logger, Option, TestClock } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Aggregate from "../src/internal/aggregate.js"
import * as AggregateOutput from "../src/internal/aggregateOutput.js"

const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-aggregate-"))
const secretFile = Path.join(root, "secret")
Fs.writeFileSync(secretFile, "emulator-secret\n")

const emulator = Emulator.layerHttpClient({ seed: 7, startDate: "2026-01-05", days: 3, perDay: 60 })
const interval = "2026-01-05T05:00:00.000Z/2026-01-07T05:00:00.000Z"

const settings = (overrides: Partial<Aggregate.Settings> = {}): Aggregate.Settings => ({
  interval: Option.some(interval),
  timeZone: Option.some("America/New_York"),
  queryFile: Option.none(),
  granularity: Option.some("P1D"),
  groupBy: Option.some("wrapUpCode"),
  metrics: Option.some("nConnected,tHandle"),
  where: Option.some(`wrapUpCode in ('Resolved', "information provided")`),
  format: Option.some("ndjson"),
  out: Option.none(),
  via: "auto",
  names: false,
  reconcile: false,
  audit: Option.none(),
  connection: {
    region: Option.none(),
    clientId: Option.some("emulator-client"),
    clientSecretFile: Option.some(secretFile),
    apiUrl: Option.some(Emulator.baseUrl),
    loginUrl: Option.some(Emulator.baseUrl)
  },
  ...overrides
})

/** Captures stdout and stderr writes while the effect runs. */
const captured = () => {
  const out = { stdout: "", stderr: "" }
  const sink = (key: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, ...rest: Array<unknown>) => {
      out[key] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
      const callback = rest.find((r): r is () => void => typeof r === "function")
      if (callback !== undefined) queueMicrotask(callback)
      return true
    }) as typeof process.stdout.write
  vi.spyOn(process.stdout, "write").mockImplementation(sink("stdout"))
  vi.spyOn(process.stderr, "write").mockImplementation(sink("stderr"))
  return out
}

afterEach(() => {
  vi.restoreAllMocks()
})

/** Runs the command against the emulator of the test; returns the exit, the output and the logged warnings. */
const runCommand = (
  s: Aggregate.Settings,
  options: { readonly now?: string; readonly client?: (client: HttpClient.HttpClient) => HttpClient.HttpClient } = {}
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.parse(options.now ?? "2026-01-12T00:00:00Z"))
    const client = (options.client ?? ((c) => c))(yield* HttpClient.HttpClient)
    const warnings: Array<string> = []
    const logger = Logger.make(({ message }) => {
      warnings.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
    })
    const out = captured()
    const exit = yield* Effect.exit(
      Emulator.runWithTestClock(Aggregate.run(s, Layer.succeed(HttpClient.HttpClient, client)), {
        step: "1 second",
        maxSteps: 2_000
      }).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)))
    )
    vi.restoreAllMocks()
    return { exit, ...out, warnings }
  })

/** The ground truth of the same query, with the wrap-up code ids, as (code, mediaType, bucket, metric, count, sum). */
const truthKeys = Effect.gen(function* () {
  const emu = yield* Emulator.Emulator
  const codes = emu.dataset.catalog.wrapUpCodes
  const id = (name: string) => codes.find((c) => c.name === name)!.id
  const truth = AggregateTruth.query(
    emu.dataset,
    {
      interval,
      granularity: "P1D",
      timeZone: "America/New_York",
      groupBy: ["wrapUpCode"],
      metrics: ["nConnected", "tHandle"],
      filter: {
        type: "or",
        predicates: [
          { dimension: "wrapUpCode", value: id("Resolved") },
          { dimension: "wrapUpCode", value: id("Information Provided") }
        ]
      }
    },
    { nowMillis: Date.parse("2026-01-12T00:00:00Z") }
  )
  const keys = (truth.results ?? []).flatMap((r) =>
    r.data.flatMap((d) =>
      d.metrics.map((m) =>
        JSON.stringify([
          r.group.wrapUpCode,
          r.group.mediaType,
          new Date(Date.parse(d.interval.split("/")[0]!)).toISOString(),
          m.metric,
          m.stats.count,
          "sum" in m.stats ? (m.stats.sum ?? null) : null
        ])
      )
    )
  )
  return { keys: keys.sort(), codes, id }
})

const ndjsonKeys = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const r = JSON.parse(l) as Record<string, string | number | undefined>
      return JSON.stringify([r.wrapUpCode, r.mediaType, r.bucketStart, r.metric, r.count, r.sum ?? null])
    })
    .sort()

describe("genesys-analytics aggregate", () => {
  it.effect(
    "--format sqlite writes the ground truth to aggregate_rows; a second run of the query replaces its rows",
    () =>
      Effect.gen(function* () {
        const out = Path.join(root, "aggregates.sqlite")
        for (let run = 0; run < 2; run++) {
          const { exit, stderr } = yield* runCommand(settings({ format: Option.some("sqlite"), out: Option.some(out) }))
          assert.deepStrictEqual(exit, Exit.succeed(0), stderr)
          assert.match(stderr, /rows \(query\) written to .*aggregates\.sqlite \(table aggregate_rows\)/)
        }
        const rows = yield* Effect.flatMap(
          SqlClient.SqlClient,
          (sql) =>
            sql<{
              readonly group_json: string
              readonly bucket_start: string
              readonly metric: string
              readonly stat_count: number | null
              readonly stat_sum: number | null
            }>`SELECT group_json, bucket_start, metric, stat_count, stat_sum FROM aggregate_rows`
        ).pipe(Effect.provide(SqlSinkSqlite.layer({ filename: out })), Effect.scoped)
        const keys = rows
          .map((r) => {
            const group = JSON.parse(r.group_json) as Record<string, string>
            return JSON.stringify([
              group.wrapUpCode,
              group.mediaType,
              r.bucket_start,
              r.metric,
              r.stat_count,
              r.stat_sum
            ])
          })
          .sort()
        assert.deepStrictEqual(keys, (yield* truthKeys).keys)
      }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("by wrap-up code names, daily in America/New_York: the NDJSON rows are the ground truth (sync)", () =>
    Effect.gen(function* () {
      const { exit, stdout } = yield* runCommand(settings())
      assert.deepStrictEqual(exit, Exit.succeed(0))
      const truth = yield* truthKeys
      assert.isAbove(truth.keys.length, 0)
      assert.deepStrictEqual(ndjsonKeys(stdout), truth.keys)
      const posts = (yield* Emulator.Emulator.pipe(Effect.flatMap((e) => e.requests))).filter(
        (r) => r.method === "POST" && r.path.startsWith("/api/v2/analytics/conversations/aggregates")
      )
      assert.deepStrictEqual(
        posts.map((r) => r.path),
        ["/api/v2/analytics/conversations/aggregates/query"]
      )
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("--via job gives the same rows through a job; auto picks a job past 31 days", () =>
    Effect.gen(function* () {
      const { exit, stdout } = yield* runCommand(settings({ via: "job" }))
      assert.deepStrictEqual(exit, Exit.succeed(0))
      assert.deepStrictEqual(ndjsonKeys(stdout), (yield* truthKeys).keys)
      const jobs = (yield* Emulator.Emulator.pipe(Effect.flatMap((e) => e.requests))).filter(
        (r) => r.method === "POST" && r.path === "/api/v2/analytics/conversations/aggregates/jobs"
      )
      assert.strictEqual(jobs.length, 1)
      assert.strictEqual(Aggregate.chooseVia({ interval, granularity: "P1D" }, "auto"), "query")
      assert.strictEqual(
        Aggregate.chooseVia({ interval: "2026-01-01T00:00:00Z/2026-03-01T00:00:00Z", granularity: "P1D" }, "auto"),
        "job"
      )
      assert.strictEqual(Aggregate.chooseVia({ interval, granularity: "PT1M" }, "auto"), "job")
      assert.strictEqual(Aggregate.chooseVia({ interval, granularity: "PT1M" }, "query"), "query")
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("the table: names beside ids, local days, one column per metric, the truth's numbers", () =>
    Effect.gen(function* () {
      const { exit, stdout } = yield* runCommand(settings({ format: Option.some("table"), names: true }))
      assert.deepStrictEqual(exit, Exit.succeed(0))
      const truth = yield* truthKeys
      const lines = stdout.split("\n")
      assert.match(
        lines[0]!,
        /^wrapUpCodeName\s+wrapUpCode\s+mediaType\s+bucket \(America\/New_York\)\s+nConnected\s+tHandle \(sum ms\)$/
      )
      assert.match(lines[1]!, /^-+\s+-+/)
      // Each truth row of nConnected appears as a table line: name, id, media type, local day, count.
      for (const key of truth.keys) {
        const [code, media, bucket, metric, count] = JSON.parse(key) as [string, string, string, string, number]
        if (metric !== "nConnected") continue
        const name = truth.codes.find((c) => c.id === code)!.name
        const day = bucket === "2026-01-05T05:00:00.000Z" ? "2026-01-05 00:00" : "2026-01-06 00:00"
        const line = lines.find((l) => l.startsWith(name) && l.includes(code) && l.includes(media) && l.includes(day))
        assert.isDefined(line, `${name} ${media} ${day}`)
        assert.match(line!, new RegExp(`${day}\\s+${count}\\s`))
      }
      assert.include(stdout, "absent metrics are blank, not zero")
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("--out file.csv: tidy CSV rows with names, written whole (no .partial left)", () =>
    Effect.gen(function* () {
      const out = Path.join(root, "daily.csv")
      const { exit, stderr, stdout } = yield* runCommand(
        settings({ out: Option.some(out), format: Option.none(), names: true })
      )
      assert.deepStrictEqual(exit, Exit.succeed(0))
      assert.strictEqual(stdout, "")
      assert.include(stderr, `written to ${out}`)
      assert.isFalse(Fs.existsSync(`${out}.partial`))
      const [header, ...rows] = Fs.readFileSync(out, "utf8").trimEnd().split("\n")
      assert.isTrue(header!.startsWith("wrapUpCode,wrapUpCodeName,mediaType,bucketStart,bucketEnd,metric,kind"))
      assert.strictEqual(rows.length, (yield* truthKeys).keys.length)
      assert.isTrue(rows.every((r) => r.includes(",Resolved,") || r.includes(",Information Provided,")))
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("an unknown wrap-up code name exits 2 with the candidates, before any analytics request", () =>
    Effect.gen(function* () {
      const { exit } = yield* runCommand(settings({ where: Option.some("wrapUpCode = Resolvd") }))
      assert.isTrue(Exit.isFailure(exit))
      const failure = Exit.isFailure(exit) ? exit.cause : undefined
      const error = failure !== undefined && failure._tag === "Fail" ? failure.error : undefined
      assert.strictEqual(error?._tag, "CliFailure")
      if (error?._tag !== "CliFailure") return
      assert.strictEqual(error.code, 2)
      assert.include(error.message, `wrapUpCode "Resolvd" matches no entry of GET /api/v2/routing/wrapupcodes`)
      assert.include(error.message, `did you mean "Resolved"?`)
      const analytics = (yield* Emulator.Emulator.pipe(Effect.flatMap((e) => e.requests))).filter((r) =>
        r.path.startsWith("/api/v2/analytics")
      )
      assert.strictEqual(analytics.length, 0)
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("bad input exits 2 naming the flag: no metrics, a metric in --where, a malformed granularity", () =>
    Effect.gen(function* () {
      const codeOf = (exit: Exit.Exit<number, unknown>) =>
        Exit.isFailure(exit) && exit.cause._tag === "Fail"
          ? (exit.cause.error as { code: number; message: string })
          : undefined
      const noMetrics = codeOf((yield* runCommand(settings({ metrics: Option.none() }))).exit)
      assert.deepStrictEqual([noMetrics?.code, noMetrics?.message.startsWith("missing --metrics")], [2, true])
      const metricWhere = codeOf((yield* runCommand(settings({ where: Option.some("tHandle = 3") }))).exit)
      assert.strictEqual(metricWhere?.code, 2)
      assert.include(metricWhere?.message, `"tHandle" is a metric`)
      const granularity = codeOf((yield* runCommand(settings({ granularity: Option.some("1D") }))).exit)
      assert.strictEqual(granularity?.code, 2)
      assert.include(granularity?.message, "$.granularity")
      const requests = yield* Emulator.Emulator.pipe(Effect.flatMap((e) => e.requests))
      assert.strictEqual(requests.filter((r) => r.path.startsWith("/api/v2/analytics")).length, 0)
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )

  it.effect("a metric outside the enum is a warning, logged once, and the query is sent as written", () =>
    Effect.gen(function* () {
      const { exit, warnings } = yield* runCommand(settings({ metrics: Option.some("nConnected,nAnswered") }))
      assert.deepStrictEqual(exit, Exit.succeed(0))
      assert.strictEqual(warnings.filter((w) => w.includes("nAnswered")).length, 1, warnings.join("\n"))
    }).pipe(Effect.provide(Layer.merge(emulator, NodeFileSystem.layer)))
  )
})

// 17 days of data: 14 reconciled days in Berlin, a look-back day before them.
const fortnight = Emulator.layerHttpClient({ seed: 11, startDate: "2026-01-05", days: 17, perDay: 20 })
const reconcileSettings = (groupBy: string) =>
  settings({
    interval: Option.some("2026-01-05T23:00:00.000Z/2026-01-19T23:00:00.000Z"),
    timeZone: Option.some("Europe/Berlin"),
    groupBy: Option.some(groupBy),
    metrics: Option.some("nConnected,nOffered,tHandle"),
    where: Option.none(),
    reconcile: true
  })

// The emulator's sync aggregates answers with the first count raised by 1000.
const tamper = (client: HttpClient.HttpClient) =>
  client.pipe(
    HttpClient.transformResponse(
      Effect.flatMap((response) =>
        response.request.url.endsWith("/aggregates/query")
          ? Effect.map(response.text, (text) =>
              HttpClientResponse.fromWeb(
                response.request,
                new Response(text.replace('"count":', '"count":1000'), {
                  status: response.status,
                  headers: { "content-type": "application/json" }
                })
              )
            )
          : Effect.succeed(response)
      )
    )
  )

describe("genesys-analytics aggregate --reconcile", () => {
  for (const groupBy of ["queueId", "wrapUpCode"]) {
    it.effect(`14 days grouped by ${groupBy}: every cell differs by 0, exit 0`, () =>
      Effect.gen(function* () {
        const { exit, stderr, stdout } = yield* runCommand(reconcileSettings(groupBy), { now: "2026-01-30T00:00:00Z" })
        assert.deepStrictEqual(exit, Exit.succeed(0), stderr)
        assert.isAbove(stdout.split("\n").length, 100)
        const summary = /reconcile: (\d+) cells of nConnected, nOffered, tHandle compared, 0 differ/.exec(stderr)
        assert.isNotNull(summary, stderr.slice(-400))
        assert.isAbove(Number(summary![1]), 200)
        assert.match(
          stderr,
          new RegExp(
            `${groupBy}\\s+mediaType\\s+bucket \\(Europe/Berlin\\)\\s+metric\\s+stat\\s+aggregates\\s+details\\s+difference`
          )
        )
      }).pipe(Effect.provide(Layer.merge(fortnight, NodeFileSystem.layer)))
    )
  }

  it.effect("a count that differs from the details exits 4 naming how many cells differ", () =>
    Effect.gen(function* () {
      const { exit, stderr } = yield* runCommand(reconcileSettings("queueId"), {
        now: "2026-01-30T00:00:00Z",
        client: tamper
      })
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? (exit.cause.error as Cli) : undefined
      assert.strictEqual(error?.code, 4)
      assert.match(error?.message ?? "", /^reconcile: 1 of \d+ cells differ between the aggregates and the details$/)
      assert.match(stderr, /compared, 1 differ/)
      assert.strictEqual(stderr.split("\n").filter((l) => /\s[1-9]\d{3,}$/.test(l)).length, 1)
    }).pipe(Effect.provide(Layer.merge(fortnight, NodeFileSystem.layer)))
  )
})

interface Cli {
  readonly code: number
  readonly message: string
}

describe("aggregate output", () => {
  it("the format follows --format, else --out's extension, else the terminal", () => {
    assert.strictEqual(AggregateOutput.formatOf(Option.some("csv"), Option.some("x.ndjson"), true), "csv")
    assert.strictEqual(AggregateOutput.formatOf(Option.none(), Option.some("x.CSV"), true), "csv")
    assert.strictEqual(AggregateOutput.formatOf(Option.none(), Option.some("x.jsonl"), true), "ndjson")
    assert.strictEqual(AggregateOutput.formatOf(Option.none(), Option.none(), true), "table")
    assert.strictEqual(AggregateOutput.formatOf(Option.none(), Option.none(), false), "ndjson")
  })
})
