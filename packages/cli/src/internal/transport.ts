/**
 * The HTTP transport of every command that talks to Genesys: Node's own `http`/`https` modules
 * (`NodeHttpClient.layerWithoutAgent`) over one keep-alive agent per command.
 *
 * Not `NodeHttpClient.layerUndici`: loading the `undici` package costs some 65 ms of every start (a dry run spends
 * less than that on its requests), while `http` is built into Node; over `http` the library also used the least CPU
 * on large pages (docs/jobs.md). Timeouts, retries and the transport errors (`ECONNREFUSED`, `ECONNRESET`, ...) are
 * the library's and read the same from either transport.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Layer from "effect/Layer"

/**
 * The options of Node's global agent: `new Agent()` alone closes every connection after one response. Keep-alive
 * with the most recently used socket first, and an idle socket closed after 5 s, or 1 s before the server's own
 * `Keep-Alive: timeout=` when that is shorter, so that a request is not sent on a connection the server is closing.
 * The timeout closes idle sockets only: a response slower than that is waited for (the library's own
 * `requestTimeout` bounds it).
 */
const agentOptions = { keepAlive: true, scheduling: "lifo", timeout: 5_000 } as const

/** The `HttpClient` of the commands: Node's `http` with a keep-alive agent, closed when the command ends. @internal */
export const layer: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer(agentOptions))
)
