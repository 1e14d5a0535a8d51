// Wiring for the reliability suite: the real client stack over the emulator's in-process HttpClient, with the
// real AuditLog (memory or file), a CheckpointStore, and a tap on every exchange that captures the credentials
// that crossed the wire (Basic header, issued and presented tokens) so the secrets test can look for them; and
// the arbitraries and checks of the bad-input fuzz, shared by its three files (one per entry point).
import * as HttpClient from "@effect/platform/HttpClient"
import * as Emulator from "@effect-genesys/emulator/Emulator"
import type * as EmulatorOptions from "@effect-genesys/emulator/EmulatorOptions"
import { assert } from "@effect/vitest"
import { Cause, Context, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Option, Stream } from "effect"
import * as fc from "fast-check"
import * as AuditLog from "../src/AuditLog.js"
import * as CheckpointStore from "../src/CheckpointStore.js"
import * as ConversationDetails from "../src/ConversationDetails.js"
import * as Extraction from "../src/Extraction.js"
import { isGenesysError } from "../src/GenesysError.js"
import * as QueryValidator from "../src/QueryValidator.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import * as Interval from "../src/Interval.js"

export const DAY = Interval.DAY_MILLIS
export const HOUR = 3_600_000
export const day0 = Date.parse("2026-01-05T00:00:00.000Z")
export const DAYS = 5

// Emulator "now" is 10:00 the day after the data ends, so every conversation has ended and nothing changes
// while a test runs; jobs see data up to 04:00 of day 3 (four job windows), the rest is the sync tail.
export const anchorMillis = day0 + DAYS * DAY + 10 * HOUR
export const watermarkMillis = day0 + 3 * DAY + 4 * HOUR
export const wholeInterval = Interval.format(day0, day0 + DAYS * DAY)

/** A few thousand conversations: four job windows and three sync-query windows. */
export const soakEmulator: EmulatorOptions.Input = {
  seed: 23,
  startDate: "2026-01-05",
  days: DAYS,
  perDay: 600,
  anchorMillis,
  rateLimit: { count: 100_000, windowSeconds: 60 },
  jobs: {
    queueMillis: 1_000,
    runMillis: 2_000,
    runMillisPerConversation: 0,
    resultsDefaultPageSize: 100,
    availabilityLagMillis: anchorMillis - watermarkMillis
  }
}

/** What crossed the wire: every Authorization header sent and every access token the emulator issued. */
export interface Wire {
  readonly authorizations: Array<string>
  readonly issuedTokens: Array<string>
}

/** The credentials seen on the wire during a test. */
export class WireTap extends Context.Tag("test/WireTap")<WireTap, Wire>() {}

/**
 * The emulator and an in-process HttpClient over it that records credentials as they pass: the client's
 * Authorization headers and the `access_token` of every token response.
 */
export const tappedEmulator = (
  options: EmulatorOptions.Input
): Layer.Layer<Emulator.Emulator | HttpClient.HttpClient | WireTap> =>
  Layer.effectContext(
    Effect.map(Emulator.make(options), (service) => {
      const wire: Wire = { authorizations: [], issuedTokens: [] }
      const tapped: Emulator.Service = {
        ...service,
        handleRaw: (request) =>
          Effect.tap(
            Effect.sync(() => {
              const authorization = request.headers.authorization
              if (authorization !== undefined) wire.authorizations.push(authorization)
            }).pipe(Effect.zipRight(service.handleRaw(request))),
            (response) =>
              Effect.sync(() => {
                if (!request.url.startsWith("/oauth/token") || response.status !== 200) return
                const body = JSON.parse(response.body ?? "{}") as { access_token?: string }
                if (body.access_token !== undefined) wire.issuedTokens.push(body.access_token)
              })
          )
      }
      return Context.make(Emulator.Emulator, service).pipe(
        Context.add(HttpClient.HttpClient, Emulator.httpClient(tapped)),
        Context.add(WireTap, wire)
      )
    })
  )

