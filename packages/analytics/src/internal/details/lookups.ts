// The two single-request reads: the data-lake availability date, and one conversation by id.
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as Effect from "effect/Effect"
import * as ConversationRecord from "../../ConversationRecord.js"
import type { HttpError } from "../../GenesysError.js"
import type * as GenesysHttp from "../../GenesysHttp.js"
import { base, routes } from "./routes.js"

// The plan stands on the watermark: without one, settled data would silently go through the sync query.
/** The `check` of the availability request: a problem description unless `dataAvailabilityDate` is a date. */
export const checkAvailability = (a: ConversationRecord.DataAvailabilityResponse): string | undefined =>
  a.dataAvailabilityDate !== undefined && !Number.isNaN(Date.parse(a.dataAvailabilityDate))
    ? undefined
    : `dataAvailabilityDate is ${a.dataAvailabilityDate === undefined ? "missing" : `not a date: ${JSON.stringify(a.dataAvailabilityDate).slice(0, 60)}`}`

/** The reads over `http`. */
export const make = (http: GenesysHttp.Service) => ({
  availability: (): Effect.Effect<ConversationRecord.DataAvailabilityResponse, HttpError> =>
    http.json(HttpClientRequest.get(`${base}/details/jobs/availability`), ConversationRecord.DataAvailabilityResponse, {
      route: routes.availability,
      idempotent: true,
      parseOptions: ConversationRecord.parseOptions,
      check: checkAvailability
    }),
  conversation: (
    conversationId: string
  ): Effect.Effect<ConversationRecord.AnalyticsConversationWithoutAttributes, HttpError> =>
    http.json(
      HttpClientRequest.get(`${base}/${encodeURIComponent(conversationId)}/details`),
      ConversationRecord.AnalyticsConversationWithoutAttributes,
      { route: routes.conversation, idempotent: true, parseOptions: ConversationRecord.parseOptions }
    )
})
