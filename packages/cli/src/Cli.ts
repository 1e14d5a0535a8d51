/**
 * The `genesys-analytics` command: `extract`, `query`, `aggregate`, `jobs status|results|cancel`, `availability`,
 * `audit verify`, `emulator`, `demo`, `sync`, and the cluster's `runner` and `status`, on `@effect/cli`. `run` parses the arguments, runs the command and returns
 * its exit code: 0 done, 1 a check failed (audit verify) or an internal error, 2 usage or invalid query,
 * 3 authentication, 4 partial or failed extraction. Failures are reported as one line on stderr.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as CliError from "./internal/cliError.js"
import type * as Connection from "./internal/connection.js"
import * as AggregateFlags from "./internal/aggregateFlags.js"
import * as Flags from "./internal/flags.js"
import * as Help from "./internal/help.js"
import * as Io from "./internal/io.js"

// The command modules load on first use: refusing a bad command line then needs no client, SQL or emulator code.
const Extract = Effect.promise(() => import("./internal/extract.js"))
const Commands = Effect.promise(() => import("./internal/commands.js"))
const Demo = Effect.promise(() => import("./internal/demo.js"))
const Aggregate = Effect.promise(() => import("./internal/aggregate.js"))
const Runner = Effect.promise(() => import("./internal/runner.js"))
const ClusterSubmit = Effect.promise(() => import("./internal/clusterSubmit.js"))
const SyncCommand = Effect.promise(() => import("./internal/sync.js"))
// `emulator` is the `genesys-emulator` command itself (one parser, one flag set), run with this program's name.
const EmulatorBin = Effect.promise(() => import("@effect-genesys/emulator/bin"))

/** The exit codes. @since 0.1.0 */
export const ExitCode = CliError.ExitCode

// Each handler stores its exit code here; @effect/cli handlers return void.
let exitCode: number = CliError.ExitCode.ok
const finish = <E, R>(effect: Effect.Effect<number, E, R>) =>
  Effect.map(effect, (code) => {
    exitCode = code
  })

const intervalOption = Options.text("interval").pipe(
  Options.withDescription(
    "ISO-8601 interval (start/end, start/P1D), a duration ending now (P7D, PT6H) or yesterday, today, this-week, " +
      "last-week, this-month, last-month, last-N-days"
  ),
  Options.optional
)
const timeZoneOption = Options.text("time-zone").pipe(
  Options.withDescription("IANA time zone of the calendar words of --interval"),
  Options.withDefault("UTC")
)
const queryOption = Options.text("query").pipe(
  Options.withDescription(
    "JSON file with a conversation detail query (filters; its interval is used without --interval)"
  ),
  Options.optional
)
const whereOption = Options.text("where").pipe(
  Options.withDescription('filter expression, e.g. "mediaType = voice and queueId in (q1, q2) and tHandle > 300000"'),
  Options.optional
)
const auditOption = Options.text("audit").pipe(
  Options.withDescription("append the audit trail (JSONL, hash chained) to this file"),
  Options.optional
)

