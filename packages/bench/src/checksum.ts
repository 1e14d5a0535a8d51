/**
 * An order-independent checksum of conversation ids: the sum (mod 2^32) of their FNV-1a hashes. Every
 * contender computes it over what it extracted and the emulator over its ground truth, so a harness bug
 * that loses or duplicates conversations shows up without holding hundreds of thousands of ids in memory.
 *
 * @since 0.1.0
 */

/** FNV-1a (32 bit) of a string's UTF-16 code units. @since 0.1.0 */
export const fnv1a = (text: string): number => {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** Adds one id to a running checksum. @since 0.1.0 */
export const add = (sum: number, id: string): number => (sum + fnv1a(id)) >>> 0

/** The checksum of a list of ids. @since 0.1.0 */
export const of = (ids: Iterable<string>): number => {
  let sum = 0
  for (const id of ids) sum = add(sum, id)
  return sum
}
