/**
 * The durable engine of several machines: `@effect/cluster` runners that share a Postgres database (messages, replies,
 * shard locks held as advisory locks) and talk over sockets, and clients that only submit and follow. What a runner
 * needs per execution (an org's credentials, the output) is resolved here from the runner's own configuration:
 * the cluster's tables hold org names and sink descriptions, never a secret.
 *
 * @internal
 */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationAggregates from "@effect-genesys/analytics/ConversationAggregates"
import { ConversationDetails } from "@effect-genesys/analytics/ConversationDetails"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as PageSink from "@effect-genesys/analytics/PageSink"
import * as Webhook from "@effect-genesys/analytics/Webhook"
import * as SqlSink from "@effect-genesys/sql/SqlSink"
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as EntityId from "@effect/cluster/EntityId"
import * as Runner from "@effect/cluster/Runner"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import * as Sharding from "@effect/cluster/Sharding"
import * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SqlMessageStorage from "@effect/cluster/SqlMessageStorage"
import * as SqlRunnerStorage from "@effect/cluster/SqlRunnerStorage"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeClusterSocket from "@effect/platform-node/NodeClusterSocket"
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as HashRing from "effect/HashRing"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import * as Scope from "effect/Scope"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Output from "./output.js"
import * as SecretGuard from "./secretGuard.js"

/** Where a cluster's runners find each other and their journal. @internal */
export interface ClusterOptions {
  readonly url: Redacted.Redacted<string>
}

/** Workflows are in the default shard group. */
const shardGroup = "default"
const shardLockExpirationSeconds = 8

// Failover in seconds, not the library defaults' half minute: a dead runner's advisory locks go with its connection,
// and a healthy runner takes its shards at the next refresh.
const shardingConfig = {
  shardLockRefreshInterval: "2 seconds",
  shardLockExpiration: `${shardLockExpirationSeconds} seconds`,
  entityMessagePollInterval: "500 millis",
  entityReplyPollInterval: "200 millis",
  refreshAssignmentsInterval: "1 second",
  sendRetryInterval: "200 millis",
  runnerHealthCheckInterval: "1 second",
  entityTerminationTimeout: "5 seconds"
} as const

/** The cluster's database. @internal */
export const pg = (url: Redacted.Redacted<string>) =>
  PgClient.layer({ url, maxConnections: 8, applicationName: "genesys-analytics" })

const quietly = <A, E, R>(layer: Layer.Layer<A, E, R>) =>
  Layer.locally(layer, FiberRef.currentMinimumLogLevel, LogLevel.Error)

/**
 * Creates the cluster's tables once, under a Postgres advisory lock, so that runners booting together on a fresh
 * database do not race the creation.
 *
 * @internal
 */
export const migrate = (url: Redacted.Redacted<string>) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    // A session lock on one reserved connection; the tables are created over the pool's other connections.
    const lock = yield* sql.reserve
    yield* lock.executeRaw("SELECT pg_advisory_lock(hashtext('effect-genesys cluster migrations'))", [])
    yield* Layer.build(
      Layer.mergeAll(SqlMessageStorage.layer, SqlRunnerStorage.layer).pipe(Layer.provide(ShardingConfig.layer()))
    ).pipe(
      Effect.scoped,
      Effect.ensuring(
        Effect.ignore(lock.executeRaw("SELECT pg_advisory_unlock(hashtext('effect-genesys cluster migrations'))", []))
      )
    )
  }).pipe(Effect.scoped, Effect.provide(pg(url)))

/**
 * A runner's engine: it executes workflows of the cluster and listens on `host:port` for its peers. Its `Sharding` is
 * kept for the {@link placement}.
 *
 * @internal
 */
export const runnerEngine = (options: ClusterOptions & { readonly host: string; readonly port: number }) =>
  quietly(
    ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(
        NodeClusterSocket.layer({
          storage: "sql",
          shardingConfig: {
            ...shardingConfig,
            runnerAddress: Option.some(RunnerAddress.make(options.host, options.port))
          }
        })
      ),
      Layer.provide(pg(options.url))
    )
  )

/** A client's engine: submits and follows executions, runs nothing; its journal's connections come with it. @internal */
export const clientEngine = (options: ClusterOptions): Layer.Layer<WorkflowEngine | SqlClient.SqlClient, unknown> =>
  quietly(
    ClusterWorkflowEngine.layer.pipe(
      // A client only waits for a result: polling for it every second instead of every 200 ms keeps six followers of
      // six extractions from costing a core between them (bench:cluster measured ~4 s of CPU each per run).
      Layer.provide(
        NodeClusterSocket.layer({
          clientOnly: true,
          storage: "sql",
          shardingConfig: { ...shardingConfig, entityReplyPollInterval: "1 second" }
        })
      ),
      Layer.provideMerge(pg(options.url))
    )
  ) as Layer.Layer<WorkflowEngine | SqlClient.SqlClient, unknown>

