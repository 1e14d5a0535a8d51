import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import {
  ConfigProvider,
  Deferred,
  type Duration,
  Effect,
  Exit,
  Fiber,
  Layer,
  Option,
  Redacted,
  Scope,
  TestClock
} from "effect"
import * as AuditLog from "../src/AuditLog.js"
import * as Webhook from "../src/Webhook.js"

const secret = "whsec-test-0123456789"
const url = "https://hooks.example.com/genesys"

interface Seen {
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

type Respond = (
  request: HttpClientRequest.HttpClientRequest,
  n: number
) => Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>

const status =
  (code: number): Respond =>
  (request) =>
    Effect.succeed(HttpClientResponse.fromWeb(request, new Response(null, { status: code })))

const sequence =
  (...steps: ReadonlyArray<number | "transport" | "never">): Respond =>
  (request, n) => {
    const step = steps[Math.min(n, steps.length) - 1]!
    if (step === "never") return Effect.never
    if (step === "transport") return Effect.fail(new HttpClientError.RequestError({ request, reason: "Transport" }))
    return status(step)(request, n)
  }

const fakeClient = (respond: Respond) => {
  const seen: Array<Seen> = []
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      const body = request.body._tag === "Uint8Array" ? new TextDecoder().decode(request.body.body) : ""
      seen.push({ headers: { ...request.headers }, body })
      return respond(request, seen.length)
    })
  )
  return { seen, client }
}

/** A notifier in its own scope, over a memory audit log that outlives it. */
const setup = (respond: Respond, options?: Partial<Webhook.Options>) =>
  Effect.gen(function* () {
    const fake = fakeClient(respond)
    const { auditLog, memory } = yield* AuditLog.makeMemory({ actor: "client-1", region: "test", runId: "wh" })
    const scope = yield* Scope.make()
    const webhook = yield* Webhook.make({ url, secret: Redacted.make(secret), ...options }).pipe(
      Effect.provideService(HttpClient.HttpClient, fake.client),
      Effect.provideService(AuditLog.AuditLog, auditLog),
      Scope.extend(scope)
    )
    const dropRecords = Effect.map(memory.records, (rs) => rs.filter((r) => r.type === "webhook.dropped"))
    return { webhook, fake, memory, dropRecords, close: Scope.close(scope, Exit.void) }
  })

/** Moves the TestClock in small steps until `condition` holds (each step lets pending promises settle). */
const advanceUntil = (
  condition: Effect.Effect<boolean>,
  step: Duration.DurationInput = "250 millis",
  maxSteps = 2000
) =>
  Effect.gen(function* () {
    for (let i = 0; i < maxSteps; i++) {
      if (yield* condition) return
      yield* TestClock.adjust(step)
    }
    assert.fail("condition not reached")
  })

