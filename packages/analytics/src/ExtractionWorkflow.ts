/**
 * Extraction as a durable workflow on `@effect/workflow`: the same plan, windows and report as `Extraction`, with
 * every step (submit, poll, each page, finalize) recorded in a journal, so a run whose process dies resumes where it
 * stopped (on the same machine or another runner of a cluster) and writes every conversation exactly once into a
 * `PageSink`. The engine is chosen by a layer: `WorkflowEngine.layerMemory` for tests, a single runner with SQLite
 * storage for one machine, `@effect/cluster` runners on Postgres for several.
 *
 * @since 0.2.0
 */
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { AuditLog } from "./AuditLog.js"
import { ConversationAggregates } from "./ConversationAggregates.js"
import { ConversationDetails } from "./ConversationDetails.js"
import * as Extraction from "./Extraction.js"
import { GenesysConfig } from "./GenesysConfig.js"
import * as GenesysHttp from "./GenesysHttp.js"
import * as Environment_ from "./internal/durable/environment.js"
import * as Submission from "./internal/extraction/submission.js"
import { canonicalJson } from "./internal/canonicalJson.js"
import * as Finalize from "./internal/durable/finalize.js"
import * as JobForecasts from "./internal/durable/jobForecasts.js"
import * as PlanStep from "./internal/durable/planStep.js"
import * as Schemas from "./internal/durable/schemas.js"
import * as WindowRun from "./internal/durable/windowRun.js"
import * as WindowPlacement from "./internal/durable/windowPlacement.js"
import * as WindowVolumes from "./internal/durable/windowVolumes.js"
import * as Steps from "./internal/durable/windowSteps.js"
import type * as PageSink from "./PageSink.js"
import * as Webhook from "./Webhook.js"

/** A step's failure that is not the library's own: the sink's, as text. @since 0.2.0 */
export class SinkFailed extends Schemas.SinkFailed {}

/** Every failure an extraction workflow may end with. @since 0.2.0 */
export type StepError = Schemas.StepError

/** The runner's services for an execution; see {@link layerEnvironment}. @since 0.2.0 */
export const Environment = Environment_.Environment

/** @since 0.2.0 */
export type StepServices = Environment_.StepServices

/** Where a cluster would run an execution: given by a cluster's runners, so that windows spread. @since 0.2.0 */
export type Placement = Environment_.Placement

/** One committed page, for progress lines. @since 0.2.0 */
export type PageProgress = Environment_.PageProgress

const payloadFields = {
  /** The org profile whose credentials the runner uses. */
  org: Schema.String,
  /** A description of the sink that the runner's environment turns into a `PageSink`. */
  sink: Schema.Unknown,
  /** Runs of the same plan after a failed one: a new generation reuses the windows that finished. */
  generation: Schema.NonNegativeInt
}

/** What a window's workflows (its job and its pages) are given. */
const windowFields = {
  ...payloadFields,
  planHash: Schema.String,
  window: Schemas.PlannedWindow,
  filters: Schemas.Plan.fields.filters,
  watermark: Schema.String,
  maxResubmissions: Schema.NonNegativeInt,
  /** Chosen on a cluster to put the execution on a given runner: it changes the execution id, hence the shard. */
  lane: Schema.optional(Schema.NonNegativeInt)
}

const windowKey = (p: {
  readonly org: string
  readonly planHash: string
  readonly generation: number
  readonly window: { readonly id: string }
  readonly lane?: number | undefined
}) => `${p.org}:${p.planHash}:${p.generation}:${p.window.id}${p.lane === undefined ? "" : `~${p.lane}`}`

/** A key's suffix for the `n`th start of a window, or the `n`th resubmission of its job (none for the first). */
const nth = (n: number | undefined) => (n === undefined || n === 0 ? "" : `#${n}`)

/** One window of an extraction. @since 0.2.0 */
export const WindowWorkflow = Workflow.make({
  name: "effect-genesys/ExtractionWindow",
  payload: {
    ...windowFields,
    pageSize: Schema.optional(Schema.Int),
    /**
     * A job window's job, fulfilled under a job slot ({@link JobWorkflow}); the window ends with `NeedsNewJob` when
     * the job goes bad while its pages are read. Query windows have none.
     */
    job: Schema.optional(Schemas.FulfilledJob),
    /** The window's start with its next job after one that went bad: 1, 2, … */
    round: Schema.optional(Schema.NonNegativeInt)
  },
  success: Schemas.WindowOutcome,
  error: Schemas.WindowError,
  idempotencyKey: (p) => `${windowKey(p)}${nth(p.round)}`
})