export const clientId = "reliability-client"

/** Client options pointing at the in-process emulator. */
export const clientOptions = (
  clientSecret: string,
  overrides: Partial<GenesysConfig.Options> = {}
): GenesysConfig.Options => ({
  apiUrl: Emulator.baseUrl,
  loginUrl: Emulator.baseUrl,
  clientId,
  clientSecret,
  // Jitter draws from the Random service; fixed polling keeps the fault sequence identical run to run.
  poll: { jitter: false },
  paging: { jobPageSize: 100 },
  ...overrides
})

/**
 * The whole client over the tapped emulator, with the given audit and checkpoint layers. Build it inside the
 * test (Effect.provide) so that the emulator runs on the test's TestClock.
 */
export const stack = <A, EA, RA, ES, RS>(options: {
  readonly emulator: EmulatorOptions.Input
  readonly clientSecret: string
  /** The secret the emulator accepts (default: `clientSecret`); another value makes the login fail. */
  readonly acceptedSecret?: string
  readonly client?: Partial<GenesysConfig.Options>
  readonly audit: Layer.Layer<AuditLog.AuditLog | A, EA, RA>
  readonly store: Layer.Layer<CheckpointStore.CheckpointStore, ES, RS>
}) => {
  const base = Layer.mergeAll(
    tappedEmulator({
      ...options.emulator,
      clientId,
      clientSecret: options.acceptedSecret ?? options.clientSecret
    }),
    GenesysConfig.layer(clientOptions(options.clientSecret, options.client)).pipe(Layer.orDie),
    options.audit,
    options.store
  )
  const auth = GenesysAuth.layer.pipe(Layer.provideMerge(base))
  const http = GenesysHttp.layerWithoutAuth.pipe(Layer.provideMerge(auth))
  return ConversationDetails.layerWithoutHttp.pipe(Layer.provideMerge(http))
}

/** The recorded requests of the emulator. */
export const recorded = Effect.flatMap(Emulator.Emulator, (e) => e.requests)

// ---- bad input -------------------------------------------------------------------------------------------

const fuzzInterval = "2026-01-05T00:00:00.000Z/2026-01-06T00:00:00.000Z"

const validSync = {
  interval: fuzzInterval,
  order: "asc",
  orderBy: "conversationStart",
  paging: { pageSize: 25, pageNumber: 1 },
  segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }],
  conversationFilters: [
    { type: "or", clauses: [{ type: "and", predicates: [{ type: "metric", metric: "tHandle", range: { gte: 1 } }] }] }
  ]
}
const validAsync = {
  interval: fuzzInterval,
  segmentFilters: [{ type: "and", predicates: [{ dimension: "direction", value: "inbound" }] }]
}

type Path = ReadonlyArray<string | number>

const pathsOf = (value: unknown, prefix: Path = []): Array<Path> => {
  const out: Array<Path> = [prefix]
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) out.push(...pathsOf(value[i], [...prefix, i]))
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]))
  }
  return out
}

const setAt = (value: unknown, path: Path, replacement: unknown, remove: boolean): unknown => {
  if (path.length === 0) return replacement
  const [head, ...rest] = path
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) }
  if (rest.length === 0 && remove) {
    if (Array.isArray(copy)) copy.splice(head as number, 1)
    else delete copy[head as string]
  } else copy[head as string] = setAt(copy[head as string], rest, replacement, remove)
  return copy
}

const weird = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true
  }),
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    -0,
    1e308,
    "",
    " ",
    "\u0000",
    "P1D/2026-01-05",
    "2026-01-06/2026-01-05",
    "2026-13-45T99:99:99Z/P1D",
    "__proto__",
    Symbol("s"),
    () => 1
  )
)

