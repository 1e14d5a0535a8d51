// A request interrupted after its status arrived but before its body was read still tells what the platform answered
// (`HttpEvents.onAbandoned`, audited as `http.abandoned`): a status poll whose caller stopped waiting got a 429 that
// no record showed (the fault soak's "every injected fault is audited" failed about one run in ten under load).
import { HttpClient, HttpClientRequest } from "@effect/platform"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { timedAttempt } from "../src/internal/http/attempt.js"
import * as HttpEvents from "../src/internal/http/httpEvents.js"
import { turnsUntil } from "./GenesysHttpFixtures.js"

/** A server that answers 429 with a correlation id and the start of a body, and never ends it. */
const stalling = Effect.acquireRelease(
  Effect.async<{ readonly server: Http.Server; readonly headersSent: () => boolean }>((resume) => {
    let sent = false
    const server = Http.createServer((_request, response) => {
      response.writeHead(429, { "content-type": "application/json", "inin-correlation-id": "corr-429" })
      response.write('{"status":429,', () => {
        sent = true
      })
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, headersSent: () => sent })))
  }),
  ({ server }) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

describe("an abandoned response", () => {
  it.live("a request interrupted while its body is read reports its status and correlation id", () =>
    Effect.scoped(
      Effect.gen(function* () {
        const { headersSent, server } = yield* stalling
        const { port } = server.address() as AddressInfo
        const abandoned: Array<HttpEvents.AbandonedEvent> = []
        const events: HttpEvents.Service = {
          onRetry: () => Effect.void,
          onRateLimitWait: () => Effect.void,
          onReauthenticate: () => Effect.void,
          onAbandoned: (event) => Effect.sync(() => void abandoned.push(event))
        }
        let headed = false
        const transport = HttpClient.transformResponse(
          yield* HttpClient.HttpClient,
          Effect.tap(() =>
            Effect.sync(() => {
              headed = true
            })
          )
        )
        const client = timedAttempt("GET /x", Duration.seconds(30))(transport)
        const request = client.execute(HttpClientRequest.get(`http://127.0.0.1:${port}/x`))
        const fiber = yield* Effect.fork(Effect.scoped(HttpEvents.provide(request, events)))
        yield* turnsUntil("the status and the start of the body sent", headersSent)
        // The client has the head: it is now reading the body, which never ends.
        yield* turnsUntil("the response's head at the client", () => headed)
        yield* Fiber.interrupt(fiber)
        assert.deepStrictEqual(abandoned, [{ route: "GET /x", status: 429, correlationId: "corr-429" }])
      })
    ).pipe(Effect.provide(FetchHttpClient.layer))
  )
})
