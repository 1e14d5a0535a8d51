/**
 * The emulated org: its stateful parts (tokens, jobs, faults, request log, conversation cache) wired to the
 * request pipeline. Each part lives in its own module; this one only connects them.
 *
 * State is plain mutable objects: every read-modify-write happens inside one synchronous `Effect.sync`
 * step, and JavaScript runs those to completion, so no two requests can interleave inside one.
 */
import type * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { type EmulatorOptions, anchorOf } from "../../EmulatorOptions.js"
import type * as Faults from "../../Faults.js"
import type * as Generator from "../../Generator.js"
import * as AggregateTruth from "../../AggregateTruth.js"
import * as GroundTruth from "../../GroundTruth.js"
import * as Live from "../data/live.js"
import type { Conversation } from "../data/types.js"
import * as Availability from "../live/availability.js"
import * as Channels from "../live/channels.js"
import * as Notifier from "../live/notifier.js"
import * as NotificationRoutes from "./notificationRoutes.js"
import * as FactStore from "../data/factStore.js"
import * as AggregateRoutes from "./aggregateRoutes.js"
import * as ConversationCache from "./conversationCache.js"
import * as ConversationRoutes from "./conversationRoutes.js"
import * as FaultSwitch from "./faultSwitch.js"
import * as Handler from "./handler.js"
import { Salt } from "./ids.js"
import * as JobRoutes from "./jobRoutes.js"
import * as JobStore from "./jobStore.js"
import * as Latency from "./latency.js"
import * as Pipeline from "./pipeline.js"
import * as QueryRoute from "./queryRoute.js"
import * as QueryTruth from "./queryTruth.js"
import * as RequestLog from "./requestLog.js"
import * as ResultsRoute from "./resultsRoute.js"
import * as Routes from "./routes.js"
import * as Tokens from "./tokens.js"
import type { RawRequest, WireResponse } from "./wire.js"

/** The connection was dropped by a fault: no response exists. */
export const ConnectionDropped = Handler.ConnectionDropped
/** The connection was dropped by a fault: no response exists. */
export type ConnectionDropped = Handler.ConnectionDropped
/** One request as the emulator saw it. */
export type RecordedRequest = RequestLog.RecordedRequest
/** The six job states. */
export type JobState = JobStore.JobState

/** The emulated org as `Emulator` exposes it. */
export interface App {
  /** Answers with bytes for results pages and a read-ahead hint for the server. */
  readonly handle: (request: RawRequest) => Effect.Effect<WireResponse, ConnectionDropped>
  /** Serialised job-result conversations by dataset index. */
  readonly cache: ConversationCache.ByteLru
  readonly nowMillis: Effect.Effect<number>
  readonly availabilityMillis: Effect.Effect<number>
  readonly requests: Effect.Effect<ReadonlyArray<RecordedRequest>>
  readonly clearRequests: Effect.Effect<void>
  readonly setFaults: (profile: Faults.FaultProfile | undefined) => Effect.Effect<void>
  readonly revokeTokens: Effect.Effect<void>
  readonly issueToken: Effect.Effect<string>
  readonly jobState: (jobId: string) => Effect.Effect<JobState | undefined>
  readonly groundTruthSync: (query: GroundTruth.QueryLike) => Effect.Effect<ReadonlyArray<string>>
  readonly groundTruthJob: (query: GroundTruth.AsyncQueryLike) => Effect.Effect<ReadonlyArray<string>>
  readonly groundTruthAggregates: (
    query: AggregateTruth.AggregateQueryLike
  ) => Effect.Effect<AggregateTruth.AggregateResponse>
  readonly groundTruthSettled: (query: GroundTruth.AsyncQueryLike) => Effect.Effect<ReadonlyArray<Conversation>>
  readonly restatements: (interval: string) => Effect.Effect<ReadonlyArray<Live.Restatement>>
  readonly stallAvailability: (durationMillis: number) => Effect.Effect<void>
  readonly availability: Availability.Availability
  readonly now: Effect.Effect<number>
  /** Connected channels and the notification faults. */
  readonly notifier: Notifier.Notifier
  /** The live channels now. */
  readonly channels: Effect.Effect<ReadonlyArray<Channels.Channel>>
  /** Where `connectUri`s point (`ws://127.0.0.1:<port>`; the server sets its own). */
  readonly setConnectOrigin: (origin: string) => void
}

