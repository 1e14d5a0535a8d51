/**
 * A checkpointed `extract` on the durable engine: the run is a workflow whose journal and page files live in the
 * checkpoint directory, finalized into the command's output. A run killed at any point (even with SIGKILL) continues
 * from the journal when the same command runs again; one that failed runs again keeping the windows that finished.
 *
 * @internal
 */
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import type * as ExtractionSink from "@effect-genesys/analytics/ExtractionSink"
import * as ExtractionWorkflow from "@effect-genesys/analytics/ExtractionWorkflow"
import * as PageSink from "@effect-genesys/analytics/PageSink"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Cli from "./cliError.js"
import * as Engine from "./engine.js"

/** Where the page files of a checkpointed run are kept until the output is finalized. @internal */
export const partsDirectory = (directory: string): string => `${directory}/parts`

/** Counts committed pages into `Extraction.Progress` for the progress line and the interruption note. */
const progressCounter = (
  plan: Extraction.Plan,
  startedAt: number,
  onProgress: ((p: Extraction.Progress) => Effect.Effect<void>) | undefined
) => {
  const totals = { windowsDone: 0, pages: 0, conversations: 0 }
  const emit = Effect.flatMap(Clock.currentTimeMillis, (now) =>
    onProgress === undefined
      ? Effect.void
      : onProgress({ ...totals, windows: plan.windows.length, elapsedMillis: Math.max(0, now - startedAt) })
  )
  return {
    onPage: (p: ExtractionWorkflow.PageProgress) =>
      Effect.suspend(() => {
        totals.pages += 1
        totals.conversations += p.written
        return emit
      }),
    onWindowDone: () =>
      Effect.suspend(() => {
        totals.windowsDone += 1
        return emit
      })
  }
}

/** Runs `plan` on the single-runner engine in `directory`, finalizing into `sink`. @internal */
export const run = (options: {
  readonly plan: Extraction.Plan
  readonly directory: string
  readonly sink: ExtractionSink.ExtractionSink<Cli.CliFailure, unknown>
  readonly runOptions: Extraction.RunOptions<Cli.CliFailure>
}) =>
  Effect.gen(function* () {
    const { plan, runOptions } = options
    const staged = yield* PageSink.staged({
      directory: partsDirectory(options.directory),
      makeSink: Effect.succeed(options.sink),
      validation: options.sink.validation
    })
    const counter = progressCounter(plan, yield* Clock.currentTimeMillis, runOptions.onProgress)
    const environment = ExtractionWorkflow.layerEnvironment({
      sink: staged,
      quarantine: runOptions.quarantine,
      onPage: counter.onPage,
      onWindowDone: counter.onWindowDone,
      onRetry: runOptions.onRetry
    })
    return yield* ExtractionWorkflow.run(plan, {
      concurrency: runOptions.concurrency,
      pageSize: runOptions.pageSize,
      maxResubmissions: runOptions.maxResubmissions,
      reconcile: runOptions.reconcile,
      reconcileThreshold: runOptions.reconcileThreshold
    }).pipe(
      Effect.provide(
        ExtractionWorkflow.layer.pipe(
          Layer.provideMerge(environment),
          Layer.provideMerge(Engine.embedded(options.directory))
        )
      )
    )
  })

/** Removes the journal and what finalizing left, once the run is complete. @internal */
export const clear = (directory: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    Effect.forEach(
      [
        Engine.journalFile(directory),
        `${Engine.journalFile(directory)}-wal`,
        `${Engine.journalFile(directory)}-shm`,
        partsDirectory(directory),
        `${partsDirectory(directory)}.finalized.json`
      ],
      (path) => Effect.ignore(fs.remove(path, { recursive: true, force: true })),
      { discard: true }
    )
  )
