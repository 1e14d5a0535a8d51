/**
 * Every knob of the emulator with its default. Where the real platform's behaviour is not documented
 * (FACTS.md "UNCERTAIN"), the default is the FACTS §8 suggestion and the option lets tests pick the other.
 *
 * @since 0.1.0
 */
import type { FaultProfile } from "./Faults.js"
import type { StartOfDayMode } from "./GroundTruth.js"

/** Sync detail query limits (FACTS §2.3). @since 0.1.0 */
export interface SyncOptions {
  /** `paging.pageSize` when the body has no `paging` (documented default 25). */
  readonly defaultPageSize: number
  /** Largest accepted `paging.pageSize`; above it → 400 (UNCERTAIN, §8 suggests 100). */
  readonly maxPageSize: number
  /** Largest accepted `pageSize × pageNumber`; above it → 400 "Pagination may not exceed 100000 results.". */
  readonly maxResults: number
  /** Longest interval in days when the query has no filter (documented: 7). */
  readonly maxDaysUnfiltered: number
  /** Longest interval in days when the query has at least one filter (documented: 31). */
  readonly maxDaysFiltered: number
  /** A page past the last one: omit `conversations` (`"omit"`, default) or send `[]` (`"empty"`) — UNCERTAIN. */
  readonly pastLastPage: "omit" | "empty"
}

/** Asynchronous job behaviour (FACTS §3). @since 0.1.0 */
export interface JobOptions {
  /** Jobs in QUEUED or PENDING at once before a submission gets 429 with a `limit` (UNCERTAIN value). */
  readonly maxConcurrent: number
  /** `limit.key` of that 429 (the namespace is always `analytics`). */
  readonly concurrentLimitKey: string
  /** Time a job spends QUEUED before it starts running. */
  readonly queueMillis: number
  /** Fixed part of the time a job spends PENDING. */
  readonly runMillis: number
  /** Extra PENDING time per matching conversation, so bigger jobs take longer. */
  readonly runMillisPerConversation: number
  /** Results live this long after completion, then the job is EXPIRED and its results 404 (UNCERTAIN TTL). */
  readonly resultTtlMillis: number
  /** Jobs see only data up to `now - availabilityLagMillis` (the data-availability date). */
  readonly availabilityLagMillis: number
  /** Results `pageSize` when the request has none (UNCERTAIN; §8 suggests 1000). */
  readonly resultsDefaultPageSize: number
  /** Largest results `pageSize` (UNCERTAIN; §8 suggests 1000). */
  readonly resultsMaxPageSize: number
  /** A results `pageSize` above the maximum: 400 (`"reject"`, default) or served as the maximum (`"clamp"`). */
  readonly resultsPageSizeAboveMax: "reject" | "clamp"
  /** Status for results of a job that is QUEUED, PENDING, FAILED or CANCELLED (UNCERTAIN; 400 or 404). */
  readonly resultsNotReadyStatus: 400 | 404
  /** Jobs match partial email addresses (`name@domain.c` matches `name@domain.com`, documented). */
  readonly partialEmailMatch: boolean
  /** How `startOfDayIntervalMatching: true` narrows a job (UNCERTAIN; see `GroundTruth.StartOfDayMode`). */
  readonly startOfDayMode: StartOfDayMode
}

/**
 * Live mode (issue 16): the org keeps running as the `Clock` moves. Conversations keep arriving (the dataset reaches
 * `horizonDays` past the start), a conversation that has started and not ended is served open (no `conversationEnd`,
 * running segments without `segmentEnd`), a seeded fraction is restated after it ends, and the data-availability date
 * advances in steps.
 *
 * @since 0.4.0
 */
export interface LiveOptions {
  /** Emulated time per unit of `Clock` time (`--speed N`: N× real time). Every emulated duration runs N× faster. */
  readonly speed: number
  /** The availability date moves in steps of this much emulated time (docs/sync.md proposal: 1 h). */
  readonly availabilityStepMillis: number
  /** Days of data after the day the emulator starts on (conversations keep arriving through them). */
  readonly horizonDays: number
  /** Fraction of conversations with an agent (answered, outbound) whose wrap-up code changes after they end. */
  readonly restatementRate: number
  /**
   * A restatement happens within this long after the conversation ended (default 48 h, the window the sync re-reads
   * behind the watermark), so it always lies inside the window behind the availability date of its moment.
   */
  readonly restatementWindowMillis: number
}

