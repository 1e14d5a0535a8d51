/**
 * The one sink contract of the library: where conversations go, in batches, with a position that a checkpoint can
 * resume from. `Extraction.run` writes every page through it; `FileSink` (NDJSON, CSV) and `SqlSink` implement it
 * once per format; {@link toSink} and {@link write} run any `Stream` of conversations into one.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type { NestedRecords, RecordValidation } from "./ConversationDetails.js"
import type * as ConversationRecord from "./ConversationRecord.js"

/** A conversation as extracted: job windows carry participant attributes, query windows do not. @since 0.1.0 */
export type Conversation =
  | ConversationRecord.AnalyticsConversation
  | ConversationRecord.AnalyticsConversationWithoutAttributes

/**
 * Where conversations go. `open` once, then `write` and `position` per batch (the runner saves `position` in the
 * checkpoint after each write), then `close` once, which makes the output final and returns what was written (`A`).
 *
 * @since 0.1.0
 */
export interface ExtractionSink<E = never, A = void> {
  /** Called once: `None` for a fresh output, or the position of the last checkpoint (discard what came after it). */
  readonly open: (resumeFrom: Option.Option<unknown>) => Effect.Effect<void, E>
  readonly write: (batch: ReadonlyArray<Conversation>) => Effect.Effect<void, E>
  /** Makes what was written durable and returns a JSON value identifying it (for example a byte offset). */
  readonly position: Effect.Effect<unknown, E>
  /** Called once after the last batch: make the output final. */
  readonly close: Effect.Effect<A, E>
  /**
   * Called instead of `close` when the output is abandoned and will never be resumed (a failed or interrupted
   * stream): remove what cannot be completed. `Extraction.run` never calls it, since a checkpoint may resume.
   */
  readonly discard?: Effect.Effect<void, E> | undefined
  /**
   * How much of each record the sink relies on being checked (default `full`): `conversation` for a sink that writes
   * records on as received (NDJSON), so that what it never reads is not checked; a sink that reads nested fields
   * (flattening into tables) keeps `full`, so a value of the wrong type fails the run instead of being written. A
   * wrapper that reads or changes records must not copy `conversation` from the sink it wraps.
   */
  readonly validation?: RecordValidation | undefined
  /**
   * At `validation: "conversation"`, when the nested records of job results are parsed (default `parsed`): `lazy` for a
   * sink that reads a record's own fields and seldom its nested ones (counting, collecting ids), so that a page is read
   * from its bytes and each nested field parsed when first read (`ConversationDetails.NestedRecords`, `docs/jobs.md`).
   * A sink that writes or reads every record whole keeps `parsed`, which costs less then. Sync-query windows are
   * always parsed. A wrapper that reads every nested field should not copy `lazy` from the sink it wraps (it would
   * only cost more; the records are the same).
   */
  readonly nested?: NestedRecords | undefined
  /**
   * Writes records already serialised, each one line of JSON as `JSON.stringify` gives it, exactly as `write` writes
   * the records they encode. A sink whose output is JSON lines offers it, so that a staged extraction
   * (`PageSink.staged`) finalizes without parsing and serialising every record again; a sink without it gets the
   * records through `write`. A wrapper that reads or changes records in `write` must not copy this from the sink it
   * wraps, or the records would bypass it.
   */
  readonly writeJsonLines?: ((lines: ReadonlyArray<string>) => Effect.Effect<void, E>) | undefined
}

/** An in-memory sink, for tests and small extractions; `written` holds everything. @since 0.1.0 */
export const memory = (): ExtractionSink<never, ReadonlyArray<Conversation>> & {
  readonly written: Array<Conversation>
} => {
  const written: Array<Conversation> = []
  return {
    written,
    open: (resumeFrom) =>
      Effect.sync(() => {
        const keep = Option.match(resumeFrom, { onNone: () => 0, onSome: (p) => (typeof p === "number" ? p : 0) })
        written.length = Math.min(written.length, keep)
      }),
    write: (batch) => Effect.sync(() => void written.push(...batch)),
    position: Effect.sync(() => written.length),
    close: Effect.sync(() => written)
  }
}

