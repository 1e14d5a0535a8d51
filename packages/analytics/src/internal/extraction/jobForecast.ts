// When a run's jobs are likely done, from the jobs of the same run that are: each fulfilled job's time on the platform
// (its completionDate less its submissionDate) and its window's size. A running job is polled a few times more when the
// jobs done so far say it should be done, besides its poll schedule: jobs of one run, for one org at one time, take
// alike, and a job noticed done a second late holds a job slot idle for that second. A wrong forecast costs up to three
// status requests each time a job of the run is done; the schedule still notices the job.
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as SubscriptionRef from "effect/SubscriptionRef"
import type * as AuditLog from "../../AuditLog.js"
import type * as ConversationDetails from "../../ConversationDetails.js"
import type { GenesysError } from "../../GenesysError.js"
import { type Fulfilled, isRunning } from "../details/jobStatus.js"

/** A fulfilled job of the run: its window's size, when known, and its time on the platform. @internal */
export interface Sample {
  readonly size: number | undefined
  readonly millis: number
}

/**
 * The expected time on the platform of a job of `size`: a line through the sized jobs done so far (a fixed cost plus
 * a cost per conversation, by least squares) once two of them differ in size, in proportion to one before that, and
 * their mean when sizes are not known. None before a job is done. @internal
 */
export const expectedMillis = (samples: ReadonlyArray<Sample>, size: number | undefined): Option.Option<number> => {
  if (samples.length === 0) return Option.none()
  const mean = (xs: ReadonlyArray<number>) => xs.reduce((a, b) => a + b, 0) / xs.length
  const sized = samples.filter((s): s is Sample & { size: number } => s.size !== undefined && s.size > 0)
  if (size === undefined || sized.length === 0) return Option.some(mean(samples.map((s) => s.millis)))
  const n = mean(sized.map((s) => s.size))
  const d = mean(sized.map((s) => s.millis))
  const variance = mean(sized.map((s) => (s.size - n) ** 2))
  if (variance > 0) {
    const perConversation = mean(sized.map((s) => (s.size - n) * (s.millis - d))) / variance
    const fixed = d - perConversation * n
    if (perConversation >= 0 && fixed >= 0) return Option.some(fixed + perConversation * size)
  }
  return Option.some((d / n) * size)
}

/**
 * When a forecast polls, as shares of the expected time: at it, since jobs of one run take alike (a job of the same
 * size as one done is done by then); a little after it, since sizes are estimates and a job seen running is not polled
 * again until the next job is done; then once more a tenth later. @internal
 */
export const tries: ReadonlyArray<number> = [1, 1.02, 1.1]