/** A valid query with one or more fields replaced or removed. */
const mutated = (base: object) =>
  fc
    .array(
      fc.tuple(fc.nat(), weird, fc.boolean()).map(([i, replacement, remove]) => ({ i, replacement, remove })),
      { minLength: 1, maxLength: 3 }
    )
    .map((mutations) =>
      mutations.reduce<unknown>((value, m) => {
        const paths = pathsOf(value)
        return setAt(value, paths[m.i % paths.length]!, m.replacement, m.remove)
      }, base)
    )

const deep = fc.integer({ min: 50, max: 20_000 }).chain((depth) =>
  fc
    .constantFrom(
      // Nested clauses far past any limit.
      () => {
        let clause: any = { type: "and", predicates: [{ dimension: "mediaType", value: "voice" }] }
        for (let i = 0; i < depth; i++) clause = { type: "and", clauses: [clause] }
        return { interval: fuzzInterval, segmentFilters: [clause] }
      },
      () => {
        let v: any = []
        for (let i = 0; i < depth; i++) v = [v]
        return { interval: fuzzInterval, segmentFilters: v }
      },
      () => `${"[".repeat(depth)}${"]".repeat(depth)}`,
      () => `{"interval":"${fuzzInterval}","x":${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}`
    )
    .map((make) => make())
)

const huge = fc.oneof(
  fc.integer({ min: 5_000, max: 200_000 }).map((n) => ({ ...validAsync, interval: "x".repeat(n) })),
  fc.integer({ min: 5_000, max: 50_000 }).map((n) => ({
    ...validSync,
    segmentFilters: [{ type: "and", predicates: [{ dimension: "queueId", value: "q".repeat(n) }] }]
  })),
  fc.integer({ min: 10_001, max: 30_000 }).map((n) => ({
    interval: fuzzInterval,
    segmentFilters: [
      { type: "or", predicates: Array.from({ length: n }, () => ({ dimension: "mediaType", value: "voice" })) }
    ]
  })),
  fc.constant(`{"interval":"${"y".repeat(1_000_001)}"}`)
)

const hostile = fc
  .constantFrom(
    () => {
      const cyclic: any = { interval: fuzzInterval }
      cyclic.self = cyclic
      cyclic.segmentFilters = [cyclic]
      return cyclic
    },
    () =>
      new Proxy(
        {},
        {
          get: () => {
            throw new Error("boom")
          },
          ownKeys: () => {
            throw new Error("boom")
          }
        }
      ),
    () => ({
      get interval(): string {
        throw new Error("getter")
      }
    }),
    () => ({ interval: fuzzInterval, toJSON: () => ({ interval: 1 }) }),
    () => Object.assign(Object.create(null), { interval: fuzzInterval }),
    () => JSON.parse(`{"__proto__": {"interval": "${fuzzInterval}"}, "constructor": {"prototype": {}}}`)
  )
  .map((make) => make())

const input = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: weird },
  { weight: 4, arbitrary: mutated(validSync) },
  { weight: 4, arbitrary: mutated(validAsync) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(validSync, validAsync, JSON.stringify(validSync)) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: deep },
  { weight: 1, arbitrary: huge },
  { weight: 1, arbitrary: hostile }
)

const describeInput = (value: unknown) => {
  try {
    const text = JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))
    return text === undefined ? String(value) : text.slice(0, 300)
  } catch {
    return "<unprintable>"
  }
}

/** The three entry points a query can come in through. */
export type EntryPoint = "query" | "submitJob" | "plan"

const operations: Record<EntryPoint, (q: unknown) => Effect.Effect<unknown, unknown, any>> = {
  // Only the first page of a valid query: the subject is the input, not paging.
  query: (q) =>
    Effect.flatMap(ConversationDetails.ConversationDetails, (d) => Stream.runDrain(Stream.take(d.query(q), 1))),
  submitJob: (q) => Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.submitJob(q)),
  plan: (q) => Extraction.plan(q)
}

const validates: Record<EntryPoint, (q: unknown) => boolean> = {
  query: (q) => QueryValidator.checkQuery(q).result._tag === "Right",
  submitJob: (q) => QueryValidator.checkAsyncQuery(q).result._tag === "Right",
  plan: (q) => QueryValidator.checkAsyncQuery(q).result._tag === "Right"
}

