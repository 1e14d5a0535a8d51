/**
 * The secrets this process holds: the client secret, the Basic credentials built from it and every access token
 * issued. `GenesysAuth` registers them as it creates or receives them, and every error detail built from server
 * text is passed through `scrub` first, so that a server (or proxy) echoing a credential back in an error body
 * cannot make the library print it: not in an error message, a log line, an audit event or a webhook.
 *
 * The registry is process-wide on purpose: errors are built in pure helpers far from the service that knows the
 * secrets, and a token registered by one layer must be hidden in the errors of every other.
 *
 * @internal
 */

/** What replaces a known secret. @internal */
export const REDACTED = "[REDACTED]"

// Shorter values would match ordinary text ("id", "1234") and make error messages unreadable.
const MIN_LENGTH = 6

const values = new Set<string>()
let ordered: ReadonlyArray<string> = []

const add = (value: string) => {
  if (value.length < MIN_LENGTH || values.has(value)) return
  values.add(value)
  // Longest first, so a token that contains a shorter secret is replaced whole.
  ordered = [...values].sort((a, b) => b.length - a.length)
}

/**
 * Registers a secret and the forms a server could echo it in: as is, URL-encoded (form bodies) and JSON-escaped.
 *
 * @internal
 */
export const register = (secret: string): void => {
  add(secret)
  add(encodeURIComponent(secret))
  add(JSON.stringify(secret).slice(1, -1))
}

/** The base64 of the UTF-8 bytes of `id:secret`: the value of the Basic `Authorization` header. @internal */
export const basicValue = (clientId: string, clientSecret: string): string => {
  let binary = ""
  for (const byte of new TextEncoder().encode(`${clientId}:${clientSecret}`)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/**
 * Registers the client credentials: the secret, `id:secret` and its base64 (the Basic header value), padded or not.
 *
 * @internal
 */
export const registerClient = (clientId: string, clientSecret: string): void => {
  register(clientSecret)
  register(`${clientId}:${clientSecret}`)
  const encoded = basicValue(clientId, clientSecret)
  register(encoded)
  register(encoded.replace(/=+$/, ""))
}

/** `text` with every registered secret replaced by `[REDACTED]`. @internal */
export const scrub = (text: string): string => {
  let out = text
  for (const value of ordered) {
    if (out.includes(value)) out = out.split(value).join(REDACTED)
  }
  return out
}

/** `scrub` for optional fields. @internal */
export const scrubOptional = (text: string | undefined): string | undefined =>
  text === undefined ? undefined : scrub(text)