/**
 * The job of one job window: submitted and awaited while the extraction holds one of the org's job slots, which it
 * gives back when the job is fulfilled, before the window's pages are read. On a cluster, placed on the runner that
 * reads the window's pages when one of its lanes lands there.
 *
 * @since 0.3.0
 */
export const JobWorkflow = Workflow.make({
  name: "effect-genesys/ExtractionJob",
  payload: {
    ...windowFields,
    /** The resubmission this job is, after one whose pages went bad (none for the window's first job). */
    from: Schema.optional(Schema.NonNegativeInt),
    /** When the window's first job was submitted, after one whose pages went bad. */
    startedAt: Schema.optional(Schema.Number),
    /** The window's estimated conversations, when the plan has them: what its job's forecast polls go by. */
    estimated: Schema.optional(Schema.Number)
  },
  success: Schemas.FulfilledJob,
  error: Schemas.StepError,
  idempotencyKey: (p) => `${windowKey(p)}${nth(p.from)}`
})

/**
 * A whole extraction: its windows as child workflows (a job window's job first, under one of the org's job slots),
 * then the finalize step. @since 0.2.0
 */
export const ExtractionWorkflow = Workflow.make({
  name: "effect-genesys/Extraction",
  payload: {
    ...payloadFields,
    plan: Schemas.Plan,
    settings: Schemas.RunSettings,
    /** Outcomes of windows finished by an earlier generation. */
    finished: Schema.Array(Schemas.WindowOutcome)
  },
  success: Finalize.ReportJson,
  error: Schemas.StepError,
  idempotencyKey: (p) => `${p.org}:${p.plan.planHash}:${p.generation}`
})

/** Plans an extraction on a runner, with the org's credentials; the plan is kept in the journal. @since 0.2.0 */
export const PlanWorkflow = Workflow.make({
  name: "effect-genesys/ExtractionPlan",
  payload: {
    org: Schema.String,
    /** The extraction query (`interval` plus filters), with an absolute interval. */
    query: Schema.Unknown,
    settings: Schema.optional(PlanStep.PlanSettings),
    /** Plans of the same query after a failed one (an unknown org, refused credentials) get the next number. */
    attempt: Schema.NonNegativeInt
  },
  success: Schemas.Plan,
  error: Schemas.StepError,
  idempotencyKey: (p) => `${p.org}:${canonicalJson(p.query)}:${canonicalJson(p.settings ?? {})}:${p.attempt}`
})

/** How often a submitter reads its plan's result while the plan is young. */
const planPoll = Schedule.spaced("100 millis")

/**
 * Starts the plan and reads its result every {@link planPoll} for a few seconds before waiting as the engine does: a
 * plan takes a fraction of a second, and a cluster client hears of a result only at its reply poll (every second),
 * which would add half a second to every extraction's start on average.
 */
const awaitPlan = (payload: typeof PlanWorkflow.payloadSchema.Type) =>
  Effect.gen(function* () {
    const id = yield* PlanWorkflow.execute(payload, { discard: true })
    const early = yield* PlanWorkflow.poll(id).pipe(
      Effect.flatMap((result) => (result?._tag === "Complete" ? Effect.succeed(result.exit) : Effect.fail("pending"))),
      Effect.retry(planPoll),
      Effect.timeoutOption("3 seconds"),
      Effect.orElseSucceed(() => Option.none())
    )
    return yield* Option.getOrElse(early, () => PlanWorkflow.execute(payload))
  })

/** The plan of `query`: the one already made for it, or a new one after a failed attempt. */
const planOf = (org: string, query: unknown, settings: PlanStep.PlanSettings | undefined) =>
  Effect.gen(function* () {
    for (let attempt = 0; ; attempt++) {
      const payload = { org, query, attempt, ...(settings !== undefined ? { settings } : {}) }
      const result = yield* Effect.flatMap(PlanWorkflow.executionId(payload), PlanWorkflow.poll)
      if (result !== undefined && result._tag === "Complete" && result.exit._tag === "Failure") continue
      return yield* awaitPlan(payload)
    }
  })

