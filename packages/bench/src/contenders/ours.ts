/**
 * Our library as an application uses it: `ConversationDetails` over `FetchHttpClient` (the same `fetch`
 * transport as the floor, so the difference to the floor is the library's own work; scenarios 1 and 2 also run it
 * over `NodeHttpClient`, Node's `http` module as the SDK's axios and the command line use, with the command line's
 * keep-alive agent), every response checked as the command line's NDJSON export checks it (`validation: "conversation"`:
 * the envelope and each conversation's own fields; the records nested in a conversation are passed on as received; the
 * job flows, `Extraction.run`'s job windows included, read pages from their bytes and parse nested records only when
 * read, `nested: "lazy"`, as the sinks here read ids only; `BENCH_VALIDATION=full` checks every field instead), the default HTTP, pacing and poll policies, and an audit log whose lines are built, hashed
 * and chained, then dropped: what the file log costs but its writes (the memory log keeps every line, which grows
 * with the run). Scenarios 5 and 6 go through `Extraction.plan` and `Extraction.run` (6 with no option: the library's
 * defaults; its sink declares what it reads, as above).
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as CheckpointStore from "@effect-genesys/analytics/CheckpointStore"
import * as ConversationAggregates from "@effect-genesys/analytics/ConversationAggregates"
import * as ConversationDetails from "@effect-genesys/analytics/ConversationDetails"
import * as Extraction from "@effect-genesys/analytics/Extraction"
import type * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import * as GenesysHttp from "@effect-genesys/analytics/GenesysHttp"
import * as Checksum from "../checksum.js"
import type {
  CompletionTask,
  ContenderInput,
  ExtractionTask,
  JobSeen,
  JobTask,
  LatencyTask,
  Outcome
} from "../protocol.js"

// The agent of the command line's transport (packages/cli/src/internal/transport.ts): `NodeHttpClient.layer`'s own
// agent has no keep-alive and opens a connection per request, which neither the command line nor the SDK does.
const commandLineAgent = { keepAlive: true, scheduling: "lifo", timeout: 5_000 } as const

/** What the null sinks rely on being checked: they read ids only, as an NDJSON file writes records as received. */
const validation: ConversationDetails.RecordValidation =
  process.env.BENCH_VALIDATION === "full" ? "full" : "conversation"

/**
 * The null sinks read a conversation's own fields only, so nested records are parsed only when read (`nested: "lazy"`);
 * `BENCH_NESTED=parsed` parses them with each page instead, as the command line's NDJSON output (which writes them) does.
 */
const nested: ConversationDetails.NestedRecords = process.env.BENCH_NESTED === "parsed" ? "parsed" : "lazy"

// Like the file sink, keeps nothing in memory once a line is handed over.
const discardLines: AuditLog.Sink = { append: () => Effect.void, flush: Effect.void }

/** The library's services over `fetch`; `counter` counts the 429 answers it receives. @since 0.1.0 */
export const layer = (
  endpoint: ContenderInput["endpoint"],
  counter: { rateLimited: number },
  transport: "fetch" | "node" = "fetch"
) => {
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.tap((response) =>
        Effect.sync(() => {
          if (response.status === 429) counter.rateLimited++
        })
      )
    )
  ).pipe(
    Layer.provide(
      transport === "node"
        ? // Imported only when used: loading it also loads the `undici` package, whose global dispatcher would
          // then carry every `fetch` of the process and change the fetch variant's transport.
          Layer.unwrapEffect(
            Effect.promise(() => import("@effect/platform-node/NodeHttpClient")).pipe(
              Effect.map((m) => m.layerWithoutAgent.pipe(Layer.provide(m.makeAgentLayer(commandLineAgent))))
            )
          )
        : FetchHttpClient.layer
    )
  )
  const deps = Layer.mergeAll(
    GenesysConfig.layer({
      apiUrl: endpoint.url,
      loginUrl: endpoint.url,
      clientId: endpoint.clientId,
      clientSecret: endpoint.clientSecret
    }),
    AuditLog.layerSink({ actor: endpoint.clientId, region: "emulator" }, discardLines),
    CheckpointStore.layerMemory,
    http
  )
  // One client (token, pacing) for both: the plan reads the volume with the aggregates while it reads availability.
  const services = Layer.merge(ConversationDetails.layerWithoutHttp, ConversationAggregates.layerWithoutHttp).pipe(
    Layer.provide(GenesysHttp.layer)
  )
  return Layer.provideMerge(services, deps)
}

