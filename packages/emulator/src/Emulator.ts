/**
 * The emulated Genesys Cloud org as an Effect service, and the in-process `HttpClient` that talks to it
 * without sockets. All emulator time goes through the `Clock` it was built with, so under `TestClock`
 * job lifecycles, token expiry, rate windows and result expiry advance with `TestClock.adjust`.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type * as AggregateTruth from "./AggregateTruth.js"
import * as EmulatorOptions from "./EmulatorOptions.js"
import type * as Faults from "./Faults.js"
import * as Generator from "./Generator.js"
import type * as GroundTruth from "./GroundTruth.js"
import * as InProcessNotifications from "./internal/live/inProcess.js"
import type * as Notifications from "./Notifications.js"
import * as App from "./internal/http/app.js"
import * as ConversationCache from "./internal/http/conversationCache.js"
import * as Internals from "./internal/http/internals.js"
import * as ReadAhead from "./internal/http/readAhead.js"
import * as Wire from "./internal/http/wire.js"

/** The connection was dropped by a `drop` fault: there is no response. @since 0.1.0 */
export const ConnectionDropped: typeof App.ConnectionDropped = App.ConnectionDropped

/** The connection was dropped by a `drop` fault: there is no response. @since 0.1.0 */
export type ConnectionDropped = App.ConnectionDropped

/** One request as the emulator saw it (`status` 0: dropped). @since 0.1.0 */
export type RecordedRequest = App.RecordedRequest

/** The six job states. @since 0.1.0 */
export type JobState = App.JobState

/** A transport-neutral request (used by the Node server; path + query in `url`, lower-case header names). @since 0.1.0 */
export type RawRequest = Wire.RawRequest

/** A transport-neutral response. @since 0.1.0 */
export type RawResponse = Wire.RawResponse

/** The emulator service. @since 0.1.0 */
export interface Service {
  /** The resolved options. */
  readonly options: EmulatorOptions.EmulatorOptions
  /** The generated dataset the org serves. */
  readonly dataset: Generator.Dataset
  /** Answer a web `Request` (any origin). Fails only when a `drop` fault hits. */
  readonly handle: (request: Request) => Effect.Effect<Response, ConnectionDropped>
  /** Answer a transport-neutral request (what the server and the in-process client use). */
  readonly handleRaw: (request: RawRequest) => Effect.Effect<RawResponse, ConnectionDropped>
  /** Every request so far (up to `recordLimit`), oldest first. */
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  /** Forget the recorded requests. */
  readonly clearRequests: Effect.Effect<void>
  /** Replace the fault profile (`undefined`: no faults); rule counters and random draws restart. */
  readonly setFaults: (profile: Faults.FaultProfile | undefined) => Effect.Effect<void>
  /** Revoke every token issued so far; their next use gets 401. */
  readonly revokeTokens: Effect.Effect<void>
  /** Issue a valid access token without an HTTP round trip (for tests). */
  readonly issueToken: Effect.Effect<string>
  /** The emulator's "now" (anchor + elapsed `Clock` time). */
  readonly nowMillis: Effect.Effect<number>
  /** The data-availability instant jobs see (`now - availabilityLagMillis`). */
  readonly availabilityMillis: Effect.Effect<number>
  /** The state of a job now, or `undefined` for an unknown id. */
  readonly jobState: (jobId: string) => Effect.Effect<JobState | undefined>
  /** Every conversation id the sync query returns over all its pages, in order, as of now. */
  readonly groundTruthSync: (query: GroundTruth.QueryLike) => Effect.Effect<ReadonlyArray<string>>
  /** Every conversation id a job submitted now would return, in order. */
  readonly groundTruthJob: (query: GroundTruth.AsyncQueryLike) => Effect.Effect<ReadonlyArray<string>>
  /** The aggregates answer (`POST …/aggregates/query` body) of `query` as of now; a job's results are its `results`, paged. */
  readonly groundTruthAggregates: (
    query: AggregateTruth.AggregateQueryLike
  ) => Effect.Effect<AggregateTruth.AggregateResponse>
  /**
   * The settled truth: every conversation a job of `query` submitted now returns (ended by the current availability
   * date), in result order and in its current form (live mode: restated ones as restated), with participant attributes.
   */
  readonly groundTruthSettled: (
    query: GroundTruth.AsyncQueryLike
  ) => Effect.Effect<ReadonlyArray<Generator.Conversation>>
  /** Live mode: the conversations that ended in `interval` and were restated by now, in start order (none otherwise). */
  readonly restatements: (interval: string) => Effect.Effect<ReadonlyArray<Restatement>>
  /** Live mode: hold the availability date for `duration` of emulated time (fault), then let it catch up. */
  readonly stallAvailability: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** The notifications API's socket side in process (connect to a channel, list channels) and its faults. */
  readonly notifications: Notifications.Notifications
}

