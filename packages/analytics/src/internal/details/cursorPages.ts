// A job's results, page after page by cursor. A platform that hands back a cursor already followed would loop
// forever; every cursor seen (including those of an earlier process, passed in) is remembered and a repeat fails
// `PaginationStalled` instead.
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
import { jobPath, routes } from "./routes.js"

/** What cursor paging needs: the HTTP client, the audit log and the default page size. */
export interface Dependencies {
  readonly http: GenesysHttp.Service
  readonly audit: AuditLog["Type"]
  readonly jobPageSize: number
}

/** The cursors followed so far in one stream; `follow` refuses one seen before. */
export interface CursorTrail {
  readonly follow: (cursor: string, jobId: string, pagesRead: number) => Effect.Effect<void, PaginationStalled>
}

/** A trail starting with `seen` (and the cursor resumed from, if any). */
export const makeTrail = (seen: Iterable<string> = [], resumedFrom?: string): CursorTrail => {
  const cursors = new Set<string>(seen)
  if (resumedFrom !== undefined) cursors.add(resumedFrom)
  return {
    follow: (cursor, jobId, pagesRead) =>
      Effect.suspend(() => {
        if (cursors.has(cursor)) return Effect.fail(new PaginationStalled({ jobId, cursor, pagesRead }))
        cursors.add(cursor)
        return Effect.void
      })
  }
}

interface Position {
  readonly cursor: string | undefined
  readonly index: number
}

/** `jobResultPages`: the Stream of a job's result pages, from the start or from `options.cursor`. */
export const make =
  ({ audit, http, jobPageSize }: Dependencies) =>
  (jobId: string, options?: JobResultsOptions): Stream.Stream<JobResultsPage, HttpError | PaginationStalled> =>
    Stream.suspend(() => {
      const trail = makeTrail(options?.seenCursors, options?.cursor)
      const pageSize = options?.pageSize ?? jobPageSize
      const page = ({ cursor, index }: Position) =>
        Effect.gen(function* () {
          const request = HttpClientRequest.get(`${jobPath(jobId)}/results`).pipe(
            HttpClientRequest.setUrlParams({ pageSize, ...(cursor !== undefined ? { cursor } : {}) })
          )
          const response = yield* http.json(request, ConversationRecord.AnalyticsConversationAsyncQueryResponse, {
            route: routes.jobResults,
            idempotent: true,
            parseOptions: ConversationRecord.parseOptions
          })
          const conversations = response.conversations ?? []
          const next = response.cursor === undefined || response.cursor === "" ? undefined : response.cursor
          yield* AnalyticsMetrics.recordConversations("job", conversations.length)
          yield* audit.record({
            type: "job.page",
            jobId,
            route: routes.jobResults,
            counts: { page: index, conversations: conversations.length }
          })
          if (next !== undefined) yield* trail.follow(next, jobId, index + 1)
          const result: JobResultsPage = {
            index,
            conversations,
            ...(next !== undefined ? { cursor: next } : {}),
            ...(response.dataAvailabilityDate !== undefined
              ? { dataAvailabilityDate: response.dataAvailabilityDate }
              : {})
          }
          return [
            result,
            next === undefined ? Option.none<Position>() : Option.some({ cursor: next, index: index + 1 })
          ] as const
        })
      return Stream.paginateEffect<Position, JobResultsPage, HttpError | PaginationStalled, never>(
        { cursor: options?.cursor, index: 0 },
        page
      )
    })