/**
 * Which runner holds an execution now, as every runner computes it: the shard of the id, and the shard's runner on the
 * hash ring of the healthy runners in the cluster's table (what `Sharding` assigns; a runner takes a shard it is
 * assigned within a lock refresh). An extraction asks it to spread its windows: each runner logs in to an org with a
 * token of its own, so windows that pile up on one runner share one token's rate limit while the others idle.
 *
 * @internal
 */
export const placement = Effect.gen(function* () {
  const sharding = yield* Sharding.Sharding
  const sql = yield* SqlClient.SqlClient
  const unknown = (ids: ReadonlyArray<string>) => ids.map((): string | undefined => undefined)
  return {
    runnersOf: (ids: ReadonlyArray<string>) =>
      Effect.gen(function* () {
        const rows = yield* sql<{ readonly runner: string; readonly healthy: unknown }>`
          SELECT runner, healthy FROM cluster_runners
          WHERE last_heartbeat > now() - make_interval(secs => ${shardLockExpirationSeconds})`
        const ring = HashRing.make<RunnerAddress.RunnerAddress>()
        for (const row of rows) {
          if (row.healthy !== true && row.healthy !== 1) continue
          const runner = Runner.Runner.decodeSync(row.runner)
          if (runner.groups.includes(shardGroup)) HashRing.add(ring, runner.address, { weight: runner.weight })
        }
        const shards = HashRing.getShards(ring, ShardingConfig.defaults.shardsPerGroup)
        if (shards === undefined) return unknown(ids)
        return ids.map((id) => shards[sharding.getShardId(EntityId.make(id), shardGroup).id - 1]?.toString())
      }).pipe(Effect.orElseSucceed(() => unknown(ids)))
  } satisfies ExtractionWorkflow.Placement
})

/** Journal-storable description of where an execution writes. @internal */
export const SinkSpec = Schema.Union(
  Schema.Struct({ format: Schema.Literal("postgres"), url: Schema.String }),
  Schema.Struct({ format: Schema.Literal("ndjson", "csv", "sqlite"), out: Schema.String })
)

/** @internal */
export type SinkSpec = typeof SinkSpec.Type

/** One org of a runner: where its API is and its credentials (the secret by file or variable, never inline). */
const OrgProfile = Schema.Struct({
  region: Schema.optional(Schema.String),
  apiUrl: Schema.optional(Schema.String),
  loginUrl: Schema.optional(Schema.String),
  clientId: Schema.String,
  clientSecretEnv: Schema.optional(Schema.String),
  clientSecretFile: Schema.optional(Schema.String)
})

/** The runner's org profiles: a JSON object of name to profile. @internal */
export const OrgProfiles = Schema.Record({ key: Schema.String, value: OrgProfile })

/** Reads `--orgs <file>`; the org `default` is always the `GENESYS_*` environment unless the file names it. @internal */
export const readProfiles = (path: Option.Option<string>) =>
  Option.match(path, {
    onNone: () => Effect.succeed({} as typeof OrgProfiles.Type),
    onSome: (file) =>
      Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(file)).pipe(
        Effect.flatMap(Schema.decodeUnknown(Schema.parseJson(OrgProfiles))),
        Effect.mapError((e) => Cli.usage(`--orgs ${file}: ${String(e.message).split("\n")[0]}`))
      )
  })

const configOf = (name: string, profiles: typeof OrgProfiles.Type) =>
  Effect.gen(function* () {
    const profile = profiles[name]
    if (profile === undefined) {
      if (name === "default") return yield* Connection.resolve(emptyConnection)
      return yield* Cli.usage(`unknown org profile "${name}" (known: default, ${Object.keys(profiles).join(", ")})`)
    }
    const fs = yield* FileSystem.FileSystem
    const secret =
      profile.clientSecretFile !== undefined
        ? (yield* Effect.orElseSucceed(fs.readFileString(profile.clientSecretFile), () => "")).split(/\r?\n/)[0]!
        : (process.env[profile.clientSecretEnv ?? ""] ?? "")
    if (secret === "")
      return yield* Cli.usage(`org profile "${name}": no client secret (clientSecretEnv or clientSecretFile)`)
    SecretGuard.registerCredentials(profile.clientId, secret)
    return yield* GenesysConfig.make({
      region: profile.region,
      apiUrl: profile.apiUrl,
      loginUrl: profile.loginUrl,
      clientId: profile.clientId,
      clientSecret: Redacted.make(secret)
    }).pipe(Effect.mapError((e) => Cli.usage(`org profile "${name}": ${e.message}`)))
  })

const emptyConnection: Connection.Connection = {
  region: Option.none(),
  clientId: Option.none(),
  clientSecretFile: Option.none(),
  apiUrl: Option.none(),
  loginUrl: Option.none()
}

