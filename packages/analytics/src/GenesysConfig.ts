/**
 * Where and as whom to talk to Genesys Cloud, and the policies (timeouts, retries, rate-limit waits, job
 * polling, paging) the client follows. Built from literal options (`layer`) or from a `Config` (`layerConfig`,
 * by default the `GENESYS_*` environment variables).
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { ConfigInvalid } from "./GenesysError.js"
import type { ValidatorOptions } from "./QueryValidator.js"
import * as Region from "./Region.js"

/** How requests are sent, retried and paced. @since 0.1.0 */
export interface HttpPolicy {
  /** Longest wait for one response (headers and body); past it the attempt fails `Transport` `Timeout`. */
  readonly requestTimeout: Duration.Duration
  /**
   * Most retries of an idempotent request after a 5xx, 408, transport failure or unreadable body. Default
   * unlimited (`Infinity`): `retryBudget` bounds them in time instead.
   */
  readonly maxRetries: number
  /**
   * How long an idempotent request keeps being retried after its first transient failure: no retry starts once
   * this much time has passed since it. Long enough by default (2 minutes) to ride out a minute of 5xx.
   */
  readonly retryBudget: Duration.Duration
  /** First backoff delay; doubles per retry, jittered ±20 %, capped by `retryMaxDelay`. */
  readonly retryBaseDelay: Duration.Duration
  readonly retryMaxDelay: Duration.Duration
  /** Wait when a 429 carries neither `Retry-After` nor `inin-ratelimit-reset`. */
  readonly rateLimitDefaultWait: Duration.Duration
  /** A 429 that asks for a longer wait fails at once with `RateLimited` (the .NET SDK refuses > 180 s). */
  readonly rateLimitMaxWait: Duration.Duration
  /** 429 waits for one request before it fails with `RateLimited`. */
  readonly rateLimitMaxRetries: number
  /** Delay requests proactively as `inin-ratelimit-count` nears `inin-ratelimit-allowed`. */
  readonly pacing: boolean
  /** Fraction of the window's budget spent at full speed before pacing spreads the rest over the window. */
  readonly pacingThreshold: number
}

/** Token handling. @since 0.1.0 */
export interface AuthPolicy {
  /** Refresh this long before the token expires (at most half of its lifetime). */
  readonly refreshMargin: Duration.Duration
}

/**
 * How `awaitJob` polls job status: first after `initialDelay`, then each poll `factor - 1` of the job's age later,
 * at least `initialDelay` and at most `maxDelay` apart (so the spacing grows by `factor` a poll once it is past the
 * initial delay, and a job is noticed done at most that share of its age late).
 *
 * @since 0.1.0
 */
export interface PollPolicy {
  /** Wait before the first poll, and the least wait between two. */
  readonly initialDelay: Duration.Duration
  /** Growth factor of the poll interval: polls are `factor - 1` of the job's age apart (within the two delays). */
  readonly factor: number
  readonly maxDelay: Duration.Duration
  /** Jitter the poll interval ±20 % so that many jobs do not poll in lockstep. */
  readonly jitter: boolean
  /** Overall limit; past it `awaitJob` fails with `JobTimeout`. */
  readonly timeout: Duration.Duration
  /**
   * Where this job's polls fall within a poll interval, from 0 to 1: the first poll waits `initialDelay × (1 + phase)`
   * and the polls are not jittered. Jobs submitted together and given phases spread over [0, 1) poll in turn, so the
   * first of them to finish is noticed sooner than with jittered polls, which drift into step. Unset: no offset. It
   * is meant per call (`awaitJob(id, { phase })`): set in the configuration, every job gets the same one, in step.
   */
  readonly phase?: number | undefined
}

/**
 * The wait after a poll of a job `ageMillis` old under `policy`, before jitter: `factor - 1` of its age, at least
 * `initialDelay` and at most `maxDelay`. A job is then noticed done at most that share of its age late, whatever its
 * length.
 *
 * @since 0.3.0
 */
export const pollDelayMillis = (policy: PollPolicy, ageMillis: number): number =>
  Math.min(
    Duration.toMillis(policy.maxDelay),
    Math.max(Duration.toMillis(policy.initialDelay), (policy.factor - 1) * ageMillis)
  )

/** Page sizes and paging limits. @since 0.1.0 */
export interface PagingPolicy {
  /** Page size of sync queries when the query names none (platform maximum 100). */
  readonly queryPageSize: number
  /** Page size of job results. */
  readonly jobPageSize: number
  /** Deepest result a sync query can page to (platform: 100 000). */
  readonly maxResults: number
}

/** The resolved configuration. @since 0.1.0 */
export interface Service {
  readonly region: Region.Region | undefined
  /** API origin without trailing slash, e.g. `https://api.mypurecloud.com`. */
  readonly apiUrl: string
  /** Login origin without trailing slash, e.g. `https://login.mypurecloud.com`. */
  readonly loginUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly http: HttpPolicy
  readonly auth: AuthPolicy
  readonly poll: PollPolicy
  readonly paging: PagingPolicy
  /** Options passed to the query validator (limits, unknown names as error or warning). */
  readonly validator: Partial<ValidatorOptions>
}

