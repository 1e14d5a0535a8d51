// Reliability suite, fault soak: a whole extraction (four job windows and a three-window sync tail, 3 000
// conversations) against the in-process emulator while it injects every kind of fault. The output must be the
// emulator's ground truth exactly, and every fault the emulator injected must be accounted for in the audit log.
import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as Faults from "@effect-genesys/emulator/Faults"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Random, TestClock } from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as Extraction from "../src/Extraction.js"
import * as ExtractionSink from "../src/ExtractionSink.js"
import { isGenesysError } from "../src/GenesysError.js"
import { drive } from "./GenesysHttpFixtures.js"
import { anchorMillis, clientId, recorded, soakEmulator, stack, wholeInterval } from "./ReliabilityFixtures.js"

const jobs = "/api/v2/analytics/conversations/details/jobs"
const query = "/api/v2/analytics/conversations/details/query"

type Recorded = Emulator.RecordedRequest
type Audit = AuditLog.AuditRecord

const auditLayer = AuditLog.layerMemory({ actor: clientId, region: "emulator", runId: "soak" })

/** Runs `body` over the whole client stack, on a seeded Random so that backoff jitter is reproducible. */
const withStack = <A, E, R>(body: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(anchorMillis)
    return yield* body.pipe(
      Effect.provide(
        stack({
          emulator: soakEmulator,
          clientSecret: "soak-secret",
          audit: auditLayer,
          store: CheckpointStore.layerMemory
        })
      ),
      Effect.withRandom(Random.make("reliability-soak"))
    )
  })

const countBy = <A>(items: ReadonlyArray<A>, key: (a: A) => string) => {
  const out: Record<string, number> = {}
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1
  return out
}

const is5xx = (status: unknown) => typeof status === "number" && status >= 500 && status < 600

const sortedSet = (values: Iterable<string | undefined>) =>
  [...new Set([...values].filter((v) => v !== undefined))].sort()

/** Job ids seen in request paths, with the state the emulator gives each now. */
const jobStates = (requests: ReadonlyArray<Recorded>) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const ids = new Set<string>()
    for (const r of requests) {
      const m = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([0-9a-f-]{36})(\/results)?$/.exec(r.path)
      if (m) ids.add(m[1]!)
    }
    const states = new Map<string, string>()
    for (const id of ids) states.set(id, (yield* emulator.jobState(id)) ?? "unknown")
    return states
  })

/**
 * Ties what the emulator injected (its request log and job states) to the audit records, fault by fault:
 * - each 429 is a rate-limit wait, or the failure that ended its request, or (its request interrupted before its
 *   outcome was reported) an `http.abandoned` record, carrying the same correlation id;
 * - each 5xx and 401 is a retry or a failure with the same correlation id;
 * - each dropped connection (status 0, no correlation id reaches the client) is a `Connection` retry or a
 *   `Transport` failure;
 * - each FAILED / EXPIRED job the client got to see has a failure record naming it, and its window was
 *   submitted again.
 * When runs stop (`singleRun: false`), a request still in flight between the error that stopped a run and the
 * run's own failure record may have been interrupted before its outcome was audited: only those may be missing.
 */