describe("Webhook", () => {
  it.scoped("signs every request so that verifySignature accepts it, and nothing else", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.UTC(2024, 2, 1, 8, 0, 0))
      const { webhook, fake } = yield* setup(status(204))
      yield* webhook.notify({
        type: "job.fulfilled",
        jobId: "job-1",
        window: "2024-02-29T00:00:00Z/P1D",
        status: "FULFILLED"
      })
      yield* advanceUntil(
        Effect.map(webhook.stats, (s) => s.delivered === 1),
        "0 millis"
      )
      assert.strictEqual(fake.seen.length, 1)
      const { headers, body } = fake.seen[0]!
      const timestamp = headers[Webhook.headerTimestamp]!
      const signature = headers[Webhook.headerSignature]!
      assert.strictEqual(timestamp, String(Date.UTC(2024, 2, 1, 8, 0, 0) / 1000))
      assert.match(signature, /^[0-9a-f]{64}$/)
      assert.strictEqual(headers["content-type"], "application/json")
      assert.strictEqual(headers[Webhook.headerAttempt], "1")
      const parsed = JSON.parse(body)
      assert.strictEqual(parsed.id, headers[Webhook.headerId])
      assert.strictEqual(parsed.type, "job.fulfilled")
      assert.strictEqual(parsed.jobId, "job-1")
      assert.strictEqual(parsed.occurredAt, "2024-03-01T08:00:00.000Z")
      assert.strictEqual(AuditLog.canonicalJson(parsed), body)
      assert.isTrue(yield* Webhook.verifySignature(secret, timestamp, body, signature))
      assert.isTrue(yield* Webhook.verifySignature(Redacted.make(secret), timestamp, body, `sha256=${signature}`))
      assert.isTrue(yield* Webhook.verifySignature(secret, timestamp, body, signature, { toleranceSeconds: 300 }))
      assert.isFalse(yield* Webhook.verifySignature(secret, timestamp, body.replace("job-1", "job-2"), signature))
      assert.isFalse(yield* Webhook.verifySignature(secret, String(Number(timestamp) + 1), body, signature))
      assert.isFalse(yield* Webhook.verifySignature("other-secret", timestamp, body, signature))
      assert.isFalse(yield* Webhook.verifySignature(secret, timestamp, body, "zz"))
      assert.strictEqual(yield* Webhook.sign(secret, timestamp, body), signature)
      yield* TestClock.adjust("10 minutes")
      assert.isFalse(yield* Webhook.verifySignature(secret, timestamp, body, signature, { toleranceSeconds: 300 }))
    })
  )

  it.scoped("retries 5xx and transport errors with backoff, keeping the idempotency id", () =>
    Effect.gen(function* () {
      const { webhook, fake, dropRecords } = yield* setup(sequence(500, "transport", 503, 200))
      yield* webhook.notify({ type: "extraction.completed", counts: { conversations: 10 }, auditHead: "ab".repeat(32) })
      yield* advanceUntil(Effect.map(webhook.stats, (s) => s.delivered === 1))
      assert.strictEqual(fake.seen.length, 4)
      const ids = new Set(fake.seen.map((s) => s.headers[Webhook.headerId]))
      assert.strictEqual(ids.size, 1)
      assert.deepStrictEqual(
        fake.seen.map((s) => s.headers[Webhook.headerAttempt]),
        ["1", "2", "3", "4"]
      )
      assert.strictEqual(new Set(fake.seen.map((s) => s.body)).size, 1)
      for (const { headers, body } of fake.seen) {
        assert.isTrue(
          yield* Webhook.verifySignature(
            secret,
            headers[Webhook.headerTimestamp]!,
            body,
            headers[Webhook.headerSignature]!
          )
        )
      }
      // Backoff: the attempts are spread over time, not fired back to back.
      const times = fake.seen.map((s) => Number(s.headers[Webhook.headerTimestamp]))
      assert.isAbove(times[3]! - times[0]!, 1)
      const stats = yield* webhook.stats
      assert.deepStrictEqual(stats, { queued: 1, delivered: 1, dropped: 0, failed: 0, attempts: 4 })
      assert.strictEqual((yield* dropRecords).length, 0)
    })
  )

  it.scoped("a receiver that never answers is cut off by the per-attempt timeout and retried", () =>
    Effect.gen(function* () {
      const { webhook, fake } = yield* setup(sequence("never", 200), { attemptTimeout: "3 seconds" })
      yield* webhook.notify({ type: "job.failed", jobId: "j" })
      yield* advanceUntil(Effect.map(webhook.stats, (s) => s.delivered === 1))
      assert.strictEqual(fake.seen.length, 2)
    })
  )

  it.scoped("final failures are counted and audited; a 4xx refusal is not retried", () =>
    Effect.gen(function* () {
      const { webhook, fake, dropRecords } = yield* setup((request, n) =>
        n === 1 ? status(400)(request, n) : status(500)(request, n)
      )
      yield* webhook.notify({ type: "job.failed", jobId: "refused" })
      yield* webhook.notify({ type: "job.failed", jobId: "dead" })
      yield* advanceUntil(Effect.map(webhook.stats, (s) => s.failed === 2))
      yield* advanceUntil(
        Effect.map(dropRecords, (rs) => rs.length === 2),
        "0 millis"
      )
      assert.strictEqual(fake.seen.length, 1 + 6)
      const records = yield* dropRecords
      assert.strictEqual(records[0]!.jobId, "refused")
      assert.include(records[0]!.detail!, "after 1 attempt(s): HTTP 400")
      assert.strictEqual(records[1]!.jobId, "dead")
      assert.include(records[1]!.detail!, "after 6 attempt(s): HTTP 500")
      assert.deepStrictEqual(records[1]!.counts, { dropped: 0, failed: 2 })
      assert.match(records[1]!.correlationId!, /^[0-9a-f]{64}$/)
    })
  )

  it.scoped("a dead receiver does not slow notify: 100 calls return at once, overflow is dropped and audited", () =>
    Effect.gen(function* () {
      const { webhook, dropRecords, close } = yield* setup(() => Effect.never, { queueCapacity: 10 })
      const fiber = yield* Effect.fork(
        Effect.forEach(
          Array.from({ length: 100 }, (_, i) => i),
          (i) => webhook.notify({ type: "job.fulfilled", jobId: `j${i}` }),
          {
            discard: true
          }
        )
      )
      let done = Option.none<Exit.Exit<void>>()
      for (let i = 0; i < 50 && Option.isNone(done); i++) {
        yield* Effect.yieldNow()
        done = yield* Fiber.poll(fiber)
      }
      assert.isTrue(Option.isSome(done) && Exit.isSuccess(done.value), "notify waited")
      assert.strictEqual(yield* TestClock.currentTimeMillis, 0)
      const stats = yield* webhook.stats
      // Every call was accepted; room was made by evicting the oldest (one may already be in flight).
      assert.strictEqual(stats.queued, 100)
      assert.oneOf(stats.dropped, [89, 90])
      yield* advanceUntil(
        Effect.map(dropRecords, (rs) => rs.length === stats.dropped),
        "0 millis"
      )
      // Closing waits for the drain time only, then accounts for everything left.
      const closing = yield* Effect.fork(close)
      yield* advanceUntil(Effect.map(Fiber.poll(closing), Option.isSome), "1 second", 30)
      const final = yield* webhook.stats
      assert.strictEqual(final.dropped, 100)
      assert.strictEqual(final.delivered, 0)
      const records = yield* dropRecords
      assert.strictEqual(records.length, 100)
      assert.strictEqual(new Set(records.map((r) => r.jobId)).size, 100)
      assert.isTrue(records.some((r) => r.detail!.includes("queue full")))
      assert.isTrue(records.some((r) => r.detail!.includes("drain time")))
    })
  )

  it.scoped("when the queue is full the oldest queued event is dropped and the newest kept", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { webhook, fake, dropRecords } = yield* setup(
        (request, n) =>
          n === 1 ? Effect.zipRight(Deferred.await(gate), status(200)(request, n)) : status(200)(request, n),
        { queueCapacity: 2 }
      )
      yield* webhook.notify({ type: "job.fulfilled", jobId: "e1" })
      yield* advanceUntil(
        Effect.sync(() => fake.seen.length === 1),
        "0 millis"
      )
      yield* webhook.notify({ type: "job.fulfilled", jobId: "e2" })
      yield* webhook.notify({ type: "job.fulfilled", jobId: "e3" })
      yield* webhook.notify({ type: "extraction.completed", jobId: "e4" })
      yield* Deferred.succeed(gate, undefined)
      yield* advanceUntil(
        Effect.map(webhook.stats, (s) => s.delivered === 3),
        "0 millis"
      )
      assert.deepStrictEqual(
        fake.seen.map((s) => JSON.parse(s.body).jobId),
        ["e1", "e3", "e4"]
      )
      yield* advanceUntil(
        Effect.map(dropRecords, (rs) => rs.length === 1),
        "0 millis"
      )
      assert.strictEqual((yield* dropRecords)[0]!.jobId, "e2")
    })
  )

  it.scoped("closing the scope drains the queue to a live receiver", () =>
    Effect.gen(function* () {
      const { webhook, fake, close } = yield* setup(status(200))
      for (let i = 0; i < 5; i++) yield* webhook.notify({ type: "job.fulfilled", jobId: `j${i}` })
      yield* close
      assert.strictEqual(fake.seen.length, 5)
      assert.strictEqual((yield* webhook.stats).delivered, 5)
    })
  )

  it.scoped("the idempotency id is a function of the event, not of the time or attempt", () =>
    Effect.gen(function* () {
      const { webhook, fake, close } = yield* setup(status(200))
      yield* webhook.notify({ type: "job.fulfilled", jobId: "same" })
      yield* TestClock.adjust("1 hour")
      yield* webhook.notify({ type: "job.fulfilled", jobId: "same" })
      yield* webhook.notify({ type: "job.fulfilled", jobId: "other" })
      yield* webhook.notify({ type: "job.fulfilled", jobId: "explicit", id: "my-id-1" })
      yield* close
      const ids = fake.seen.map((s) => s.headers[Webhook.headerId])
      assert.strictEqual(ids[0], ids[1])
      assert.notStrictEqual(ids[0], ids[2])
      assert.strictEqual(ids[3], "my-id-1")
      assert.notStrictEqual(fake.seen[0]!.body, fake.seen[1]!.body)
    })
  )

  it.scoped("scrubs secret-looking text from events", () =>
    Effect.gen(function* () {
      const { webhook, fake, close } = yield* setup(status(200))
      yield* webhook.notify({
        type: "job.failed",
        detail: `upstream said Authorization: Bearer abcdefghijkl and echoed ${secret}`
      })
      yield* close
      assert.notInclude(fake.seen[0]!.body, "abcdefghijkl")
      assert.notInclude(fake.seen[0]!.body, secret)
    })
  )
})

