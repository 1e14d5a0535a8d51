import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Selector from "./selector.js"
import type { Window, WindowContext } from "./windowContext.js"
import * as windowQueries from "./windowQueries.js"

/**
 * Reads a sync-query window into the ledger, page by page. On resume it reads again from page 1, so the repeats check
 * rebuilds itself, and skips what the window already wrote.
 *
 * @internal
 */
export const run = <E>(ctx: WindowContext<E>, window: Window) =>
  Effect.gen(function* () {
    let state = ctx.ledger.state(window.id)
    const stats = ctx.ledger.stats(window.id)
    const { select } = Selector.make({ window, watermarkMillis: ctx.watermarkMillis, stats, skip: state.conversations })
    yield* ctx.timer.forEachPage(
      ctx.details.queryPages(windowQueries.windowQuery(ctx.filters, window, ctx.validator)),
      yield* Clock.currentTimeMillis,
      (page) =>
        Effect.gen(function* () {
          const { batch, invalid } = select(page.conversations, { page: state.pagesDone + 1 })
          yield* Selector.setAside({ window, invalid, quarantine: ctx.quarantine, stats, audit: ctx.audit })
          state = { state: "paging", pagesDone: state.pagesDone + 1, conversations: state.conversations + batch.length }
          yield* ctx.ledger.commit(window, batch, state, true)
        })
    )
    return state
  }).pipe(Effect.withSpan("Extraction.queryWindow", { attributes: { window: window.interval } }))
