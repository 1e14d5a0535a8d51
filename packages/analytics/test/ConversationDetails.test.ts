import * as Emulator from "@effect-genesys/emulator/Emulator"
import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Exit, Fiber, Option, Stream } from "effect"
import * as ConversationDetails from "../src/ConversationDetails.js"
import { AuditRecords, clientLayer, drive, requestsTo, settle } from "./GenesysHttpFixtures.js"

const day = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"
const twoDays = "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z"
const jobsPath = "/api/v2/analytics/conversations/details/jobs"
const queryPath = "/api/v2/analytics/conversations/details/query"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E | undefined =>
  Exit.isFailure(exit)
    ? Option.getOrUndefined(
        Exit.causeOption(exit).pipe(Option.flatMap((c) => Option.fromNullable(c._tag === "Fail" ? c.error : undefined)))
      )
    : undefined

describe("ConversationDetails: sync query", () => {
  it.effect("an invalid query fails QueryInvalid and sends no request at all", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const error = yield* Effect.flip(
        Stream.runDrain(details.query({ interval: "2026-01-05/2026-03-01", segmentFilter: [] }))
      )
      assert.strictEqual(error._tag, "QueryInvalid")
      const job = yield* Effect.flip(details.submitJob({ interval: "yesterday" }))
      assert.strictEqual(job._tag, "QueryInvalid")
      const emulator = yield* Emulator.Emulator
      assert.deepStrictEqual(yield* emulator.requests, [])
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("streams every conversation over page numbers, in the platform's order, ending at totalHits", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const q = { interval: day, paging: { pageSize: 25, pageNumber: 1 } }
      const expected = yield* emulator.groundTruthSync(q)
      assert.isAbove(expected.length, 50)
      const ids = Chunk.toReadonlyArray(yield* Stream.runCollect(details.query(q))).map((c) => c.conversationId)
      assert.deepStrictEqual(ids, [...expected])
      const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(details.queryPages(q)))
      assert.strictEqual(pages.length, Math.ceil(expected.length / 25))
      assert.deepStrictEqual(
        pages.map((p) => p.pageNumber),
        pages.map((_, i) => i + 1)
      )
      assert.isTrue(pages.every((p) => p.totalHits === expected.length))
      assert.strictEqual(yield* details.queryTotalHits({ interval: day }), expected.length)
      const audit = yield* AuditRecords
      const sent = audit.find((e) => e.type === "query.sent")
      assert.strictEqual(sent?.window, day)
      assert.match(sent?.queryHash ?? "", /^[0-9a-f]{64}$/)
      // Both streams' pages, and the count's one page: a count is audited like any query.
      assert.strictEqual(audit.filter((e) => e.type === "query.page").length, 2 * pages.length + 1)
      assert.strictEqual(audit.filter((e) => e.type === "query.sent").length, 3)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("page size defaults to the configured queryPageSize and aggregations come through", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const pages = Chunk.toReadonlyArray(
        yield* Stream.runCollect(
          details.queryPages({
            interval: twoDays,
            aggregations: [{ type: "termFrequency", dimension: "mediaType", size: 10 }]
          })
        )
      )
      assert.strictEqual(pages[0]!.conversations.length, 40)
      assert.isAbove(pages[0]!.aggregations.length, 0)
      const searches = (yield* requestsTo("POST", queryPath)).length
      assert.strictEqual(searches, pages.length)
    }).pipe(Effect.provide(clientLayer({}, { paging: { queryPageSize: 40 } })))
  )

  it.effect("a query past the paging cap fails PaginationLimitExceeded after one request, saying to split", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const error = yield* Effect.flip(Stream.runDrain(details.query({ interval: twoDays })))
      assert.strictEqual(error._tag, "PaginationLimitExceeded")
      if (error._tag === "PaginationLimitExceeded") {
        assert.strictEqual(error.maxResults, 50)
        assert.isAbove(error.totalHits, 50)
        assert.include(error.message, "split the interval")
      }
      assert.strictEqual((yield* requestsTo("POST", queryPath)).length, 1)
    }).pipe(Effect.provide(clientLayer({}, { paging: { maxResults: 50 }, validator: { maxResults: 50 } })))
  )

  it.effect("availability() and conversation(id)", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const availability = yield* details.availability()
      assert.strictEqual(Date.parse(availability.dataAvailabilityDate!), yield* emulator.availabilityMillis)
      const [id] = yield* emulator.groundTruthSync({ interval: day })
      const conversation = yield* details.conversation(id!)
      assert.strictEqual(conversation.conversationId, id)
      assert.isAbove(conversation.participants?.length ?? 0, 0)
      const missing = yield* Effect.flip(details.conversation("00000000-0000-0000-0000-00000000beef"))
      assert.strictEqual(missing._tag, "NotFound")
    }).pipe(Effect.provide(clientLayer()))
  )
})