describe("Webhook layers", () => {
  const fake = fakeClient(status(200))
  const deps = Layer.mergeAll(
    Layer.succeed(HttpClient.HttpClient, fake.client),
    AuditLog.layerMemory({ actor: "c", region: "r" })
  )
  const withEnv = (env: Record<string, string>) =>
    Layer.provide(
      Webhook.layerConfig,
      Layer.merge(deps, Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
    )

  it.effect("layerConfig without a URL is the no-op notifier", () =>
    Effect.gen(function* () {
      const webhook = yield* Webhook.Webhook
      yield* webhook.notify({ type: "job.fulfilled", jobId: "x" })
      assert.deepStrictEqual(yield* webhook.stats, { queued: 0, delivered: 0, dropped: 0, failed: 0, attempts: 0 })
    }).pipe(Effect.provide(withEnv({})))
  )

  it.effect("layerConfig with URL and secret delivers", () =>
    Effect.gen(function* () {
      const before = fake.seen.length
      yield* Effect.flatMap(Webhook.Webhook, (webhook) => webhook.notify({ type: "job.fulfilled", jobId: "cfg" })).pipe(
        Effect.provide(withEnv({ GENESYS_WEBHOOK_URL: "http://127.0.0.1:9/hook", GENESYS_WEBHOOK_SECRET: secret }))
      )
      assert.strictEqual(fake.seen.length, before + 1)
    })
  )

  it.effect("layerConfig refuses a URL without a secret, and plain http to a remote host", () =>
    Effect.gen(function* () {
      const noSecret = yield* Effect.flip(Effect.provide(Webhook.Webhook, withEnv({ GENESYS_WEBHOOK_URL: url })))
      assert.strictEqual(noSecret._tag, "ConfigInvalid")
      assert.include(noSecret.message, "GENESYS_WEBHOOK_SECRET")
      const plain = yield* Effect.flip(
        Effect.provide(
          Webhook.Webhook,
          withEnv({ GENESYS_WEBHOOK_URL: "http://hooks.example.com/secret-path-123", GENESYS_WEBHOOK_SECRET: secret })
        )
      )
      assert.strictEqual(plain._tag, "ConfigInvalid")
      assert.notInclude(plain.message, "secret-path-123")
    })
  )
})
