// The library against a hostile server (HostileHttp.ts, written from FACTS, not the emulator): one fault per test,
// each ending either exact or with a typed error — never with a silently shorter result.
import { assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, ConfigProvider, Duration, Effect, Exit, Option, Stream } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import { AuditRecords, drive } from "./GenesysHttpFixtures.js"
import * as Hostile from "./HostileHttp.js"

const records = Array.from({ length: 25 }, (_, i) => Hostile.conversation(i))
const allIds = records.map((r) => r.conversationId as string)

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

/** Runs `use` against a hostile server with `fault`, the TestClock driven in 1 s steps. */
const against = <A, E>(
  fault: Hostile.Options["fault"],
  use: Effect.Effect<A, E, ConversationDetails.ConversationDetails>,
  http: Parameters<typeof Hostile.layer>[1] = {}
) =>
  Effect.gen(function* () {
    const server = Hostile.make({ conversations: records, fault })
    const exit = yield* drive(use, { step: "1 second", maxSteps: 2_000 }).pipe(
      Effect.provide(Hostile.layer(server.client, http))
    )
    return { exit, requests: server.requests }
  })

const jobIds = Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
  Stream.runCollect(d.jobResults(Hostile.jobId, { pageSize: 10 })).pipe(
    Effect.map((c) => Chunk.toReadonlyArray(c).map((r) => r.conversationId))
  )
)
const queryIds = Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
  Stream.runCollect(
    d.query({ interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z", paging: { pageSize: 10, pageNumber: 1 } })
  ).pipe(Effect.map((c) => Chunk.toReadonlyArray(c).map((r) => r.conversationId)))
)

/** Answers `reply` to the first `times` requests of results page 2 (cursor c10). */
const onResultsPage2 = (reply: Hostile.Reply, times = 1) => {
  let count = 0
  return (seen: Hostile.Seen) =>
    seen.path === Hostile.paths.results && seen.params.cursor === "c10" && count++ < times ? reply : undefined
}

describe("hostile server: unreadable bodies are retried, never taken for the end", () => {
  it.effect("an empty 200 body on one results page is retried: the output is exact", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(onResultsPage2({ status: 200, raw: "" }), jobIds)
      assert.deepStrictEqual(exit, Exit.succeed(allIds))
      assert.strictEqual(requests.filter((r) => r.params.cursor === "c10").length, 2)
    })
  )

  it.effect("an HTML page and truncated JSON on a results page are retried: the output is exact", () =>
    Effect.gen(function* () {
      const html = yield* against(onResultsPage2({ status: 200, raw: "<html>gateway</html>" }), jobIds)
      assert.deepStrictEqual(html.exit, Exit.succeed(allIds))
      const truncated = yield* against(onResultsPage2({ status: 200, raw: '{"conversations":[{"conver' }), jobIds)
      assert.deepStrictEqual(truncated.exit, Exit.succeed(allIds))
    })
  )

  it.effect("a results page that stays empty fails the stream with Transport Decode, after retrying", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(
        (seen) =>
          seen.path === Hostile.paths.results && seen.params.cursor === "c10" ? { status: 200, raw: "" } : undefined,
        jobIds,
        { retryBudget: Duration.seconds(20) }
      )
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "Transport")
      if (error?._tag === "Transport") {
        assert.strictEqual(error.reason, "Decode")
        assert.include(error.detail, "response body is empty")
      }
      assert.isAbove(requests.filter((r) => r.params.cursor === "c10").length, 3)
    })
  )

  it.effect("wrong types on a results page (conversations not an array, cursor a number) fail Transport Decode", () =>
    Effect.gen(function* () {
      for (const body of [{ conversations: "none" }, { conversations: [], cursor: 42 }, null, []]) {
        const { exit } = yield* against(
          (seen) => (seen.path === Hostile.paths.results ? { status: 200, body } : undefined),
          jobIds,
          { retryBudget: Duration.seconds(5) }
        )
        const error = failureOf(exit)
        assert.strictEqual(error?._tag, "Transport", JSON.stringify(body))
        if (error?._tag === "Transport") assert.strictEqual(error.reason, "Decode")
      }
    })
  )

  it.effect("a repeated cursor fails PaginationStalled instead of looping or ending", () =>
    Effect.gen(function* () {
      const { exit } = yield* against(
        (seen) =>
          seen.path === Hostile.paths.results && seen.params.cursor === "c10"
            ? { status: 200, body: { conversations: records.slice(10, 20), cursor: "c10" } }
            : undefined,
        jobIds
      )
      assert.strictEqual(failureOf(exit)?._tag, "PaginationStalled")
    })
  )

  it.effect("sync query: an empty body on page 2 is retried (exact); truncated JSON for good fails Decode", () =>
    Effect.gen(function* () {
      let empties = 0
      const once = yield* against(
        (seen) =>
          seen.path === Hostile.paths.query && seen.body.includes('"pageNumber":2') && empties++ === 0
            ? { status: 200, raw: "" }
            : undefined,
        queryIds
      )
      assert.deepStrictEqual(once.exit, Exit.succeed(allIds))
      const always = yield* against(
        (seen) =>
          seen.path === Hostile.paths.query && seen.body.includes('"pageNumber":2')
            ? { status: 200, raw: '{"totalHits":25,"conversations":[' }
            : undefined,
        queryIds,
        { retryBudget: Duration.seconds(10) }
      )
      const error = failureOf(always.exit)
      assert.strictEqual(error?._tag, "Transport")
      if (error?._tag === "Transport") assert.strictEqual(error.reason, "Decode")
    })
  )

  it.effect("availability: an empty body, `{}` or a non-date fail Transport Decode (never 'no watermark')", () =>
    Effect.gen(function* () {
      const availability = Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.availability())
      for (const reply of [
        { status: 200, raw: "" },
        { status: 200, body: {} },
        { status: 200, body: { dataAvailabilityDate: "soon" } }
      ]) {
        const { exit, requests } = yield* against(
          (seen) => (seen.path === Hostile.paths.availability ? reply : undefined),
          availability,
          { retryBudget: Duration.seconds(10) }
        )
        const error = failureOf(exit)
        assert.strictEqual(error?._tag, "Transport", JSON.stringify(reply))
        if (error?._tag === "Transport") assert.strictEqual(error.reason, "Decode")
        assert.isAbove(requests.filter((r) => r.path === Hostile.paths.availability).length, 1)
      }
      const once = yield* against(
        (seen) => (seen.path === Hostile.paths.availability && seen.n === 1 ? { status: 200, raw: "" } : undefined),
        availability
      )
      assert.deepStrictEqual(once.exit, Exit.succeed({ dataAvailabilityDate: "2026-01-10T00:00:00.000Z" }))
    })
  )

  it.effect("job status: an empty body or an unknown state is retried before it counts", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(
        (seen) =>
          seen.path === Hostile.paths.job && seen.method === "GET" && seen.n <= 2
            ? seen.n === 1
              ? { status: 200, raw: "" }
              : { status: 200, body: { state: "DONE?" } }
            : undefined,
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.jobStatus(Hostile.jobId))
      )
      assert.deepStrictEqual(
        Exit.map(exit, (s) => s._tag),
        Exit.succeed("FULFILLED" as const)
      )
      assert.strictEqual(requests.filter((r) => r.path === Hostile.paths.job).length, 3)
    })
  )

  it.effect("job submission answered with an empty body fails Transport Decode and is never sent twice", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(
        (seen) => (seen.path === Hostile.paths.jobs && seen.method === "POST" ? { status: 202, raw: "" } : undefined),
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
          d.submitJob({ interval: "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z" })
        )
      )
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "Transport")
      if (error?._tag === "Transport") assert.strictEqual(error.reason, "Decode")
      assert.strictEqual(requests.filter((r) => r.path === Hostile.paths.jobs && r.method === "POST").length, 1)
    })
  )

  it.effect("an empty token response is retried, then the token is used", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(
        (seen) => (seen.path === Hostile.paths.token && seen.n === 1 ? { status: 200, raw: "" } : undefined),
        jobIds
      )
      assert.deepStrictEqual(exit, Exit.succeed(allIds))
      assert.strictEqual(requests.filter((r) => r.path === Hostile.paths.token).length, 2)
    })
  )
})