const assertFaultsAudited = (
  requests: ReadonlyArray<Recorded>,
  records: ReadonlyArray<Audit>,
  options: { readonly singleRun: boolean; readonly interval: string }
) =>
  Effect.gen(function* () {
    const withStatus = (p: (s: number) => boolean) => requests.filter((r) => p(r.status))
    const waits = records.filter((r) => r.type === "http.rateLimitWait" && r.status === 429)
    const retries = records.filter((r) => r.type === "http.retry")
    // A response whose request was interrupted before its body was read (a status poll nobody waits for any more).
    const abandoned = records.filter((r) => r.type === "http.abandoned")
    const failures = records.filter((r) => r.type === "failure")
    const operationFailures = failures.filter((r) => r.route !== undefined || r.jobId !== undefined)

    const stops = failures
      .filter((r) => r.window === options.interval && r.route === undefined && r.jobId === undefined)
      .map((stop) => {
        const cause = operationFailures
          .filter((r) => r.seq < stop.seq && r.runId === stop.runId && r.detail === stop.detail)
          .at(-1)
        return { from: Date.parse((cause ?? stop).timestamp), to: Date.parse(stop.timestamp) }
      })
    if (options.singleRun) assert.deepStrictEqual(stops, [], "the run never stopped")
    const inFlightAtStop = (r: Recorded) => stops.some((s) => r.atMillis >= s.from && r.atMillis <= s.to)

    const tie = (label: string, injected: ReadonlyArray<Recorded>, audited: ReadonlyArray<Audit>) => {
      const injectedIds = new Set(injected.map((r) => r.correlationId))
      const auditedIds = new Set(audited.map((r) => r.correlationId))
      for (const id of auditedIds) assert.isTrue(injectedIds.has(id!), `${label}: audited ${id} was injected`)
      const missing = injected.filter((r) => !auditedIds.has(r.correlationId) && !inFlightAtStop(r))
      assert.deepStrictEqual(missing, [], `${label}: every injected fault is audited under its correlation id`)
    }

    const injected429 = withStatus((s) => s === 429)
    tie("429", injected429, [...waits, ...[...failures, ...abandoned].filter((r) => r.status === 429)])
    const injected5xx = withStatus(is5xx)
    tie(
      "5xx",
      injected5xx,
      [...retries, ...failures, ...abandoned].filter((r) => is5xx(r.status))
    )
    const injected401 = withStatus((s) => s === 401)
    tie(
      "401",
      injected401,
      [...retries, ...failures, ...abandoned].filter((r) => r.status === 401)
    )

    const dropped = withStatus((s) => s === 0)
    const droppedAudited =
      retries.filter((r) => r.status === undefined && r.detail?.startsWith("Connection")).length +
      operationFailures.filter((r) => r.status === "Transport" && r.detail?.includes("(Connection)")).length
    assert.isAtMost(droppedAudited, dropped.length, "no dropped connection audited that did not happen")
    assert.isAtMost(
      dropped.length - droppedAudited,
      dropped.filter(inFlightAtStop).length,
      "every dropped connection is audited"
    )

    const states = yield* jobStates(requests)
    const submitted = records.filter((r) => r.type === "job.submitted")
    const audited = sortedSet(submitted.map((r) => r.jobId))
    if (options.singleRun) {
      assert.deepStrictEqual(audited, [...states.keys()].sort(), "every job the emulator saw was audited as submitted")
    } else {
      // A run that stops interrupts its other windows, possibly between a submission and its audit record.
      for (const id of audited) assert.isTrue(states.has(id!), `audited job ${id} reached the emulator`)
    }
    // A FAILED job is noticed once a poll sees it terminal (200), an EXPIRED one once its results answer 404.
    const noticed = (jobId: string, state: string) =>
      requests.some((r) =>
        state === "FAILED"
          ? r.path === `${jobs}/${jobId}` && r.method === "GET" && r.status === 200
          : r.path === `${jobs}/${jobId}/results` && r.status === 404
      )
    let noticedFaults = 0
    for (const [jobId, state] of states) {
      if ((state !== "FAILED" && state !== "EXPIRED") || !noticed(jobId, state)) continue
      noticedFaults++
      const own = failures.filter((r) => r.jobId === jobId)
      assert.isTrue(
        own.some((r) => r.status === (state === "FAILED" ? "JobFailed" : 404)),
        `job ${jobId} ${state} has a failure record: ${JSON.stringify(own)}`
      )
      const window = submitted.find((r) => r.jobId === jobId)?.window
      const later = submitted.filter((r) => r.window === window && r.jobId !== jobId)
      assert.isAbove(later.length, 0, `the window of ${state} job ${jobId} was submitted again`)
    }
    return {
      rateLimited: injected429.length,
      serverErrors: injected5xx.length,
      unauthorized: injected401.length,
      drops: dropped.length,
      failedJobs: [...states.values()].filter((s) => s === "FAILED").length,
      expiredJobs: [...states.values()].filter((s) => s === "EXPIRED").length,
      noticedJobFaults: noticedFaults
    }
  })

/** Plans with faults off, then runs the whole plan with `profile` in force. */
const planThenFault = (profile: Faults.FaultProfile) =>
  Effect.gen(function* () {
    const emulator = yield* Emulator.Emulator
    const plan = yield* Extraction.plan({ interval: wholeInterval })
    assert.deepStrictEqual(
      countBy(plan.windows, (w) => w.kind),
      { job: 4, query: 3 }
    )
    yield* emulator.clearRequests
    yield* emulator.setFaults(profile)
    const truth = [...(yield* emulator.groundTruthSync({ interval: wholeInterval }))].sort()
    assert.isAbove(truth.length, 2_000)
    return { emulator, plan, truth }
  })

