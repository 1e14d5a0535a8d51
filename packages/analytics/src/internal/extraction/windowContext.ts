import type * as Effect from "effect/Effect"
import type * as AuditLog from "../../AuditLog.js"
import type * as ConversationDetails from "../../ConversationDetails.js"
import type * as QueryValidator from "../../QueryValidator.js"
import type * as Webhook from "../../Webhook.js"
import type * as JobForecast from "./jobForecast.js"
import type * as layout from "./layout.js"
import type * as Ledger from "./ledger.js"
import type * as PhaseTimer from "./phaseTimer.js"
import type * as selector from "./selector.js"
import type * as submission from "./submission.js"
import type * as windowQueries from "./windowQueries.js"

/** What a window runner needs from the run: services, the ledger and the run's options. @internal */
export interface WindowContext<E> {
  readonly filters: Parameters<typeof windowQueries.windowQuery>[0]
  readonly watermarkMillis: number
  readonly validator: Partial<QueryValidator.ValidatorOptions> | undefined
  readonly details: ConversationDetails.Service
  readonly audit: AuditLog.Service
  readonly ledger: Ledger.Ledger<E>
  readonly timer: PhaseTimer.PhaseTimer
  readonly concurrency: submission.Concurrency
  readonly notify: (event: Webhook.WebhookEvent) => Effect.Effect<void>
  readonly quarantine: ((entry: selector.QuarantinedRecord) => Effect.Effect<void, E>) | undefined
  readonly pageSize: number | undefined
  /** What the sink relies on being checked in each record (`jobResultPages` defaults an absent one). */
  readonly validation: ConversationDetails.RecordValidation | undefined
  /** When the sink wants job results' nested records parsed (`jobResultPages` defaults an absent one). */
  readonly nested: ConversationDetails.NestedRecords | undefined
  readonly maxResubmissions: number
  /** The run's jobs done so far, to poll a running job when they say it should be done. */
  readonly forecast: JobForecast.JobForecast
  /** A window's estimated conversations, when the run sized its windows. */
  readonly sizeOf: (window: layout.PlannedWindow) => number | undefined
}

/** The window's body, as sent to Genesys. @internal */
export type Window = layout.PlannedWindow