describe("hostile server: retry budgets in time", () => {
  const storm = (seconds: number) => {
    let stormStart: number | undefined
    return (seen: Hostile.Seen): Hostile.Reply | undefined => {
      if (seen.path !== Hostile.paths.results || seen.params.cursor !== "c10") return undefined
      stormStart ??= seen.atMillis
      return seen.atMillis - stormStart < seconds * 1000
        ? { status: 503, body: { message: "Service Unavailable", code: "service.unavailable", status: 503 } }
        : undefined
    }
  }

  it.effect("a 60 s storm of 503s is ridden out with the default budget: exact output, each retry observed", () =>
    Effect.gen(function* () {
      const seen: Array<GenesysHttp.RetryInfo> = []
      const { exit, requests } = yield* against(
        storm(60),
        GenesysHttp.withRetryObserver(jobIds, (info) => Effect.sync(() => void seen.push(info)))
      )
      assert.deepStrictEqual(exit, Exit.succeed(allIds))
      const page2 = requests.filter((r) => r.params.cursor === "c10")
      assert.isAtLeast(page2.at(-1)!.atMillis - page2[0]!.atMillis, 60_000)
      assert.strictEqual(seen.length, page2.length - 1)
      assert.deepStrictEqual(
        seen.map((i) => i.attempt),
        seen.map((_, i) => i + 1)
      )
      assert.isTrue(seen.every((i) => i.reason === "503" && i.route === ConversationDetails.routes.jobResults))
      // Exponential, jittered ±20 %, capped at retryMaxDelay (30 s).
      assert.isAtMost(seen[0]!.delayMillis, 600)
      assert.isTrue(seen.every((i) => i.delayMillis <= 36_000))
      assert.isAbove(seen.length, 5)
    })
  )

  it.effect("the same storm with a 20 s budget fails ServerError after retrying for about 20 s", () =>
    Effect.gen(function* () {
      const { exit, requests } = yield* against(storm(60), jobIds, { retryBudget: Duration.seconds(20) })
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "ServerError")
      const page2 = requests.filter((r) => r.params.cursor === "c10")
      const span = page2.at(-1)!.atMillis - page2[0]!.atMillis
      assert.isAtLeast(span, 15_000)
      assert.isAtMost(span, 20_000 + 30_000)
    })
  )

  it.effect("retries are audited with reason, attempt and wait", () =>
    Effect.gen(function* () {
      const server = Hostile.make({ conversations: records, fault: storm(5) })
      const audit = yield* drive(Effect.zipRight(jobIds, AuditRecords), { step: "1 second" }).pipe(
        Effect.provide(Hostile.layer(server.client))
      )
      assert.isTrue(Exit.isSuccess(audit))
      if (Exit.isSuccess(audit)) {
        const retries = audit.value.filter((e) => e.type === "http.retry")
        assert.isAbove(retries.length, 2)
        assert.isTrue(retries.every((e) => e.status === 503 && (e.waitMillis ?? 0) > 0 && (e.attempt ?? 0) > 0))
      }
    })
  )
})

