/**
 * The extractions a cluster knows, read from its journal: one line each with the execution id, the org, the
 * interval, the generation, when it was submitted and where it stands. For `status --cluster <url>` without an id.
 *
 * @internal
 */
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as Snowflake from "@effect/cluster/Snowflake"
import * as SqlClient from "@effect/sql/SqlClient"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"

/** One extraction as listed. @internal */
export interface Execution {
  readonly id: string
  readonly org: string
  readonly interval: string
  readonly generation: number
  readonly submittedAt: string
  readonly state: "running" | "succeeded" | "failed" | "suspended"
  /** Conversations written, when it succeeded; the failure, when it failed. */
  readonly detail: string
}

interface Row {
  readonly entity_id: string
  readonly id: string | bigint
  readonly payload: string
  readonly reply: string | null
}

const parse = (text: string | null): any => {
  if (text === null) return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const stateOf = (reply: any): Pick<Execution, "state" | "detail"> => {
  const result = reply?.value
  if (result === undefined) return { state: "running", detail: "" }
  if (result._tag === "Suspended") return { state: "suspended", detail: "" }
  const exit = result.exit
  if (exit?._tag === "Success") {
    return { state: "succeeded", detail: `${exit.value?.totals?.conversations ?? "?"} conversations` }
  }
  const error = exit?.cause?.error
  return {
    state: "failed",
    detail: typeof error?._tag === "string" ? `${error._tag}${error.message ? `: ${error.message}` : ""}` : ""
  }
}

/** The database has no cluster journal: no runner ever started on it (or it is another database). @internal */
export class NoJournal extends Data.TaggedError("NoJournal")<{}> {}

/**
 * Fails with {@link NoJournal} when the database has no cluster tables. Checked before anything else touches it: a
 * client engine would create the tables in whatever database it was pointed at.
 *
 * @internal
 */
export const requireJournal = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const [journal] = yield* sql<{ readonly present: boolean }>`
    SELECT to_regclass('cluster_messages') IS NOT NULL AS present`
  if (journal?.present !== true) return yield* new NoJournal()
})

/** Every extraction in the journal, newest first. @internal */
export const list = Effect.gen(function* () {
  yield* requireJournal
  const sql = yield* SqlClient.SqlClient
  const rows = yield* sql<Row>`
    SELECT m.entity_id, m.id, m.payload, r.payload AS reply
    FROM cluster_messages m LEFT JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
    WHERE m.entity_type = ${`Workflow/${ExtractionWorkflow.ExtractionWorkflow.name}`} AND m.tag = 'run'
    ORDER BY m.id DESC`
  return rows.map((row): Execution => {
    const payload = parse(row.payload)
    return {
      id: row.entity_id,
      org: String(payload?.org ?? "?"),
      interval: String(payload?.plan?.interval ?? "?"),
      generation: Number(payload?.generation ?? 0),
      submittedAt: new Date(Snowflake.timestamp(Snowflake.Snowflake(BigInt(row.id)))).toISOString(),
      ...stateOf(parse(row.reply))
    }
  })
})

/** The listing as a table. @internal */
export const format = (executions: ReadonlyArray<Execution>): string => {
  if (executions.length === 0) return "no extractions in this cluster's journal\n"
  const rows = executions.map((e) => [e.id, e.state, e.org, e.interval, String(e.generation), e.submittedAt, e.detail])
  const header = ["execution", "state", "org", "interval", "gen", "submitted", ""]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return `${[header, ...rows]
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd()
    )
    .join("\n")}\n`
}

/** How far an execution's windows are, as the journal has them. @internal */
export interface WindowProgress {
  /** Windows that succeeded. */
  readonly windowsDone: number
  /** Pages written: every page of the windows done, and the pages so far of the windows running. */
  readonly pages: number
  readonly conversations: number
}

/** The value of a completed workflow or activity, from its stored reply (`undefined` unless it succeeded). */
const completedValue = (reply: any): any => {
  const result = reply?.value
  return result?._tag === "Complete" && result.exit?._tag === "Success" ? result.exit.value : undefined
}

/**
 * The progress of the extraction of `planHash` for `org`, read from the journal (any generation and lane): the windows
 * that succeeded with their counts, and the pages of the others that a runner has written. A window that failed or was
 * submitted again may count a page twice until it finishes: the run's report has the exact figures.
 *
 * @internal
 */
export const windowProgress = (org: string, planHash: string) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const windowType = `Workflow/${ExtractionWorkflow.WindowWorkflow.name}`
    const runs = yield* sql<Row>`
      SELECT m.entity_id, m.id, m.payload, r.payload AS reply
      FROM cluster_messages m LEFT JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
      WHERE m.entity_type = ${windowType} AND m.tag = 'run'
        AND m.payload LIKE ${`%"planHash":${JSON.stringify(planHash)}%`}`
    const done = new Map<string, { readonly pages: number; readonly conversations: number }>()
    const running: Array<string> = []
    for (const row of runs) {
      const payload = parse(row.payload)
      if (payload?.org !== org || payload?.planHash !== planHash) continue
      const outcome = completedValue(parse(row.reply))
      if (outcome === undefined) running.push(row.entity_id)
      else done.set(String(outcome.id), { pages: Number(outcome.pages), conversations: Number(outcome.conversations) })
    }
    let pages = 0
    let conversations = 0
    for (const w of done.values()) {
      pages += w.pages
      conversations += w.conversations
    }
    if (running.length > 0) {
      const steps = yield* sql<Row>`
        SELECT m.entity_id, m.id, m.payload, r.payload AS reply
        FROM cluster_messages m JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
        WHERE m.entity_type = ${windowType} AND m.tag = 'activity' AND ${sql.in("m.entity_id", running)}
          AND m.payload LIKE '{"name":"page/%'`
      const counted = new Set<string>()
      for (const row of steps) {
        const name = `${row.entity_id} ${String(parse(row.payload)?.name)}`
        const page = completedValue(parse(row.reply))
        if (page === undefined || counted.has(name)) continue
        counted.add(name)
        pages += 1
        conversations += Number(page.written) || 0
      }
    }
    return { windowsDone: done.size, pages, conversations } satisfies WindowProgress
  })