const windowRef = (p: typeof JobWorkflow.payloadSchema.Type & { readonly pageSize?: number | undefined }) => ({
  execution: { org: p.org, sink: p.sink, planHash: p.planHash },
  window: p.window,
  filters: p.filters as Extraction.Filters,
  watermarkMillis: Date.parse(p.watermark),
  pageSize: p.pageSize
})

const windowBody = (p: typeof WindowWorkflow.payloadSchema.Type) =>
  WindowRun.run(windowRef(p), { generation: p.generation, maxResubmissions: p.maxResubmissions, job: p.job })

const jobBody = (p: typeof JobWorkflow.payloadSchema.Type) =>
  WindowRun.runJob(windowRef(p), {
    generation: p.generation,
    maxResubmissions: p.maxResubmissions,
    from: p.from,
    startedAt: p.startedAt,
    estimated: p.estimated
  })

/** What an extraction gives a window's workflows (without a lane): also how a later run finds the window. */
const windowPayload = (
  p: {
    readonly org: string
    readonly sink: unknown
    readonly generation: number
    readonly plan: typeof Schemas.Plan.Type
    readonly settings: Schemas.RunSettings
  },
  window: typeof Schemas.PlannedWindow.Type
) => ({
  org: p.org,
  sink: p.sink,
  generation: p.generation,
  planHash: p.plan.planHash,
  window,
  filters: p.plan.filters,
  watermark: p.plan.watermark,
  pageSize: p.settings.pageSize,
  maxResubmissions: p.settings.maxResubmissions
})

/** A window that has no job to hand back (a query window). */
const queryWindowOnce = (payload: typeof WindowWorkflow.payloadSchema.Type) =>
  WindowWorkflow.execute(payload).pipe(
    Effect.catchTag("NeedsNewJob", () => Effect.dieMessage("a query window handed back a job"))
  )

const extractionBody = (p: typeof ExtractionWorkflow.payloadSchema.Type) =>
  Effect.gen(function* () {
    const execution = { org: p.org, sink: p.sink, planHash: p.plan.planHash }
    const startedAt = yield* Steps.now("start")
    const finished = new Map(p.finished.map((o) => [o.id, o]))
    const { placement } = yield* Environment_.Environment
    // The org's job slots: held from a job's submission to its fulfilment, as `Extraction.run` holds them, so that
    // the next jobs run while finished ones are paged.
    const jobSlots = yield* Effect.makeSemaphore(p.settings.concurrency)
    const payloadOf = (window: typeof Schemas.PlannedWindow.Type) => windowPayload(p, window)
    // The execution ids a window (and its job) would have in each lane.
    const laneIds = (window: typeof Schemas.PlannedWindow.Type) =>
      Effect.all({
        windows: Effect.forEach(WindowPlacement.lanes, (lane) =>
          WindowWorkflow.executionId({ ...payloadOf(window), lane })
        ),
        jobs: Effect.forEach(WindowPlacement.lanes, (lane) => JobWorkflow.executionId({ ...payloadOf(window), lane }))
      })
    // On a cluster, windows weighed by their estimated conversations (from the plan, or asked for now), placed and
    // started largest first (the longest-processing-time rule), so that every runner's token carries about as many
    // pages.
    const volumes =
      p.plan.volumes !== undefined && p.plan.volumes.length === p.plan.windows.length
        ? p.plan.volumes
        : placement === undefined
          ? null
          : yield* WindowVolumes.windowVolumes(execution, p.plan.windows)
    const estimateOf = (index: number) => (volumes === null ? undefined : volumes[index])
    const weights = p.plan.windows.map((_, i) => WindowPlacement.weightOf(estimateOf(i), p.settings.pageSize))
    const order = p.plan.windows.map((_, i) => i)
    if (volumes !== null) order.sort((a, b) => weights[b]! - weights[a]!)
    const placer = yield* WindowPlacement.makePlacer(execution, order.length)
    const outcomeOf = new Map<number, Schemas.WindowOutcome>()
    yield* Effect.forEach(
      order,
      (index, position) => {
        const window = p.plan.windows[index]!
        const done = finished.get(window.id)
        if (done !== undefined)
          return Effect.zipRight(
            placer.pass(position),
            Effect.sync(() => outcomeOf.set(index, done))
          )
        const payload = payloadOf(window)
        const runWindow = (placed: WindowPlacement.Placed) =>
          Effect.gen(function* () {
            const laned = placed.lane === undefined ? payload : { ...payload, lane: placed.lane }
            if (window.kind !== "job") return yield* queryWindowOnce(laned)
            const { pageSize: _, ...jobBase } = payload
            const estimated = estimateOf(index)
            const sized = estimated === undefined ? jobBase : { ...jobBase, estimated }
            const jobPayload = placed.jobLane === undefined ? sized : { ...sized, lane: placed.jobLane }
            // Every job of the window is submitted under a slot, the one after a job gone bad while read too.
            let handedBack: Schemas.NeedsNewJob | undefined
            for (let round = 0; ; round++) {
              const job = yield* jobSlots.withPermits(1)(
                JobWorkflow.execute(
                  handedBack === undefined
                    ? jobPayload
                    : { ...jobPayload, from: handedBack.resubmission, startedAt: handedBack.startedAt }
                )
              )
              const ended = yield* Effect.either(
                WindowWorkflow.execute({ ...laned, job, ...(round > 0 ? { round } : {}) })
              )
              if (Either.isRight(ended)) return ended.right
              if (ended.left._tag !== "NeedsNewJob") return yield* Effect.fail(ended.left)
              handedBack = ended.left
            }
          })
        const placedRun =
          placement === undefined
            ? runWindow({})
            : Effect.flatMap(laneIds(window), (ids) =>
                placer.run(
                  position,
                  { planned: window, ids, weight: weights[index]!, estimated: estimateOf(index) },
                  runWindow
                )
              )
        return Effect.map(placedRun, (outcome) => outcomeOf.set(index, outcome))
      },
      { concurrency: Submission.windowsInFlight(p.settings.concurrency), discard: true }
    )
    const outcomes = p.plan.windows.map((_, i) => outcomeOf.get(i)!)
    return yield* Finalize.finalize({
      execution,
      plan: p.plan,
      settings: p.settings,
      outcomes,
      resumed: new Set(finished.keys()),
      startedAt
    })
  })