const assertExactly = (sink: ReturnType<typeof ExtractionSink.memory>, truth: ReadonlyArray<string>) => {
  const ids = sink.written.map((c) => c.conversationId!)
  assert.strictEqual(new Set(ids).size, ids.length, "no conversation written twice")
  assert.deepStrictEqual([...ids].sort(), truth, "exactly the ground truth")
}

/**
 * What an operator (or the CLI) does after a stop: run the same plan again with the same checkpoint, until it
 * completes. Every stop must be a typed `GenesysError`, never a defect.
 */
const runUntilComplete = (plan: Extraction.Plan, sink: ExtractionSink.ExtractionSink) =>
  Effect.gen(function* () {
    const stops: Array<string> = []
    for (let attempt = 0; attempt < 12; attempt++) {
      const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 2, checkpointKey: "soak" }), {
        maxSteps: 5_000
      })
      if (Exit.isSuccess(exit)) return { report: exit.value, stops }
      assert.isFalse(Cause.isDie(exit.cause), Cause.pretty(exit.cause))
      const error = Cause.failureOption(exit.cause)
      if (Option.isNone(error) || !isGenesysError(error.value)) return assert.fail(Cause.pretty(exit.cause))
      stops.push(error.value._tag)
    }
    return assert.fail(`never completed; stops: ${stops.join(", ")}`)
  })

// Every rule targets its own route and request numbers, so no two faults can land on one request whatever
// order the concurrent windows send in: each fires exactly as written.
const scripted: Faults.FaultProfile = {
  retryAfterSeconds: 2,
  script: [
    // A burst of three 429s on results pages, a dropped connection and a response slower than the client's
    // 30 s request timeout.
    { path: `${jobs}/*/results`, nth: 2, times: 3, fault: { kind: "rateLimit" } },
    { path: `${jobs}/*/results`, nth: 9, fault: { kind: "drop" } },
    { path: `${jobs}/*/results`, nth: 12, fault: { kind: "slow", delayMillis: 45_000 } },
    // 503s on sync-query pages, then the token is revoked under a query.
    { path: query, nth: 3, times: 2, fault: { kind: "serverError", status: 503 } },
    { path: query, nth: 6, fault: { kind: "revokeToken" } },
    // A dropped connection and a 503 on status polls.
    { method: "GET", path: `${jobs}/*`, nth: 2, fault: { kind: "drop" } },
    { method: "GET", path: `${jobs}/*`, nth: 4, fault: { kind: "serverError", status: 503 } },
    // The first two submissions are the two full-day windows started first: one expires after two of its six
    // pages, the other fails.
    { method: "POST", path: jobs, nth: 1, fault: { kind: "expireJob", afterPages: 2 } },
    { method: "POST", path: jobs, nth: 2, fault: { kind: "failJob", errorMessage: "injected failure" } }
  ]
}

