/**
 * `extract --cluster <url>`: a client of a cluster. It submits the extraction (the plan is made by a runner, with the
 * org's credentials: this process needs none), then follows it to the usual summary and exit code (with a progress
 * line read from the cluster's journal while stderr is a terminal), or with `--detach` prints the execution id and
 * leaves. `status --cluster <url> <id>` reads an execution's state.
 *
 * @internal
 */
import * as Extraction from "@effect-genesys/analytics/Extraction"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as NodePath from "node:path"
import * as Cli from "./cliError.js"
import * as Cluster from "./cluster.js"
import * as Executions from "./clusterExecutions.js"
import * as Io from "./io.js"
import * as Output from "./output.js"
import * as PlanHints from "./planHints.js"
import * as Progress from "./progress.js"
import * as ReconcileCheck from "./reconcileCheck.js"
import * as Runner from "./runner.js"

/** What a cluster client was asked. @internal */
export interface Settings {
  readonly cluster: string
  readonly org: string
  readonly detach: boolean
  readonly concurrency: Option.Option<number>
  readonly pageSize: Option.Option<number>
  readonly reconcile: boolean
  readonly reconcileThreshold: number
}

/**
 * The journal must not hold a secret, so a sink URL goes without its password: runners connect with its user and their
 * own `PGPASSWORD` or `~/.pgpass`.
 */
const withoutPassword = (text: string): string => {
  try {
    const url = new URL(text)
    if (url.password === "") return text
    url.password = ""
    return url.toString()
  } catch {
    return text
  }
}

/** The journal's description of the output: a runner opens it; files must be on storage every runner shares. */
const sinkOf = (output: Output.Output): Effect.Effect<Cluster.SinkSpec, Cli.CliFailure> =>
  Option.match(output.target, {
    onNone: () => Effect.fail(Cli.usage("--cluster needs --out: runners cannot write to this terminal")),
    onSome: (target) =>
      Effect.succeed<Cluster.SinkSpec>(
        output.format === "postgres"
          ? { format: "postgres", url: withoutPassword(target) }
          : { format: output.format, out: NodePath.resolve(target) }
      )
  })

/** How often a following client reads the journal for its progress line. */
const progressEvery = Schedule.spaced("1 second")

/**
 * The progress line of the run of `plan`, drawn from the journal until interrupted. The runners write the pages, so the
 * journal is where this client learns of them; a failed read only leaves the line as it was.
 */
const followProgress = (org: string, plan: Extraction.Plan, progress: ReturnType<typeof Progress.make>) =>
  Effect.gen(function* () {
    const followedAt = yield* Clock.currentTimeMillis
    const draw = Effect.gen(function* () {
      const { startedAtMillis, ...p } = yield* Executions.windowProgress(org, plan)
      const now = yield* Clock.currentTimeMillis
      // A client that attaches to a run under way counts its rate from the run's start, not from its own.
      const since = Math.min(followedAt, startedAtMillis ?? followedAt)
      yield* progress.onProgress({ ...p, windows: plan.windows.length, elapsedMillis: now - since })
    }).pipe(Effect.ignore)
    yield* Effect.repeat(draw, progressEvery)
  })

