import { hex8 } from "./iso.js"

/**
 * Small, fast, stateless-seeded randomness. Every stream is derived from a hash of its coordinates
 * (seed, index, salt) so any record can be produced on its own, in any order, with no global state.
 */

/** 32-bit avalanche mix (lowbias32). */
export const mix32 = (x: number): number => {
  x ^= x >>> 16
  x = Math.imul(x, 0x7feb352d)
  x ^= x >>> 15
  x = Math.imul(x, 0x846ca68b)
  x ^= x >>> 16
  return x >>> 0
}

/** Hash of up to three 32-bit coordinates. */
export const hash3 = (a: number, b: number, c: number): number =>
  mix32(mix32(mix32(a ^ 0x9e3779b9) ^ b) + Math.imul(c ^ 0x85ebca6b, 0xc2b2ae35))

/** Hash a string (FNV-1a then mixed) so string salts can feed `hash3`. */
export const hashString = (s: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return mix32(h)
}

/** A sfc32 generator; the state lives in the instance, never globally. */
export class Rng {
  private a: number
  private b: number
  private c: number
  private d: number
  constructor(seed: number, index: number, salt: number) {
    this.a = hash3(seed, index, salt)
    this.b = hash3(seed, index, salt + 0x51ed27)
    this.c = hash3(seed, index, salt + 0x2c1b3c6d)
    this.d = 1
    for (let i = 0; i < 4; i++) this.u32()
  }
  /** Next unsigned 32-bit integer. */
  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return t >>> 0
  }
  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296
  }
  /** Integer in [min, max] inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p
  }
  /** One element of a non-empty array. */
  pick<A>(items: ReadonlyArray<A>): A {
    return items[Math.floor(this.next() * items.length)]!
  }
  /** Index drawn from relative weights. */
  weighted(weights: ReadonlyArray<number>): number {
    let total = 0
    for (const w of weights) total += w
    let r = this.next() * total
    for (let i = 0; i < weights.length; i++) {
      r -= weights[i]!
      if (r < 0) return i
    }
    return weights.length - 1
  }
  /** Log-normal draw with the given median and spread (sigma of the underlying normal), in whole units. */
  logNormal(median: number, sigma: number): number {
    const u1 = this.next() || 1e-12
    const u2 = this.next()
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2)
    return Math.max(1, Math.round(median * Math.exp(sigma * z)))
  }
  /** A random UUID-shaped (version 4 layout) identifier. */
  uuid(): string {
    return formatUuid(this.u32(), this.u32(), this.u32(), this.u32())
  }
}

/** Format four 32-bit words as a version-4-shaped UUID (version and variant nibbles forced). */
export const formatUuid = (w0: number, w1: number, w2: number, w3: number): string => {
  const b = hex8(w1)
  const c = hex8(((w2 & 0x0fffffff) | 0x40000000) >>> 0)
  const d = hex8(((w3 & 0x3fffffff) | 0x80000000) >>> 0)
  const w = hex8(hash3(w2, w3, 7))
  return `${hex8(w0)}-${b.slice(0, 4)}-${c.slice(0, 4)}-${d.slice(0, 4)}-${d.slice(4)}${w}`
}

/** A deterministic UUID for a named catalog entity. */
export const stableUuid = (seed: number, kind: string, k: number): string => {
  const s = hashString(kind)
  return formatUuid(
    hash3(seed, s, k),
    hash3(seed, s, k + 0x1000),
    hash3(seed, s, k + 0x2000),
    hash3(seed, s, k + 0x3000)
  )
}
