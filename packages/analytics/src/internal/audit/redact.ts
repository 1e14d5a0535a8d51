/**
 * Defence in depth for audit and webhook text: callers are told never to pass a secret, and this
 * strips what still looks like one before anything is written.
 *
 * @internal
 */

/** What replaces a secret-looking value. @internal */
export const REDACTED = "[REDACTED]"

/** Field names that only ever hold credentials. @internal */
export const secretName = /token|secret|passw(or)?d|authori[sz]ation|api[-_]?key|cookie|credential|bearer|signature/i

interface Rule {
  readonly pattern: RegExp
  readonly replace: string
}

const rules: ReadonlyArray<Rule> = [
  // A JSON Web Token: three base64url parts, the header always starting with `{"` (eyJ).
  { pattern: /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g, replace: REDACTED },
  // A whole `Authorization` header value, scheme included.
  {
    pattern:
      /((?:proxy-)?authori[sz]ation)("?\s*[:=]\s*"?)(?!\[REDACTED\])(?:(?:bearer|basic|digest|token)\s+)?[^\s"'&,;}]+/gi,
    replace: `$1$2${REDACTED}`
  },
  // `Bearer <token>`; `Basic <base64>` unless followed by a plain lower-case word ("basic information").
  { pattern: /\b(bearer)(\s+|%20|\+)(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{6,}/gi, replace: `$1 ${REDACTED}` },
  { pattern: /\b([Bb]asic|BASIC)(\s+|%20|\+)(?![a-z]+\b)[A-Za-z0-9._~+/=-]{8,}/g, replace: `$1 ${REDACTED}` },
  // `key=value`, `key: value` and `"key":"value"` where the key names a credential.
  {
    pattern:
      /((?:access|refresh|id)?_?token|client_?secret|secret|passw(?:or)?d|api[-_]?key|cookie)("?\s*[:=]\s*"?)(?!\[REDACTED\])([^\s"'&,;}]+)/gi,
    replace: `$1$2${REDACTED}`
  }
]

/** Result of scrubbing one string. @internal */
export interface Scrubbed {
  readonly text: string
  readonly redactions: number
}

/**
 * Replaces the known secret `values` and every secret-looking substring of `text`, then caps its
 * length so that no request or response body can be dumped into a record.
 *
 * @internal
 */
export const scrub = (text: string, values: ReadonlyArray<string>, maxLength: number): Scrubbed => {
  let out = text
  let redactions = 0
  for (const value of values) {
    if (value.length >= 4 && out.includes(value)) {
      const parts = out.split(value)
      redactions += parts.length - 1
      out = parts.join(REDACTED)
    }
  }
  for (const rule of rules) {
    out = out.replace(rule.pattern, (...args: Array<any>) => {
      redactions++
      return rule.replace.replace(/\$(\d)/g, (_, n: string) => String(args[Number(n)] ?? ""))
    })
  }
  if (out.length > maxLength) out = `${out.slice(0, maxLength - 1)}…`
  return { text: out, redactions }
}
