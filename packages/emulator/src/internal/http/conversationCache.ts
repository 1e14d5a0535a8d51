/**
 * Serialised conversations kept as bytes, so a results page is a copy of cached parts instead of generating
 * and stringifying a thousand conversations again. A conversation is a pure function of (seed, index), so
 * the cache never changes an answer; it lives off the V8 heap (one exact-size buffer per entry) to stay out
 * of the garbage collector's way.
 */
import type * as Generator from "../../Generator.js"
import * as PageBuffers from "./pageBuffers.js"

/** What the cache holds and how it has been used. */
export interface CacheStats {
  /** The byte budget (sum of the entries' lengths never exceeds it). */
  readonly budget: number
  readonly bytes: number
  readonly entries: number
  readonly hits: number
  readonly misses: number
}

/**
 * A least-recently-used map from dataset index to bytes whose total length stays within `budget`. A `Map`
 * keeps insertion order, so re-inserting on every hit makes its first key the least recently used one.
 */
export class ByteLru {
  private readonly map = new Map<number, Uint8Array>()
  private total = 0
  private hitCount = 0
  private missCount = 0

  /** Bytes the entries may take in total; anything but a positive number (NaN too) means no caching. */
  readonly budget: number

  constructor(budget: number) {
    this.budget = Math.max(0, budget) || 0
  }

  /** The bytes of `key`, now the most recently used; counts a hit or a miss. */
  get(key: number): Uint8Array | undefined {
    const value = this.map.get(key)
    if (value === undefined) {
      this.missCount++
      return undefined
    }
    this.hitCount++
    this.map.delete(key)
    this.map.set(key, value)
    return value
  }

  /** Whether `key` is cached, without touching its recency or the counters. */
  has(key: number): boolean {
    return this.map.has(key)
  }

  /** Store `value` as the most recently used entry, evicting the least recently used ones past the budget. */
  set(key: number, value: Uint8Array): void {
    const previous = this.map.get(key)
    if (previous !== undefined) {
      this.map.delete(key)
      this.total -= previous.length
    }
    // An entry larger than the whole budget would only evict everything and then itself.
    if (value.length > this.budget) return
    this.map.set(key, value)
    this.total += value.length
    while (this.total > this.budget) {
      const oldest = this.map.keys().next().value!
      this.total -= this.map.get(oldest)!.length
      this.map.delete(oldest)
    }
  }

  /** Keys from least to most recently used. */
  keys(): Array<number> {
    return Array.from(this.map.keys())
  }

  stats(): CacheStats {
    return {
      budget: this.budget,
      bytes: this.total,
      entries: this.map.size,
      hits: this.hitCount,
      misses: this.missCount
    }
  }
}

/** UTF-8 bytes of `text` in a buffer of its own (never a slice of Node's shared pool, which would pin it). */
export const encode = (text: string): Uint8Array<ArrayBuffer> => {
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text, "utf8"))
  bytes.write(text, 0, "utf8")
  return bytes
}

/** `JSON.stringify(dataset.conversation(index))` as bytes, from the cache when it is there. */
export const conversationBytes = (cache: ByteLru, dataset: Generator.Dataset, index: number): Uint8Array => {
  const cached = cache.get(index)
  if (cached !== undefined) return cached
  const bytes = encode(JSON.stringify(dataset.conversation(index)))
  cache.set(index, bytes)
  return bytes
}

/** Fill the cache for `index` without counting a hit or a miss (read-ahead). */
export const warm = (cache: ByteLru, dataset: Generator.Dataset, index: number): void => {
  if (!cache.has(index)) cache.set(index, encode(JSON.stringify(dataset.conversation(index))))
}

/** Typical size of one serialised conversation, until the cache has measured its own. */
const TYPICAL_BYTES = 6_000

/**
 * Whether `count` more conversations fit in half the budget: warming a page the cache cannot keep would
 * only evict the page being read and generate everything twice.
 */
export const hasRoomFor = (cache: ByteLru, count: number): boolean => {
  const { budget, bytes, entries } = cache.stats()
  return count * bytesEach(bytes, entries) * 2 <= budget
}

/**
 * Whether `count` more conversations fit in the budget the cache does not use yet: a job's results warmed before
 * anyone reads them must evict nothing, or jobs running at once would evict each other's unread results and every
 * one of them would be generated twice.
 */
export const hasUnusedRoomFor = (cache: ByteLru, count: number): boolean => {
  const { budget, bytes, entries } = cache.stats()
  return count * bytesEach(bytes, entries) <= budget - bytes
}

const bytesEach = (bytes: number, entries: number) => (entries > 0 ? bytes / entries : TYPICAL_BYTES)

const COMMA = 0x2c

/**
 * The bytes of `JSON.stringify({ conversations, ...rest })` where `parts` are the serialised conversations
 * and `rest` holds JSON values only (its keys follow `conversations`, in its own order, so none may be
 * integer-like: JavaScript would order such a key before `conversations`).
 */
export const pageBytes = (
  parts: ReadonlyArray<Uint8Array>,
  rest: Readonly<Record<string, unknown>>
): Uint8Array<ArrayBuffer> => {
  const head = '{"conversations":['
  const restJson = JSON.stringify(rest)
  // `{"a":1}` → `],"a":1}`: the rest of the object after the array.
  const tail = restJson === "{}" ? "]}" : `],${restJson.slice(1)}`
  const headLength = Buffer.byteLength(head, "utf8")
  const tailLength = Buffer.byteLength(tail, "utf8")
  let length = headLength + tailLength + Math.max(0, parts.length - 1)
  for (const part of parts) length += part.length
  const out = Buffer.from(PageBuffers.take(length).buffer, 0, length)
  let offset = out.write(head, 0, "utf8")
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) out[offset++] = COMMA
    out.set(parts[i]!, offset)
    offset += parts[i]!.length
  }
  out.write(tail, offset, "utf8")
  return out
}