/**
 * Registers the workflows with the engine; their steps run with the runner's {@link Environment}.
 *
 * @since 0.2.0
 */
export const layer: Layer.Layer<never, never, WorkflowEngine | Environment_.Environment> = Layer.mergeAll(
  PlanWorkflow.toLayer((p) => PlanStep.plan({ org: p.org, sink: null, planHash: "" }, p.query, p.settings)),
  WindowWorkflow.toLayer(windowBody),
  JobWorkflow.toLayer(jobBody),
  ExtractionWorkflow.toLayer(extractionBody)
).pipe(Layer.provide(JobForecasts.layer))

/** Options of {@link layerEnvironment}. @since 0.2.0 */
export interface EnvironmentOptions {
  /**
   * The sink every execution writes to (one process, one output), or the sink of each execution (a page sink keyed
   * per execution, such as the SQL page sink when one process runs many extractions into one database).
   */
  readonly sink:
    | PageSink.PageSink<unknown>
    | ((execution: Environment_.ExecutionRef) => Effect.Effect<PageSink.PageSink<unknown>, unknown>)
  readonly quarantine?: StepServices["quarantine"]
  readonly onPage?: StepServices["onPage"]
  readonly onWindowDone?: StepServices["onWindowDone"]
  /** Told before every HTTP retry or 429 wait of a step. */
  readonly onRetry?: ((info: GenesysHttp.RetryInfo) => Effect.Effect<void>) | undefined
  /** Where a cluster would run each execution, so that an extraction spreads its windows (none: one process). */
  readonly placement?: Placement | undefined
}

/**
 * The environment of a single-org runner: the current `ConversationDetails`, `AuditLog`, `GenesysConfig` and
 * (optional) `Webhook` and `ConversationAggregates`, and one sink for every execution.
 *
 * @since 0.2.0
 */
