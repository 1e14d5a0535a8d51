/**
 * A `WebSocket` (the subset `@effect/platform`'s `Socket.fromWebSocket` uses) whose other end is an emulator
 * channel, in process: `open` once connected, `message` per text frame, `close` with the server's code: 1006 for a
 * dropped socket, and `error` then 1006 for an unknown channel (a refused handshake), as Node's `ws` reports them.
 */
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import type { NotificationSocket, Notifications } from "../../Notifications.js"

const event = (type: string, fields: Record<string, unknown>): Event => Object.assign(new Event(type), fields)

/** The in-process socket; `runFork` runs its connection fiber on the emulator's runtime. */
export class InProcessWebSocket extends EventTarget {
  static readonly CONNECTING = 0
  static readonly OPEN = 1
  static readonly CLOSING = 2
  static readonly CLOSED = 3
  readonly CONNECTING = 0
  readonly OPEN = 1
  readonly CLOSING = 2
  readonly CLOSED = 3
  readyState = 0
  binaryType = "blob"
  readonly protocol = ""
  readonly extensions = ""
  readonly bufferedAmount = 0
  private socket: NotificationSocket | undefined
  private readonly fiber: Fiber.RuntimeFiber<void, never>

  constructor(
    readonly url: string,
    notifications: Notifications,
    runFork: <A, E>(effect: Effect.Effect<A, E>) => Fiber.RuntimeFiber<A, E>
  ) {
    super()
    const session = Effect.scoped(
      Effect.gen(this, function* () {
        // A socket never opens (or fails) synchronously: listeners added right after construction see every event.
        yield* Effect.promise(() => new Promise<void>((resolve) => setImmediate(resolve)))
        const socket = yield* notifications.connect(url)
        this.socket = socket
        this.readyState = 1
        this.dispatchEvent(new Event("open"))
        yield* Stream.runForEach(socket.frames, (frame) =>
          Effect.sync(() => {
            if (frame._tag === "Text") this.dispatchEvent(event("message", { data: frame.text }))
            else this.finish(frame.code, frame.reason)
          })
        )
      })
    ).pipe(Effect.catchAll(() => Effect.sync(() => this.finish(1006, "", true))))
    this.fiber = runFork(session)
  }

  private finish(code: number, reason: string, refused = false) {
    if (this.readyState === 3) return
    this.readyState = 3
    if (refused) this.dispatchEvent(new Event("error"))
    this.dispatchEvent(event("close", { code, reason, wasClean: code !== 1006 }))
  }

  send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    if (this.readyState !== 1 || this.socket === undefined) throw new Error("WebSocket is not open")
    const text = typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer)
    Effect.runSync(this.socket.send(text))
  }

  close(code = 1000, reason = ""): void {
    if (this.readyState >= 2) return
    this.readyState = 2
    // The client closed: its scope ends (the server forgets the socket), then `close` fires.
    Effect.runFork(Fiber.interrupt(this.fiber).pipe(Effect.ensuring(Effect.sync(() => this.finish(code, reason)))))
  }
}
