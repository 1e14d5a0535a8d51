/**
 * Child process entry: one emulator server on 127.0.0.1 with the options passed as JSON in `argv[2]`,
 * controlled by its parent over the IPC channel (ground truth, the request log, CPU used). Running it in its
 * own process keeps its CPU and memory out of every contender's figures.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Checksum from "./checksum.js"
import * as ForkedServer from "./forkedServer.js"
import type { RecordedRequest, Truth } from "./protocol.js"

/** A request from the parent. @since 0.1.0 */
export type Command =
  | { readonly id: number; readonly op: "truthJob"; readonly query: { readonly interval: string } }
  | { readonly id: number; readonly op: "truthAll" }
  | { readonly id: number; readonly op: "requests" }
  | { readonly id: number; readonly op: "clearRequests" }
  | { readonly id: number; readonly op: "cpu" }
  | { readonly id: number; readonly op: "stop" }

/** The first message: where the server listens and what it serves. @since 0.1.0 */
export interface Ready {
  readonly type: "ready"
  readonly url: string
  readonly size: number
  readonly spanStartMillis: number
  readonly spanEndMillis: number
}

const main = async () => {
  const { running, stop } = await ForkedServer.start("emulatorProcess")
  const emulator = running.emulator
  const dataset = emulator.dataset
  process.on("message", (raw) => {
    const command = raw as Command
    const answer = async (): Promise<unknown> => {
      switch (command.op) {
        case "truthJob": {
          const ids = await Effect.runPromise(emulator.groundTruthJob(command.query))
          return { count: ids.length, checksum: Checksum.of(ids) } satisfies Truth
        }
        case "truthAll": {
          let sum = 0
          for (let i = 0; i < dataset.size; i++) sum = Checksum.add(sum, dataset.conversationId(i))
          return { count: dataset.size, checksum: sum } satisfies Truth
        }
        case "requests": {
          const records = await Effect.runPromise(emulator.requests)
          return records.map(
            (r): RecordedRequest => ({
              method: r.method,
              path: r.path,
              search: r.search,
              status: r.status,
              atMillis: r.atMillis
            })
          )
        }
        case "clearRequests":
          await Effect.runPromise(emulator.clearRequests)
          return null
        case "cpu":
          return process.cpuUsage()
        case "stop":
          await ForkedServer.send({ id: command.id, ok: true, value: null })
          return stop()
      }
    }
    answer().then(
      (value) => ForkedServer.send({ id: command.id, ok: true, value }),
      (error) => ForkedServer.send({ id: command.id, ok: false, error: String(error) })
    )
  })
  const ready: Ready = {
    type: "ready",
    url: running.url,
    size: dataset.size,
    spanStartMillis: dataset.spanStartMillis,
    spanEndMillis: dataset.spanEndMillis
  }
  await ForkedServer.send(ready)
}

main().catch((error) => {
  console.error(`emulator process: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`)
  process.exit(1)
})