export const layerEnvironment = (
  options: EnvironmentOptions
): Layer.Layer<Environment_.Environment, never, ConversationDetails | AuditLog | GenesysConfig> =>
  Layer.effect(
    Environment_.Environment,
    Effect.gen(function* () {
      const webhook = yield* Effect.serviceOption(Webhook.Webhook)
      const aggregates = yield* Effect.serviceOption(ConversationAggregates)
      const sinkOf = options.sink
      const services: Omit<StepServices, "sink"> = {
        details: yield* ConversationDetails,
        aggregates: Option.getOrUndefined(aggregates),
        audit: yield* AuditLog,
        validator: (yield* GenesysConfig).validator,
        notify: (event) => Option.match(webhook, { onNone: () => Effect.void, onSome: (w) => w.notify(event) }),
        quarantine: options.quarantine,
        onPage: options.onPage,
        onWindowDone: options.onWindowDone,
        around: (step) => (options.onRetry === undefined ? step : GenesysHttp.withRetryObserver(step, options.onRetry))
      }
      const placement = options.placement
      if (typeof sinkOf !== "function") {
        return { placement, resolve: () => Effect.succeed({ ...services, sink: sinkOf }) }
      }
      const sinks = yield* Effect.cachedFunction((key: string) =>
        Effect.mapError(
          sinkOf(JSON.parse(key) as Environment_.ExecutionRef),
          (e) => new SinkFailed({ message: e instanceof Error ? e.message : String(e) })
        )
      )
      return {
        placement,
        resolve: (execution) =>
          Effect.map(
            sinks(JSON.stringify({ org: execution.org, sink: execution.sink, planHash: execution.planHash })),
            (sink) => ({ ...services, sink })
          )
      }
    })
  )

/** Options of {@link run}. @since 0.2.0 */
export interface RunOptions {
  /** The org profile (default `"default"`). */
  readonly org?: string | undefined
  /** The sink description the runner's environment resolves (default `null`: the environment's one sink). */
  readonly sink?: unknown
  readonly concurrency?: number | undefined
  readonly pageSize?: number | undefined
  readonly maxResubmissions?: number | undefined
  readonly reconcile?: boolean | undefined
  readonly reconcileThreshold?: number | undefined
  /** Generations to look back on before giving up (each failed run of the same plan adds one). Default 1000. */
  readonly maxGenerations?: number | undefined
}