/** Submits and follows (or detaches from) an extraction on the cluster. @internal */
export const extract = (settings: Settings, query: Record<string, unknown>, output: Output.Output) =>
  Effect.gen(function* () {
    const url = yield* Runner.clusterUrl(settings.cluster)
    const sink = yield* sinkOf(output)
    const progress = Progress.make()
    const shown = process.stderr.isTTY === true && !settings.detach
    const submitted = yield* Effect.gen(function* () {
      const scope = yield* Effect.scope
      // The client engine's own connections to the journal.
      const journal = yield* SqlClient.SqlClient
      return yield* ExtractionWorkflow.submit(query, {
        org: settings.org,
        sink,
        concurrency: Option.getOrUndefined(settings.concurrency),
        pageSize: Option.getOrUndefined(settings.pageSize),
        reconcile: settings.reconcile,
        reconcileThreshold: settings.reconcileThreshold,
        detach: settings.detach,
        onPlan: shown
          ? (plan) =>
              followProgress(settings.org, plan, progress).pipe(
                Effect.provideService(SqlClient.SqlClient, journal),
                Effect.forkIn(scope),
                Effect.asVoid
              )
          : undefined
      })
    }).pipe(
      Effect.scoped,
      Effect.ensuring(progress.clear),
      Effect.provide(Cluster.clientEngine({ url })),
      Effect.mapError((e) => {
        const failure = Cli.fromUnknown(e)
        return new Cli.CliFailure({
          code: failure.code === Cli.ExitCode.usage ? Cli.ExitCode.usage : Cli.ExitCode.partial,
          message: `extraction failed: ${failure.message}; run the same command again to continue it`
        })
      })
    )
    if (submitted._tag === "Started") {
      yield* Io.stdout(`${submitted.id}\n`)
      return Cli.ExitCode.ok
    }
    const report = submitted.report
    yield* Io.stderr(`${PlanHints.formatReport(report)}\n\noutput         ${Output.describe(output)}\n`)
    const short = settings.reconcile ? ReconcileCheck.shortfalls(report, settings.reconcileThreshold) : []
    if (short.length > 0) return yield* Cli.partial(ReconcileCheck.message(short, settings.reconcileThreshold))
    return report.complete ? Cli.ExitCode.ok : Cli.ExitCode.partial
  })

/**
 * `status --cluster <url> [id]`: with an id, the execution's state (exit 0 when it succeeded or is running, 4 when it
 * failed); without, every extraction in the journal.
 *
 * @internal
 */
export const status = (cluster: string, id: Option.Option<string>) =>
  Option.match(id, { onNone: () => listAll(cluster), onSome: (id) => statusOf(cluster, id) })

const listAll = (cluster: string) =>
  Effect.gen(function* () {
    const url = yield* Runner.clusterUrl(cluster)
    const executions = yield* Executions.list.pipe(
      Effect.provide(Cluster.pg(url)),
      Effect.mapError((e) => journalFailure(cluster, e))
    )
    yield* Io.stdout(Executions.format(executions))
    return Cli.ExitCode.ok
  })

const journalFailure = (cluster: string, e: Executions.NoJournal | { readonly message: string }) =>
  e instanceof Executions.NoJournal
    ? Cli.usage(`${Runner.describeUrl(cluster)} holds no cluster: no runner has started on this database`)
    : Cli.partial(`cannot read ${Runner.describeUrl(cluster)}: ${e.message}`)

const statusOf = (cluster: string, id: string) =>
  Effect.gen(function* () {
    const url = yield* Runner.clusterUrl(cluster)
    yield* Executions.requireJournal.pipe(
      Effect.provide(Cluster.pg(url)),
      Effect.mapError((e) => journalFailure(cluster, e))
    )
    const state = yield* ExtractionWorkflow.status(id).pipe(
      Effect.provide(Cluster.clientEngine({ url })),
      Effect.mapError((e) => Cli.partial(`cannot read ${Runner.describeUrl(cluster)}: ${String(e)}`))
    )
    switch (state._tag) {
      case "Unknown":
        return yield* Cli.usage(`no execution ${id} in ${Runner.describeUrl(cluster)}`)
      case "Running":
        yield* Io.stdout(`${id}  running\n`)
        return Cli.ExitCode.ok
      case "Succeeded":
        yield* Io.stdout(`${id}  succeeded\n${Extraction.formatReport(state.report)}\n`)
        return Cli.ExitCode.ok
      case "Failed":
        yield* Io.stdout(`${id}  failed: ${state.error.message}\n`)
        return Cli.ExitCode.partial
    }
  })
