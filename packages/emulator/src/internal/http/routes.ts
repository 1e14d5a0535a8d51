/** Route → handler, for requests that passed admission, authentication and the rate limit. */
import type { Catalog } from "../../Catalog.js"
import type { AggregateRoutes } from "./aggregateRoutes.js"
import type { ConversationRoutes } from "./conversationRoutes.js"
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import { limits } from "./limitsRoute.js"
import { list } from "./listRoutes.js"
import type { Decision } from "./faultEngine.js"
import type { JobRoutes } from "./jobRoutes.js"
import type { NotificationRoutes } from "./notificationRoutes.js"
import type { StaleCursor } from "./resultsRoute.js"
import type { Route } from "./router.js"
import type { TokenStore } from "./tokens.js"
import type { ApiError, RawRequest, RawResponse, WireResponse } from "./wire.js"

/** The handlers a dispatcher routes to. */
export interface Handlers {
  readonly tokens: TokenStore
  readonly query: (request: RawRequest, t: number) => RawResponse | ApiError
  readonly jobs: JobRoutes
  readonly results: (jobId: string, search: URLSearchParams, t: number, stale: StaleCursor) => WireResponse | ApiError
  readonly conversations: ConversationRoutes
  readonly aggregates: AggregateRoutes
  readonly catalog: Catalog
  readonly notifications: NotificationRoutes
  readonly options: EmulatorOptions
}

/** Answers one routed request at `t`; `decision` carries the faults that reach a handler. */
export type Dispatch = (
  route: Route,
  request: RawRequest,
  search: URLSearchParams,
  t: number,
  decision: Decision
) => WireResponse | ApiError

/** The dispatcher over `handlers`. */
export const make =
  (handlers: Handlers): Dispatch =>
  (route, request, search, t, decision) => {
    switch (route._tag) {
      case "Query":
        return handlers.query(request, t)
      case "Jobs":
        return handlers.jobs.submit(request, t, decision.job)
      case "Availability":
        return handlers.jobs.availability(t)
      case "Job":
        return request.method === "DELETE" ? handlers.jobs.cancel(route.jobId, t) : handlers.jobs.status(route.jobId, t)
      case "JobResults":
        return handlers.results(route.jobId, search, t, decision.staleCursor)
      case "Conversation":
        return handlers.conversations.one(route.conversationId, t)
      case "MultiGet":
        return handlers.conversations.many(search, t)
      case "AggregateQuery":
        return handlers.aggregates.query(request, t)
      case "AggregateJobs":
        return handlers.aggregates.submit(request, t, decision.job)
      case "AggregateJob":
        return request.method === "DELETE"
          ? handlers.aggregates.cancel(route.jobId, t)
          : handlers.aggregates.status(route.jobId, t)
      case "AggregateJobResults":
        return handlers.aggregates.results(route.jobId, search, t, decision.staleCursor)
      case "List":
        return list(handlers.catalog, route.kind, search)
      case "Token":
        return handlers.tokens.endpoint(request, t)
      case "Channels":
        return handlers.notifications.channels(request, t)
      case "Channel":
        return handlers.notifications.channel(request, route.channelId, t)
      case "Subscriptions":
        return handlers.notifications.subscriptions(request, route.channelId, search, t)
      case "AvailableTopics":
        return handlers.notifications.availableTopics(search)
      case "Limits":
        return limits(handlers.options, route.namespace)
    }
  }