/** The configuration of the client. @since 0.1.0 */
export class GenesysConfig extends Context.Tag("@effect-genesys/analytics/GenesysConfig")<GenesysConfig, Service>() {}

/** Defaults of the HTTP policy. @since 0.1.0 */
export const defaultHttpPolicy: HttpPolicy = {
  requestTimeout: Duration.seconds(30),
  maxRetries: Number.POSITIVE_INFINITY,
  retryBudget: Duration.minutes(2),
  retryBaseDelay: Duration.millis(500),
  retryMaxDelay: Duration.seconds(30),
  rateLimitDefaultWait: Duration.seconds(3),
  rateLimitMaxWait: Duration.seconds(60),
  rateLimitMaxRetries: 10,
  pacing: true,
  pacingThreshold: 0.8
}

/** Defaults of the auth policy. @since 0.1.0 */
export const defaultAuthPolicy: AuthPolicy = { refreshMargin: Duration.seconds(60) }

/** Defaults of the poll policy. @since 0.1.0 */
export const defaultPollPolicy: PollPolicy = {
  initialDelay: Duration.seconds(1),
  // Every second for a job's first 7 s, then 15 % of its age apart up to 10 s: a job is noticed done at most 1 s or
  // 15 % of its age late (before the ±20 % jitter), for about 22 polls in a job's first minute and 6 a minute after. An
  // exponential from the first poll grows with the count of polls instead and noticed long jobs a third of their age
  // late, while extraction slots stood idle.
  factor: 1.15,
  maxDelay: Duration.seconds(10),
  jitter: true,
  timeout: Duration.hours(1)
}

/** Defaults of the paging policy. @since 0.1.0 */
export const defaultPagingPolicy: PagingPolicy = { queryPageSize: 100, jobPageSize: 1000, maxResults: 100_000 }

/** What `make` and `layer` accept. Policies are partial: missing fields take the defaults. @since 0.1.0 */
export interface Options {
  /** Region key (`us_east_1`, `us-east-1`) or domain (`mypurecloud.com`). */
  readonly region?: string | Region.Region | undefined
  /** Overrides the region's API URL (gateways, the emulator). */
  readonly apiUrl?: string | undefined
  /** Overrides the region's login URL; without region it defaults to `apiUrl`. */
  readonly loginUrl?: string | undefined
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string> | string
  readonly http?: Partial<HttpPolicy> | undefined
  readonly auth?: Partial<AuthPolicy> | undefined
  readonly poll?: Partial<PollPolicy> | undefined
  readonly paging?: Partial<PagingPolicy> | undefined
  readonly validator?: Partial<ValidatorOptions> | undefined
}

const isLoopback = (hostname: string): boolean => {
  const host = hostname.toLowerCase()
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host)
}

/**
 * Checks an origin: absolute `https://` URL, or `http://` to a loopback host (127.0.0.0/8, localhost, [::1]).
 * Returns it without trailing slash.
 *
 * @since 0.1.0
 */
export const checkUrl = (field: string, input: string): Either.Either<string, ConfigInvalid> => {
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    return Either.left(new ConfigInvalid({ field, detail: `"${input}" is not an absolute URL` }))
  }
  if (url.username !== "" || url.password !== "") {
    return Either.left(new ConfigInvalid({ field, detail: "credentials in the URL are not accepted" }))
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    return Either.left(
      new ConfigInvalid({
        field,
        detail: `plain http is refused for ${url.hostname}: use https (http is allowed only for loopback hosts)`
      })
    )
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return Either.left(new ConfigInvalid({ field, detail: `unsupported protocol ${url.protocol}` }))
  }
  return Either.right(`${url.origin}${url.pathname}`.replace(/\/+$/, ""))
}

const positive = (field: string, value: number, integer: boolean): Either.Either<number, ConfigInvalid> =>
  Number.isFinite(value) && value > 0 && (!integer || Number.isInteger(value))
    ? Either.right(value)
    : Either.left(new ConfigInvalid({ field, detail: `must be a positive ${integer ? "integer" : "number"}` }))