/** A conversation restated after it ended (live mode): its wrap-up code changed at `restatedAtMillis`. @since 0.4.0 */
export interface Restatement {
  readonly conversationId: string
  readonly endMillis: number
  readonly restatedAtMillis: number
}

/** The emulator service tag. @since 0.1.0 */
export class Emulator extends Context.Tag("@effect-genesys/emulator/Emulator")<Emulator, Service>() {}

/** Base URL to use with the in-process client (any origin works; this one is loopback). @since 0.1.0 */
export const baseUrl = "http://127.0.0.1:8080"

const toRaw = (request: Request): Effect.Effect<RawRequest> =>
  Effect.map(
    Effect.promise(() => request.text()),
    (body) => {
      const url = new URL(request.url)
      const headers: Record<string, string> = {}
      request.headers.forEach((value, key) => {
        headers[key] = value
      })
      return { method: request.method.toUpperCase(), url: `${url.pathname}${url.search}`, headers, body }
    }
  )

/** A web `Response` from a raw one (its body text or bytes). @since 0.1.0 */
export const toWebResponse = (raw: {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string | Uint8Array<ArrayBuffer> | undefined
}): Response =>
  new Response(raw.status === 204 || raw.status === 304 ? null : (raw.body ?? null), {
    status: raw.status,
    headers: raw.headers
  })

// A TestClock is the Clock with `adjust` and `setTime` (effect/TestClock has no guard of its own).
const isTestClock = (clock: object): boolean =>
  typeof (clock as Partial<TestClock.TestClock>).adjust === "function" &&
  typeof (clock as Partial<TestClock.TestClock>).setTime === "function"

/**
 * Build an emulator with the current `Clock` (a `TestClock` inside `it.effect`). Without a `startDate`, on a live
 * clock the data ends at the current time (or `anchorMillis`, see `EmulatorOptions.endingAt`); under a `TestClock` it
 * is the fixed default dataset from `2026-01-05`, with "now" just after it.
 *
 * @since 0.1.0
 */
export const make = Effect.fn("Emulator.make")(function* (input: EmulatorOptions.Input = {}) {
  const clock = yield* Effect.clock
  // On a live clock (no TestClock) a dataset without startDate ends at the current time, where a user looks.
  // Live mode places the data around its start under a TestClock too (at `anchorMillis`, or a fixed instant).
  const live = input.live !== undefined && input.live !== false
  const placed = isTestClock(clock)
    ? live
      ? EmulatorOptions.endingAt(input, input.anchorMillis ?? EmulatorOptions.liveTestAnchor(input))
      : input
    : EmulatorOptions.endingAt(input, input.anchorMillis ?? (yield* clock.currentTimeMillis))
  const options = EmulatorOptions.resolve(placed)
  const dataset = Generator.make({
    seed: options.seed,
    startDate: options.startDate,
    days: options.days,
    perDay: options.perDay
  })
  const app = yield* App.make(options, dataset, clock)
  const service = Emulator.of({
    options,
    dataset,
    handleRaw: (request) => Effect.map(app.handle(request), Wire.toRawResponse),
    handle: (request) => Effect.map(Effect.flatMap(toRaw(request), app.handle), toWebResponse),
    requests: app.requests,
    clearRequests: app.clearRequests,
    setFaults: app.setFaults,
    revokeTokens: app.revokeTokens,
    issueToken: app.issueToken,
    nowMillis: app.nowMillis,
    availabilityMillis: app.availabilityMillis,
    jobState: app.jobState,
    groundTruthSync: app.groundTruthSync,
    groundTruthJob: app.groundTruthJob,
    groundTruthAggregates: app.groundTruthAggregates,
    groundTruthSettled: app.groundTruthSettled,
    restatements: (interval) =>
      Effect.map(app.restatements(interval), (list) =>
        list.map(({ conversationId, endMillis, restatedAtMillis }) => ({ conversationId, endMillis, restatedAtMillis }))
      ),
    stallAvailability: (duration) => app.stallAvailability(Duration.toMillis(duration)),
    notifications: InProcessNotifications.make(app.notifier, app.channels)
  })
  Internals.register(service, {
    handle: app.handle,
    cache: app.cache,
    readAhead: ReadAhead.make((index) => ConversationCache.warm(app.cache, dataset, index)),
    notifier: app.notifier,
    setConnectOrigin: app.setConnectOrigin
  })
  return service
})