/** The services of one org: its client, its audit log (the runner's), its webhook. */
const orgServices = (
  config: GenesysConfig.Service,
  audit: Layer.Layer<AuditLog.AuditLog, Cli.CliFailure>,
  scope: Scope.Scope
) =>
  Effect.map(
    Layer.buildWithScope(Connection.clientLayer(config, audit), scope),
    (context) =>
      ({
        details: Context.get(context, ConversationDetails),
        aggregates: Context.get(context, ConversationAggregates.ConversationAggregates),
        audit: Context.get(context, AuditLog.AuditLog),
        validator: config.validator,
        webhook: Context.get(context, Webhook.Webhook)
      }) as const
  )

/** A page sink for a sink description, built in the runner's scope; a Postgres sink writes through `poolOf` its URL. */
const pageSinkOf = (
  spec: SinkSpec,
  execution: string,
  scope: Scope.Scope,
  poolOf: (url: string) => Effect.Effect<Context.Context<SqlClient.SqlClient>, unknown>
) =>
  Effect.gen(function* () {
    if (spec.format === "postgres") {
      SecretGuard.register(new URL(spec.url).password)
      return yield* Effect.provide(SqlSink.makePageSink({ execution }), yield* poolOf(spec.url))
    }
    const output: Output.Output = { format: spec.format, target: Option.some(spec.out) }
    const fs = yield* FileSystem.FileSystem
    return yield* PageSink.staged({
      directory: `${spec.out}.parts/${encodeURIComponent(execution)}`,
      makeSink: Output.open(output).pipe(Scope.extend(scope), Effect.provideService(FileSystem.FileSystem, fs)),
      validation: Output.validationOf(spec.format)
    })
  })

/**
 * The runner's environment: per execution, the org's services (built once per org) and the sink (once per
 * execution), kept for the runner's life.
 *
 * @internal
 */
export const environment = (
  profiles: typeof OrgProfiles.Type,
  audit: Layer.Layer<AuditLog.AuditLog, Cli.CliFailure>,
  onPage: (org: string, page: ExtractionWorkflow.PageProgress) => Effect.Effect<void>
) =>
  Layer.scoped(
    ExtractionWorkflow.Environment,
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const fs = yield* FileSystem.FileSystem
      const place = yield* placement
      // One audit chain for the runner, whichever org a step works for.
      const auditLog = Layer.succeedContext(yield* Layer.buildWithScope(audit, scope))
      const orgs = yield* Effect.cachedFunction((org: string) =>
        Effect.flatMap(configOf(org, profiles), (config) => orgServices(config, auditLog, scope)).pipe(
          Effect.provideService(FileSystem.FileSystem, fs)
        )
      )
      // One pool per database for the runner's life, whatever the number of extractions written to it (a pool per
      // extraction kept every one of them open until the runner stopped). Only a pool that was built is kept: a
      // database that refused one extraction is tried again by the next.
      const built = yield* SynchronizedRef.make(new Map<string, Context.Context<SqlClient.SqlClient>>())
      const pools = (url: string) =>
        SynchronizedRef.modifyEffect(built, (byUrl) => {
          const pool = byUrl.get(url)
          return pool !== undefined
            ? Effect.succeed([pool, byUrl] as const)
            : Effect.map(
                Layer.buildWithScope(pg(Redacted.make(url)), scope),
                (made) => [made, new Map(byUrl).set(url, made)] as const
              )
        })
      const sinks = yield* Effect.cachedFunction((key: string) => {
        const { execution, sink } = JSON.parse(key) as { execution: string; sink: unknown }
        return Effect.flatMap(Schema.decodeUnknown(SinkSpec)(sink), (spec) =>
          pageSinkOf(spec, execution, scope, pools)
        ).pipe(Effect.provideService(FileSystem.FileSystem, fs))
      })
      return {
        placement: place,
        resolve: (execution: { readonly org: string; readonly sink: unknown; readonly planHash: string }) =>
          Effect.gen(function* () {
            const org = yield* orgs(execution.org)
            const sink =
              execution.sink === null
                ? undefined
                : yield* sinks(
                    JSON.stringify({ execution: `${execution.org}:${execution.planHash}`, sink: execution.sink })
                  )
            return {
              details: org.details,
              aggregates: org.aggregates,
              audit: org.audit,
              validator: org.validator,
              sink: sink ?? noSink,
              notify: org.webhook.notify,
              quarantine: undefined,
              onPage: (page) => onPage(execution.org, page),
              onWindowDone: undefined,
              around: (step) => step
            } satisfies ExtractionWorkflow.StepServices
          }).pipe(Effect.mapError((e) => new ExtractionWorkflow.SinkFailed({ message: describe(e) })))
      }
    })
  )

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e))

// The plan step has no sink; a window step without one is a bug in the submitter.
const noSink: PageSink.PageSink<unknown> = {
  writePage: () => Effect.dieMessage("this execution names no sink"),
  finalize: () => Effect.dieMessage("this execution names no sink")
}