const payloadFor = (plan: Extraction.Plan, options: RunOptions | undefined, generation: number) => ({
  org: options?.org ?? "default",
  sink: options?.sink ?? null,
  generation,
  plan: plan as typeof Schemas.Plan.Type,
  settings: {
    concurrency: Math.max(1, options?.concurrency ?? plan.jobs ?? Extraction.defaultJobs),
    ...(options?.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    maxResubmissions: options?.maxResubmissions ?? 2,
    reconcile: options?.reconcile ?? false,
    ...(options?.reconcileThreshold !== undefined ? { reconcileThreshold: options.reconcileThreshold } : {})
  },
  finished: [] as Array<Schemas.WindowOutcome>
})

/** Windows that finished in generation `generation` of a run (under no lane, or any lane a cluster placed it in). */
const finishedIn = (payload: ReturnType<typeof payloadFor>) =>
  Effect.forEach(payload.plan.windows, (window) =>
    Effect.gen(function* () {
      for (const lane of [undefined, ...WindowPlacement.lanes]) {
        // A window started again with a new job (`round`) only after its earlier start ended.
        for (let round = 0; round <= payload.settings.maxResubmissions; round++) {
          const id = yield* WindowWorkflow.executionId({
            ...windowPayload(payload, window),
            ...(lane === undefined ? {} : { lane }),
            ...(round > 0 ? { round } : {})
          })
          const result = yield* WindowWorkflow.poll(id)
          if (result === undefined || result._tag !== "Complete") break
          if (result.exit._tag === "Success") return [result.exit.value]
        }
      }
      return []
    })
  ).pipe(Effect.map((lists) => lists.flat()))

/**
 * The generation of a plan to use now: the first that has not failed, with the windows earlier generations finished
 * (what it is given when it starts) and its current result (`undefined` before it ran).
 */
const currentGeneration = (plan: Extraction.Plan, options: RunOptions | undefined) =>
  Effect.gen(function* () {
    const finished: Array<Schemas.WindowOutcome> = []
    for (let generation = 0; generation < (options?.maxGenerations ?? 1000); generation++) {
      const payload = payloadFor(plan, options, generation)
      const id = yield* ExtractionWorkflow.executionId(payload)
      const result = yield* ExtractionWorkflow.poll(id)
      if (result === undefined || result._tag !== "Complete" || result.exit._tag !== "Failure") {
        return { id, result, payload: { ...payload, finished } }
      }
      const done = new Set(finished.map((o) => o.id))
      for (const o of yield* finishedIn(payload)) if (!done.has(o.id)) finished.push(o)
    }
    return yield* Effect.die(new Error("too many failed generations of one plan"))
  })

/**
 * Runs a plan as a durable extraction and returns its report. The execution is keyed by org and plan hash: calling
 * `run` again for the same plan attaches to the execution in flight (after a crash, it continues from the journal),
 * returns the report of one that completed, or, after one that failed, starts the next generation, which keeps the
 * windows that finished and runs the rest.
 *
 * @since 0.2.0
 */
export const run = (
  plan: Extraction.Plan,
  options?: RunOptions
): Effect.Effect<Extraction.Report, StepError, WorkflowEngine> =>
  Effect.flatMap(currentGeneration(plan, options), ({ payload, result }) =>
    result !== undefined && result._tag === "Complete" && result.exit._tag === "Success"
      ? Effect.succeed(result.exit.value)
      : ExtractionWorkflow.execute(payload)
  ).pipe(Effect.withSpan("ExtractionWorkflow.run"))

/**
 * Starts the execution of a plan without waiting (for a client that detaches) and returns its execution id; like
 * {@link run}, it attaches to one in flight and starts the next generation after a failed one.
 *
 * @since 0.2.0
 */
export const start = (plan: Extraction.Plan, options?: RunOptions): Effect.Effect<string, never, WorkflowEngine> =>
  Effect.flatMap(currentGeneration(plan, options), ({ id, payload, result }) =>
    result !== undefined ? Effect.succeed(id) : ExtractionWorkflow.execute(payload, { discard: true })
  )

/** Where an execution stands: not known, running (or suspended), or finished with its report or failure. @since 0.2.0 */
export type Status =
  | { readonly _tag: "Unknown" }
  | { readonly _tag: "Running" }
  | { readonly _tag: "Succeeded"; readonly report: Extraction.Report }
  | { readonly _tag: "Failed"; readonly error: StepError }

/** The status of an execution by id (from {@link start} or a `--detach` line). @since 0.2.0 */
export const status = (executionId: string): Effect.Effect<Status, never, WorkflowEngine> =>
  Effect.map(ExtractionWorkflow.poll(executionId), (result): Status => {
    if (result === undefined) return { _tag: "Unknown" }
    if (result._tag === "Suspended") return { _tag: "Running" }
    if (result.exit._tag === "Success") return { _tag: "Succeeded", report: result.exit.value }
    const failure = result.exit.cause._tag === "Fail" ? result.exit.cause.error : undefined
    return failure !== undefined ? { _tag: "Failed", error: failure } : { _tag: "Running" }
  })

/** What {@link submit} did: started an execution (detached), or ran it to its report. @since 0.2.0 */
export type Submitted =
  | { readonly _tag: "Started"; readonly id: string; readonly plan: Extraction.Plan }
  | { readonly _tag: "Done"; readonly report: Extraction.Report; readonly plan: Extraction.Plan }

/** The plan's settings, with the run's page size, which `"auto"` windows count a volume's pages with. */
const planSettings = (
  options: (RunOptions & { readonly plan?: PlanStep.PlanSettings | undefined }) | undefined
): PlanStep.PlanSettings | undefined =>
  options?.pageSize === undefined || options.plan?.pageSize !== undefined
    ? options?.plan
    : { ...options.plan, pageSize: options.pageSize }

/**
 * Plans `query` on a runner of the org (with its credentials) and runs the plan: what a client without credentials
 * calls. The query's interval must be absolute, so that submitting it again names the same execution.
 *
 * @since 0.2.0
 */
export const submit = (
  query: unknown,
  options?: RunOptions & {
    readonly plan?: PlanStep.PlanSettings | undefined
    readonly detach?: boolean | undefined
    /** Told the plan once it is made, before the run starts (e.g. to follow the run's progress). */
    readonly onPlan?: ((plan: Extraction.Plan) => Effect.Effect<void>) | undefined
  }
): Effect.Effect<Submitted, StepError, WorkflowEngine> =>
  Effect.flatMap(planOf(options?.org ?? "default", query, planSettings(options)), (made) => {
    const plan = made as Extraction.Plan
    const told = options?.onPlan === undefined ? Effect.void : options.onPlan(plan)
    return Effect.zipRight(
      told,
      options?.detach === true
        ? Effect.map(start(plan, options), (id): Submitted => ({ _tag: "Started", id, plan }))
        : Effect.map(run(plan, options), (report): Submitted => ({ _tag: "Done", report, plan }))
    )
  })
