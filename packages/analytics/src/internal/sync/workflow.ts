// The sync loop as one long-lived workflow: each cycle's clock, plan, extraction and settled point are steps of the
// journal, and the wait between cycles is durable (a durable clock for the tail, raced with a durable deferred that the
// availability listener completes). A sync whose process dies continues where it stopped: a cycle in flight resumes
// from its extraction's journal instead of being planned again, and a wait resumes with the time it had left.
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import * as DurableDeferred from "@effect/workflow/DurableDeferred"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Extraction from "../../Extraction.js"
import * as ExtractionWorkflow from "../../ExtractionWorkflow.js"
import * as Interval from "../../Interval.js"
import { Plan, StepError } from "../durable/schemas.js"
import { now } from "../durable/windowSteps.js"

/** Where a cycle's outcome goes: the sync's store and its event stream, both in the process running the workflow. */
export class CycleSink extends Context.Tag("@effect-genesys/analytics/Sync/CycleSink")<
  CycleSink,
  {
    /** Stores the settled point and tells the caller what the cycle did. */
    readonly completed: (cycle: CycleOutcome, report: Extraction.Report) => Effect.Effect<void, unknown>
    /**
     * Told, on every run of the workflow body (replays included), when the wait before cycle `cycle` starts (`true`)
     * and ends (`false`), so the listener knows whether to complete {@link wakeOf} now or after the running cycle.
     */
    readonly waiting: (cycle: number, waiting: boolean) => Effect.Effect<void>
  }
>() {}

/** What one cycle did, as the journal stores it. */
export const CycleOutcome = Schema.Struct({
  cycle: Schema.NonNegativeInt,
  from: Schema.String,
  to: Schema.String,
  settledUntil: Schema.String,
  advanced: Schema.Boolean,
  conversations: Schema.NonNegativeInt
})

/** @internal */
export type CycleOutcome = typeof CycleOutcome.Type

const ExtractionSettings = Schema.Struct({
  concurrency: Schema.optional(Schema.Int),
  pageSize: Schema.optional(Schema.Int),
  maxResubmissions: Schema.optional(Schema.Int),
  reconcile: Schema.optional(Schema.Boolean),
  reconcileThreshold: Schema.optional(Schema.Number)
})

/**
 * One segment of a sync, keyed by org, what defines its data (start, filters, restatement window, sink) and a segment
 * number. A workflow is replayed from its first step whenever it resumes, so a sync that never ended would replay
 * ever more cycles: each segment runs {@link cyclesPerSegment} cycles and ends, and the next one continues from the
 * settled point (also after a failure).
 */
export const SyncWorkflow = Workflow.make({
  name: "effect-genesys/Sync",
  payload: {
    org: Schema.String,
    sink: Schema.Unknown,
    from: Schema.String,
    filters: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
    restatementMillis: Schema.Number,
    tailEveryMillis: Schema.Number,
    /** The store's settled point when this segment started. */
    settledUntil: Schema.optional(Schema.String),
    /** Wait before the first cycle (a segment that continues one that ended) or start with a cycle (a new sync). */
    waitFirst: Schema.Boolean,
    extraction: ExtractionSettings,
    segment: Schema.NonNegativeInt
  },
  success: Schema.Void,
  error: StepError,
  idempotencyKey: (p) => `${p.org}:${JSON.stringify([p.from, p.filters, p.restatementMillis, p.sink])}:${p.segment}`
})

/** Cycles in one segment of a sync: bounds what a resume replays. */
export const cyclesPerSegment = 24

/** @internal */
export type Payload = typeof SyncWorkflow.payloadSchema.Type

/** The deferred that ends the wait before cycle `n` early: the listener completes it when the availability date moves. */
export const wakeOf = (n: number) => DurableDeferred.make(`cycle/${n}/wake`, { success: Schema.String })

/** The interval of a cycle: from the settled point less the restatement window (never before `from`) to now. */
export const cycleInterval = (
  p: { readonly from: string; readonly restatementMillis: number },
  settled: string | undefined,
  nowMillis: number
): string => {
  const fromMillis = Date.parse(p.from)
  const startMillis =
    settled === undefined ? fromMillis : Math.max(fromMillis, Date.parse(settled) - p.restatementMillis)
  return Interval.format(startMillis, Math.max(startMillis + 1, nowMillis))
}

/** Plans a cycle's extraction with the sync's own client (the process that runs the sync holds the credentials). */
const planStep = (name: string, query: unknown) =>
  Activity.make({
    name,
    success: Plan,
    error: StepError,
    execute: Effect.map(Extraction.plan(query), (plan) => plan as typeof Plan.Type)
  })

/** Waits for cycle `n`: until the tail is due or the listener tells of an advance, whichever comes first. */
const waitForNext = (p: Payload, n: number) =>
  Effect.gen(function* () {
    // Not steps: on a replay too the listener must learn which wake-up the workflow awaits.
    const tell = (waiting: boolean) => Effect.flatMap(CycleSink, (sink) => sink.waiting(n, waiting))
    yield* tell(true)
    const wakeUps: ReadonlyArray<Effect.Effect<string, never, WorkflowEngine | WorkflowInstance>> = [
      Effect.as(
        // Engine-scheduled even when short: an in-memory sleep would hold the workflow and delay the listener's wake.
        DurableClock.sleep({ name: `cycle/${n}/tail`, duration: p.tailEveryMillis, inMemoryThreshold: 0 }),
        "tail"
      ),
      DurableDeferred.await(wakeOf(n))
    ]
    yield* DurableDeferred.raceAll({
      name: `cycle/${n}/wait`,
      success: Schema.String,
      error: Schema.Never,
      effects: wakeUps as [(typeof wakeUps)[number], ...Array<(typeof wakeUps)[number]>]
    })
    yield* tell(false)
  })

const completed = (n: number, outcome: CycleOutcome, report: Extraction.Report) =>
  Activity.make({
    name: `cycle/${n}/settled`,
    error: StepError,
    execute: Effect.flatMap(CycleSink, (sink) => sink.completed(outcome, report)).pipe(
      Effect.mapError((e) => e as StepError)
    )
  })

/** The loop of one segment: cycle, wait, cycle, … */
export const body = (p: Payload) =>
  Effect.gen(function* () {
    let settled = p.settledUntil
    for (let n = 0; n < cyclesPerSegment; n++) {
      if (n > 0 || p.waitFirst) yield* waitForNext(p, n)
      const interval = cycleInterval(p, settled, yield* now(`cycle/${n}/now`))
      const plan = (yield* planStep(`cycle/${n}/plan`, { interval, ...p.filters })) as Extraction.Plan
      const report = yield* ExtractionWorkflow.run(plan, { ...p.extraction, org: p.org, sink: p.sink })
      const [from, to] = interval.split("/") as [string, string]
      const outcome: CycleOutcome = {
        cycle: p.segment * cyclesPerSegment + n,
        from,
        to,
        settledUntil: plan.watermark,
        advanced: settled === undefined || Date.parse(settled) < Date.parse(plan.watermark),
        conversations: report.totals.conversations
      }
      yield* completed(n, outcome, report)
      settled = plan.watermark
    }
  })
