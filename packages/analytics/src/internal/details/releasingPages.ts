// Paging that holds one page at a time. A stream stage keeps the last chunk it emitted until it emits the next one
// (Effect's channel executor remembers it for its reader), so with a plain `Stream.paginateEffect` the page just
// delivered, and every later stage's chunk of its records, stay alive while the next page is fetched and parsed:
// two pages in memory instead of one. An empty chunk after each page replaces what every stage holds before the
// next fetch starts; a consumer sees it only as a chunk without records.
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
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

interface AheadStep<A, E> {
  /** The page being fetched, or `undefined` after the last one. */
  readonly fetching: Fiber.Fiber<readonly [A, Option.Option<unknown>], E> | undefined
  readonly release: boolean
}

/**
 * `paginate` that fetches the next page while the one it emitted is consumed: two pages in memory instead of one, and
 * the consumer's work on a page overlaps the next page's round trip. The fetch runs in the stream's scope, so it
 * stops when the stream does; a failed fetch fails the stream when its page is due, after the pages before it.
 */
export const paginateAhead = <S, A, E, R>(
  initial: S,
  page: (state: S) => Effect.Effect<readonly [A, Option.Option<S>], E, R>
): Stream.Stream<A, E, R> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      const fetch = (state: S) =>
        Effect.forkIn(page(state) as Effect.Effect<readonly [A, Option.Option<unknown>], E, R>, scope)
      const first: AheadStep<A, E> = { fetching: yield* fetch(initial), release: false }
      return Stream.paginateChunkEffect<AheadStep<A, E>, A, E, R>(first, (step) => {
        if (step.release) {
          return Effect.succeed([Chunk.empty<A>(), Option.some({ ...step, release: false })] as const)
        }
        return Effect.flatMap(Fiber.join(step.fetching!), ([value, next]) =>
          Option.isNone(next)
            ? Effect.succeed([Chunk.of(value), Option.none()] as const)
            : Effect.map(
                fetch(next.value as S),
                (fetching) => [Chunk.of(value), Option.some({ fetching, release: true })] as const
              )
        )
      })
    })
  )
