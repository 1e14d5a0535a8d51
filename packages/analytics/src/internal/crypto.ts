/**
 * SHA-256 and HMAC-SHA256 through WebCrypto (`globalThis.crypto.subtle`), so the library runs on
 * Node, Deno, Bun, browsers and workers alike.
 *
 * @internal
 */
import * as Effect from "effect/Effect"

const encoder = new TextEncoder()

const subtle = (): SubtleCrypto => globalThis.crypto.subtle

/** @internal */
export const toHex = (bytes: ArrayBuffer | Uint8Array): string => {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)
  let out = ""
  for (const byte of view) out += byte.toString(16).padStart(2, "0")
  return out
}

/** Lower- or upper-case hex to bytes; `undefined` when the text is not hex of whole bytes. @internal */
export const fromHex = (hex: string): Uint8Array<ArrayBuffer> | undefined => {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return undefined
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/** SHA-256 of the UTF-8 bytes of `text` (or of `bytes`), as 64 lower-case hex digits. @internal */
export const sha256Hex = (input: string | Uint8Array<ArrayBuffer>): Effect.Effect<string> =>
  Effect.promise(() => subtle().digest("SHA-256", typeof input === "string" ? encoder.encode(input) : input)).pipe(
    Effect.map(toHex)
  )

const hmacKey = (secret: string, usage: "sign" | "verify") =>
  Effect.promise(() =>
    subtle().importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage])
  )

/** HMAC-SHA256 of the UTF-8 bytes of `message` under `secret`, as lower-case hex. @internal */
export const hmacSha256Hex = (secret: string, message: string): Effect.Effect<string> =>
  Effect.flatMap(hmacKey(secret, "sign"), (key) =>
    Effect.promise(() => subtle().sign("HMAC", key, encoder.encode(message)))
  ).pipe(Effect.map(toHex))

/** Checks a hex HMAC-SHA256 in constant time (WebCrypto `verify`). @internal */
export const hmacSha256Verify = (secret: string, message: string, signatureHex: string): Effect.Effect<boolean> => {
  const signature = fromHex(signatureHex)
  if (signature === undefined || signature.length !== 32) return Effect.succeed(false)
  return Effect.flatMap(hmacKey(secret, "verify"), (key) =>
    Effect.promise(() => subtle().verify("HMAC", key, signature, encoder.encode(message)))
  )
}