/** The notifications API (docs/sync.md; durations in emulated time). @since 0.4.0 */
export interface NotificationOptions {
  /** Channel lifetime; a PUT/POST of subscriptions renews it (docs/sync.md proposal 3: 24 h). */
  readonly channelTtlMillis: number
  /** Interval of `channel.metadata` heartbeats (UNCERTAIN, docs/sync.md proposal 5: 30 s). */
  readonly heartbeatMillis: number
  /** Channels per client; creating one more evicts one (documented: 20). */
  readonly maxChannels: number
  /** Topics per channel; more is 400 (documented: 1,000). */
  readonly maxTopics: number
  /** `version` of the availability events' envelope (UNCERTAIN; proposal "2"). */
  readonly eventVersion: string
}

/**
 * Per-request latency: every request, the token endpoint's included, waits a seeded log-normal draw on the emulator's
 * `Clock` before it is answered (so its answer, rate window and job states are those of the moment after the wait).
 *
 * @since 0.4.0
 */
export interface LatencyOptions {
  /** Median delay in milliseconds (> 0). */
  readonly medianMillis: number
  /** 99th-percentile delay in milliseconds; at or below the median the delay is fixed at the median. */
  readonly p99Millis: number
}

/** The resolved options of an emulator. @since 0.1.0 */
export interface EmulatorOptions {
  /** Seed of the generated dataset (and of ids and fault draws). */
  readonly seed: number
  /** First day of data, `YYYY-MM-DD` (UTC). */
  readonly startDate: string
  /** Number of days of data. */
  readonly days: number
  /** Average conversations per day (shaped by weekday and business hours). */
  readonly perDay: number
  /**
   * Emulator "now" when it starts (epoch millis); it then advances with the Effect `Clock`.
   * `undefined`: the end of the dataset plus the availability lag plus one hour, so jobs see every
   * generated conversation. The server passes the real time.
   */
  readonly anchorMillis: number | undefined
  /** OAuth client id accepted by `POST /oauth/token`. */
  readonly clientId: string
  /** OAuth client secret accepted by `POST /oauth/token`. */
  readonly clientSecret: string
  /** `expires_in` of issued tokens; after it the token gets 401 (documented default 24 h). */
  readonly tokenTtlSeconds: number
  /** Status of a token request with bad client credentials (UNCERTAIN; RFC 6749 says 401). */
  readonly badCredentialsStatus: 400 | 401
  /** Per-token request budget per window (documented default 300 per 60 s). */
  readonly rateLimit: { readonly count: number; readonly windowSeconds: number }
  /** Latency added to every request (`undefined`, default: none, answers are immediate). */
  readonly latency: LatencyOptions | undefined
  /** Most ids accepted by the multi-get `GET …/conversations/details?id=` (UNCERTAIN). */
  readonly multiGetMaxIds: number
  /** Whether the predicates of one segment filter must hold on the same segment (UNCERTAIN). */
  readonly segmentScope: "sameSegment" | "anySegment"
  /** Largest accepted request body; above it → 413 `request.entity.too.large` (third-party figure 512000). */
  readonly maxBodyBytes: number
  /** Unknown JSON fields in a query body: ignored (`"ignore"`, default) or 400 (`"reject"`) — UNCERTAIN. */
  readonly unknownFields: "ignore" | "reject"
  /**
   * Dimension and metric names outside the vocabulary this emulator knows: accepted, matching nothing (`"accept"`,
   * default, because the platform's vocabulary grows every release) or 400 `invalid.value` (`"reject"`).
   */
  readonly unknownNames: "accept" | "reject"
  /** Sync query limits. */
  readonly sync: SyncOptions
  /** Job behaviour. */
  readonly jobs: JobOptions
  /** Fault profile in force from the start (see `Faults`); `setFaults` replaces it at run time. */
  readonly faults: FaultProfile | undefined
  /** Record requests for `Emulator.requests` (keeps the last `recordLimit`). */
  readonly recordLimit: number
  /**
   * Byte budget of the cache of serialised job-result conversations (least recently used ones are evicted
   * past it; 0 disables it). It never changes an answer, only how fast results pages are built: a job read
   * again (or read ahead by the server) costs a copy instead of generating. About 6 KB per conversation.
   */
  readonly cacheBytes: number
  /**
   * Compute every conversation's metric facts once, when the emulator starts, and answer the aggregate queries they
   * hold (no filter; grouped by nothing or by `mediaType`) from them, as the platform answers from its pre-aggregated
   * store, instead of generating every conversation of the interval again (~20 µs each). The same answers, sooner.
   * Costs that generation once at start and ~330 bytes a conversation (16 facts of 20 bytes in its generated data). Default false.
   */
  readonly aggregateStore: boolean
  /** Live mode (`undefined`: off, the data is fixed and the availability date moves continuously). */
  readonly live: LiveOptions | undefined
  /** The notifications API (channels, subscriptions, WebSocket). */
  readonly notifications: NotificationOptions
}

