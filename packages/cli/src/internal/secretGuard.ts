/** @internal */
import * as KnownSecrets from "@effect-genesys/analytics/KnownSecrets"

// The last line of defence at the terminal. The library scrubs what it knows inside its own errors, but any text can
// reach the terminal (an error body a server echoes back, a defect's message, a log line, a dependency's output),
// so every write to stdout and stderr passes through `scrub` here: the client secret, the Basic credentials (raw
// `id:secret` and base64) and every bearer token this process has sent are replaced, whatever carries them.
//
// On stderr (messages, logs, progress) credential-shaped text is also replaced (`Bearer …`, `Basic …`,
// `"access_token": "…"`), which catches a token the server issued but this process never got to send. stdout
// carries data, which must stay exact: only the known values are replaced there.

/** What replaces a secret. @internal */
export const REDACTED = KnownSecrets.REDACTED

/** Registers a secret in the library's registry (one per process, shared with every library error). @internal */
export const register = KnownSecrets.register

/** Registers the client credentials: the secret, `id:secret`, and its base64 with and without padding. @internal */
export const registerCredentials = KnownSecrets.registerClient

/** Registers the credential of an `Authorization` header value (`Bearer <token>`, `Basic <base64>`). @internal */
export const registerAuthorization = (header: string | undefined): void => {
  if (header === undefined) return
  const match = /^\s*(?:Bearer|Basic)\s+(\S+)\s*$/i.exec(header)
  if (match !== null) register(match[1]!)
}

// A credential after its scheme: long, and with a digit, so "Basic authentication" stays readable.
const schemePattern = /\b(Bearer|Basic)(\s+|%20)(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{16,}/gi
const accessTokenPattern = /(access_token\\?"?\s*[:=]\s*\\?"?)[^"\\&\s,;}]{6,}/gi

/** Replaces every registered value in `text`. @internal */
export const scrubKnown = KnownSecrets.scrub

/** Replaces every registered value and credential-shaped text in `text`. @internal */
export const scrub = (text: string): string =>
  scrubKnown(text)
    .replace(schemePattern, (_, scheme: string, space: string) => `${scheme}${space}${REDACTED}`)
    .replace(accessTokenPattern, (_, key: string) => `${key}${REDACTED}`)

type Write = NodeJS.WriteStream["write"]

/**
 * Routes every write to `stream` through `clean` (strings and byte chunks alike). Installed once per stream, at the
 * start of the command.
 *
 * @internal
 */
export const install = (stream: NodeJS.WriteStream, clean: (text: string) => string): void => {
  const original = stream.write.bind(stream) as (...args: ReadonlyArray<unknown>) => boolean
  const guarded = (chunk: unknown, ...rest: ReadonlyArray<unknown>): boolean => {
    if (typeof chunk === "string") return original(clean(chunk), ...rest)
    if (chunk instanceof Uint8Array) {
      const text = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("utf8")
      const cleaned = clean(text)
      return original(cleaned === text ? chunk : cleaned, ...rest)
    }
    return original(chunk, ...rest)
  }
  stream.write = guarded as Write
}

/** Guards the terminal: stdout scrubbed of known values, stderr of known values and credential-shaped text. @internal */
export const installTerminal = (): void => {
  install(process.stdout, scrubKnown)
  install(process.stderr, scrub)
}
