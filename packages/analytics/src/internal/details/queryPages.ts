// The sync query's page-number paging: one request per page, each page metered and audited, and refusing up front —
// after the first page says how many there are — a query whose hits the platform would never let us page through.
// The end is decided by what arrived, not by the page size asked for: a server that caps pages lower than asked
// (the real cap is uncertain, FACTS §8) is paged until `totalHits` results have come; without `totalHits`, until an
// empty page. An empty page before `totalHits` is reached fails `PaginationIncomplete` rather than ending short.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as AnalyticsMetrics from "../../AnalyticsMetrics.js"
import { type AuditLog, hashQuery } from "../../AuditLog.js"
import type { QueryPage } from "../../ConversationDetails.js"
import type * as ConversationQuery from "../../ConversationQuery.js"
import * as ConversationRecord from "../../ConversationRecord.js"
import type { PagingPolicy } from "../../GenesysConfig.js"
import { type HttpError, PaginationIncomplete, PaginationLimitExceeded } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import * as ReleasingPages from "./releasingPages.js"
import { base, routes } from "./routes.js"

/** What paging needs: the HTTP client, the audit log and the paging policy. */
export interface Dependencies {
  readonly http: GenesysHttp.Service
  readonly audit: AuditLog["Type"]
  readonly paging: PagingPolicy
}

/** One page request and the Stream of every page of a validated query. */
export interface QueryPaging {
  readonly fetchPage: (
    q: ConversationQuery.ConversationQuery,
    pageSize: number,
    pageNumber: number
  ) => Effect.Effect<ConversationRecord.AnalyticsConversationQueryResponse, HttpError>
  readonly pages: (
    q: ConversationQuery.ConversationQuery
  ) => Stream.Stream<QueryPage, HttpError | PaginationLimitExceeded | PaginationIncomplete>
  /** The query's `totalHits`, read with one page of one record. */
  readonly totalHits: (q: ConversationQuery.ConversationQuery) => Effect.Effect<number, HttpError>
}

/**
 * What follows a page: another page, the end, or `"short"` — an empty page while `reachable` results (the smaller
 * of `totalHits` and the paging cap) have not all arrived. `received` counts every result up to and including this
 * page; `reachable` is undefined when the response has no `totalHits`.
 */
export const nextStep = (
  pageLength: number,
  received: number,
  reachable: number | undefined
): "next" | "end" | "short" =>
  reachable === undefined
    ? pageLength > 0
      ? "next"
      : "end"
    : received >= reachable
      ? "end"
      : pageLength > 0
        ? "next"
        : "short"

/** The paging of sync queries. */
export const make = ({ audit, http, paging }: Dependencies): QueryPaging => {
  const fetchPage = (q: ConversationQuery.ConversationQuery, pageSize: number, pageNumber: number) =>
    http.json(
      HttpClientRequest.post(`${base}/details/query`).pipe(
        HttpClientRequest.bodyUnsafeJson({ ...q, paging: { pageSize, pageNumber } })
      ),
      ConversationRecord.AnalyticsConversationQueryResponse,
      { route: routes.query, idempotent: true, parseOptions: ConversationRecord.parseOptions }
    )

  /** Records that `q` is sent and returns its hash, which every page record of it carries. */
  const sent = (q: ConversationQuery.ConversationQuery) =>
    Effect.tap(hashQuery(q), (queryHash) =>
      audit.record({ type: "query.sent", route: routes.query, window: q.interval, queryHash })
    )

  const pages = (q: ConversationQuery.ConversationQuery) =>
    Stream.unwrap(
      Effect.gen(function* () {
        const pageSize = q.paging?.pageSize ?? paging.queryPageSize
        const firstPage = q.paging?.pageNumber ?? 1
        const queryHash = yield* sent(q)
        // Results before the first page read (a query starting at page n skips n - 1 full pages).
        let received = (firstPage - 1) * pageSize
        const page = (pageNumber: number) =>
          Effect.gen(function* () {
            const response = yield* fetchPage(q, pageSize, pageNumber)
            const totalHits = response.totalHits ?? 0
            if (pageNumber === firstPage && totalHits > paging.maxResults) {
              return yield* new PaginationLimitExceeded({
                interval: q.interval,
                totalHits,
                maxResults: paging.maxResults
              })
            }
            const conversations = response.conversations ?? []
            yield* AnalyticsMetrics.recordConversations("query", conversations.length)
            yield* audit.record({
              type: "query.page",
              route: routes.query,
              window: q.interval,
              queryHash,
              counts: { pageNumber, conversations: conversations.length, totalHits }
            })
            received += conversations.length
            const reachable =
              response.totalHits === undefined ? undefined : Math.min(response.totalHits, paging.maxResults)
            const step = nextStep(conversations.length, received, reachable)
            if (step === "short") {
              return yield* new PaginationIncomplete({ interval: q.interval, totalHits, received, pageNumber })
            }
            const result: QueryPage = {
              pageNumber,
              totalHits,
              conversations,
              aggregations: response.aggregations ?? []
            }
            return [result, step === "next" ? Option.some(pageNumber + 1) : Option.none<number>()] as const
          })
        return ReleasingPages.paginate(firstPage, page)
      })
    )

  // A count is a query like any other: audited as sent and as the one page of one record it reads.
  const totalHits = (q: ConversationQuery.ConversationQuery) =>
    Effect.gen(function* () {
      const queryHash = yield* sent(q)
      const response = yield* fetchPage(q, 1, 1)
      const totalHits = response.totalHits ?? 0
      yield* audit.record({
        type: "query.page",
        route: routes.query,
        window: q.interval,
        queryHash,
        counts: { pageNumber: 1, conversations: response.conversations?.length ?? 0, totalHits }
      })
      return totalHits
    })

  return { fetchPage, pages, totalHits }
}
