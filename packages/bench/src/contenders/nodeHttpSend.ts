/**
 * The floor's exchange over Node's `http` module, as the SDK's axios makes it: a keep-alive agent, the body's chunks
 * joined once and decoded once. No library code: what a hand-written client over `http` costs at least.
 *
 * @since 0.5.0
 */
import * as Http from "node:http"
import type { Send } from "./fetchSession.js"

const agent = new Http.Agent({ keepAlive: true })

/** An exchange over `http.request`. @since 0.5.0 */
export const nodeHttpSend: Send = (method, url, headers, body) =>
  new Promise((resolve, reject) => {
    const request = Http.request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, "content-length": String(Buffer.byteLength(body)) }
      },
      (response) => {
        const chunks: Array<Buffer> = []
        let length = 0
        response.on("data", (chunk: Buffer) => {
          chunks.push(chunk)
          length += chunk.length
        })
        response.on("error", reject)
        response.on("end", () => {
          const retryAfter = response.headers["retry-after"]
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks, length).toString("utf8"),
            retryAfter: typeof retryAfter === "string" ? retryAfter : null
          })
        })
      }
    )
    request.on("error", reject)
    request.end(body)
  })
