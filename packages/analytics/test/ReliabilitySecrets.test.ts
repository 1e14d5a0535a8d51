// Reliability suite, secrets: an extraction under faults that force re-authentication, with a file audit log, a
// file checkpoint store and every log line collected at Debug level; then a refused login. Nothing the run wrote
// or returned (audit file, checkpoint files, logs, error messages, report, plan, output) may contain the client
// secret, its Basic form, or any access token the emulator issued.
import { FileSystem } from "@effect/platform"
import { NodeFileSystem } from "@effect/platform-node"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option, Random, TestClock } from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as CheckpointStore from "../src/CheckpointStore.js"
import { ConversationDetails } from "../src/ConversationDetails.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { drive } from "./GenesysHttpFixtures.js"
import { anchorMillis, clientId, soakEmulator, stack, WireTap, wholeInterval } from "./ReliabilityFixtures.js"

const secret = "Zq7-reliability-SECRET-4f1c9e0b2d"
const basic = Buffer.from(`${clientId}:${secret}`).toString("base64")
const jobs = "/api/v2/analytics/conversations/details/jobs"

/** Every log line, formatted as the logfmt logger writes it, with annotations and spans. */
const collectLogs = (lines: Array<string>) =>
  Layer.merge(
    Logger.replace(
      Logger.defaultLogger,
      Logger.make((options) => {
        lines.push(Logger.logfmtLogger.log(options))
      })
    ),
    Logger.minimumLogLevel(LogLevel.Debug)
  )

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1

const logs: Array<string> = []

describe("secrets", () => {
  it.scoped(
    "no secret, Basic credential or issued token in the audit file, checkpoints, logs, errors, plan, report or output",
    () =>
      Effect.gen(function* () {
        const fs = yield* FileSystem.FileSystem
        const dir = yield* fs.makeTempDirectoryScoped()
        const auditPath = `${dir}/audit.jsonl`
        const texts: Array<readonly [string, string]> = []
        yield* TestClock.setTime(anchorMillis)

        const layer = (acceptedSecret: string, runId: string) =>
          stack({
            emulator: { ...soakEmulator, perDay: 120 },
            clientSecret: secret,
            acceptedSecret,
            audit: AuditLog.layerFile(auditPath, { actor: clientId, region: "emulator", runId }),
            store: CheckpointStore.layerFile(`${dir}/checkpoints`)
          })

        // 1. An extraction whose token is revoked twice and whose first job fails.
        const tokens = yield* Effect.gen(function* () {
          const emulator = yield* Emulator.Emulator
          const wire = yield* WireTap
          yield* Effect.logDebug("secrets test: planning")
          const plan = yield* Extraction.plan({ interval: wholeInterval })
          texts.push(["plan", JSON.stringify(plan)], ["formatPlan", Extraction.formatPlan(plan)])
          yield* emulator.setFaults({
            script: [
              // Revocations on status polls and results, so that neither lands on the failed job's submission.
              { method: "GET", path: `${jobs}/*`, nth: 1, fault: { kind: "revokeToken" } },
              { method: "GET", path: `${jobs}/*/results`, nth: 3, fault: { kind: "revokeToken" } },
              { method: "POST", path: jobs, nth: 1, fault: { kind: "failJob" } },
              { path: `${jobs}/*/results`, nth: 2, fault: { kind: "serverError", status: 503 } }
            ]
          })
          const sink = ExtractionSink.memory()
          const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 2, checkpointKey: "secrets" }))
          if (Exit.isFailure(exit)) return assert.fail(Cause.pretty(exit.cause))
          texts.push(
            ["report", JSON.stringify(exit.value)],
            ["formatReport", Extraction.formatReport(exit.value)],
            ["output", JSON.stringify(sink.written)]
          )
          assert.isTrue(exit.value.complete)
          assert.isAbove(sink.written.length, 100)
          // An operation error with the token in play: a job that does not exist.
          const notFound = yield* Effect.flip(Effect.flatMap(ConversationDetails, (d) => d.jobStatus("no-such-job")))
          texts.push(["notFound", `${notFound.message}\n${JSON.stringify(notFound)}\n${String(notFound)}`])
          assert.isAtLeast(wire.issuedTokens.length, 3, "the revocations forced fresh tokens")
          assert.isTrue(wire.authorizations.includes(`Basic ${basic}`), "the Basic credential was on the wire")
          return wire.issuedTokens.slice()
        }).pipe(Effect.provide(layer(secret, "secrets-run")))

        // 2. A refused login: Unauthorized, whose message names the client id but not the secret.
        const refused = yield* Effect.gen(function* () {
          const exit = yield* drive(Effect.flatMap(ConversationDetails, (d) => d.availability()))
          assert.isTrue(Exit.isFailure(exit))
          const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          assert.isTrue(Option.isSome(error) && error.value._tag === "Unauthorized")
          return Exit.isFailure(exit) ? exit.cause : Cause.empty
        }).pipe(Effect.provide(layer("another-secret", "secrets-refused")))
        texts.push(["unauthorized", `${Cause.pretty(refused)}\n${JSON.stringify(Cause.squash(refused))}`])

        const checkpointFiles = yield* fs.readDirectory(`${dir}/checkpoints`)
        assert.isAbove(checkpointFiles.length, 0)
        for (const name of checkpointFiles) {
          texts.push([`checkpoint ${name}`, yield* fs.readFileString(`${dir}/checkpoints/${name}`)])
        }
        const audit = yield* fs.readFileString(auditPath)
        // The scan covers a full audit trail: the run, its pages, and the faults injected above.
        const types = new Set(
          audit
            .split("\n")
            .filter((line) => line !== "")
            .map((line) => (JSON.parse(line) as { type: string }).type)
        )
        for (const type of [
          "extraction.started",
          "job.submitted",
          "job.resubmitted",
          "job.page",
          "http.retry",
          "run.sealed"
        ]) {
          assert.isTrue(types.has(type), `audit has a ${type} record (it has ${[...types].join(", ")})`)
        }
        texts.push(["audit", audit], ["logs", logs.join("\n")])
        assert.isAbove(logs.length, 0)

        const needles = [
          ["secret", secret],
          ["basic", basic],
          ...tokens.map((t, i) => [`token ${i}`, t] as const)
        ] as const
        const found = texts.flatMap(([where, text]) =>
          needles.filter(([, needle]) => occurrences(text, needle) > 0).map(([what]) => `${what} in ${where}`)
        )
        assert.deepStrictEqual(found, [])
      }).pipe(
        Effect.provide(Layer.merge(NodeFileSystem.layer, collectLogs(logs))),
        Effect.withRandom(Random.make("reliability-secrets"))
      ),
    60_000
  )
})
