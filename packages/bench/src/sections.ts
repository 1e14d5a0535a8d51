/**
 * Marked sections of `docs/benchmarks.md`: blocks between `<!-- name:begin -->` (or `start …`) and
 * `<!-- name:end -->` that one bench writes and every other writer keeps (the cluster bench, the aggregates bench,
 * scenario 6, and any section added the same way).
 *
 * @since 0.4.0
 */

const beginPattern = /<!-- (\S*?)(?:begin|start)\b[^>]*-->/g

/** The marked blocks of `document` in order, markers included. @since 0.4.0 */
export const markedBlocks = (document: string): ReadonlyArray<{ readonly begin: string; readonly text: string }> => {
  const blocks: Array<{ begin: string; text: string }> = []
  for (const match of document.matchAll(beginPattern)) {
    const at = match.index
    const end = `<!-- ${match[1]}end -->`
    const stop = document.indexOf(end, at)
    if (stop >= 0) blocks.push({ begin: match[0], text: document.slice(at, stop + end.length) })
  }
  return blocks
}

/** `markdown` followed by every marked block of `previous` that it does not have itself. @since 0.4.0 */
export const keepMarked = (markdown: string, previous: string | undefined): string => {
  const kept = markedBlocks(previous ?? "").filter((b) => !markdown.includes(b.begin))
  return kept.length === 0 ? markdown : `${markdown.trimEnd()}\n\n${kept.map((b) => b.text).join("\n\n")}\n`
}

/** `document` with the block from `begin` to `end` replaced by `block` (markers included), or appended. @since 0.4.0 */
export const replaceBlock = (document: string, begin: string, end: string, block: string): string => {
  const a = document.indexOf(begin)
  const b = document.indexOf(end, a)
  if (a < 0 || b < 0) return document.trim() === "" ? block : `${document.trimEnd()}\n\n${block.trimEnd()}\n`
  return `${document.slice(0, a)}${block.trimEnd()}${document.slice(b + end.length)}`
}
