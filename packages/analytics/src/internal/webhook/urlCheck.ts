// Where webhooks may be sent: https anywhere, plain http only to loopback (a local receiver in development), so
// that signed lifecycle events never cross a network in clear text.
import * as Either from "effect/Either"
import { ConfigInvalid } from "../../GenesysError.js"

/** True for `localhost`, `[::1]` and 127.0.0.0/8 host names. */
export const isLoopback = (hostname: string): boolean =>
  hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * The parsed URL, or `ConfigInvalid` on `GENESYS_WEBHOOK_URL`. The detail never repeats the URL: webhook URLs
 * often carry a secret path.
 */
export const checkUrl = (raw: string): Either.Either<URL, ConfigInvalid> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return Either.left(new ConfigInvalid({ field: "GENESYS_WEBHOOK_URL", detail: "not a valid absolute URL" }))
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return Either.right(url)
  return Either.left(
    new ConfigInvalid({
      field: "GENESYS_WEBHOOK_URL",
      detail: `${url.protocol}//${url.hostname} is refused: use https (plain http only to a loopback address)`
    })
  )
}
