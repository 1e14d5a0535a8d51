/**
 * The notifications REST surface (docs/sync.md §1–§2): create and list channels, `HEAD` a channel, its
 * subscriptions (GET, POST adds, PUT replaces, DELETE removes all) and the topic catalogue. "Requires NO
 * permissions": any valid token.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { EmulatorOptions } from "../../EmulatorOptions.js"
import type { Channel, ChannelStore } from "../live/channels.js"
import { parseJson } from "./jsonBody.js"
import {
  type ApiError,
  badRequest,
  empty,
  isApiError,
  json,
  malformed,
  notFound,
  type RawRequest,
  type RawResponse
} from "./wire.js"

/** The topic the sync listens to. */
export const availabilityTopic = "v2.analytics.conversations.details.jobs.availability"

/** The topics this emulator knows (others are unknown: 400, or `Rejected` with `ignoreErrors=true`). */
export const topics: ReadonlyArray<{ readonly id: string; readonly description: string }> = [
  {
    id: availabilityTopic,
    description: "Date and time before which conversation detail data is guaranteed to be available in the datalake"
  },
  {
    id: "v2.analytics.users.details.jobs.availability",
    description: "Date and time before which user detail data is guaranteed to be available in the datalake"
  }
]

const known = new Set(topics.map((t) => t.id))

const TopicList = Schema.Array(Schema.Struct({ id: Schema.String }))
const decodeTopics = Schema.decodeUnknownEither(TopicList)

/** The notifications handlers over `store`. */
export interface NotificationRoutes {
  readonly channels: (request: RawRequest, t: number) => RawResponse | ApiError
  readonly channel: (request: RawRequest, channelId: string, t: number) => RawResponse | ApiError
  readonly subscriptions: (
    request: RawRequest,
    channelId: string,
    search: URLSearchParams,
    t: number
  ) => RawResponse | ApiError
  readonly availableTopics: (search: URLSearchParams) => RawResponse
}

/** 404 of an unknown or expired channel (the body is the emulator's: the platform's is not documented). */
export const channelNotFound = (channelId: string): ApiError => notFound(`Channel ${channelId} not found`)

/** The handlers; `connectOrigin()` is where sockets connect (`ws://127.0.0.1:<port>`). */
export const make = (
  options: EmulatorOptions,
  store: ChannelStore,
  connectOrigin: () => string
): NotificationRoutes => {
  const channelBody = (c: Channel) => ({
    connectUri: `${connectOrigin()}/channels/${c.id}`,
    id: c.id,
    expires: new Date(c.expiresAt).toISOString()
  })
  const listing = (c: Channel) => ({ entities: c.topics.map((id) => ({ id, state: "Permitted" })) })

  const channels = (request: RawRequest, t: number) =>
    request.method === "POST"
      ? json(200, channelBody(store.create(t)))
      : json(200, { entities: store.list(t).map(channelBody) })

  const channel = (request: RawRequest, channelId: string, t: number) => {
    // Only HEAD exists on a single channel; GET and DELETE are not platform routes.
    if (request.method !== "HEAD") return notFound()
    const found = store.get(channelId, t)
    return found === undefined ? channelNotFound(channelId) : empty(200)
  }

  const subscriptions = (request: RawRequest, channelId: string, search: URLSearchParams, t: number) => {
    const found = store.get(channelId, t)
    if (found === undefined) return channelNotFound(channelId)
    if (request.method === "GET") return json(200, listing(found))
    if (request.method === "DELETE") {
      found.topics = []
      return empty(204)
    }
    const body = parseJson(request)
    if (isApiError(body)) return body
    const decoded = decodeTopics(body)
    if (Either.isLeft(decoded)) return malformed()
    const ignoreErrors = search.get("ignoreErrors") === "true"
    const requested = decoded.right.map((topic) => topic.id)
    const unknown = requested.filter((id) => !known.has(id))
    if (unknown.length > 0 && !ignoreErrors) {
      return badRequest(`Invalid topic name: ${unknown[0]}`, "id")
    }
    const accepted = requested.filter((id) => known.has(id))
    const next = request.method === "PUT" ? [...new Set(accepted)] : [...new Set([...found.topics, ...accepted])]
    if (next.length > options.notifications.maxTopics) {
      return badRequest(`A channel may not subscribe to more than ${options.notifications.maxTopics} topics`)
    }
    found.topics = next
    store.renew(found, t)
    const rejected = unknown.map((id) => ({ id, state: "Rejected", rejectionReason: "Topic not found" }))
    return json(200, { entities: [...listing(found).entities, ...rejected] })
  }

  const availableTopics = (search: URLSearchParams) => {
    const expand = new Set(search.getAll("expand").flatMap((v) => v.split(",")))
    return json(200, {
      entities: topics.map((topic) => ({
        id: topic.id,
        ...(expand.has("description") ? { description: topic.description } : {}),
        ...(expand.has("requiresPermissions") ? { requiresPermissions: ["analytics:conversationDetail:view"] } : {}),
        ...(expand.has("visibility") ? { visibility: "Public" } : {}),
        ...(expand.has("transports") ? { transports: ["All"] } : {}),
        ...(expand.has("enforced") ? { enforced: true } : {})
      }))
    })
  }

  return { channels, channel, subscriptions, availableTopics }
}