const extract = Command.make(
  "extract",
  {
    interval: intervalOption,
    timeZone: timeZoneOption,
    queryFile: queryOption,
    where: whereOption,
    out: Options.text("out").pipe(
      Options.withDescription(
        "output: a file (ndjson, sqlite), a directory (csv) or a postgres:// URL; default stdout"
      ),
      Options.optional
    ),
    format: Options.choice("format", Flags.formats).pipe(
      Options.withDescription("output format (default: guessed from --out, else ndjson)"),
      Options.optional
    ),
    checkpoint: Options.text("checkpoint").pipe(
      Options.withDescription("directory for the plan and checkpoints; re-running the same command resumes"),
      Options.optional
    ),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("jobs running at once (default: the org's concurrent-jobs limit, else 2)"),
      Options.optional
    ),
    pageSize: Options.integer("page-size").pipe(
      Options.withDescription("job results per page (default 1000, the platform maximum)"),
      Options.optional
    ),
    audit: auditOption,
    reconcile: Options.boolean("reconcile").pipe(
      Options.withDescription("compare each day with the sync query's totalHits; a mismatch exits 4")
    ),
    reconcileThreshold: Options.float("reconcile-threshold").pipe(
      Options.withDescription(
        "with --reconcile: the fraction of the sync query's count each day must match (default 1: equal)"
      ),
      Options.withDefault(1)
    ),
    quarantine: Options.text("quarantine").pipe(
      Options.withDescription(
        "set records without a usable conversationId or conversationStart aside in this NDJSON file instead of failing"
      ),
      Options.optional
    ),
    dryRun: Options.boolean("dry-run").pipe(Options.withDescription("print the plan and stop")),
    cluster: Options.text("cluster").pipe(
      Options.withDescription("submit to the runners of this cluster (postgres:// URL) instead of running here"),
      Options.optional
    ),
    org: Options.text("org").pipe(
      Options.withDescription("with --cluster: the org profile the runners use"),
      Options.withDefault("default")
    ),
    detach: Options.boolean("detach").pipe(Options.withDescription("with --cluster: print the execution id and leave")),
    strict: Flags.strict,
    ...Flags.connection
  },
  ({ region, clientId, clientSecretFile, apiUrl, loginUrl, strict, ...rest }) =>
    finish(
      Effect.flatMap(Extract, (m) =>
        m.command({ ...rest, connection: { region, clientId, clientSecretFile, apiUrl, loginUrl, strict } })
      )
    )
).pipe(
  Command.withDescription(
    "Extract every conversation of an interval: jobs for settled data, the sync query for the tail"
  )
)

const query = Command.make(
  "query",
  {
    interval: intervalOption,
    timeZone: timeZoneOption,
    queryFile: queryOption,
    where: whereOption,
    pageSize: Options.integer("page-size").pipe(Options.withDescription("results per page (1-200)"), Options.optional),
    format: Options.choice("format", ["ndjson", "table"] as const).pipe(
      Options.withDescription("ndjson: conversations; table: one line per page"),
      Options.withDefault("ndjson" as const)
    ),
    audit: auditOption,
    strict: Flags.strict,
    ...Flags.connection
  },
  ({ region, clientId, clientSecretFile, apiUrl, loginUrl, strict, ...rest }) =>
    finish(
      Effect.flatMap(Commands, (m) =>
        m.query({ ...rest, connection: { region, clientId, clientSecretFile, apiUrl, loginUrl, strict } })
      )
    )
).pipe(Command.withDescription("Run the sync detail query (small intervals) and print every page"))

