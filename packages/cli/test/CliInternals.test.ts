// The pure parts of the command wiring: format inference, exit-code mapping, the progress line and the plan store.
import * as GenesysError from "@effect-genesys/analytics/GenesysError"
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Either, Option } from "effect"
import * as CliError from "../src/internal/cliError.js"
import * as Output from "../src/internal/output.js"
import * as PlanStore from "../src/internal/planStore.js"
import * as Progress from "../src/internal/progress.js"

const resolve = (out: string | undefined, format?: Output.Format) =>
  Output.resolve(Option.fromNullable(out), Option.fromNullable(format))

describe("Output.resolve", () => {
  it("guesses the format from --out and lets --format override it", () => {
    const formatOf = (out: string | undefined, format?: Output.Format) =>
      Either.map(resolve(out, format), (o) => o.format).pipe(Either.getOrThrow)
    assert.strictEqual(formatOf(undefined), "ndjson")
    assert.strictEqual(formatOf("out.ndjson"), "ndjson")
    assert.strictEqual(formatOf("out.jsonl"), "ndjson")
    assert.strictEqual(formatOf("data.sqlite"), "sqlite")
    assert.strictEqual(formatOf("data.db"), "sqlite")
    assert.strictEqual(formatOf("postgres://u@localhost/db"), "postgres")
    assert.strictEqual(formatOf("export/"), "csv")
    assert.strictEqual(formatOf("export"), "csv")
    assert.strictEqual(formatOf("export", "ndjson"), "ndjson")
  })

  it("refuses a file format without --out and postgres without a URL (exit 2)", () => {
    const noOut = Either.flip(resolve(undefined, "sqlite")).pipe(Either.getOrThrow)
    assert.strictEqual(noOut._tag, "CliFailure")
    assert.strictEqual(noOut.code, CliError.ExitCode.usage)
    assert.match(noOut.message, /needs --out/)
    const notUrl = Either.flip(resolve("x.sqlite", "postgres")).pipe(Either.getOrThrow)
    assert.strictEqual(notUrl._tag, "CliFailure")
    assert.strictEqual(notUrl.code, CliError.ExitCode.usage)
    assert.match(notUrl.message, /postgres:\/\//)
  })
})

describe("Output: what each format's sink relies on being checked", () => {
  it.scoped(
    "validationOf agrees with the sinks each file format opens; a tee needs what its strictest sink needs",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped({ prefix: "output-validation-" })
        for (const [format, out] of [
          ["ndjson", `${dir}/out.ndjson`],
          ["csv", `${dir}/tables`]
        ] as const) {
          const sink = yield* Output.open({ format, target: Option.some(out) })
          assert.strictEqual(sink.validation ?? "full", Output.validationOf(format), format)
        }
        assert.strictEqual(Output.stdoutSink.validation, "conversation")
        assert.strictEqual(Output.validationOf("sqlite"), "full")
        assert.strictEqual(Output.validationOf("postgres"), "full")
        const ndjson = yield* Output.open({ format: "ndjson", target: Option.some(`${dir}/tee.ndjson`) })
        const csv = yield* Output.open({ format: "csv", target: Option.some(`${dir}/tee`) })
        assert.strictEqual(Output.tee([ndjson, Output.stdoutSink]).validation, "conversation")
        assert.strictEqual(Output.tee([ndjson, csv]).validation, "full")
        // Records already serialised reach a staged finalize's sink only where every sink takes JSON lines.
        const other = yield* Output.open({ format: "ndjson", target: Option.some(`${dir}/other.ndjson`) })
        assert.isDefined(ndjson.writeJsonLines, "the error mapping keeps the NDJSON sink's JSON lines")
        assert.isUndefined(csv.writeJsonLines)
        assert.isDefined(Output.tee([ndjson, other]).writeJsonLines)
        assert.isUndefined(Output.tee([ndjson, csv]).writeJsonLines)
      }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})

describe("CliError", () => {
  it("maps errors to the documented exit codes", () => {
    const issue = new GenesysError.QueryIssue({ path: "$.interval", rule: "interval", message: "bad" })
    assert.strictEqual(CliError.fromUnknown(new GenesysError.QueryInvalid({ issues: [issue] })).code, 2)
    assert.strictEqual(CliError.fromUnknown(new GenesysError.ConfigInvalid({ field: "region", detail: "x" })).code, 2)
    assert.strictEqual(
      CliError.fromUnknown(new GenesysError.Unauthorized({ status: 401, rejected: "clientCredentials" })).code,
      3
    )
    assert.strictEqual(CliError.fromUnknown(new GenesysError.Forbidden({ status: 403 })).code, 3)
    assert.strictEqual(CliError.fromUnknown(new GenesysError.RateLimited({ status: 429 })).code, 4)
    assert.strictEqual(
      CliError.fromUnknown(new GenesysError.Transport({ reason: "Connection", detail: "refused" })).code,
      4
    )
    assert.strictEqual(CliError.fromCause(Cause.die(new Error("boom\n    at x"))).code, 1)
    assert.strictEqual(CliError.fromCause(Cause.die(new Error("boom\n    at x"))).message, "internal error: boom")
  })

  it("keeps every message to one line", () => {
    const issues = [1, 2].map(
      (i) => new GenesysError.QueryIssue({ path: `$.p${i}`, rule: "r", message: `problem ${i}` })
    )
    const failure = CliError.fromUnknown(new GenesysError.QueryInvalid({ issues }))
    assert.notInclude(failure.message, "\n")
    assert.include(failure.message, "$.p1: problem 1; $.p2: problem 2")
  })
})

describe("Progress.line", () => {
  it("shows windows, pages, conversations, rate and an ETA from the windows left", () => {
    const line = Progress.line({ windowsDone: 1, windows: 4, pages: 3, conversations: 500, elapsedMillis: 10_000 })
    assert.strictEqual(line, "windows 1/4 · pages 3 · conversations 500 · 50/s · 10s · ETA 30s")
    assert.notInclude(
      Progress.line({ windowsDone: 0, windows: 4, pages: 0, conversations: 0, elapsedMillis: 0 }),
      "ETA"
    )
  })
})

describe("PlanStore", () => {
  const plan = {
    requested: "P1D",
    interval: "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z",
    watermark: "2026-01-06T10:00:00.000Z",
    plannedAt: "2026-01-06T12:00:00.000Z",
    filters: {},
    windows: [],
    planHash: "abc"
  }

  it.scoped("returns the stored plan to the same invocation, refuses another, and clears", () =>
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const dir = yield* fs.makeTempDirectoryScoped({ prefix: "planstore-" })
      assert.isTrue(Option.isNone(yield* PlanStore.load(dir, "a")))
      yield* PlanStore.save(dir, "a", plan)
      assert.deepStrictEqual(yield* PlanStore.load(dir, "a"), Option.some(plan))
      const other = yield* Effect.flip(PlanStore.load(dir, "b"))
      assert.strictEqual(other.code, 2)
      assert.match(other.message, /holds an unfinished extraction with other arguments \(P1D\)/)
      yield* PlanStore.clear(dir)
      assert.isTrue(Option.isNone(yield* PlanStore.load(dir, "b")))
    }).pipe(Effect.provide(NodeFileSystem.layer))
  )
})