const job = (task: JobTask, counter: { rateLimited: number }) =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails.ConversationDetails
    let conversations = 0
    let checksum = 0
    // `runJob` submits, awaits with the default poll policy, then streams every page; the sink only counts.
    yield* details.runJob({ interval: task.interval }, { pageSize: task.pageSize, validation, nested }).pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const c of Chunk.toReadonlyArray(chunk)) {
            conversations++
            checksum = Checksum.add(checksum, c.conversationId ?? "")
          }
        })
      )
    )
    return { conversations, checksum, jobs: [], rateLimited: counter.rateLimited } satisfies Outcome
  })

const completion = (task: CompletionTask, counter: { rateLimited: number }) =>
  Effect.gen(function* () {
    const details = yield* ConversationDetails.ConversationDetails
    const jobs = yield* Effect.forEach(
      task.intervals,
      (interval) =>
        Effect.gen(function* () {
          const jobId = yield* details.submitJob({ interval })
          const status = yield* details.awaitJob(jobId)
          const first = yield* details
            .jobResultPages(jobId, { pageSize: task.pageSize, validation })
            .pipe(Stream.take(1), Stream.runCollect)
          const seen: JobSeen = {
            jobId,
            submissionDate: status.submissionDate,
            completionDate: status.completionDate
          }
          return { seen, conversations: Chunk.reduce(first, 0, (n, page) => n + page.conversations.length) }
        }),
      { concurrency: "unbounded" }
    )
    return {
      conversations: jobs.reduce((n, j) => n + j.conversations, 0),
      checksum: 0,
      jobs: jobs.map((j) => j.seen),
      rateLimited: counter.rateLimited
    } satisfies Outcome
  })

/** Plans and runs `interval`, with `options` or, where they are undefined, the library's defaults. */
const extract = (
  interval: string,
  counter: { rateLimited: number },
  options: { readonly plan?: Extraction.PlanOptions; readonly run?: Extraction.RunOptions } = {}
) =>
  Effect.gen(function* () {
    let conversations = 0
    let checksum = 0
    const sink: ExtractionSink.ExtractionSink = {
      open: () => Effect.void,
      write: (batch) =>
        Effect.sync(() => {
          for (const c of batch) {
            conversations++
            checksum = Checksum.add(checksum, c.conversationId ?? "")
          }
        }),
      position: Effect.sync(() => conversations),
      close: Effect.void,
      validation,
      nested
    }
    const plan = yield* Extraction.plan({ interval }, options.plan)
    const report = yield* Extraction.run(plan, sink, options.run)
    if (!report.complete) return yield* Effect.dieMessage("extraction report says incomplete")
    const jobs: Array<JobSeen> = report.windows.flatMap((w) =>
      w.jobId === undefined
        ? []
        : [{ jobId: w.jobId, submissionDate: undefined, completionDate: undefined, conversations: w.conversations }]
    )
    const planned = {
      windows: report.windows.length,
      concurrency: report.concurrency.initial,
      finalConcurrency: report.concurrency.final
    }
    return { conversations, checksum, jobs, rateLimited: counter.rateLimited, plan: planned } satisfies Outcome
  })

const extraction = (task: ExtractionTask, counter: { rateLimited: number }) =>
  extract(task.interval, counter, {
    plan: { jobWindow: "1 day" },
    run: { concurrency: task.concurrency, pageSize: task.pageSize }
  })

// Scenario 6 measures the library's own plan: no option, so a change of its defaults shows here.
const latency = (task: LatencyTask, counter: { rateLimited: number }) => extract(task.interval, counter)

/** Runs the task with the library. @since 0.1.0 */
export const run = (input: ContenderInput): Promise<Outcome> => {
  const counter = { rateLimited: 0 }
  const task = input.task
  const program =
    task.kind === "job"
      ? job(task, counter)
      : task.kind === "completion"
        ? completion(task, counter)
        : task.kind === "extraction"
          ? extraction(task, counter)
          : latency(task, counter)
  return Effect.runPromise(
    program.pipe(
      Effect.provide(layer(input.endpoint, counter, input.transport ?? "fetch")),
      Effect.catchAll((error) => Effect.dieMessage(`library failed: ${JSON.stringify(error)}`))
    ) as Effect.Effect<Outcome>
  )
}