/** The jobs of one run done so far. @internal */
export interface JobForecast {
  /** Adds a fulfilled job, if its status carries both dates. */
  readonly record: (
    size: number | undefined,
    status: { readonly submissionDate?: string | undefined; readonly completionDate?: string | undefined }
  ) => Effect.Effect<void>
  /**
   * Polls a running job each time the jobs done so far say it should be done ({@link tries} of its expected time after
   * `submittedAt`, at once when that has passed), and succeeds with the first status that is no longer running; never,
   * if none is. Failed requests are left to the job's own poll.
   */
  readonly watch: <S, E>(options: {
    readonly size: number | undefined
    readonly submittedAt: number
    readonly poll: Effect.Effect<S, E>
    readonly running: (status: S) => boolean
  }) => Effect.Effect<S>
  /**
   * Runs `use` with the lowest turn no other job awaited through this forecast holds at the time: jobs awaited at
   * once get turns 0, 1, 2, …, and a job that starts awaiting later takes the turn a done one left.
   */
  readonly inTurn: <A, E, R>(use: (turn: number) => Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

const lowestFree = (taken: ReadonlySet<number>): number => {
  let turn = 0
  while (taken.has(turn)) turn++
  return turn
}

/** A forecast with no job done yet. @internal */
export const make: Effect.Effect<JobForecast> = Effect.map(
  Effect.all([SubscriptionRef.make<ReadonlyArray<Sample>>([]), Ref.make<ReadonlySet<number>>(new Set())]),
  ([samples, turns]): JobForecast => ({
    inTurn: (use) =>
      Effect.acquireUseRelease(
        Ref.modify(turns, (taken) => {
          const turn = lowestFree(taken)
          return [turn, new Set([...taken, turn])]
        }),
        use,
        (turn) =>
          Ref.update(turns, (taken) => {
            const left = new Set(taken)
            left.delete(turn)
            return left
          })
      ),
    record: (size, status) => {
      const millis = Date.parse(status.completionDate ?? "") - Date.parse(status.submissionDate ?? "")
      return Number.isFinite(millis) && millis >= 0
        ? SubscriptionRef.update(samples, (all) => [...all, { size, millis }])
        : Effect.void
    },
    watch: ({ poll, running, size, submittedAt }) =>
      samples.changes.pipe(
        Stream.flatMap(
          (all) =>
            Option.match(expectedMillis(all, size), {
              onNone: () => Stream.empty,
              onSome: (millis) =>
                Stream.unwrap(
                  Effect.map(Clock.currentTimeMillis, (now) => {
                    // Tries whose time has passed make one poll now, not one each.
                    const at = tries.map((t) => submittedAt + millis * t)
                    const times = [...(at.some((t) => t <= now) ? [now] : []), ...at.filter((t) => t > now)]
                    return Stream.fromIterable(times).pipe(
                      Stream.mapEffect((time) =>
                        Effect.gen(function* () {
                          const wait = time - (yield* Clock.currentTimeMillis)
                          if (wait > 0) yield* Effect.sleep(wait)
                          return yield* Effect.option(poll)
                        })
                      ),
                      Stream.takeUntil((status) => Option.isSome(status) && !running(status.value))
                    )
                  })
                )
            }),
          { switch: true }
        ),
        Stream.filterMap((status) => Option.filter(status, (s) => !running(s))),
        Stream.runHead,
        Effect.flatMap(Option.match({ onNone: () => Effect.never, onSome: Effect.succeed }))
      )
  })
)

/**
 * `details.awaitJob(jobId)` raced with the forecast's polls of the job (none without `submittedAt`: a job resumed from
 * an earlier process), the fulfilled job added to the forecast. A FULFILLED status seen by a forecast poll is audited
 * as `job.state`, as the schedule's are. With `turns` (the run's job slots, more than one), the jobs awaited at once
 * poll in turn: each its own `PollPolicy.phase`, spread evenly over the slots, so that the first to finish is noticed
 * about a slot's share of a poll interval late rather than whenever jittered polls, drifted into step, come. @internal
 */
export const awaitJob = (options: {
  readonly forecast: JobForecast
  readonly details: Pick<ConversationDetails.Service, "awaitJob" | "jobStatus">
  readonly audit: AuditLog.Service
  readonly jobId: string
  readonly size: number | undefined
  readonly submittedAt: number | undefined
  readonly turns?: number | undefined
}): Effect.Effect<typeof Fulfilled.Type, GenesysError> => {
  const { audit, details, forecast, jobId, size, submittedAt, turns } = options
  const scheduled =
    turns === undefined || turns <= 1
      ? details.awaitJob(jobId)
      : forecast.inTurn((turn) => details.awaitJob(jobId, { phase: (turn % turns) / turns }))
  const forecastPolls =
    submittedAt === undefined
      ? Effect.never
      : forecast
          .watch({ size, submittedAt, poll: details.jobStatus(jobId), running: isRunning })
          .pipe(
            Effect.flatMap((status) =>
              status._tag === "FULFILLED"
                ? Effect.as(audit.record({ type: "job.state", jobId, status: status._tag }), status)
                : Effect.never
            )
          )
  return Effect.raceFirst(scheduled, forecastPolls).pipe(Effect.tap((status) => forecast.record(size, status)))
}
