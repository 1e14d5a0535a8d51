// Paging that holds one page at a time. A stream stage keeps the last chunk it emitted until it emits the next one
// (Effect's channel executor remembers it for its reader), so with a plain `Stream.paginateEffect` the page just
// delivered, and every later stage's chunk of its records, stay alive while the next page is fetched and parsed:
// two pages in memory instead of one. An empty chunk after each page replaces what every stage holds before the
// next fetch starts; a consumer sees it only as a chunk without records.
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

interface Step<S> {
  readonly state: S
  /** The page before `state` has just been emitted: emit an empty chunk before fetching. */
  readonly release: boolean
}

/** `Stream.paginateEffect` that lets go of each page (an empty chunk follows it) before fetching the next. */
export const paginate = <S, A, E, R>(
  initial: S,
  page: (state: S) => Effect.Effect<readonly [A, Option.Option<S>], E, R>
): Stream.Stream<A, E, R> =>
  Stream.paginateChunkEffect<Step<S>, A, E, R>({ state: initial, release: false }, (step) =>
    step.release
      ? Effect.succeed([Chunk.empty<A>(), Option.some({ state: step.state, release: false })] as const)
      : Effect.map(
          page(step.state),
          ([value, next]) =>
            [Chunk.of(value), Option.map(next, (state): Step<S> => ({ state, release: true }))] as const
        )
  )
