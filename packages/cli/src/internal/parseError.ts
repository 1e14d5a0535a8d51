/** @internal */

/**
 * The one-line message of an error at a column, and the two lines that show where: the text and a caret under the
 * column. `column` is 1-based; undefined when the error is not about a position in the text.
 *
 * @internal
 */
export const pretty = (label: string, text: string, column: number | undefined, message: string): string => {
  const head = `${label}: ${message}${column === undefined ? "" : ` (column ${column})`}`
  if (column === undefined) return head
  // Tabs and newlines would shift the caret; show them as spaces.
  const shown = text.replace(/[\t\r\n]/g, " ")
  return `${head}\n  ${shown}\n  ${" ".repeat(Math.max(0, column - 1))}^`
}
