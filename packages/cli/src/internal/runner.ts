/**
 * `genesys-analytics runner`: one runner of a cluster. It creates the cluster's tables if needed (once, under a lock),
 * registers the extraction workflows, prints one "ready" line and executes whatever share of the cluster's
 * executions its shards hold until it is stopped; a runner that dies has its shards taken over by the others.
 *
 * @internal
 */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Cli from "./cliError.js"
import * as Cluster from "./cluster.js"
import * as Retention from "./clusterRetention.js"
import * as Io from "./io.js"
import * as SecretGuard from "./secretGuard.js"

/** The parsed `runner` flags. @internal */
export interface Settings {
  readonly cluster: string
  readonly host: string
  readonly port: number
  readonly orgs: Option.Option<string>
  readonly audit: Option.Option<string>
  /** Hours a completed extraction's journal is kept before the sweep deletes it. */
  readonly retentionHours: number
}

/** The database URL as a secret: its password is never printed. @internal */
export const clusterUrl = (text: string): Effect.Effect<Redacted.Redacted<string>, Cli.CliFailure> =>
  Effect.gen(function* () {
    let url: URL
    try {
      url = new URL(text)
    } catch {
      return yield* Cli.usage("--cluster must be a postgres:// URL")
    }
    if (!/^postgres(ql)?:$/.test(url.protocol)) return yield* Cli.usage("--cluster must be a postgres:// URL")
    if (url.password !== "") SecretGuard.register(decodeURIComponent(url.password))
    return Redacted.make(text)
  })

/** Where a URL points, without its credentials, for messages. @internal */
export const describeUrl = (text: string): string => {
  try {
    const url = new URL(text)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return "the cluster database"
  }
}

const auditLayer = (path: Option.Option<string>) => {
  const options: AuditLog.Options = { actor: "genesys-analytics runner", region: "cluster" }
  return Option.match(path, {
    onNone: () => AuditLog.layerMemory(options) as Layer.Layer<AuditLog.AuditLog, Cli.CliFailure>,
    onSome: (file) =>
      AuditLog.layerFile(file, options).pipe(
        Layer.provide(NodeFileSystem.layer),
        Layer.mapError((e) => Cli.usage(`cannot open audit log ${file}: ${e.message.split("\n")[0]}`))
      )
  })
}

// `pg` warns when a connection is handed a query while busy, which the cluster's lock connection does by design; the
// warning says nothing to the operator, every other process warning still prints.
const quietPgDeprecation = () => {
  const listeners = process.listeners("warning")
  process.removeAllListeners("warning")
  process.on("warning", (warning) => {
    if (warning.name === "DeprecationWarning" && warning.message.includes("client.query()")) return
    for (const listener of listeners) listener(warning)
  })
}

/** The `runner` command: serves until SIGINT/SIGTERM, then hands its shards over. @internal */
export const command = (settings: Settings) =>
  Effect.gen(function* () {
    if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535) {
      return yield* Cli.usage(`--port must be from 1 to 65535, not ${settings.port}`)
    }
    if (!(settings.retentionHours >= 0)) {
      return yield* Cli.usage(`--retention-hours must be 0 or more, not ${settings.retentionHours}`)
    }
    const url = yield* clusterUrl(settings.cluster)
    quietPgDeprecation()
    yield* Cluster.migrate(url).pipe(
      Effect.mapError((e) => Cli.partial(`cannot prepare ${describeUrl(settings.cluster)}: ${e.message}`))
    )
    const profiles = yield* Cluster.readProfiles(settings.orgs)
    const onPage = (org: string, page: ExtractionWorkflow.PageProgress) =>
      Io.stderr(`genesys-analytics runner: ${org} ${page.window} page ${page.page} (${page.written} written)\n`)
    const runner = ExtractionWorkflow.layer.pipe(
      Layer.provide(Cluster.environment(profiles, auditLayer(settings.audit), onPage)),
      Layer.provideMerge(Cluster.runnerEngine({ url, host: settings.host, port: settings.port })),
      Layer.provideMerge(Cluster.pg(url))
    )
    const retentionMillis = settings.retentionHours * 3_600_000
    return yield* Effect.scoped(
      Effect.gen(function* () {
        const context = yield* Layer.build(runner)
        const sweep = Effect.provide(Retention.sweep(retentionMillis), context)
        // Once before the ready line (a restarted runner starts clean), then every ten minutes.
        yield* sweep
        yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced("10 minutes")))
        yield* Io.stdout(
          `genesys-analytics runner: ready on ${settings.host}:${settings.port} (cluster ${describeUrl(settings.cluster)}; orgs: default${Object.keys(profiles).length > 0 ? `, ${Object.keys(profiles).join(", ")}` : ""})\n`
        )
        return yield* Effect.never
      })
    )
  }).pipe(Effect.provide(NodeFileSystem.layer))
