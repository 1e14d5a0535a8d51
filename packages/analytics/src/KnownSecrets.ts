/**
 * The secrets this process holds, and text scrubbed of them. `GenesysAuth` registers the client secret, the Basic
 * credentials and every access token it is issued; every error built from server text is scrubbed before it reaches
 * an error, a log line, the audit log or a webhook. Applications that print text the library did not build (a
 * terminal guard, a crash reporter) can scrub it with the same registry and add what else they know.
 *
 * @since 0.2.0
 */
import * as internal from "./internal/http/knownSecrets.js"

/** What replaces a known secret in scrubbed text. @since 0.2.0 */
export const REDACTED: string = internal.REDACTED

/** Registers a secret and the forms a server could echo it in: as is, URL-encoded and JSON-escaped. @since 0.2.0 */
export const register: (secret: string) => void = internal.register

/** Registers client credentials: the secret, `id:secret` and the Basic header value (base64, padded or not). @since 0.2.0 */
export const registerClient: (clientId: string, clientSecret: string) => void = internal.registerClient

/** `text` with every registered secret replaced by `REDACTED`. @since 0.2.0 */
export const scrub: (text: string) => string = internal.scrub