/** Options as a caller writes them: every field optional, nested groups partial too. @since 0.1.0 */
export type Input = Partial<Omit<EmulatorOptions, "sync" | "jobs" | "rateLimit" | "live" | "notifications">> & {
  /** `true` or a partial group: live mode with the defaults filled in. */
  readonly live?: boolean | Partial<LiveOptions> | undefined
  readonly notifications?: Partial<NotificationOptions> | undefined
  readonly sync?: Partial<SyncOptions> | undefined
  readonly jobs?: Partial<JobOptions> | undefined
  readonly rateLimit?: Partial<EmulatorOptions["rateLimit"]> | undefined
}

/** Sync query defaults. @since 0.1.0 */
export const defaultSync: SyncOptions = {
  defaultPageSize: 25,
  maxPageSize: 200,
  maxResults: 100_000,
  maxDaysUnfiltered: 7,
  maxDaysFiltered: 31,
  pastLastPage: "omit"
}

/** Job defaults. @since 0.1.0 */
export const defaultJobs: JobOptions = {
  maxConcurrent: 5,
  concurrentLimitKey: "conversation.details.jobs.concurrent.access.max",
  queueMillis: 1_000,
  runMillis: 2_000,
  runMillisPerConversation: 1,
  resultTtlMillis: 24 * 60 * 60 * 1000,
  availabilityLagMillis: 2 * 60 * 60 * 1000,
  resultsDefaultPageSize: 1000,
  resultsMaxPageSize: 1000,
  resultsPageSizeAboveMax: "reject",
  resultsNotReadyStatus: 400,
  partialEmailMatch: true,
  startOfDayMode: "overlapFromStartOfDay"
}

/** Live-mode defaults. @since 0.4.0 */
export const defaultLive: LiveOptions = {
  speed: 1,
  availabilityStepMillis: 60 * 60 * 1000,
  horizonDays: 30,
  restatementRate: 0.05,
  restatementWindowMillis: 48 * 60 * 60 * 1000
}

/** Notifications defaults. @since 0.4.0 */
export const defaultNotifications: NotificationOptions = {
  channelTtlMillis: 24 * 60 * 60 * 1000,
  heartbeatMillis: 30_000,
  maxChannels: 20,
  maxTopics: 1000,
  eventVersion: "2"
}

/** All defaults. @since 0.1.0 */
export const defaults: EmulatorOptions = {
  seed: 1,
  startDate: "2026-01-05",
  days: 7,
  perDay: 200,
  anchorMillis: undefined,
  clientId: "emulator-client",
  clientSecret: "emulator-secret",
  tokenTtlSeconds: 86_400,
  badCredentialsStatus: 401,
  rateLimit: { count: 300, windowSeconds: 60 },
  latency: undefined,
  multiGetMaxIds: 100,
  segmentScope: "sameSegment",
  maxBodyBytes: 512_000,
  unknownFields: "ignore",
  unknownNames: "accept",
  sync: defaultSync,
  jobs: defaultJobs,
  faults: undefined,
  recordLimit: 10_000,
  cacheBytes: 256 * 1024 * 1024,
  aggregateStore: false,
  live: undefined,
  notifications: defaultNotifications
}

