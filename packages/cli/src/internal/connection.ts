/** @internal */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationAggregates from "@effect-genesys/analytics/ConversationAggregates"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as Webhook from "@effect-genesys/analytics/Webhook"
import * as FileSystem from "@effect/platform/FileSystem"
import * as HttpClient from "@effect/platform/HttpClient"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Cli from "./cliError.js"
import * as SecretGuard from "./secretGuard.js"
import * as Transport from "./transport.js"

/** The parsed connection flags. @internal */
export interface Connection {
  readonly region: Option.Option<string>
  readonly clientId: Option.Option<string>
  readonly clientSecretFile: Option.Option<string>
  readonly apiUrl: Option.Option<string>
  readonly loginUrl: Option.Option<string>
  /** `--strict`: validator warnings fail the query (as GENESYS_VALIDATOR_STRICT=true). */
  readonly strict?: boolean | undefined
}

const firstLine = (text: string) => text.split(/\r?\n/)[0]!.trim()

/**
 * The configuration from the flags over the `GENESYS_*` environment: the flags are put in front of the environment
 * as a config provider, so the library's own `GenesysConfig.config` reads both with the same rules.
 *
 * @internal
 */
export const resolve = (
  connection: Connection,
  policies?: Pick<GenesysConfig.Options, "http" | "poll" | "paging">
): Effect.Effect<GenesysConfig.Service, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const entries: Array<[string, string]> = []
    const put = (name: string, value: Option.Option<string>) => {
      if (Option.isSome(value)) entries.push([`GENESYS_${name}`, value.value])
    }
    put("REGION", connection.region)
    put("CLIENT_ID", connection.clientId)
    put("API_URL", connection.apiUrl)
    put("LOGIN_URL", connection.loginUrl)
    if (connection.strict === true) entries.push(["GENESYS_VALIDATOR_STRICT", "true"])
    if (Option.isSome(connection.clientSecretFile)) {
      const path = connection.clientSecretFile.value
      const text = yield* fs
        .readFileString(path)
        .pipe(Effect.mapError((e) => Cli.usage(`cannot read --client-secret-file ${path}: ${e.message}`)))
      entries.push(["GENESYS_CLIENT_SECRET", firstLine(text)])
      SecretGuard.register(firstLine(text))
    }
    // Registered before anything can fail: a message about the configuration must not print it either.
    if (process.env.GENESYS_CLIENT_SECRET !== undefined) SecretGuard.register(process.env.GENESYS_CLIENT_SECRET)
    const provider = ConfigProvider.fromMap(new Map(entries), { pathDelim: "_" }).pipe(
      ConfigProvider.orElse(() => ConfigProvider.fromEnv())
    )
    const fromEnv = yield* Effect.withConfigProvider(GenesysConfig.config, provider).pipe(
      Effect.mapError((error) => {
        const text = String(error)
        if (text.includes("CLIENT_ID")) return Cli.usage("missing client id: set GENESYS_CLIENT_ID or --client-id")
        if (text.includes("CLIENT_SECRET")) {
          return Cli.usage("missing client secret: set GENESYS_CLIENT_SECRET or --client-secret-file")
        }
        return Cli.usage(`configuration: ${firstLine(text)}`)
      })
    )
    const secret = fromEnv.clientSecret
    SecretGuard.registerCredentials(fromEnv.clientId, typeof secret === "string" ? secret : Redacted.value(secret))
    return yield* GenesysConfig.make({
      ...fromEnv,
      http: { ...fromEnv.http, ...policies?.http },
      poll: { ...fromEnv.poll, ...policies?.poll },
      paging: { ...fromEnv.paging, ...policies?.paging }
    }).pipe(Effect.mapError(Cli.fromGenesys))
  })

/**
 * The HTTP client with every credential it sends registered with the terminal guard: the bearer tokens the server
 * issues are known the moment they are used, before any error body can echo them.
 *
 * @internal
 */
export const observingCredentials = (http: Layer.Layer<HttpClient.HttpClient>): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.tapRequest((request) =>
        Effect.sync(() => SecretGuard.registerAuthorization(request.headers.authorization))
      )
    )
  ).pipe(Layer.provide(http))

/** What the audit log of a command is written to: a JSONL file, or memory when no `--audit` is given. @internal */
export const auditLayer = (
  config: GenesysConfig.Service,
  path: Option.Option<string>
): Layer.Layer<AuditLog.AuditLog, Cli.CliFailure> => {
  const options: AuditLog.Options = {
    actor: config.clientId,
    region: config.region?.name ?? new URL(config.apiUrl).host,
    redact: [config.clientSecret]
  }
  return Option.match(path, {
    onNone: () => AuditLog.layerMemory(options),
    onSome: (file) =>
      AuditLog.layerFile(file, options).pipe(
        Layer.provide(NodeFileSystem.layer),
        Layer.mapError((e) => Cli.usage(`cannot open audit log ${file}: ${firstLine(e.message)}`))
      )
  })
}

/** The client over HTTP with its audit log and the optional webhook (`GENESYS_WEBHOOK_URL`). @internal */
export const clientLayer = (
  config: GenesysConfig.Service,
  audit: Layer.Layer<AuditLog.AuditLog, Cli.CliFailure>,
  http: Layer.Layer<HttpClient.HttpClient> = Transport.layer
): Layer.Layer<
  | ConversationDetails.ConversationDetails
  | ConversationAggregates.ConversationAggregates
  | GenesysHttp.GenesysHttp
  | AuditLog.AuditLog
  | Webhook.Webhook
  | GenesysConfig.GenesysConfig,
  Cli.CliFailure
> => {
  const base = Layer.mergeAll(Layer.succeed(GenesysConfig.GenesysConfig, config), audit, observingCredentials(http))
  const webhook = Webhook.layerConfig.pipe(
    Layer.mapError((e) => Cli.usage(`webhook configuration: ${firstLine(String(e.message ?? e))}`))
  )
  // The operations and the HTTP client under them, one token and one pacer for all (the sync's listener uses the
  // client). An extraction's plan reads the volume with the aggregates, to cut its job windows by it.
  const details = Layer.merge(ConversationDetails.layerWithoutHttp, ConversationAggregates.layerWithoutHttp).pipe(
    Layer.provideMerge(GenesysHttp.layer)
  )
  return Layer.mergeAll(details, webhook).pipe(Layer.provideMerge(base))
}