/** An org serving `dataset`; its "now" is the anchor plus the time `clock` has moved since. */
export const make = (options: EmulatorOptions, dataset: Generator.Dataset, clock: Clock.Clock): Effect.Effect<App> =>
  Effect.map(clock.currentTimeMillis, (clockStart) => {
    const anchor = anchorOf(options)
    // Live mode runs `speed` emulated milliseconds per clock millisecond.
    const speed = options.live?.speed ?? 1
    const now = Effect.map(clock.currentTimeMillis, (t) => anchor + Math.floor((t - clockStart) * speed))
    const faults = FaultSwitch.make(options.faults, options.seed)
    const availability = Availability.make(options, faults.profile, options.seed)
    const truth = QueryTruth.make(options, dataset, availability)
    const tokens = Tokens.make(options)
    const jobs = JobStore.make(options)
    const aggregateJobs = JobStore.make(options, Salt.aggregateJob)
    const log = RequestLog.make(options.recordLimit)
    const cache = new ConversationCache.ByteLru(options.cacheBytes)
    const store = Channels.make(options.notifications, options.seed, Salt.channel)
    let connectOrigin = "ws://127.0.0.1:8080"
    const notifier = Notifier.make({ options, store, availability, profile: faults.profile, now, clock })
    const dispatch = Routes.make({
      tokens,
      query: QueryRoute.make(options, dataset, truth),
      jobs: JobRoutes.make(options, jobs, truth, faults.profile),
      results: ResultsRoute.make(options, dataset, jobs, cache),
      conversations: ConversationRoutes.make(options, dataset),
      aggregates: AggregateRoutes.make(
        options,
        dataset,
        aggregateJobs,
        faults.profile,
        options.aggregateStore ? FactStore.build(dataset) : undefined
      ),
      catalog: dataset.catalog,
      notifications: NotificationRoutes.make(options, store, () => connectOrigin),
      options
    })
    const pipeline = Pipeline.make({ options, tokens, faults, log, dispatch })
    const atNow = <A>(f: (t: number) => A) => Effect.flatMap(now, (t) => Effect.sync(() => f(t)))

    return {
      handle: Handler.make(pipeline, now, clock, Latency.sampler(options.latency, options.seed)),
      cache,
      nowMillis: now,
      availabilityMillis: Effect.map(now, truth.availabilityAt),
      requests: Effect.sync(log.list),
      clearRequests: Effect.sync(log.clear),
      setFaults: (profile) => Effect.sync(() => faults.reset(profile)),
      revokeTokens: Effect.sync(tokens.revokeAll),
      issueToken: atNow(tokens.issue),
      jobState: (jobId) =>
        atNow((t) => {
          const job = jobs.get(jobId) ?? aggregateJobs.get(jobId)
          if (job === undefined) return undefined
          return (jobs.get(jobId) !== undefined ? jobs : aggregateJobs).stateAt(job, t)
        }),
      groundTruthAggregates: (q) => Effect.map(now, (t) => AggregateTruth.query(dataset, q, { nowMillis: t })),
      groundTruthSync: (q) => Effect.map(now, (t) => GroundTruth.ids(dataset, truth.sync(q, t).indices)),
      groundTruthJob: (q) => Effect.map(now, (t) => GroundTruth.ids(dataset, truth.job(q, t).indices)),
      groundTruthSettled: (q) =>
        atNow((t) => {
          const current = truth.datasetAt(t)
          return truth.job(q, t).indices.map((i) => current.conversation(i))
        }),
      restatements: (interval) =>
        atNow((t) => {
          const live = options.live
          const span = GroundTruth.parseInterval(interval)
          if (live === undefined || span === undefined) return []
          return Live.restatements(dataset, live, span.startMillis, span.endMillis, t)
        }),
      stallAvailability: (durationMillis) => atNow((t) => availability.stall(t, durationMillis)),
      availability,
      now,
      notifier,
      channels: atNow(store.list),
      setConnectOrigin: (origin) => {
        connectOrigin = origin
      }
    }
  })
