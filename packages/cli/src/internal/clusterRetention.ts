/**
 * Housekeeping of a cluster's journal, run by every runner: completed extractions (and their windows and plans) are
 * deleted once older than the retention, since the cluster keeps every message and reply forever otherwise; and
 * executions left suspended (a resume lost in a crash) are resumed.
 *
 * @internal
 */
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as Snowflake from "@effect/cluster/Snowflake"
import * as SqlClient from "@effect/sql/SqlClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"

const entity = {
  extraction: `Workflow/${ExtractionWorkflow.ExtractionWorkflow.name}`,
  window: `Workflow/${ExtractionWorkflow.WindowWorkflow.name}`,
  job: `Workflow/${ExtractionWorkflow.JobWorkflow.name}`,
  plan: `Workflow/${ExtractionWorkflow.PlanWorkflow.name}`
}

// The cluster's default table names, and its code for a final reply (`WithExit`).
const messages = "cluster_messages"
const replies = "cluster_replies"
const withExit = 0

interface Finished {
  readonly entity_type: string
  readonly entity_id: string
  readonly reply_id: string | bigint
}

/** Deletes every message and reply of one execution. */
const clear = (sql: SqlClient.SqlClient, entityType: string, entityId: string) =>
  sql.withTransaction(
    Effect.zipRight(
      sql`DELETE FROM ${sql(replies)} WHERE request_id IN (
        SELECT id FROM ${sql(messages)} WHERE entity_type = ${entityType} AND entity_id = ${entityId})`,
      sql`DELETE FROM ${sql(messages)} WHERE entity_type = ${entityType} AND entity_id = ${entityId}`
    )
  )

/**
 * Deletes the journal of extractions and plans that finished more than `retentionMillis` ago, with the windows and
 * jobs of those extractions; returns how many executions went.
 *
 * @internal
 */
export const prune = (retentionMillis: number) =>
  Effect.gen(function* () {
    const sql = yield* SqlClient.SqlClient
    const now = yield* Clock.currentTimeMillis
    const finished = yield* sql<Finished>`
      SELECT m.entity_type, m.entity_id, r.id AS reply_id
      FROM ${sql(messages)} m JOIN ${sql(replies)} r ON r.request_id = m.id
      WHERE m.tag = 'run' AND r.kind = ${withExit} AND m.entity_type IN (${entity.extraction}, ${entity.plan})
        AND r.payload NOT LIKE '%"Suspended"%'`
    let pruned = 0
    for (const row of finished) {
      const at = Snowflake.timestamp(Snowflake.Snowflake(BigInt(row.reply_id)))
      if (now - at < retentionMillis) continue
      if (row.entity_type === entity.extraction) {
        const children = yield* sql<{ readonly entity_type: string; readonly entity_id: string }>`
          SELECT DISTINCT entity_type, entity_id FROM ${sql(messages)}
          WHERE entity_type IN (${entity.window}, ${entity.job}) AND tag = 'run'
            AND payload LIKE ${`%${row.entity_id}%`}`
        for (const child of children) yield* clear(sql, child.entity_type, child.entity_id)
        pruned += children.length
      }
      yield* clear(sql, row.entity_type, row.entity_id)
      pruned += 1
    }
    return pruned
  })

const workflowOf = (entityType: string) =>
  entityType === entity.extraction
    ? ExtractionWorkflow.ExtractionWorkflow
    : entityType === entity.job
      ? ExtractionWorkflow.JobWorkflow
      : ExtractionWorkflow.WindowWorkflow

/**
 * Resumes extractions, windows and jobs whose last reply says suspended: nothing of ours suspends on purpose, so such an
 * execution lost the resume that should have woken it. Returns how many were resumed.
 *
 * @internal
 */
export const resumeSuspended = Effect.gen(function* () {
  const sql = yield* SqlClient.SqlClient
  const suspended = yield* sql<{ readonly entity_type: string; readonly entity_id: string }>`
    SELECT m.entity_type, m.entity_id
    FROM ${sql(messages)} m JOIN ${sql(replies)} r ON r.request_id = m.id
    WHERE m.tag = 'run' AND r.kind = ${withExit} AND r.payload LIKE '%"Suspended"%'
      AND m.entity_type IN (${entity.extraction}, ${entity.window}, ${entity.job})`
  for (const row of suspended) yield* workflowOf(row.entity_type).resume(row.entity_id)
  return suspended.length
})

/** Both, for a runner's periodic sweep; failures are logged, never fatal to the runner. @internal */
export const sweep = (
  retentionMillis: number
): Effect.Effect<{ readonly pruned: number; readonly resumed: number }, never, SqlClient.SqlClient | WorkflowEngine> =>
  Effect.all({ pruned: prune(retentionMillis), resumed: resumeSuspended }).pipe(
    Effect.catchAll((e) =>
      Effect.as(Effect.logWarning(`journal sweep failed: ${e.message}`), { pruned: 0, resumed: 0 })
    )
  )