/**
 * Sends `runs` fuzzed inputs through one entry point over the whole client stack and the in-process emulator,
 * on the live clock (a hang shows as a 5 s timeout). Each call must succeed (only if the validator accepts the
 * input) or fail with a typed GenesysError; QueryInvalid must come with no request at the emulator, and any
 * input the validator refuses must fail QueryInvalid.
 */
/**
 * `npm run soak` sets GENESYS_SOAK to a multiplier: fuzzing then runs that many times longer from a fresh seed
 * (printed, so a failure reproduces with the same seed); `npm test` keeps the fixed counts and seeds.
 */
export const soakFactor = Math.max(1, Number(process.env.GENESYS_SOAK ?? "") || 1)

/** A test timeout that grows with the soak multiplier. */
export const soakTimeout = (millis: number): number => millis * soakFactor

export const soak = (runs: number, seed: number): { readonly runs: number; readonly seed: number } => {
  const factor = soakFactor
  if (factor === 1) return { runs, seed }
  const fresh = Date.now() % 2_147_483_647
  console.log(`soak: ${runs * factor} runs, seed ${fresh}`)
  return { runs: Math.round(runs * factor), seed: fresh }
}

export const fuzzEntryPoint = async (name: EntryPoint, fixedRuns: number, fixedSeed: number) => {
  const { runs, seed } = soak(fixedRuns, fixedSeed)
  const runtime = ManagedRuntime.make(
    stack({
      emulator: { seed: 7, startDate: "2026-01-05", days: 2, perDay: 60, rateLimit: { count: 1_000_000 } },
      clientSecret: "fuzz-secret",
      // Retries are the soak's subject; here a 5xx is just one more typed outcome.
      client: { http: { maxRetries: 0 } },
      audit: AuditLog.layerMemory({ actor: clientId, region: "emulator", runId: "fuzz" }),
      store: CheckpointStore.layerMemory
    }).pipe(
      Layer.orDie,
      // The queries the validator accepts with warnings log each warning: thousands of lines nothing here reads.
      Layer.merge(Logger.minimumLogLevel(LogLevel.Error))
    )
  )
  const stats = { runs: 0, invalid: 0, valid: 0, otherTyped: 0 }
  try {
    const emulator = await runtime.runPromise(Emulator.Emulator)
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        stats.runs++
        Effect.runSync(emulator.clearRequests)
        const exit = await runtime.runPromiseExit(
          operations[name](value).pipe(
            Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "hang" as const })
          ) as Effect.Effect<unknown, unknown, never>
        )
        const requests = Effect.runSync(emulator.requests)
        const where = `${name}(${describeInput(value)})`
        if (Exit.isSuccess(exit)) {
          stats.valid++
          assert.isTrue(validates[name](value), `${where} succeeded although the validator refuses it`)
          return
        }
        assert.isFalse(Cause.isDie(exit.cause), `${where} died: ${Cause.pretty(exit.cause)}`)
        const error = Cause.failureOption(exit.cause)
        if (Option.isNone(error)) return assert.fail(`${where}: ${Cause.pretty(exit.cause)}`)
        assert.notStrictEqual(error.value, "hang", `${where} hung`)
        assert.isTrue(isGenesysError(error.value), `${where} failed with an untyped error: ${String(error.value)}`)
        if ((error.value as { readonly _tag: string })._tag === "QueryInvalid") {
          stats.invalid++
          assert.deepStrictEqual(
            requests.map((r) => `${r.method} ${r.path}`),
            [],
            `${where} was refused but sent requests`
          )
        } else {
          stats.otherTyped++
          assert.isTrue(validates[name](value), `${where} refused by the validator but failed ${String(error.value)}`)
        }
      }),
      { numRuns: runs, seed, endOnFailure: true }
    )
  } finally {
    await runtime.dispose()
  }
  return stats
}
