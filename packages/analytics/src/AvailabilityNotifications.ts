/**
 * The data-availability date as Genesys announces it on the notification topic
 * `v2.analytics.conversations.details.jobs.availability` (docs/sync.md has the contract and its sources): a channel is
 * created, the topic subscribed, and the channel's WebSocket read. A socket that closes, or stays silent past the
 * heartbeat deadline, is replaced by a new channel after a backoff; every loss and reconnection is an event, so a
 * caller (the sync) can poll instead meanwhile. Nothing here is needed for correctness: it only makes cycles start
 * sooner.
 *
 * @since 0.2.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Socket from "@effect/platform/Socket"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as GenesysHttp from "./GenesysHttp.js"

/** The topic of the data-availability date. @since 0.2.0 */
export const topic = "v2.analytics.conversations.details.jobs.availability"

const Channel = Schema.Struct({ id: Schema.String, connectUri: Schema.String, expires: Schema.optional(Schema.String) })

const Envelope = Schema.parseJson(
  Schema.Struct({
    topicName: Schema.String,
    eventBody: Schema.optional(Schema.Struct({ dataAvailabilityDate: Schema.optional(Schema.String) }))
  })
)

/** What the listener saw. @since 0.2.0 */
export type Event =
  | { readonly _tag: "Connected"; readonly channelId: string }
  | { readonly _tag: "Advanced"; readonly dataAvailabilityDate: string }
  | { readonly _tag: "Lost"; readonly reason: string }

/** Options of {@link listen}. @since 0.2.0 */
export interface Options {
  /** Silence after which the socket counts as lost (Genesys sends heartbeats; docs/sync.md). Default 90 seconds. */
  readonly heartbeatTimeout?: Duration.DurationInput | undefined
  /** How long the socket may take to open. Default 10 seconds. */
  readonly openTimeout?: Duration.DurationInput | undefined
  /** Waits between reconnections. Default: exponential from 1 s, at most 60 s apart. */
  readonly reconnect?: Schedule.Schedule<unknown, unknown> | undefined
}

class Lost extends Schema.TaggedError<Lost>()("Lost", { reason: Schema.String }) {}

const channelsRoute = "POST /api/v2/notifications/channels"
const subscriptionsRoute = "PUT /api/v2/notifications/channels/{channelId}/subscriptions"

/** One channel's life: create, subscribe, read the socket until it closes or goes silent. */
const session = (heartbeatTimeout: Duration.DurationInput, openTimeout: Duration.DurationInput) =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const http = yield* GenesysHttp.GenesysHttp
      const channel = yield* http.json(HttpClientRequest.post("/api/v2/notifications/channels"), Channel, {
        route: channelsRoute,
        idempotent: false
      })
      yield* http.execute(
        HttpClientRequest.put(`/api/v2/notifications/channels/${encodeURIComponent(channel.id)}/subscriptions`).pipe(
          HttpClientRequest.bodyUnsafeJson([{ id: topic }])
        ),
        { route: subscriptionsRoute, idempotent: true }
      )
      const socket = yield* Socket.makeWebSocket(channel.connectUri, { openTimeout })
      const frames = yield* Queue.unbounded<string>()
      const decoder = new TextDecoder()
      yield* Effect.forkScoped(
        socket
          .runRaw((data) => Queue.offer(frames, typeof data === "string" ? data : decoder.decode(data)))
          .pipe(
            Effect.matchCause({
              onFailure: (cause) => Queue.offer(frames, `\u0000closed: ${String(cause).split("\n")[0]}`),
              onSuccess: () => Queue.offer(frames, "\u0000closed")
            }),
            Effect.flatten
          )
      )
      const events = Stream.fromQueue(frames).pipe(
        Stream.timeoutFail(() => new Lost({ reason: "no message within the heartbeat deadline" }), heartbeatTimeout),
        Stream.mapEffect((frame) =>
          frame.startsWith("\u0000")
            ? Effect.fail(new Lost({ reason: `socket ${frame.slice(1)}` }))
            : Effect.succeed(
                Option.flatMap(Schema.decodeUnknownOption(Envelope)(frame), (e) =>
                  e.topicName === topic ? Option.fromNullable(e.eventBody?.dataAvailabilityDate) : Option.none()
                )
              )
        ),
        Stream.filterMap((date) => Option.map(date, (d): Event => ({ _tag: "Advanced", dataAvailabilityDate: d })))
      )
      const connected: Event = { _tag: "Connected", channelId: channel.id }
      return Stream.concat(Stream.make(connected), events)
    })
  )

const lostEvent = (e: unknown): Event => ({
  _tag: "Lost",
  reason: e instanceof Lost ? e.reason : e instanceof Error ? e.message : String(e)
})

/**
 * Listens to the availability topic for as long as the stream is read: `Advanced` for each announced date,
 * `Connected` for each channel, `Lost` (then a new channel after the backoff) for each socket that closed, went silent
 * or could not be made.
 *
 * @since 0.2.0
 */
export const listen = (
  options?: Options
): Stream.Stream<Event, never, GenesysHttp.GenesysHttp | Socket.WebSocketConstructor> => {
  const schedule =
    options?.reconnect ?? Schedule.exponential("1 second").pipe(Schedule.either(Schedule.spaced("60 seconds")))
  const once = session(options?.heartbeatTimeout ?? "90 seconds", options?.openTimeout ?? "10 seconds").pipe(
    Stream.catchAll((e) => Stream.concat(Stream.make(lostEvent(e)), Stream.fail(e)))
  )
  return Stream.retry(once, schedule).pipe(Stream.catchAll(() => Stream.empty))
}

/** Only the announced dates, for `Sync.Options.advances`. @since 0.2.0 */
export const dates = (
  options?: Options
): Stream.Stream<string, never, GenesysHttp.GenesysHttp | Socket.WebSocketConstructor> =>
  Stream.filterMap(listen(options), (e) =>
    e._tag === "Advanced" ? Option.some(e.dataAvailabilityDate) : Option.none()
  )