describe("retry budget configuration", () => {
  it.effect("defaults to 2 minutes with no count limit; GENESYS_RETRY_BUDGET sets it; maxRetries still caps", () =>
    Effect.gen(function* () {
      const defaults = yield* GenesysConfig.make({ apiUrl: Hostile.apiUrl, clientId: "c", clientSecret: "secret" })
      assert.deepStrictEqual(defaults.http.retryBudget, Duration.minutes(2))
      assert.strictEqual(defaults.http.maxRetries, Number.POSITIVE_INFINITY)
      const fromEnv = yield* Effect.flatMap(GenesysConfig.config, GenesysConfig.make).pipe(
        Effect.withConfigProvider(
          ConfigProvider.fromMap(
            new Map([
              ["GENESYS_API_URL", Hostile.apiUrl],
              ["GENESYS_CLIENT_ID", "c"],
              ["GENESYS_CLIENT_SECRET", "secret"],
              ["GENESYS_RETRY_BUDGET", "45 seconds"]
            ]),
            { pathDelim: "_" }
          )
        )
      )
      assert.deepStrictEqual(fromEnv.http.retryBudget, Duration.seconds(45))
      // A finite maxRetries stops first: 2 retries, 3 requests, well inside the budget.
      const { exit, requests } = yield* against(
        (seen) => (seen.path === Hostile.paths.availability ? { status: 502, body: {} } : undefined),
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.availability()),
        { maxRetries: 2 }
      )
      assert.strictEqual(failureOf(exit)?._tag, "ServerError")
      assert.strictEqual(requests.filter((r) => r.path === Hostile.paths.availability).length, 3)
    })
  )
})