/** Options of {@link toSink} and {@link write}. @since 0.1.0 */
export interface StreamOptions {
  /** Conversations per `write` (the last batch may be smaller). Default: the stream's own chunks. */
  readonly batchSize?: number | undefined
}

/**
 * An `effect/Sink` over an extraction sink built by `make` in the sink's scope: opened fresh, one `write` per non-empty
 * chunk (or per `batchSize` conversations), closed when the stream ends (the result is `close`'s), discarded when the stream
 * fails or is interrupted. A batch still filling when the stream fails is never written.
 *
 * @since 0.1.0
 */
export const toSink = <A, E, E2, R>(
  make: Effect.Effect<ExtractionSink<E, A>, E2, R>,
  options?: StreamOptions
): Sink.Sink<A, Conversation, never, E | E2, Exclude<R, Scope.Scope>> =>
  Sink.unwrapScoped(
    Effect.gen(function* () {
      const sink = yield* make
      const batchSize = options?.batchSize === undefined ? undefined : Math.max(1, options.batchSize)
      const buffer: Array<Conversation> = []
      let closed = false
      // Runs when the sink's scope closes; after a successful `close` there is nothing left to discard.
      yield* Effect.addFinalizer(() =>
        closed || sink.discard === undefined ? Effect.void : Effect.ignore(sink.discard)
      )
      yield* sink.open(Option.none())
      const writeChunk = (chunk: Iterable<Conversation>) =>
        Effect.suspend(() => {
          if (batchSize === undefined) {
            // Paging emits an empty chunk after each page (so that no stage keeps the page alive): not a batch.
            const batch = Array.from(chunk)
            return batch.length === 0 ? Effect.void : sink.write(batch)
          }
          const full: Array<Array<Conversation>> = []
          for (const c of chunk) {
            buffer.push(c)
            if (buffer.length >= batchSize) full.push(buffer.splice(0, buffer.length))
          }
          return Effect.forEach(full, sink.write, { discard: true })
        })
      const finish = Effect.suspend(() =>
        buffer.length > 0 ? sink.write(buffer.splice(0, buffer.length)) : Effect.void
      )
      return Sink.forEachChunk(writeChunk).pipe(
        Sink.mapEffect(() =>
          Effect.zipRight(
            finish,
            Effect.tap(sink.close, () =>
              Effect.sync(() => {
                closed = true
              })
            )
          )
        )
      )
    })
  )

/**
 * Runs a stream of conversations into the extraction sink built by `make` (see {@link toSink}), optionally in batches
 * of `batchSize`.
 *
 * @since 0.1.0
 */
export const write: {
  <A, E1, E2, R2>(
    make: Effect.Effect<ExtractionSink<E1, A>, E2, R2>,
    options?: StreamOptions
  ): <C extends Conversation, E, R>(
    stream: Stream.Stream<C, E, R>
  ) => Effect.Effect<A, E | E1 | E2, R | Exclude<R2, Scope.Scope>>
  <C extends Conversation, E, R, A, E1, E2, R2>(
    stream: Stream.Stream<C, E, R>,
    make: Effect.Effect<ExtractionSink<E1, A>, E2, R2>,
    options?: StreamOptions
  ): Effect.Effect<A, E | E1 | E2, R | Exclude<R2, Scope.Scope>>
} = dual(
  (args) => Stream.StreamTypeId in Object(args[0]),
  <C extends Conversation, E, R, A, E1, E2, R2>(
    stream: Stream.Stream<C, E, R>,
    make: Effect.Effect<ExtractionSink<E1, A>, E2, R2>,
    options?: StreamOptions
  ) => Stream.run(stream, toSink(make, options))
)