const aggregate = Command.make(
  "aggregate",
  {
    interval: intervalOption,
    timeZone: Options.text("time-zone").pipe(
      Options.withAlias("timezone"),
      Options.withDescription(
        "IANA time zone of the buckets (the query's timeZone) and of --interval's calendar words"
      ),
      Options.optional
    ),
    queryFile: Options.text("query").pipe(
      Options.withDescription("JSON file with a conversation aggregates query (flags override its fields)"),
      Options.optional
    ),
    granularity: Options.text("granularity").pipe(
      Options.withDescription("bucket length, an ISO-8601 duration (PT30M, P1D)"),
      Options.optional
    ),
    groupBy: Options.text("group-by").pipe(
      Options.withDescription("dimensions to group by, comma-separated (wrapUpCode,queueId)"),
      Options.optional
    ),
    metrics: Options.text("metrics").pipe(
      Options.withDescription("metrics, comma-separated (nConnected,tHandle)"),
      Options.optional
    ),
    where: Options.text("where").pipe(
      Options.withDescription("filter on dimensions; names allowed, e.g. \"wrapUpCode in ('Resolved', 'Escalated')\""),
      Options.optional
    ),
    format: Options.choice("format", AggregateFlags.formats).pipe(
      Options.withDescription("table | csv | ndjson (default: by --out's extension, else table on a terminal)"),
      Options.optional
    ),
    out: Options.text("out").pipe(Options.withDescription("write to this file instead of stdout"), Options.optional),
    via: Options.choice("via", ["auto", "query", "job"] as const).pipe(
      Options.withDescription("sync query or async job (default auto: a job for long intervals or many buckets)"),
      Options.withDefault("auto" as const)
    ),
    names: Options.boolean("names").pipe(
      Options.withDescription("add a name column beside each wrap-up code, queue and user id")
    ),
    reconcile: Options.boolean("reconcile").pipe(
      Options.withDescription("recompute the counts from a details job of the same interval; a difference exits 4")
    ),
    audit: auditOption,
    strict: Flags.strict,
    ...Flags.connection
  },
  ({ region, clientId, clientSecretFile, apiUrl, loginUrl, strict, ...rest }) =>
    finish(
      Effect.flatMap(Aggregate, (m) =>
        m.command({ ...rest, connection: { region, clientId, clientSecretFile, apiUrl, loginUrl, strict } })
      )
    )
).pipe(Command.withDescription("Grouped, bucketed numbers from the conversation aggregates query or job"))

const jobId = Args.text({ name: "job-id" }).pipe(Args.withDescription("the job id"))
const connectionOf = (o: Connection.Connection): Connection.Connection => ({
  region: o.region,
  clientId: o.clientId,
  clientSecretFile: o.clientSecretFile,
  apiUrl: o.apiUrl,
  loginUrl: o.loginUrl
})

const jobs = Command.make("jobs").pipe(
  Command.withDescription("Inspect, read or cancel an asynchronous job"),
  Command.withSubcommands([
    Command.make("status", { id: jobId, ...Flags.connection }, (o) =>
      finish(Effect.flatMap(Commands, (m) => m.jobStatus(o.id, connectionOf(o))))
    ).pipe(Command.withDescription("Print a job's state as JSON")),
    Command.make(
      "results",
      {
        id: jobId,
        pageSize: Options.integer("page-size").pipe(Options.withDescription("results per page"), Options.optional),
        ...Flags.connection
      },
      (o) => finish(Effect.flatMap(Commands, (m) => m.jobResults(o.id, o.pageSize, connectionOf(o))))
    ).pipe(Command.withDescription("Print a fulfilled job's conversations as NDJSON")),
    Command.make("cancel", { id: jobId, ...Flags.connection }, (o) =>
      finish(Effect.flatMap(Commands, (m) => m.jobCancel(o.id, connectionOf(o))))
    ).pipe(Command.withDescription("Cancel a job"))
  ])
)

const availability = Command.make("availability", Flags.connection, (o) =>
  finish(Effect.flatMap(Commands, (m) => m.availability(connectionOf(o))))
).pipe(Command.withDescription("Print the data-availability date (jobs see conversations that ended before it)"))

const audit = Command.make("audit").pipe(
  Command.withDescription("Audit log tools"),
  Command.withSubcommands([
    Command.make(
      "verify",
      {
        path: Args.text({ name: "path" }).pipe(Args.withDescription("the audit log (JSONL)")),
        allowOpen: Options.boolean("allow-open").pipe(
          Options.withDescription("accept a last run without its seal (a log still being written)")
        )
      },
      (o) => finish(Effect.flatMap(Commands, (m) => m.auditVerify(o.path, o.allowOpen)))
    ).pipe(Command.withDescription("Verify the hash chain; exit 1 naming the first altered line"))
  ])
)

