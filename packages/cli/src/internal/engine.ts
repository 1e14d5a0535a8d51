/**
 * The durable engine of one machine: a single `@effect/cluster` runner whose journal (messages, replies, shard
 * locks) is a SQLite file in the run's state directory, so a run killed at any point continues from it.
 *
 * @internal
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import type * as ConfigError from "effect/ConfigError"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import type { SqlError } from "@effect/sql/SqlError"

/** The journal's file inside a state directory. @internal */
export const journalFile = (directory: string): string => `${directory}/journal.sqlite`

// One process owns the journal (the state directory is locked), so the cluster's waits for other runners can be
// short: messages left by a killed run are picked up within a second of the restart.
const shardingConfig = {
  entityMessagePollInterval: "250 millis",
  entityReplyPollInterval: "100 millis",
  refreshAssignmentsInterval: "500 millis",
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "3 seconds",
  sendRetryInterval: "100 millis",
  entityTerminationTimeout: "2 seconds"
} as const

/**
 * The single-runner engine over the journal in `directory`. The cluster's own log lines (a runner looking for peers
 * while it starts or stops) are not the user's business: only its errors reach the terminal.
 *
 * @internal
 */
export const embedded = (directory: string): Layer.Layer<WorkflowEngine, ConfigError.ConfigError | SqlError> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provide(SingleRunner.layer({ runnerStorage: "sql", shardingConfig })),
    Layer.provide(SqliteClient.layer({ filename: journalFile(directory) })),
    Layer.locally(FiberRef.currentMinimumLogLevel, LogLevel.Error)
  )