/** Resolves options into the configuration, failing with `ConfigInvalid`. @since 0.1.0 */
export const make = (options: Options): Effect.Effect<Service, ConfigInvalid> =>
  Effect.gen(function* () {
    const region =
      options.region === undefined || options.region === ""
        ? undefined
        : typeof options.region === "string"
          ? yield* Region.parse(options.region)
          : options.region
    const apiInput = options.apiUrl || region?.apiUrl
    if (apiInput === undefined) {
      return yield* new ConfigInvalid({ field: "region", detail: "set a region (GENESYS_REGION) or an apiUrl" })
    }
    const apiUrl = yield* checkUrl("apiUrl", apiInput)
    const loginUrl = yield* checkUrl("loginUrl", options.loginUrl || region?.loginUrl || apiUrl)
    if (options.clientId.trim() === "") {
      return yield* new ConfigInvalid({ field: "clientId", detail: "must not be empty" })
    }
    const clientSecret =
      typeof options.clientSecret === "string" ? Redacted.make(options.clientSecret) : options.clientSecret
    if (Redacted.value(clientSecret) === "") {
      return yield* new ConfigInvalid({ field: "clientSecret", detail: "must not be empty" })
    }
    const http: HttpPolicy = { ...defaultHttpPolicy, ...options.http }
    yield* positive("http.pacingThreshold", http.pacingThreshold, false)
    if (http.pacingThreshold > 1) {
      return yield* new ConfigInvalid({ field: "http.pacingThreshold", detail: "must be at most 1" })
    }
    if (!(Number.isInteger(http.maxRetries) || http.maxRetries === Number.POSITIVE_INFINITY) || http.maxRetries < 0) {
      return yield* new ConfigInvalid({
        field: "http.maxRetries",
        detail: "must be a non-negative integer (or Infinity: bounded by retryBudget only)"
      })
    }
    const poll: PollPolicy = { ...defaultPollPolicy, ...options.poll }
    if (!(Number.isFinite(poll.factor) && poll.factor >= 1)) {
      // Below 1 the age share is never above the initial delay: polls every `initialDelay` for the whole timeout.
      return yield* new ConfigInvalid({
        field: "poll.factor",
        detail: "must be a number of at least 1 (1: every initialDelay)"
      })
    }
    const paging: PagingPolicy = { ...defaultPagingPolicy, ...options.paging }
    yield* positive("paging.queryPageSize", paging.queryPageSize, true)
    yield* positive("paging.jobPageSize", paging.jobPageSize, true)
    yield* positive("paging.maxResults", paging.maxResults, true)
    return {
      region,
      apiUrl,
      loginUrl,
      clientId: options.clientId.trim(),
      clientSecret,
      http,
      auth: { ...defaultAuthPolicy, ...options.auth },
      poll,
      paging,
      validator: options.validator ?? {}
    }
  })

/** The configuration from literal options. @since 0.1.0 */
export const layer = (options: Options): Layer.Layer<GenesysConfig, ConfigInvalid> =>
  Layer.effect(GenesysConfig, make(options))

/**
 * Reads `GENESYS_REGION`, `GENESYS_CLIENT_ID`, `GENESYS_CLIENT_SECRET` (redacted), `GENESYS_API_URL`,
 * `GENESYS_LOGIN_URL`, and optionally `GENESYS_REQUEST_TIMEOUT`, `GENESYS_RETRY_BUDGET` and `GENESYS_JOB_TIMEOUT` (durations such as
 * `30 seconds`) and `GENESYS_VALIDATOR_STRICT` (`true`: validator warnings fail the query). The other policies have
 * no variable: map this config to set them (see `layerConfig`).
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = Config.all({
  region: Config.option(Config.string("REGION")),
  apiUrl: Config.option(Config.string("API_URL")),
  loginUrl: Config.option(Config.string("LOGIN_URL")),
  clientId: Config.string("CLIENT_ID"),
  clientSecret: Config.redacted("CLIENT_SECRET"),
  requestTimeout: Config.option(Config.duration("REQUEST_TIMEOUT")),
  retryBudget: Config.option(Config.duration("RETRY_BUDGET")),
  jobTimeout: Config.option(Config.duration("JOB_TIMEOUT")),
  validatorStrict: Config.option(Config.boolean("VALIDATOR_STRICT"))
}).pipe(
  Config.nested("GENESYS"),
  Config.map(
    (c): Options => ({
      region: Option.getOrUndefined(c.region),
      apiUrl: Option.getOrUndefined(c.apiUrl),
      loginUrl: Option.getOrUndefined(c.loginUrl),
      clientId: c.clientId,
      clientSecret: c.clientSecret,
      http: {
        ...Option.match(c.requestTimeout, { onNone: () => ({}), onSome: (requestTimeout) => ({ requestTimeout }) }),
        ...Option.match(c.retryBudget, { onNone: () => ({}), onSome: (retryBudget) => ({ retryBudget }) })
      },
      poll: Option.match(c.jobTimeout, { onNone: () => ({}), onSome: (timeout) => ({ timeout }) }),
      ...Option.match(c.validatorStrict, { onNone: () => ({}), onSome: (strict) => ({ validator: { strict } }) })
    })
  )
)

// `layerConfig`'s parameter is named `config` too (as in `@effect/sql-pg`), which hides the export in its default.
const environmentConfig = config

/**
 * The configuration read from a `Config` (the `@effect/sql-pg` `layerConfig` shape): a `Config<Options>`, or a
 * struct of `Config`s per field (`Config.Wrap<Options>`). The default, `config`, reads the `GENESYS_*` variables
 * of the current `ConfigProvider`. To add policies the environment does not cover, map it:
 * `layerConfig(Config.map(GenesysConfig.config, (o) => ({ ...o, paging: { jobPageSize: 500 } })))`.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: Config.Config.Wrap<Options> = environmentConfig
): Layer.Layer<GenesysConfig, ConfigError.ConfigError | ConfigInvalid> =>
  Layer.effect(GenesysConfig, Effect.flatMap(Config.unwrap(config), make))
