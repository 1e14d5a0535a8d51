/** @internal */
import * as AggregateRecord from "@effect-genesys/analytics/AggregateRecord"
import type * as AggregateReconcile from "@effect-genesys/analytics/AggregateReconcile"
import * as NameLookup from "@effect-genesys/analytics/NameLookup"
import * as Option from "effect/Option"
import type { formats } from "./aggregateFlags.js"

// The `aggregate` command's output: a readable table (one line per group and bucket, one column per metric, the
// bucket in the query's time zone), or the tidy rows (one per group × bucket × metric, every stat) as CSV or NDJSON.

/** An output format. @internal */
export type Format = (typeof formats)[number]

/** The format: `--format`, else by `--out`'s extension, else a table on a terminal and NDJSON in a pipe. @internal */
export const formatOf = (format: Option.Option<Format>, out: Option.Option<string>, terminal: boolean): Format => {
  if (Option.isSome(format)) return format.value
  if (Option.isSome(out)) {
    const lower = out.value.toLowerCase()
    if (/^postgres(ql)?:\/\//.test(lower)) return "postgres"
    if (/\.(sqlite3?|db)$/.test(lower)) return "sqlite"
    if (lower.endsWith(".csv")) return "csv"
    if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl") || lower.endsWith(".json")) return "ndjson"
    return "table"
  }
  return terminal ? "table" : "ndjson"
}

/** The dimension columns: the query's `groupBy`, then any other dimension a group carries (the implicit `mediaType`). */
export const dimensionsOf = (
  query: { readonly groupBy?: unknown },
  rows: ReadonlyArray<AggregateRecord.AggregateRow>
): ReadonlyArray<string> => {
  const out: Array<string> = Array.isArray(query.groupBy) ? query.groupBy.filter((d) => typeof d === "string") : []
  for (const row of rows) for (const d of Object.keys(row.group)) if (!out.includes(d)) out.push(d)
  return out
}

/** The flat columns of a row, with `<dimension>Name` beside each id when names were asked for. @internal */
export const columnsOf = (
  row: NameLookup.NamedRow,
  dimensions: ReadonlyArray<string>,
  names: boolean
): { readonly [column: string]: string | number | undefined } => {
  const base = AggregateRecord.columns(row, dimensions)
  return names ? NameLookup.columns(row, base) : base
}

const csvCell = (value: string | number | undefined): string => {
  if (value === undefined) return ""
  const text = String(value)
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The value a table cell shows: the count of `n*` metrics, the sum (ms) of `t*`, the ratio of `o*` ones. */
const cellOf = (row: AggregateRecord.AggregateRow): number | undefined => {
  const s = row.stats
  if (row.metric.startsWith("t")) return s.sum ?? s.count
  if (row.metric.startsWith("o")) return s.ratio ?? s.count ?? s.sum
  return s.count ?? s.sum
}

/** The header of a metric's table column. */
const metricHeader = (row: AggregateRecord.AggregateRow): string =>
  row.metric.startsWith("t") && row.stats.sum !== undefined ? `${row.metric} (sum ms)` : row.metric

const localTime = (iso: string, timeZone: string): string => {
  try {
    const text = new Intl.DateTimeFormat("sv-SE", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23"
    }).format(new Date(iso))
    return text.replace(",", "")
  } catch {
    return iso
  }
}

const table = (
  rows: ReadonlyArray<NameLookup.NamedRow>,
  dimensions: ReadonlyArray<string>,
  timeZone: string,
  names: boolean
): string => {
  const metricColumns: Array<string> = []
  const lines = new Map<string, { cells: Map<string, string>; sort: string }>()
  const dimensionColumns = dimensions.flatMap((d) =>
    names && NameLookup.dimensionKinds[d] !== undefined ? [`${d}Name`, d] : [d]
  )
  const bucketColumn = `bucket (${timeZone})`
  for (const row of rows) {
    const header = metricHeader(row)
    if (!metricColumns.includes(header)) metricColumns.push(header)
    const key = JSON.stringify([dimensions.map((d) => row.group[d] ?? ""), row.bucketStart])
    let line = lines.get(key)
    if (line === undefined) {
      const cells = new Map<string, string>()
      for (const d of dimensions) {
        cells.set(d, row.group[d] ?? "")
        if (names) cells.set(`${d}Name`, row.names[d] ?? "")
      }
      cells.set(bucketColumn, localTime(row.bucketStart, timeZone))
      const sortKey = JSON.stringify([dimensions.map((d) => row.names[d] ?? row.group[d] ?? ""), row.bucketStart])
      line = { cells, sort: sortKey }
      lines.set(key, line)
    }
    const value = cellOf(row)
    line.cells.set(header, value === undefined ? "" : String(value))
  }
  const columns = [...dimensionColumns, bucketColumn, ...metricColumns]
  const body = [...lines.values()].sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0))
  const widths = columns.map((c) => Math.max(c.length, ...body.map((l) => (l.cells.get(c) ?? "").length)))
  const numeric = new Set(metricColumns)
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (numeric.has(columns[i]!) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  const out = [format(columns), format(widths.map((w) => "-".repeat(w)))]
  for (const line of body) out.push(format(columns.map((c) => line.cells.get(c) ?? "")))
  const groups = new Set(body.map((l) => JSON.stringify(dimensions.map((d) => l.cells.get(d)))))
  out.push("", `${body.length} rows (${groups.size} groups); absent metrics are blank, not zero`)
  return `${out.join("\n")}\n`
}

