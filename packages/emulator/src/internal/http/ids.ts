/** A 32-bit avalanche of three integers (murmur3 finalizer over a simple combine). */
export const mix = (a: number, b: number, c: number): number => {
  let h =
    Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^
    Math.imul(b + 0x7f4a7c15, 0xc2b2ae35) ^
    Math.imul(c + 0x165667b1, 0x27d4eb2f)
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0")

/** A deterministic RFC 4122 v4-shaped UUID from (seed, counter, salt). */
export const uuid = (seed: number, counter: number, salt: number): string => {
  const a = hex8(mix(seed, counter, salt))
  const b = hex8(mix(seed, counter, salt + 101))
  const c = hex8(mix(seed, counter, salt + 202))
  const d = hex8(mix(seed, counter, salt + 303))
  const variant = ((Number.parseInt(c[0]!, 16) & 0x3) | 0x8).toString(16)
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`
}

/** Salts so correlation ids, tokens and job ids never collide. */
export const Salt = {
  correlation: 11,
  token: 23,
  job: 37,
  aggregateJob: 41,
  channel: 53,
  event: 59,
  latency: 61
} as const
