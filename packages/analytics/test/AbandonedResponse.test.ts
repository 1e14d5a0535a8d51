// A request interrupted after its status arrived but before its body was read still tells what the platform answered
// (`HttpEvents.onAbandoned`, audited as `http.abandoned`): a status poll whose caller stopped waiting got a 429 that
// no record showed (the fault soak's "every injected fault is audited" failed about one run in ten under load).
import { HttpClient, HttpClientRequest, HttpClientResponse } from "@effect/platform"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Layer } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { timedAttempt } from "../src/internal/http/attempt.js"
import * as HttpEvents from "../src/internal/http/httpEvents.js"
import * as GenesysAuth from "../src/GenesysAuth.js"
import * as GenesysConfig from "../src/GenesysConfig.js"
import * as GenesysHttp from "../src/GenesysHttp.js"
import { clientOptions, turnsUntil } from "./GenesysHttpFixtures.js"

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

/**
 * A platform client that answers the token request, then `status` to the API requests (429: to every one, asking for
 * a wait; 401: to the first, and never to the re-authenticated retry), each with its own correlation id and a body
 * produced only when read: `read` holds the ids whose body the client began to read (so whose status had reached
 * `timedAttempt`).
 */
const answering = (status: 429 | 401, read: Set<string>) => {
  let answered = 0
  return HttpClient.make((request) => {
    if (new URL(request.url).pathname === "/oauth/token") {
      const token = JSON.stringify({ access_token: "token", token_type: "bearer", expires_in: 86_400 })
      return Effect.succeed(
        HttpClientResponse.fromWeb(
          request,
          new Response(token, { status: 200, headers: { "content-type": "application/json" } })
        )
      )
    }
    if (status === 401 && answered > 0) return Effect.never
    const id = `corr-${++answered}`
    const body = new ReadableStream<Uint8Array>(
      {
        pull: (controller) => {
          read.add(id)
          controller.enqueue(new TextEncoder().encode(`{"status":${status},"message":"refused"}`))
          controller.close()
        }
      },
      { highWaterMark: 0 }
    )
    const headers = { "content-type": "application/json", "retry-after": "30", "inin-correlation-id": id }
    return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(body, { status, headers })))
  })
}

describe("a status the retry policy acts on, its request interrupted wherever the interrupt lands", () => {
  it.effect.each([429, 401] as const)(
    "%s: reported once (a wait or a re-authentication, or abandoned), never left out, never twice",
    (status) =>
      Effect.gen(function* () {
        const outcomes = new Map<string, number>()
        // The request's fiber yields every few operations (a few numbers, so that the places where it yields shift),
        // and the interrupt lands after a number of those turns: between any two steps of the request, in all. (Below
        // ten operations a turn, Effect's runtime itself never finishes an interruption.)
        for (const opsPerTurn of [10, 11, 13, 17]) {
          for (let turns = 0; turns < 120; turns++) {
            const read = new Set<string>()
            const reported: Array<{ readonly id: string | undefined; readonly as: string }> = []
            const events: HttpEvents.Service = {
              onRetry: (event) => Effect.sync(() => void reported.push({ id: event.correlationId, as: "retry" })),
              onRateLimitWait: (event) =>
                Effect.sync(() => void reported.push({ id: event.correlationId, as: "wait" })),
              onReauthenticate: (event) =>
                Effect.sync(() => void reported.push({ id: event.correlationId, as: "reauthenticate" })),
              onAbandoned: (event) =>
                Effect.sync(
                  () =>
                    void reported.push({
                      id: event.correlationId,
                      as: event.bodyRead ? "abandoned, read" : "abandoned"
                    })
                )
            }
            const layer = GenesysHttp.layerWithoutAuth.pipe(
              Layer.provideMerge(GenesysAuth.layer),
              Layer.provide(
                Layer.mergeAll(
                  Layer.succeed(HttpClient.HttpClient, answering(status, read)),
                  GenesysConfig.layer(
                    clientOptions({ apiUrl: "https://api.test", loginUrl: "https://login.test" })
                  ).pipe(Layer.orDie)
                )
              )
            )
            yield* Effect.gen(function* () {
              const http = yield* GenesysHttp.GenesysHttp
              const request = http.execute(HttpClientRequest.get("/api/v2/x"), {
                route: "GET /api/v2/x",
                idempotent: true
              })
              const fiber = yield* Effect.fork(
                Effect.withMaxOpsBeforeYield(HttpEvents.provide(request, events), opsPerTurn)
              )
              for (let turn = 0; turn < turns; turn++) yield* Effect.yieldNow()
              yield* Fiber.interrupt(fiber)
            }).pipe(Effect.provide(layer))
            const where = `${opsPerTurn} operations a turn, interrupted after ${turns} turns`
            for (const id of read) {
              const as = reported.filter((r) => r.id === id).map((r) => r.as)
              assert.strictEqual(as.length, 1, `${where}: ${id} read and reported ${JSON.stringify(as)}`)
              outcomes.set(as[0]!, (outcomes.get(as[0]!) ?? 0) + 1)
            }
          }
        }
        // The sweep reached each way a read status can be reported: the interrupt landed on each side of the report.
        const reportedByPolicy = status === 429 ? "wait" : "reauthenticate"
        assert.deepStrictEqual([...outcomes.keys()].sort(), ["abandoned", "abandoned, read", reportedByPolicy].sort())
      })
  )
})