/** The emulator as a layer. @since 0.1.0 */
export const layer = (options: EmulatorOptions.Input = {}): Layer.Layer<Emulator> =>
  Layer.effect(Emulator, make(options))

const decoder = new TextDecoder()

const bodyText = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<string, HttpClientError.RequestError> => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return Effect.succeed("")
    case "Uint8Array":
      return Effect.succeed(decoder.decode(body.body))
    case "Raw":
      return typeof body.body === "string"
        ? Effect.succeed(body.body)
        : body.body instanceof Uint8Array
          ? Effect.succeed(decoder.decode(body.body))
          : Effect.promise(() => new Response(body.body as BodyInit).text())
    case "FormData":
      return Effect.promise(() => new Response(body.formData).text())
    case "Stream":
      return Stream.runCollect(body.stream).pipe(
        Effect.map((chunks) => {
          const parts = Chunk.toReadonlyArray(chunks)
          const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
          let offset = 0
          for (const p of parts) {
            out.set(p, offset)
            offset += p.length
          }
          return decoder.decode(out)
        }),
        Effect.mapError((cause) => new HttpClientError.RequestError({ request, reason: "Encode", cause }))
      )
  }
}

/**
 * An `HttpClient` answered by an emulator service, in process. Dropped connections surface as
 * `RequestError` with reason `"Transport"`, like a reset socket.
 *
 * @since 0.1.0
 */
export const httpClient = (service: Service): HttpClient.HttpClient => {
  // A service made by `make` answers with bytes directly; a wrapped one goes through its own `handleRaw`.
  const handle: (request: RawRequest) => Effect.Effect<Wire.WireResponse, ConnectionDropped> =
    Internals.get(service)?.handle ?? service.handleRaw
  return HttpClient.make((request, url) =>
    Effect.gen(function* () {
      const body = yield* bodyText(request)
      const headers: Record<string, string> = {}
      for (const [key, value] of Object.entries(request.headers)) headers[key.toLowerCase()] = value
      const raw = yield* handle({ method: request.method, url: `${url.pathname}${url.search}`, headers, body }).pipe(
        Effect.mapError(
          (cause) =>
            new HttpClientError.RequestError({ request, reason: "Transport", cause, description: cause.message })
        )
      )
      return HttpClientResponse.fromWeb(request, toWebResponse(raw))
    })
  )
}

/**
 * The emulator and an in-process `HttpClient.HttpClient` that reaches it without sockets, whatever the
 * request's origin. Build it inside the test (`Effect.provide`) so it uses the test's `TestClock`.
 *
 * @since 0.1.0
 */
export const layerHttpClient = (options: EmulatorOptions.Input = {}): Layer.Layer<Emulator | HttpClient.HttpClient> =>
  Layer.effectContext(
    Effect.map(make(options), (service) =>
      Context.make(Emulator, service).pipe(Context.add(HttpClient.HttpClient, httpClient(service)))
    )
  )

// Responses of the in-process client settle through promises (web `Response` bodies), which a forked fiber
// awaits between clock steps; yielding to the event loop lets it reach its next sleep before the clock moves.
const settle = Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))

/**
 * Runs `effect` (client code against the in-process emulator) in a fiber and advances the `TestClock` by
 * `step` until it ends, then returns its result. One `TestClock.adjust` after a fork can race with responses
 * still settling; this cannot.
 *
 * @since 0.1.0
 */
export const runWithTestClock = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: { readonly step?: Duration.DurationInput; readonly maxSteps?: number } = {}
): Effect.Effect<A, E, R> =>
  Effect.gen(function* () {
    const fiber = yield* Effect.fork(effect)
    const maxSteps = options.maxSteps ?? 10_000
    for (let i = 0; i < maxSteps; i++) {
      for (let j = 0; j < 3; j++) yield* settle
      const done = yield* Fiber.poll(fiber)
      if (Option.isSome(done)) return yield* done.value
      yield* TestClock.adjust(options.step ?? "1 second")
    }
    return yield* Effect.dieMessage(`runWithTestClock: not finished after ${maxSteps} clock steps`)
  })