describe("fault soak", () => {
  it.effect(
    "scripted: 429 burst, 503s, drops, a timeout, token revocation, a failing and an expiring job: exact output, every fault audited",
    () =>
      withStack(
        Effect.gen(function* () {
          const { plan, truth } = yield* planThenFault(scripted)
          const sink = ExtractionSink.memory()
          const exit = yield* drive(Extraction.run(plan, sink, { concurrency: 2 }), { maxSteps: 5_000 })
          if (Exit.isFailure(exit)) assert.fail(Cause.pretty(exit.cause))
          const report = (exit as Exit.Success<Extraction.Report, never>).value
          assertExactly(sink, truth)
          assert.isTrue(report.complete)
          assert.strictEqual(report.totals.conversations, truth.length)
          assert.deepStrictEqual(
            report.windows.map((w) => w.id),
            plan.windows.map((w) => w.id)
          )

          const requests = yield* recorded
          const records = yield* Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.records)
          const tally = yield* assertFaultsAudited(requests, records, { singleRun: true, interval: plan.interval })
          // Each scripted fault fired (the timeout shows on the client side only: the emulator never answered).
          assert.deepStrictEqual(tally, {
            rateLimited: 3,
            serverErrors: 3,
            unauthorized: tally.unauthorized,
            drops: 2,
            failedJobs: 1,
            expiredJobs: 1,
            noticedJobFaults: 2
          })
          assert.isAtLeast(tally.unauthorized, 1)
          const timeouts = records.filter((r) => r.type === "http.retry" && r.detail?.startsWith("Timeout"))
          assert.strictEqual(timeouts.length, 1, "the slow response timed out once and was retried")
          // A fresh token after the revocation.
          assert.isAtLeast(requests.filter((r) => r.path === "/oauth/token" && r.status === 200).length, 1)

          // The report's own counters agree with the emulator.
          assert.strictEqual(report.totals.rateLimited, tally.rateLimited)
          assert.strictEqual(
            report.totals.retries,
            tally.serverErrors + tally.drops + tally.unauthorized + timeouts.length
          )
          assert.strictEqual(report.totals.resubmissions, tally.failedJobs + tally.expiredJobs)
          assert.strictEqual(report.totals.requests, requests.length + timeouts.length)

          const lines = yield* Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.lines)
          const verified = yield* AuditLog.verifyLines(lines, { allowOpen: true })
          assert.strictEqual(verified._tag, "VerifyOk", JSON.stringify(verified))
          assert.strictEqual(report.auditHead, records.at(-1)!.hash)
        })
      ),
    60_000
  )

  it.effect.each([
    // Seeds whose draws put each request-level fault kind within the first 22 requests of the run.
    { seed: 13, staleCursorMode: "repeat" as const },
    { seed: 37, staleCursorMode: "reject" as const }
  ])(
    "seeded random rates (seed $seed, stale cursors $staleCursorMode): typed stops only, resumed from the checkpoint to the exact output",
    ({ seed, staleCursorMode }) =>
      withStack(
        Effect.gen(function* () {
          const profile: Faults.FaultProfile = {
            seed,
            rates: {
              rateLimit: 0.03,
              serverError: 0.05,
              drop: 0.04,
              slow: 0.05,
              revokeToken: 0.04,
              failJob: 0.2,
              expireJob: 0.2,
              staleCursor: 0.05
            },
            rateLimitBurst: 3,
            retryAfterSeconds: 1,
            slowMillis: 3_000,
            staleCursorMode
          }
          const { plan, truth } = yield* planThenFault(profile)
          const sink = ExtractionSink.memory()
          const { report, stops } = yield* runUntilComplete(plan, sink)
          assertExactly(sink, truth)
          assert.isTrue(report.complete)

          const requests = yield* recorded
          const records = yield* Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.records)
          const tally = yield* assertFaultsAudited(requests, records, { singleRun: false, interval: plan.interval })
          // Which request a drawn fault lands on depends on how the concurrent windows interleave, so ask for a
          // mix rather than each kind (the scripted test has each kind exactly).
          const kinds = [
            tally.rateLimited,
            tally.serverErrors,
            tally.drops,
            tally.unauthorized,
            tally.noticedJobFaults,
            stops.filter((tag) => tag === "PaginationStalled" || tag === "BadRequest").length
          ].filter((n) => n > 0).length
          assert.isAtLeast(kinds, 4, JSON.stringify({ tally, stops }))
          // Every stop was audited as a run-level failure.
          const runFailures = records.filter((r) => r.type === "failure" && r.window === plan.interval)
          assert.strictEqual(runFailures.length, stops.length)
          const verified = yield* AuditLog.verifyLines(yield* Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.lines), {
            allowOpen: true
          })
          assert.strictEqual(verified._tag, "VerifyOk", JSON.stringify(verified))
        })
      ),
    60_000
  )

  it.effect.each(["repeat", "reject"] as const)(
    "a stale cursor (%s) is audited with its job id and the window's job is submitted again: one run, exact output",
    (mode) =>
      withStack(
        Effect.gen(function* () {
          const { plan, truth } = yield* planThenFault({
            script: [{ path: `${jobs}/*/results`, nth: 3, fault: { kind: "staleCursor", mode } }]
          })
          const sink = ExtractionSink.memory()
          const { report, stops } = yield* runUntilComplete(plan, sink)
          assertExactly(sink, truth)
          assert.isTrue(report.complete)
          const records = yield* Effect.flatMap(AuditLog.AuditLogMemory, (m) => m.records)
          const stale = records.filter(
            (r) =>
              r.type === "failure" &&
              r.route?.endsWith("/results") === true &&
              r.jobId !== undefined &&
              (r.status === "PaginationStalled" || (r.status === 400 && r.detail?.includes("cursor")))
          )
          assert.strictEqual(stale.length, 1, "the stale cursor is audited once, with its job id")
          assert.deepStrictEqual(stops, [], "the run recovers by itself")
          assert.strictEqual(report.totals.resubmissions, 1)
          assert.strictEqual(
            records.filter((r) => r.type === "job.resubmitted" && r.jobId === stale[0]!.jobId).length,
            1
          )
        })
      ),
    60_000
  )
})
