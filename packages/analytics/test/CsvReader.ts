/** A strict RFC 4180 reader: an empty unquoted field reads as null, `""` as the empty string. */
export const parseCsv = (text: string): Array<Array<string | null>> => {
  const records: Array<Array<string | null>> = []
  let i = 0
  while (i < text.length) {
    const record: Array<string | null> = []
    for (;;) {
      if (text[i] === '"') {
        let value = ""
        i++
        for (;;) {
          if (i >= text.length) throw new Error("unterminated quoted field")
          if (text[i] === '"') {
            if (text[i + 1] === '"') {
              value += '"'
              i += 2
            } else {
              i++
              break
            }
          } else value += text[i++]
        }
        record.push(value)
      } else {
        let value = ""
        while (i < text.length && text[i] !== "," && text[i] !== "\r" && text[i] !== "\n") {
          if (text[i] === '"') throw new Error(`bare quote at ${i}`)
          value += text[i++]
        }
        record.push(value === "" ? null : value)
      }
      if (text[i] === ",") {
        i++
        continue
      }
      if (text[i] === "\r" && text[i + 1] === "\n") {
        i += 2
        break
      }
      throw new Error(`expected , or CRLF at ${i}`)
    }
    records.push(record)
  }
  return records
}
