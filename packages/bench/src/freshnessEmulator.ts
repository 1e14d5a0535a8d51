/**
 * Child process of the freshness bench (`freshness.ts`): one live emulator server on 127.0.0.1 with the options passed
 * as JSON in `argv[2]`, plus its own subscriber to the availability topic (a channel of its own, read in process):
 * every announced advance goes to the parent over IPC with the wall-clock time it was announced. The parent asks for
 * the request log the same way.
 *
 * @since 0.4.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as ForkedServer from "./forkedServer.js"

/** A message to the parent. @since 0.4.0 */
export type Message =
  | {
      readonly type: "ready"
      readonly url: string
      /** The emulator time and the wall-clock time at one instant: emulated = emulatedAt + (wall - wallAt) × speed. */
      readonly emulatedAt: number
      readonly wallAt: number
    }
  | { readonly type: "advance"; readonly dataAvailabilityDate: string; readonly wallMillis: number }
  | {
      readonly type: "requests"
      readonly requests: ReadonlyArray<{ readonly method: string; readonly path: string; readonly atMillis: number }>
    }

const send = (message: Message) => ForkedServer.send(message)

const main = async () => {
  const { running, stop } = await ForkedServer.start("freshnessEmulator")
  const emulator = running.emulator
  const api = async (method: string, path: string, headers: Record<string, string>, body?: string) => {
    const response = await Effect.runPromise(
      emulator.handle(new Request(`${running.url}${path}`, { method, headers, ...(body ? { body } : {}) }))
    )
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status}`)
    return response.headers.get("content-type")?.includes("json") ? ((await response.json()) as unknown) : undefined
  }
  const basic = Buffer.from(`${emulator.options.clientId}:${emulator.options.clientSecret}`).toString("base64")
  const token = (await api(
    "POST",
    "/oauth/token",
    { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    "grant_type=client_credentials"
  )) as { readonly access_token: string }
  const bearer = { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" }
  const channel = (await api("POST", "/api/v2/notifications/channels", bearer)) as { readonly id: string }
  await api(
    "PUT",
    `/api/v2/notifications/channels/${channel.id}/subscriptions`,
    bearer,
    JSON.stringify([{ id: "v2.analytics.conversations.details.jobs.availability" }])
  )
  // The subscriber: every availability event, stamped with the wall clock as it arrives.
  Effect.runFork(
    Effect.scoped(
      Effect.gen(function* () {
        const socket = yield* emulator.notifications.connect(channel.id)
        yield* Stream.runForEach(socket.frames, (frame) =>
          Effect.promise(async () => {
            if (frame._tag !== "Text") return
            const message = JSON.parse(frame.text) as {
              readonly topicName?: string
              readonly eventBody?: { readonly dataAvailabilityDate?: string }
            }
            const date = message.eventBody?.dataAvailabilityDate
            if (message.topicName?.endsWith(".availability") && date !== undefined) {
              await send({ type: "advance", dataAvailabilityDate: date, wallMillis: Date.now() })
            }
          })
        )
      })
    )
  )
  const emulatedAt = await Effect.runPromise(emulator.nowMillis)
  await send({ type: "ready", url: running.url, emulatedAt, wallAt: Date.now() })
  process.on("message", (raw) => {
    const op = (raw as { readonly op?: string }).op
    if (op === "stop") void stop()
    if (op === "requests") {
      void Effect.runPromise(emulator.requests).then((requests) =>
        send({
          type: "requests",
          requests: requests.map((r) => ({ method: r.method, path: r.path, atMillis: r.atMillis }))
        })
      )
    }
  })
}

void main().catch((e) => {
  console.error(e)
  process.exit(1)
})
