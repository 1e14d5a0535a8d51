/** @internal */
import type * as Flatten from "../../Flatten.js"

const needsQuotes = /[",\r\n]|^[ \t]|[ \t]$/

/**
 * One RFC 4180 field. A null cell is an empty field and an empty string is `""`, so the two stay distinguishable;
 * fields with quotes, commas, CR, LF or leading/trailing blanks are quoted (spreadsheets trim unquoted blanks).
 *
 * @internal
 */
export const field = (value: Flatten.Value): string => {
  if (value === null) return ""
  const text = typeof value === "string" ? value : String(value)
  if (text === "") return `""`
  return needsQuotes.test(text) ? `"${text.replace(/"/g, `""`)}"` : text
}

/** One record, terminated by CRLF as RFC 4180 says. @internal */
export const record = (values: ReadonlyArray<Flatten.Value>): string => {
  let line = ""
  for (let i = 0; i < values.length; i++) line += i === 0 ? field(values[i]!) : `,${field(values[i]!)}`
  return `${line}\r\n`
}

/** The header record of a table. @internal */
export const header = (table: Flatten.Table): string => record(table.columns.map((c) => c.name))

/** The data records of some rows of a table. @internal */
export const rows = (table: Flatten.Table, rows: ReadonlyArray<Flatten.Row>): string => {
  let text = ""
  for (const row of rows) {
    const values: Array<Flatten.Value> = []
    for (const column of table.columns) values.push(row[column.name] ?? null)
    text += record(values)
  }
  return text
}
