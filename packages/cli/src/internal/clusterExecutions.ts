/**
 * The extractions a cluster knows, read from its journal: one line each with the execution id, the org, the
 * interval, the generation, when it was submitted and where it stands. For `status --cluster <url>` without an id.
 *
 * @internal
 */
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as MachineId from "@effect/cluster/MachineId"
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

/** The time a journal row was written: its id is a snowflake. */
const timeOf = (id: string | bigint) => Snowflake.timestamp(Snowflake.Snowflake(BigInt(id)))

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
      submittedAt: new Date(timeOf(row.id)).toISOString(),
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
  /** Conversations written, counted as the pages are. */
  readonly conversations: number
  /** When its first job (or window) started (`undefined` before any did): a client attached later counts from there. */
  readonly startedAtMillis: number | undefined
}

/** The value of a completed workflow or activity, from its stored reply (`undefined` unless it succeeded). */
const completedValue = (reply: any): any => {
  const result = reply?.value
  return result?._tag === "Complete" && result.exit?._tag === "Success" ? result.exit.value : undefined
}

/** The reply says the workflow or activity ended (in success or failure), not that it suspended. */
const isComplete = (reply: any): boolean => reply?.value?._tag === "Complete"

// Windows start after their plan is made; an hour before it covers runners whose clocks run behind. Message ids are
// snowflakes whose high bits are their time, and the primary key: the journal's older rows are never read.
const clockSkewMillis = 3_600_000

/**
 * The progress of the extraction of `plan` for `org`, read from the journal: the windows that succeeded (in any
 * generation) with their counts, and the pages so far of the current generation's windows still running. A window
 * started again with a new job counts that job's pages only; the run's report has the exact figures.
 *
 * @internal
 */
export const windowProgress = (org: string, plan: { readonly planHash: string; readonly plannedAt: string }) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const windowType = `Workflow/${ExtractionWorkflow.WindowWorkflow.name}`
    const since = String(
      Snowflake.make({
        timestamp: Math.max(Snowflake.constEpochMillis, Date.parse(plan.plannedAt) - clockSkewMillis),
        machineId: MachineId.make(0),
        sequence: 0
      })
    )
    const jobType = `Workflow/${ExtractionWorkflow.JobWorkflow.name}`
    const ofPlanHash = sql`m.id >= ${since} AND m.payload LIKE ${`%"planHash":${JSON.stringify(plan.planHash)}%`}`
    const ofPlan = sql`m.entity_type = ${windowType} AND ${ofPlanHash}`
    // A job window starts with its job: the run's first job says when the run started.
    const firstJob = yield* sql<{ readonly id: string | null }>`
      SELECT min(m.id)::text AS id FROM cluster_messages m
      WHERE m.tag = 'run' AND m.entity_type = ${jobType} AND ${ofPlanHash}
        AND m.payload LIKE ${`%"org":${JSON.stringify(org)}%`}`
    const runs = yield* sql<Row>`
      SELECT m.entity_id, m.id, m.payload, r.payload AS reply
      FROM cluster_messages m LEFT JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
      WHERE m.tag = 'run' AND ${ofPlan}`
    const done = new Map<string, { readonly pages: number; readonly conversations: number }>()
    const open: Array<{ readonly entity: string; readonly window: string; readonly generation: number }> = []
    const firstJobId = firstJob[0]?.id
    let startedAtMillis = firstJobId === null || firstJobId === undefined ? undefined : timeOf(firstJobId)
    for (const row of runs) {
      const payload = parse(row.payload)
      if (payload?.org !== org || payload?.planHash !== plan.planHash) continue
      const at = timeOf(row.id)
      startedAtMillis = startedAtMillis === undefined ? at : Math.min(startedAtMillis, at)
      const reply = parse(row.reply)
      const outcome = completedValue(reply)
      if (outcome !== undefined) {
        done.set(String(outcome.id), { pages: Number(outcome.pages), conversations: Number(outcome.conversations) })
      } else if (!isComplete(reply)) {
        open.push({ entity: row.entity_id, window: String(payload.window?.id), generation: Number(payload.generation) })
      }
    }
    let pages = 0
    let conversations = 0
    for (const w of done.values()) {
      pages += w.pages
      conversations += w.conversations
    }
    // A generation that failed leaves its unfinished windows without a reply: only the current one's are running.
    const current = Math.max(-1, ...open.map((w) => w.generation))
    const running = new Set(open.filter((w) => w.generation === current && !done.has(w.window)).map((w) => w.entity))
    if (running.size > 0) {
      const steps = yield* sql<Row>`
        SELECT m.entity_id, m.id, m.payload, r.payload AS reply
        FROM cluster_messages m JOIN cluster_replies r ON r.request_id = m.id AND r.kind = 0
        WHERE m.tag = 'activity' AND m.entity_type = ${windowType} AND m.id >= ${since}
          AND m.payload LIKE '{"name":"page/%' AND m.entity_id IN (
            SELECT m.entity_id FROM cluster_messages m WHERE m.tag = 'run' AND ${ofPlan})`
      const counted = new Set<string>()
      for (const row of steps) {
        const name = parse(row.payload)?.name
        if (!running.has(row.entity_id) || typeof name !== "string" || !name.startsWith("page/")) continue
        const page = completedValue(parse(row.reply))
        const key = `${row.entity_id} ${name}`
        if (page === undefined || counted.has(key)) continue
        counted.add(key)
        pages += 1
        conversations += Number(page.written) || 0
      }
    }
    return { windowsDone: done.size, pages, conversations, startedAtMillis } satisfies WindowProgress
  })
