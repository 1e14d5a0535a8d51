// A job's results, page after page by cursor. A platform that hands back a cursor already followed would loop
// forever; every cursor seen (including those of an earlier process, passed in) is remembered and a repeat fails
// `PaginationStalled` instead. So does a platform that hands out new cursors over the same records: a page whose
// ids repeat an earlier page's (kept as a 53-bit hash per page, not the ids), or a long run of empty pages that
// still carry a cursor.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import type { AuditLog } from "../../AuditLog.js"
import type { JobResultsOptions, JobResultsPage } from "../../ConversationDetails.js"
import * as ConversationRecord from "../../ConversationRecord.js"
import { type HttpError, PaginationStalled } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { readingBytesWith } from "../http/decodeBody.js"
import { type CheckedAside, onTheWorker, pageReader } from "./lazyRecords.js"
import { limitDepth } from "./recordGuard.js"
import * as ReleasingPages from "./releasingPages.js"
import * as RequestsAhead from "./requestsAhead.js"
import { jobPath, routes } from "./routes.js"

/** What cursor paging needs: the HTTP client, the audit log and the default page size. */
export interface Dependencies {
  readonly http: GenesysHttp.Service
  readonly audit: AuditLog["Type"]
  readonly jobPageSize: number
}

/** The pages followed so far in one stream; `follow` refuses a cursor, or a page of records, seen before. */
export interface CursorTrail {
  readonly follow: (
    cursor: string,
    page: ReadonlyArray<{ readonly conversationId?: string | undefined }>,
    jobId: string,
    pagesRead: number
  ) => Effect.Effect<void, PaginationStalled>
  /** Whether `cursor` was followed already. */
  readonly followed: (cursor: string) => boolean
}

/** Consecutive empty pages with a cursor tolerated before paging is judged to be going nowhere. */
export const maxEmptyPagesInARow = 10

/** A 53-bit FNV-1a style hash of a page's ids, in order. */
export const pageSignature = (page: ReadonlyArray<{ readonly conversationId?: string | undefined }>): number => {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193
  for (const record of page) {
    const id = record.conversationId ?? ""
    for (let i = 0; i < id.length; i++) {
      h1 = Math.imul(h1 ^ id.charCodeAt(i), 0x01000193)
      h2 = Math.imul(h2 ^ id.charCodeAt(i), 0x5bd1e995)
    }
    h1 = Math.imul(h1 ^ 0x2c, 0x01000193)
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff)
}

/** A trail starting with `seen` (and the cursor resumed from, if any). */
export const makeTrail = (seen: Iterable<string> = [], resumedFrom?: string): CursorTrail => {
  const cursors = new Set<string>(seen)
  if (resumedFrom !== undefined) cursors.add(resumedFrom)
  const pages = new Set<number>()
  let emptyInARow = 0
  return {
    followed: (cursor) => cursors.has(cursor),
    follow: (cursor, page, jobId, pagesRead) =>
      Effect.suspend(() => {
        const stalled = (reason?: string) =>
          Effect.fail(new PaginationStalled({ jobId, cursor, pagesRead, ...(reason !== undefined ? { reason } : {}) }))
        if (cursors.has(cursor)) return stalled()
        cursors.add(cursor)
        if (page.length === 0) {
          emptyInARow++
          return emptyInARow > maxEmptyPagesInARow
            ? stalled(`${emptyInARow} empty pages in a row still carried a cursor`)
            : Effect.void
        }
        emptyInARow = 0
        const signature = pageSignature(page)
        if (pages.has(signature)) return stalled("a page repeated the records of an earlier page under a new cursor")
        pages.add(signature)
        return Effect.void
      })
  }
}

interface Position {
  readonly cursor: string | undefined
  readonly index: number
}

/** One page as read by a `cursorStream` fetch: what to emit, the next cursor, and the records the trail checks. */
export interface FetchedPage<A> {
  readonly page: A
  /** The next cursor; `undefined` (or absent, or empty on the wire) ends the stream. */
  readonly next: string | undefined
  /** What the trail's repeated-page check hashes (an id per record, in order). */
  readonly records: ReadonlyArray<{ readonly conversationId?: string | undefined }>
  /** What taking the page records (metrics, audit): run when the stream takes it, not when a request ahead reads it. */
  readonly taken?: Effect.Effect<void> | undefined
}

/**
 * The cursor-following loop of any job's results: `fetch` reads the page at a cursor (the first page without one),
 * and every cursor goes through one trail, so a cursor seen before, a page repeating an earlier one, or too many
 * empty pages with a cursor fail `PaginationStalled`. The details and the aggregates jobs both page with it. With
 * `readAhead`, the next page is fetched while the current one is consumed, and requested as soon as the current one's
 * bytes arrive (`requestsAhead.ts`), for a `fetch` that hands its `beforeDecode` to the request.
 */
