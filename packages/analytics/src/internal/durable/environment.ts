// What a runner gives the durable extraction's steps: the services of an org and the sink of an execution. The
// journal holds only names (an org profile, a sink description); credentials and sinks live in the runner.
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as AuditLog from "../../AuditLog.js"
import type * as ConversationAggregates from "../../ConversationAggregates.js"
import type * as ConversationDetails from "../../ConversationDetails.js"
import type * as PageSink from "../../PageSink.js"
import type * as QueryValidator from "../../QueryValidator.js"
import type * as Webhook from "../../Webhook.js"
import type * as Selector from "../extraction/selector.js"
import type { SinkFailed, StepError } from "./schemas.js"

/** One committed page, for progress lines. @internal */
export interface PageProgress {
  readonly window: string
  readonly page: number
  readonly written: number
}

/** The services one execution's steps run with. @internal */
export interface StepServices {
  readonly details: ConversationDetails.Service
  /** The org's aggregate queries, when the runner has them: a cluster weighs windows by volume with them. */
  readonly aggregates?: ConversationAggregates.Service | undefined
  readonly audit: AuditLog.Service
  readonly validator: Partial<QueryValidator.ValidatorOptions> | undefined
  readonly sink: PageSink.PageSink<unknown>
  readonly notify: (event: Webhook.WebhookEvent) => Effect.Effect<void>
  readonly quarantine: ((entry: Selector.QuarantinedRecord) => Effect.Effect<void, unknown>) | undefined
  readonly onPage: ((progress: PageProgress) => Effect.Effect<void>) | undefined
  /** Told when a window has finished (its id). */
  readonly onWindowDone: ((window: string) => Effect.Effect<void>) | undefined
  /** Runs each step: e.g. to observe its HTTP retries (`GenesysHttp.withRetryObserver`). */
  readonly around: <A, E, R>(step: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

/** Which org and which sink an execution names. @internal */
export interface ExecutionRef {
  readonly org: string
  readonly sink: unknown
  readonly planHash: string
}

/**
 * Where a cluster would execute workflow executions now. An execution's id decides its shard and so its runner, and a
 * window's requests go out with that runner's token for the org: an extraction asks before each window so that its
 * windows spread over the runners instead of piling up where the hash of their ids puts them.
 *
 * @internal
 */
export interface Placement {
  /** For each execution id, the runner whose shard holds it now (`undefined` when not known). */
  readonly runnersOf: (executionIds: ReadonlyArray<string>) => Effect.Effect<ReadonlyArray<string | undefined>>
}

/**
 * The runner's side of a durable extraction: for an execution (org profile, sink description), the services its
 * steps use. Resolved on every step, so implementations cache. `placement` is given by a cluster of runners.
 *
 * @internal
 */
export class Environment extends Context.Tag("@effect-genesys/analytics/ExtractionWorkflow/Environment")<
  Environment,
  {
    readonly resolve: (execution: ExecutionRef) => Effect.Effect<StepServices, SinkFailed | StepError>
    readonly placement?: Placement | undefined
  }
>() {}