const defined = <A extends object>(value: A | undefined): Partial<A> =>
  value === undefined
    ? {}
    : (Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<A>)

/** A latency with a usable median, else none (a median of 0 or below adds nothing). */
const latencyOf = (latency: LatencyOptions | undefined): LatencyOptions | undefined =>
  latency === undefined || !(latency.medianMillis > 0)
    ? undefined
    : {
        medianMillis: latency.medianMillis,
        p99Millis: Number.isFinite(latency.p99Millis) ? latency.p99Millis : latency.medianMillis
      }

/** Fill every missing option with its default. @since 0.1.0 */
export const resolve = (input: Input = {}): EmulatorOptions => {
  const top = defined(input) as Partial<EmulatorOptions>
  return {
    ...defaults,
    ...top,
    anchorMillis: input.anchorMillis,
    faults: input.faults,
    latency: latencyOf(input.latency),
    rateLimit: { ...defaults.rateLimit, ...defined(input.rateLimit) },
    sync: { ...defaultSync, ...defined(input.sync) },
    jobs: { ...defaultJobs, ...defined(input.jobs) },
    live:
      input.live === undefined || input.live === false
        ? undefined
        : { ...defaultLive, ...(input.live === true ? {} : defined(input.live)) },
    notifications: { ...defaultNotifications, ...defined(input.notifications) }
  }
}

const DAY = 86_400_000

/** Epoch millis of the first instant of the dataset (`startDate` 00:00 UTC). @since 0.1.0 */
export const datasetStartMillis = (options: Pick<EmulatorOptions, "startDate">): number =>
  Date.parse(`${options.startDate}T00:00:00.000Z`)

/** Epoch millis just after the last day of data. @since 0.1.0 */
export const datasetEndMillis = (options: Pick<EmulatorOptions, "startDate" | "days">): number =>
  datasetStartMillis(options) + options.days * DAY

/** The emulator "now" at start: the explicit anchor, or dataset end + availability lag + 1 h. @since 0.1.0 */
export const anchorOf = (options: EmulatorOptions): number =>
  options.anchorMillis ?? datasetEndMillis(options) + options.jobs.availabilityLagMillis + 60 * 60 * 1000

/** A UTC `YYYY-MM-DD` `days` before the day of `endMillis`. */
const daysBefore = (endMillis: number, days: number): string =>
  new Date(Math.floor(endMillis / DAY) * DAY - days * DAY).toISOString().slice(0, 10)

/**
 * Data that ends at `endMillis` (the real time, or `anchorMillis`): without a `startDate`, the dataset is the `days`
 * full UTC days before the day of `endMillis` plus that day (`days + 1` in the resolved options), and the emulator
 * "now" starts at `endMillis`, so conversations appear as the clock passes their end, as in a live org. With a
 * `startDate`, `input` unchanged. The server always places its data so; `Emulator.make` does when its `Clock` is not a
 * `TestClock` (under `TestClock`, the fixed defaults keep tests reproducible).
 *
 * @since 0.3.0
 */
export const endingAt = (input: Input, endMillis: number): Input => {
  if (input.startDate !== undefined) return input
  const days = input.days ?? defaults.days
  const ahead = liveHorizonDays(input)
  return { ...input, startDate: daysBefore(endMillis, days), days: days + 1 + ahead, anchorMillis: endMillis }
}

/** Days of data after the start day in live mode (0 when not live). */
const liveHorizonDays = (input: Input): number =>
  input.live === undefined || input.live === false
    ? 0
    : ((input.live === true ? undefined : input.live.horizonDays) ?? defaultLive.horizonDays)

/**
 * Where a live emulator under `TestClock` starts when no `anchorMillis` is given: noon UTC of the day after the
 * default dataset's days (`2026-01-12T12:00:00Z` with the defaults).
 *
 * @since 0.4.0
 */
export const liveTestAnchor = (input: Input): number =>
  Date.parse(`${defaults.startDate}T00:00:00.000Z`) + (input.days ?? defaults.days) * DAY + DAY / 2