export const cursorStream = <A, E>(
  jobId: string,
  options: {
    readonly cursor?: string | undefined
    readonly seenCursors?: ReadonlyArray<string> | undefined
    /** Fetch the next page while the current one is consumed. */
    readonly readAhead?: boolean | undefined
  } = {},
  fetch: RequestsAhead.Fetch<FetchedPage<A>, E>
): Stream.Stream<A, E | PaginationStalled> =>
  Stream.suspend(() => {
    const trail = makeTrail(options.seenCursors, options.cursor)
    const take = (fetched: FetchedPage<A>, index: number) =>
      Effect.gen(function* () {
        if (fetched.taken !== undefined) yield* fetched.taken
        const next = fetched.next === "" ? undefined : fetched.next
        if (next !== undefined) yield* trail.follow(next, fetched.records, jobId, index + 1)
        return [
          fetched.page,
          next === undefined ? Option.none<Position>() : Option.some({ cursor: next, index: index + 1 })
        ] as const
      })
    const start: Position = { cursor: options.cursor, index: 0 }
    if (options.readAhead !== true) {
      return ReleasingPages.paginate<Position, A, E | PaginationStalled, never>(start, ({ cursor, index }) =>
        Effect.flatMap(fetch(cursor, index, undefined), (fetched) => take(fetched, index))
      )
    }
    return Stream.unwrapScoped(
      Effect.map(
        Effect.flatMap(Effect.scope, (scope) => RequestsAhead.make(scope, fetch, trail.followed)),
        (ahead) =>
          ReleasingPages.paginateAhead<Position, A, E | PaginationStalled, never>(start, ({ cursor, index }) =>
            Effect.flatMap(ahead.page(cursor, index), (fetched) => take(fetched, index))
          )
      )
    )
  })

/** The response with each conversation's own fields checked, and what is nested in a conversation read as received. */
const conversationLevel = limitDepth(ConversationRecord.AnalyticsConversationAsyncQueryResponse, 2)

/** The same check, the page read from the body's bytes and each nested record parsed when read. */
const lazyLevel = (aside: CheckedAside | undefined) =>
  readingBytesWith(
    limitDepth(ConversationRecord.AnalyticsConversationAsyncQueryResponse, 2),
    pageReader(
      ConversationRecord.AnalyticsConversationAsyncQueryResponse,
      "conversations",
      ConversationRecord.AnalyticsConversation,
      aside
    )
  )
const conversationLevelLazy = lazyLevel(undefined)
const conversationLevelLazyAside = lazyLevel(onTheWorker)

/**
 * The schema a page of job results is decoded with, for `JobResultsOptions.validation`, `nested` and `readAhead` (a
 * stream that reads ahead has its large pages checked on the worker thread while it works on others).
 */
export const resultsSchema = (
  validation: JobResultsOptions["validation"],
  nested?: JobResultsOptions["nested"],
  readAhead?: boolean | undefined
) =>
  validation !== "conversation"
    ? ConversationRecord.AnalyticsConversationAsyncQueryResponse
    : nested !== "lazy"
      ? conversationLevel
      : readAhead === true
        ? conversationLevelLazyAside
        : conversationLevelLazy

/** `jobResultPages`: the Stream of a job's result pages, from the start or from `options.cursor`. */
export const make =
  ({ audit, http, jobPageSize }: Dependencies) =>
  (jobId: string, options?: JobResultsOptions): Stream.Stream<JobResultsPage, HttpError | PaginationStalled> =>
    Stream.suspend(() => {
      const pageSize = options?.pageSize ?? jobPageSize
      const schema = resultsSchema(options?.validation, options?.nested, options?.readAhead)
      return cursorStream(jobId, options, (cursor, index, beforeDecode) =>
        Effect.map(
          http.json(
            HttpClientRequest.get(`${jobPath(jobId)}/results`).pipe(
              HttpClientRequest.setUrlParams({ pageSize, ...(cursor !== undefined ? { cursor } : {}) })
            ),
            schema,
            { route: routes.jobResults, idempotent: true, parseOptions: ConversationRecord.parseOptions, beforeDecode }
          ),
          (response) => {
            const conversations = response.conversations ?? []
            const next = response.cursor === undefined || response.cursor === "" ? undefined : response.cursor
            const page: JobResultsPage = {
              index,
              conversations,
              ...(next !== undefined ? { cursor: next } : {}),
              ...(response.dataAvailabilityDate !== undefined
                ? { dataAvailabilityDate: response.dataAvailabilityDate }
                : {})
            }
            const taken = Effect.zipRight(
              AnalyticsMetrics.recordConversations("job", conversations.length),
              audit.record({
                type: "job.page",
                jobId,
                route: routes.jobResults,
                counts: { page: index, conversations: conversations.length }
              })
            )
            return { page, next, records: conversations, taken }
          }
        )
      )
    })
