/** @internal */
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import type * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Cli from "./cliError.js"
import * as Connection from "./connection.js"
import * as Extract from "./extract.js"
import * as Io from "./io.js"
import * as Progress from "./progress.js"

/** Runs a program against Genesys with the connection flags and an optional audit file. @internal */
export const withClient = <A, E>(
  connection: Connection.Connection,
  audit: Option.Option<string>,
  program: Effect.Effect<A, E, ConversationDetails.ConversationDetails | AuditLog.AuditLog>
): Effect.Effect<A, E | Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const config = yield* Connection.resolve(connection)
    return yield* Effect.provide(
      Progress.withRetryLines(program),
      Connection.clientLayer(config, Connection.auditLayer(config, audit))
    )
  })

/** The parsed `query` flags. @internal */
export interface QuerySettings {
  readonly interval: Option.Option<string>
  readonly timeZone: string
  readonly queryFile: Option.Option<string>
  readonly where: Option.Option<string>
  readonly pageSize: Option.Option<number>
  readonly format: "ndjson" | "table"
  readonly audit: Option.Option<string>
  readonly connection: Connection.Connection
}

/** `query`: the sync query, page after page, as NDJSON or a page table. @internal */
export const query = (settings: QuerySettings) =>
  Effect.gen(function* () {
    const base = yield* Extract.buildQuery(settings)
    if (Option.isSome(settings.pageSize) && (settings.pageSize.value < 1 || settings.pageSize.value > 100)) {
      return yield* Cli.usage(`--page-size must be from 1 to 100, not ${settings.pageSize.value}`)
    }
    const paging = (base.paging ?? {}) as Record<string, unknown>
    const q = Option.match(settings.pageSize, {
      onNone: () => base,
      onSome: (pageSize) => ({ ...base, paging: { ...paging, pageSize, pageNumber: 1 } })
    })
    const table = settings.format === "table"
    let conversations = 0
    let totalHits = 0
    if (table) yield* Io.stdout(`${"page".padStart(6)}  ${"conversations".padStart(13)}  ${"totalHits".padStart(9)}\n`)
    yield* withClient(
      settings.connection,
      settings.audit,
      Effect.flatMap(ConversationDetails.ConversationDetails, (details) =>
        details.queryPages(q).pipe(
          Stream.runForEach((page) => {
            conversations += page.conversations.length
            totalHits = page.totalHits
            return table
              ? Io.stdout(
                  `${String(page.pageNumber).padStart(6)}  ${String(page.conversations.length).padStart(13)}  ${String(page.totalHits).padStart(9)}\n`
                )
              : Io.stdout(Io.ndjson(page.conversations))
          })
        )
      )
    )
    if (table) yield* Io.stdout(`\n${conversations} conversations (totalHits ${totalHits})\n`)
    return Cli.ExitCode.ok
  })

// Job ids are UUIDs; anything else would be sent as a path segment (or hit the availability route).
const jobIdPattern = /^[0-9A-Za-z][0-9A-Za-z-]{0,127}$/

const checkJobId = (id: string) =>
  jobIdPattern.test(id) && id !== "availability"
    ? Effect.void
    : Effect.fail(Cli.usage(`${JSON.stringify(id.slice(0, 80))} is not a job id (letters, digits and "-")`))

/** `jobs status <id>`. @internal */
export const jobStatus = (id: string, connection: Connection.Connection) =>
  checkJobId(id).pipe(
    Effect.zipRight(
      withClient(
        connection,
        Option.none(),
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.jobStatus(id))
      ).pipe(
        Effect.flatMap(({ _tag, ...rest }) => Io.stdout(`${JSON.stringify({ state: _tag, ...rest })}\n`)),
        Effect.as(Cli.ExitCode.ok)
      )
    )
  )

/** `jobs results <id>`: every result as NDJSON. @internal */
export const jobResults = (id: string, pageSize: Option.Option<number>, connection: Connection.Connection) =>
  checkJobId(id).pipe(
    Effect.zipRight(
      Option.isSome(pageSize) && (pageSize.value < 1 || pageSize.value > 1000)
        ? Effect.fail(Cli.usage(`--page-size must be from 1 to 1000, not ${pageSize.value}`))
        : Effect.void
    ),
    Effect.zipRight(
      withClient(
        connection,
        Option.none(),
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) =>
          d
            .jobResultPages(id, {
              // Printed as received: what is nested in a conversation is not read on the way.
              validation: "conversation",
              ...(Option.isSome(pageSize) ? { pageSize: pageSize.value } : {})
            })
            .pipe(Stream.runForEach((page) => Io.stdout(Io.ndjson(page.conversations))))
        )
      ).pipe(Effect.as(Cli.ExitCode.ok))
    )
  )

/** `jobs cancel <id>`. @internal */
export const jobCancel = (id: string, connection: Connection.Connection) =>
  checkJobId(id).pipe(
    Effect.zipRight(
      withClient(
        connection,
        Option.none(),
        Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.cancelJob(id))
      ).pipe(Effect.zipRight(Io.stdout(`cancelled ${id}\n`)), Effect.as(Cli.ExitCode.ok))
    )
  )

/** `availability`: the data-availability date jobs see. @internal */
export const availability = (connection: Connection.Connection) =>
  withClient(
    connection,
    Option.none(),
    Effect.flatMap(ConversationDetails.ConversationDetails, (d) => d.availability())
  ).pipe(
    Effect.flatMap((a) => Io.stdout(`${a.dataAvailabilityDate ?? "unknown"}\n`)),
    Effect.as(Cli.ExitCode.ok)
  )

/** `audit verify <path>`: exit 0 when intact, 1 with the first bad line otherwise. @internal */
export const auditVerify = (path: string, allowOpen: boolean) =>
  AuditLog.verify(path, { allowOpen }).pipe(
    Effect.mapError((e) => Cli.usage(`cannot read audit log ${path}: ${e.message.split("\n")[0]}`)),
    Effect.flatMap((result) =>
      result._tag === "VerifyOk"
        ? Effect.as(
            Io.stdout(
              `ok: ${result.records} records in ${result.runs} run${result.runs === 1 ? "" : "s"}, head ${result.head}${result.open ? " (last run still open)" : ""}\n`
            ),
            Cli.ExitCode.ok
          )
        : Effect.fail(
            new Cli.CliFailure({
              code: Cli.ExitCode.failed,
              message: `${path}: line ${result.line}: ${result.reason}: ${result.message} (${result.verifiedRecords} records verified before it)`
            })
          )
    )
  )
