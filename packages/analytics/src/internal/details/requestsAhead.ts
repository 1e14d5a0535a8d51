// Pages of a cursor paging whose next request leaves as soon as a page's bytes arrive, before the page is read. Reading
// a page of a thousand conversations holds the thread for tens of milliseconds, and a stream reading several jobs at
// once waits for the others' pages too; the next page's round trip now runs meanwhile. The cursor of a page not read
// yet is a guess (`cursorPeek.ts`): the stream asks `page` for the cursor it decoded, and a request sent for another
// one is dropped. At most one page is requested ahead, and only once the page before the one being read has gone to
// the consumer: three pages in memory at most (the consumer's, the one being read, the one ahead).
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"
import type { BeforeDecode } from "../http/decodeBody.js"
import { peekCursor } from "./cursorPeek.js"

/** Reads the page at a cursor (the first page without one); `beforeDecode` goes with its request. @internal */
export type Fetch<P, E> = (
  cursor: string | undefined,
  index: number,
  beforeDecode: BeforeDecode | undefined
) => Effect.Effect<P, E>

/** A page requested: its position, the cursor its bytes showed before it was taken, and whether it was dropped. */
interface Requested<P, E> {
  readonly index: number
  readonly cursor: string | undefined
  fiber: Fiber.RuntimeFiber<P, E> | undefined
  peeked: string | undefined
  dropped: boolean
}

// A turn of the event loop: the request just forked is written to its socket before this fiber reads a page.
const letTheRequestLeave = Effect.sleep(0)

/** Pages fetched in `scope`, each page's successor requested when its bytes arrive. @internal */
export interface RequestsAhead<P, E> {
  /** The page at `cursor`, the `index`th: the one requested ahead when it was for this cursor, else fetched now. */
  readonly page: (cursor: string | undefined, index: number) => Effect.Effect<P, E>
}

/**
 * Pages read through `fetch`, the next one requested ahead; `followed` says a cursor was followed already (a repeat,
 * which the stream refuses: no request goes out for it). A request ahead runs with the fiber refs of the fiber that
 * made this, not those of the request whose bytes showed its cursor: it is the stream's work, and inside a request
 * the HTTP layer's own context (its event listeners) would be added a second time. @internal
 */
export const make = <P, E>(
  scope: Scope.Scope,
  fetch: Fetch<P, E>,
  followed: (cursor: string) => boolean
): Effect.Effect<RequestsAhead<P, E>> =>
  Effect.map(Effect.getFiberRefs, (streamRefs) => {
    // The last page the stream has begun to take: the page before it is with the consumer.
    let begun = -1
    let ahead: Requested<P, E> | undefined

    // A request dropped before its fiber is known is interrupted as soon as it is; a dropped request's bytes request
    // nothing further.
    const drop = (requested: Requested<P, E> | undefined) =>
      Effect.suspend(() => {
        if (requested === undefined) return Effect.void
        requested.dropped = true
        return requested.fiber === undefined ? Effect.void : Fiber.interruptFork(requested.fiber)
      })

    const requestAhead = (index: number, cursor: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (ahead !== undefined && ahead.index === index && ahead.cursor === cursor) return Effect.void
        const dropped = ahead
        const requested: Requested<P, E> = { index, cursor, fiber: undefined, peeked: undefined, dropped: false }
        ahead = requested
        return Effect.zipRight(
          drop(dropped),
          Effect.map(
            Effect.forkIn(
              Effect.zipRight(Effect.setFiberRefs(streamRefs), fetch(cursor, index, peekAfter(requested))),
              scope
            ),
            (fiber) => {
              requested.fiber = fiber
            }
          ).pipe(Effect.zipRight(Effect.suspend(() => (requested.dropped ? drop(requested) : Effect.void))))
        )
      })

    const peekAfter =
      (requested: Requested<P, E>): BeforeDecode =>
      (bytes) =>
        Effect.suspend(() => {
          const cursor = peekCursor(bytes)
          if (cursor === undefined || requested.dropped || followed(cursor)) return Effect.void
          if (begun < requested.index) {
            requested.peeked = cursor
            return Effect.void
          }
          return Effect.zipRight(requestAhead(requested.index + 1, cursor), letTheRequestLeave)
        })

    const page = (cursor: string | undefined, index: number): Effect.Effect<P, E> =>
      Effect.suspend(() => {
        begun = index
        const requested = ahead
        if (requested?.fiber !== undefined && requested.index === index && requested.cursor === cursor) {
          ahead = undefined
          const fiber = requested.fiber
          const next = requested.peeked
          return next === undefined
            ? Fiber.join(fiber)
            : Effect.zipRight(requestAhead(index + 1, next), Fiber.join(fiber))
        }
        ahead = undefined
        const own: Requested<P, E> = { index, cursor, fiber: undefined, peeked: undefined, dropped: false }
        return Effect.zipRight(drop(requested), fetch(cursor, index, peekAfter(own)))
      })

    return { page }
  })