describe("ConversationDetails: jobs", () => {
  it.effect("runJob submits, awaits and streams every conversation of the job", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const q = { interval: twoDays }
      const expected = yield* emulator.groundTruthJob(q)
      const exit = yield* drive(Stream.runCollect(details.runJob(q, { pageSize: 50 })))
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) {
        assert.deepStrictEqual(
          Chunk.toReadonlyArray(exit.value).map((c) => c.conversationId),
          [...expected]
        )
      }
      assert.deepStrictEqual(yield* requestsTo("DELETE", jobsPath), [])
      assert.strictEqual((yield* requestsTo("POST", jobsPath)).length, 1)
      const audit = yield* AuditRecords
      const types = audit.map((e) => e.type)
      assert.includeMembers(types, ["job.submitted", "job.state", "job.page"])
      assert.deepStrictEqual(
        audit
          .filter((e) => e.type === "job.state")
          .map((e) => e.status)
          .slice(-1),
        ["FULFILLED"]
      )
      assert.strictEqual(audit.filter((e) => e.type === "job.page").length, Math.ceil(expected.length / 50))
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("jobStatus is a tagged union; awaitJob ends FULFILLED", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: day })
      const status = yield* details.jobStatus(jobId)
      assert.strictEqual(status._tag, "QUEUED")
      assert.strictEqual(status.jobId, jobId)
      const exit = yield* drive(details.awaitJob(jobId))
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.strictEqual(exit.value._tag, "FULFILLED")
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("the poll interval grows exponentially from the initial delay and is capped", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: day })
      const exit = yield* drive(
        details.awaitJob(jobId, {
          jitter: false,
          initialDelay: Duration.seconds(1),
          factor: 2,
          maxDelay: Duration.seconds(4)
        }),
        { step: "500 millis" }
      )
      assert.isTrue(Exit.isSuccess(exit))
      const polls = yield* requestsTo("GET", `${jobsPath}/${jobId}`)
      const [submitted] = yield* requestsTo("POST", jobsPath)
      assert.strictEqual(polls[0]!.atMillis - submitted!.atMillis, 1000, "the first poll waits the initial delay")
      const gaps = polls.slice(1).map((p, i) => p.atMillis - polls[i]!.atMillis)
      assert.deepStrictEqual(gaps.slice(0, 5), [1000, 2000, 4000, 4000, 4000])
    }).pipe(Effect.provide(clientLayer({ jobs: { runMillis: 20_000 } })))
  )

  it.effect("a FAILED job fails JobFailed with its errorMessage", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "POST", path: jobsPath, fault: { kind: "failJob", errorMessage: "index unavailable" } }]
      })
      const exit = yield* drive(Stream.runDrain(details.runJob({ interval: day })))
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "JobFailed")
      if (error?._tag === "JobFailed") assert.strictEqual(error.errorMessage, "index unavailable")
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a job cancelled elsewhere fails JobCancelled", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: day })
      const fiber = yield* Effect.fork(details.awaitJob(jobId))
      yield* settle
      yield* details.cancelJob(jobId)
      const exit = yield* drive(Fiber.join(fiber))
      assert.strictEqual(failureOf(exit)?._tag, "JobCancelled")
      const audit = yield* AuditRecords
      assert.isTrue(audit.some((e) => e.type === "job.cancelled" && e.jobId === jobId))
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("an EXPIRED job fails JobExpired", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "POST", path: jobsPath, fault: { kind: "expireJob", afterPages: 0 } }]
      })
      const jobId = yield* details.submitJob({ interval: day })
      const exit = yield* drive(details.awaitJob(jobId))
      assert.strictEqual(failureOf(exit)?._tag, "JobExpired")
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a job that does not finish in time fails JobTimeout with its last state", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: day })
      const exit = yield* drive(details.awaitJob(jobId, { timeout: Duration.minutes(5) }), { step: "10 seconds" })
      const error = failureOf(exit)
      assert.strictEqual(error?._tag, "JobTimeout")
      if (error?._tag === "JobTimeout") {
        assert.strictEqual(error.lastState, "PENDING")
        assert.strictEqual(error.elapsedMillis, 300_000)
      }
    }).pipe(Effect.provide(clientLayer({ jobs: { runMillis: 10 * 3_600_000 } })))
  )

  it.effect("interrupting runJob while it awaits the job DELETEs the job", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const fiber = yield* Effect.fork(Stream.runDrain(details.runJob({ interval: day })))
      for (let i = 0; i < 5; i++) yield* settle
      assert.strictEqual((yield* requestsTo("POST", jobsPath)).length, 1)
      yield* Fiber.interrupt(fiber)
      const deletes = yield* requestsTo("DELETE", jobsPath)
      assert.strictEqual(deletes.length, 1)
      assert.strictEqual(deletes[0]!.status, 204)
      const jobId = deletes[0]!.path.split("/").pop()!
      assert.strictEqual(yield* emulator.jobState(jobId), "CANCELLED")
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a stream stopped before its end DELETEs the job; a stream read to the end does not", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const exit = yield* drive(
        Stream.runCollect(details.runJob({ interval: twoDays }, { pageSize: 10 }).pipe(Stream.take(15)))
      )
      assert.isTrue(Exit.isSuccess(exit))
      if (Exit.isSuccess(exit)) assert.strictEqual(Chunk.size(exit.value), 15)
      assert.strictEqual((yield* requestsTo("DELETE", jobsPath)).length, 1)
      assert.strictEqual((yield* requestsTo("GET", jobsPath)).filter((r) => r.path.endsWith("/results")).length, 2)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a stream that fails mid-way DELETEs the job", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      yield* emulator.setFaults({
        script: [{ method: "GET", path: `${jobsPath}/*/results`, nth: 2, fault: { kind: "serverError", status: 500 } }]
      })
      const exit = yield* drive(Stream.runDrain(details.runJob({ interval: twoDays }, { pageSize: 10 })), {
        step: "1 second"
      })
      assert.isTrue(Exit.isSuccess(exit), "a 500 on a results page is retried")
      yield* emulator.setFaults({
        script: [
          { method: "GET", path: `${jobsPath}/*/results`, nth: 2, fault: { kind: "staleCursor", mode: "reject" } }
        ]
      })
      const failed = yield* drive(Stream.runDrain(details.runJob({ interval: twoDays }, { pageSize: 10 })))
      assert.strictEqual(failureOf(failed)?._tag, "BadRequest")
      assert.strictEqual((yield* requestsTo("DELETE", jobsPath)).length, 1)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a cursor seen twice fails PaginationStalled instead of looping", () =>
    Effect.gen(function* () {
      const emulator = yield* Emulator.Emulator
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: twoDays })
      yield* drive(details.awaitJob(jobId))
      yield* emulator.setFaults({
        script: [
          { method: "GET", path: `${jobsPath}/*/results`, nth: 2, fault: { kind: "staleCursor", mode: "repeat" } }
        ]
      })
      const error = yield* Effect.flip(Stream.runDrain(details.jobResults(jobId, { pageSize: 10 })))
      assert.strictEqual(error._tag, "PaginationStalled")
      if (error._tag === "PaginationStalled") {
        assert.strictEqual(error.jobId, jobId)
        // The fault counts results requests that carry a cursor: the 3rd request gets its own cursor back.
        assert.strictEqual(error.pagesRead, 3)
      }
      const results = (yield* requestsTo("GET", `${jobsPath}/${jobId}/results`)).length
      assert.strictEqual(results, 3)
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("a cursor followed by an earlier process (seenCursors) is caught after a restart too", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: twoDays })
      yield* drive(details.awaitJob(jobId))
      const pages = Chunk.toReadonlyArray(
        yield* Stream.runCollect(details.jobResultPages(jobId, { pageSize: 10 }).pipe(Stream.take(3)))
      )
      const [first, second] = [pages[0]!.cursor!, pages[1]!.cursor!]
      // Resuming after `first` while claiming `second` was already followed: the next page's cursor is `second`.
      const error = yield* Effect.flip(
        Stream.runDrain(details.jobResultPages(jobId, { pageSize: 10, cursor: first, seenCursors: [first, second] }))
      )
      assert.strictEqual(error._tag, "PaginationStalled")
    }).pipe(Effect.provide(clientLayer()))
  )

  it.effect("jobResultPages resumes from a cursor", () =>
    Effect.gen(function* () {
      const details = yield* ConversationDetails.ConversationDetails
      const jobId = yield* details.submitJob({ interval: twoDays })
      yield* drive(details.awaitJob(jobId))
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(details.jobResultPages(jobId, { pageSize: 20 })))
      assert.isAbove(all.length, 2)
      assert.isUndefined(all[all.length - 1]!.cursor)
      const rest = Chunk.toReadonlyArray(
        yield* Stream.runCollect(details.jobResults(jobId, { pageSize: 20, cursor: all[0]!.cursor }))
      )
      assert.deepStrictEqual(
        rest.map((c) => c.conversationId),
        all.slice(1).flatMap((p) => p.conversations.map((c) => c.conversationId))
      )
    }).pipe(Effect.provide(clientLayer()))
  )
})