const demo = Command.make(
  "demo",
  {
    out: Options.text("out").pipe(
      Options.withDescription("output directory (emptied first)"),
      Options.withDefault("demo-output")
    ),
    days: Options.integer("days").pipe(Options.withDescription("days to extract"), Options.withDefault(30)),
    perDay: Options.integer("per-day").pipe(Options.withDescription("conversations per day"), Options.withDefault(300))
  },
  (o) => finish(Effect.flatMap(Demo, (m) => m.demo({ directory: o.out, days: o.days, perDay: o.perDay })))
).pipe(
  Command.withDescription("Extract 30 days from an in-process emulator into ./demo-output and verify the audit trail")
)

const clusterOption = Options.text("cluster").pipe(Options.withDescription("the cluster's database (postgres:// URL)"))

const runner = Command.make(
  "runner",
  {
    cluster: clusterOption,
    host: Options.text("host").pipe(
      Options.withDescription("the address other runners reach this one at"),
      Options.withDefault("127.0.0.1")
    ),
    port: Options.integer("port").pipe(
      Options.withDescription("the port this runner listens on"),
      Options.withDefault(34431)
    ),
    orgs: Options.text("orgs").pipe(Options.withDescription("org profiles (JSON file)"), Options.optional),
    retentionHours: Options.float("retention-hours").pipe(
      Options.withDescription("hours a completed extraction's journal is kept"),
      Options.withDefault(168)
    ),
    audit: auditOption
  },
  (o) => finish(Effect.flatMap(Runner, (m) => m.command(o)))
).pipe(Command.withDescription("Run one runner of a durable-extraction cluster"))

const status = Command.make(
  "status",
  { cluster: clusterOption, id: Args.text({ name: "execution-id" }).pipe(Args.optional) },
  (o) => finish(Effect.flatMap(ClusterSubmit, (m) => m.status(o.cluster, o.id)))
).pipe(Command.withDescription("Print the state of a cluster's extraction"))

const sync = Command.make(
  "sync",
  {
    from: Options.text("from").pipe(Options.withDescription("where the sync starts (ISO date or date-time)")),
    until: Options.text("until").pipe(
      Options.withDescription("stop once everything up to this time is settled"),
      Options.optional
    ),
    out: Options.text("out").pipe(Options.withDescription("a SQLite file or a postgres:// URL")),
    format: Options.choice("format", ["sqlite", "postgres"] as const).pipe(
      Options.withDescription("sqlite | postgres (default: from --out)"),
      Options.optional
    ),
    state: Options.text("state").pipe(
      Options.withDescription("directory for the journal (default: <out>.sync for SQLite)"),
      Options.optional
    ),
    tailEveryMinutes: Options.float("tail-every").pipe(
      Options.withDescription("minutes between reads of the provisional tail"),
      Options.withDefault(5)
    ),
    restatementHours: Options.float("restatement-hours").pipe(
      Options.withDescription("hours behind the settled point read again each cycle"),
      Options.withDefault(48)
    ),
    pollSeconds: Options.float("poll-seconds").pipe(
      Options.withDescription("seconds between availability checks"),
      Options.withDefault(60)
    ),
    pollOnly: Options.boolean("poll-only").pipe(
      Options.withDescription("poll the availability date only, without the notifications socket")
    ),
    where: whereOption,
    queryFile: queryOption,
    audit: auditOption,
    ...Flags.connection
  },
  ({ region, clientId, clientSecretFile, apiUrl, loginUrl, ...rest }) =>
    finish(
      Effect.flatMap(SyncCommand, (m) =>
        m.command({ ...rest, connection: { region, clientId, clientSecretFile, apiUrl, loginUrl } })
      )
    )
).pipe(Command.withDescription("Keep a database current: back-fill, then follow the data-availability date"))

/** The root command. @since 0.1.0 */
export const command = Command.make("genesys-analytics").pipe(
  Command.withDescription("Genesys Cloud conversation-detail analytics from the shell"),
  Command.withSubcommands([extract, query, aggregate, sync, jobs, availability, audit, demo, runner, status])
)