/** The rows in `format`. @internal */
export const render = (
  format: Format,
  rows: ReadonlyArray<NameLookup.NamedRow>,
  dimensions: ReadonlyArray<string>,
  timeZone: string,
  names: boolean
): string => {
  if (format === "table" || format === "sqlite" || format === "postgres")
    return table(rows, dimensions, timeZone, names)
  const records = rows.map((row) => columnsOf(row, dimensions, names))
  if (format === "ndjson") return records.map((r) => `${JSON.stringify(r)}\n`).join("")
  const header =
    records[0] !== undefined
      ? Object.keys(records[0])
      : [...dimensions, "bucketStart", "bucketEnd", "metric", "kind", "qualifier", ...AggregateRecord.statNames]
  const lines = [header.join(",")]
  for (const r of records) lines.push(header.map((c) => csvCell(r[c])).join(","))
  return `${lines.join("\n")}\n`
}

/** The reconciliation on stderr: one line per group, bucket, metric and stat, then the verdict. @internal */
export const reconcileReport = (
  report: AggregateReconcile.Report,
  dimensions: ReadonlyArray<string>,
  timeZone: string
): string => {
  const columns = [...dimensions, `bucket (${timeZone})`, "metric", "stat", "aggregates", "details", "difference"]
  const lines = report.cells.map((c) => [
    ...dimensions.map((d) => c.group[d] ?? ""),
    localTime(c.bucketStart, timeZone),
    c.metric,
    c.stat,
    String(c.aggregates),
    String(c.details),
    String(c.difference)
  ])
  const widths = columns.map((c, i) => Math.max(c.length, ...lines.map((l) => l[i]!.length)))
  const numeric = columns.length - 3
  const format = (cells: ReadonlyArray<string>) =>
    cells
      .map((cell, i) => (i >= numeric ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()
  const skipped = report.skipped.length > 0 ? `; not reconciled: ${report.skipped.join(", ")}` : ""
  return [
    "",
    `reconcile: aggregates against a details job over ${report.detailsInterval} (${report.conversations} conversations)`,
    format(columns),
    format(widths.map((w) => "-".repeat(w))),
    ...lines.map(format),
    "",
    `reconcile: ${report.cells.length} cells of ${report.metrics.join(", ")} compared, ${report.differing} differ${skipped}`,
    ""
  ].join("\n")
}