const cli = Command.run(command, { name: "genesys-analytics", version: "0.1.0" })

const prefix = "genesys-analytics: "

/** A parse error as @effect/cli renders it, as one line with the command's prefix and where to look next. @internal */
export const usageLine = (text: string): string => {
  const lines = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "")
  return lines.length === 0 ? "" : `${prefix}${lines.join(" ")} (see genesys-analytics --help)`
}

// @effect/cli prints its own parse errors through `Console.error`; they get the same shape as every other failure.
// Command handlers write to stderr through `Io`, never `Console.error`, so nothing else passes through here.
const withUsageLines = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) =>
    Console.withConsole(effect, {
      ...console,
      // Help, version and wizard text: ANSI styling only on a terminal.
      log: (...args: ReadonlyArray<unknown>) =>
        console.log(
          ...args.map((arg) => (typeof arg === "string" && process.stdout.isTTY !== true ? Help.stripAnsi(arg) : arg))
        ),
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(...args.map((arg) => (typeof arg === "string" ? usageLine(Help.stripAnsi(arg)) : arg)))
    })
  )

/** `emulator`: serves until SIGINT/SIGTERM (exit 0, set here for bin.ts), its parent's exit or stdin's close. */
const emulatorCommand = (args: ReadonlyArray<string>) =>
  Effect.flatMap(EmulatorBin, (m) => m.serve(args, "genesys-analytics emulator")).pipe(
    Effect.onInterrupt(() =>
      Effect.sync(() => {
        process.exitCode = 0
      })
    )
  )

// The wizard prompts on the terminal; with no terminal it would wait forever for an answer.
const wizardWithoutTerminal = (argv: ReadonlyArray<string>) =>
  argv.slice(2).includes("--wizard") && process.stdin.isTTY !== true

/**
 * Runs the command line (`process.argv` shape: runtime, script, arguments) and returns the exit code. Failures are
 * printed as one line on stderr (on a terminal with a caret under the column of a bad `--interval` or `--where`).
 *
 * @since 0.1.0
 */
export const run = (argv: ReadonlyArray<string>) =>
  Effect.suspend(() => {
    exitCode = CliError.ExitCode.ok
    const args = argv.slice(2)
    if (args[0] === "emulator") return finish(emulatorCommand(args.slice(1)))
    const help = Help.forArgs(args, process.stdout.isTTY === true)
    if (help !== undefined) return finish(Effect.as(Io.stdout(help), CliError.ExitCode.ok))
    if (wizardWithoutTerminal(argv)) {
      return Effect.fail(CliError.usage("--wizard asks its questions on a terminal, and standard input is not one"))
    }
    return withUsageLines(cli(argv))
  }).pipe(
    Effect.provide(Logger.replace(Logger.defaultLogger, warningLines)),
    Effect.as(undefined),
    Effect.catchAllCause((cause) => Effect.succeed(CliError.fromCause(cause))),
    Effect.flatMap((failure) => {
      if (failure === undefined) return Effect.succeed(exitCode)
      const detail = failure.detail !== undefined && process.stderr.isTTY === true ? `${failure.detail}\n` : ""
      const line = failure.message === "" ? "" : `${prefix}${failure.message}\n`
      return Effect.as(Io.stderr(line === "" ? "" : detail !== "" ? detail : line), failure.code)
    })
  )

// Library log lines are warnings meant for the person at the terminal (query warnings): one stderr line each, never
// on stdout, which may carry data.
const warningLines = Logger.make(({ logLevel, message }) => {
  if (LogLevel.lessThan(logLevel, LogLevel.Warning)) return
  const text = (Array.isArray(message) ? message : [message])
    .map(String)
    .join(" ")
    .replace(/^query warning /, "")
  process.stderr.write(`${prefix}warning: ${text}\n`)
})

/** The CLI's platform requirements, for embedding. @since 0.1.0 */
export type Environment = CliApp.CliApp.Environment
