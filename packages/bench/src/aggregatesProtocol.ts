/**
 * The aggregates bench (`aggregatesMain.ts`): what the orchestrator and its contender children send each other,
 * and the canonical form every contender reduces its answer to, so that the answers can be compared with each
 * other and with the emulator's ground truth (`AggregateTruth`) by a count and a digest.
 *
 * A **cell** is one group × bucket × metric with its stats: the unit both a raw response
 * (`results[].data[].metrics[]`) and the library's tidy rows describe. Its canonical line is the group (keys
 * sorted), the bucket's start and end (ISO UTC), the metric and the stats `count`, `sum`, `max`, `min`.
 *
 * @since 0.3.0
 */
import * as Crypto from "node:crypto"
import type { Endpoint } from "./protocol.js"

/** The contenders of the aggregates bench. @since 0.3.0 */
export type AggregateContenderName = "ours" | "sdk" | "floor"

/** Every contender, in the order of the first round. @since 0.3.0 */
export const aggregateContenders: ReadonlyArray<AggregateContenderName> = ["ours", "sdk", "floor"]

/**
 * How the 90 days are asked for:
 * - `query`: one sync query (E1) over the whole interval;
 * - `split`: sync queries over consecutive chunks of `splitHours` (public code chunks at 12 h, FACTS-aggregates [A22]);
 * - `job`: one job (E2), polled (E3) until FULFILLED, its result pages read (E4) cursor after cursor.
 *
 * @since 0.3.0
 */
export type AggregateFlow = "query" | "split" | "job"

/** Every flow, in report order. @since 0.3.0 */
export const aggregateFlows: ReadonlyArray<AggregateFlow> = ["query", "split", "job"]

/** The query of the bench (a `ConversationAggregationQuery`). @since 0.3.0 */
export interface AggregateBenchQuery {
  readonly interval: string
  readonly granularity: string
  readonly groupBy: ReadonlyArray<string>
  readonly metrics: ReadonlyArray<string>
}

/** What a contender child is asked to do. @since 0.3.0 */
export interface AggregateTask {
  readonly flow: AggregateFlow
  readonly query: AggregateBenchQuery
  /** Chunk length of the `split` flow, in hours (a whole number of buckets). */
  readonly splitHours: number
  /** Fixed poll interval of the hand-written SDK and floor job loops. */
  readonly pollMillis: number
}

/** The argument of a contender child. @since 0.3.0 */
export interface AggregateContenderInput {
  readonly contender: AggregateContenderName
  readonly endpoint: Endpoint
  readonly task: AggregateTask
  /** RSS sampling period in milliseconds. */
  readonly sampleMillis: number
}

/** A contender's answer reduced to its canonical cells. @since 0.3.0 */
export interface CellSummary {
  /** Cells received (one per group × bucket × metric; a duplicate counts twice). */
  readonly cells: number
  /** Cells whose group, bucket and metric were already seen (a bucket counted twice). */
  readonly duplicates: number
  /** SHA-256 of the sorted canonical lines. */
  readonly digest: string
}

/** What a flow returns, before measurement is added. @since 0.3.0 */
export interface AggregateOutcome extends CellSummary {
  /** 429 answers the contender saw. */
  readonly rateLimited: number
}

/** One contender run, measured inside its own process. @since 0.3.0 */
export interface AggregateRunResult extends AggregateOutcome {
  readonly contender: AggregateContenderName
  readonly flow: AggregateFlow
  readonly wallMillis: number
  readonly cpuUserMillis: number
  readonly cpuSystemMillis: number
  /** Kernel high-water mark of RSS (`VmHWM`), or the sampled peak where /proc is missing. */
  readonly peakRssBytes: number
}

/** Prefix of the one stdout line that carries a contender's result. @since 0.3.0 */
export const aggregateResultPrefix = "BENCH-AGGREGATES-RESULT "

/** Stats of a cell, as any of the three shapes carries them. @since 0.3.0 */
export interface CellStats {
  readonly count?: number | undefined
  readonly sum?: number | undefined
  readonly max?: number | undefined
  readonly min?: number | undefined
}

const iso = (instant: string): string => {
  const millis = Date.parse(instant)
  if (Number.isNaN(millis)) throw new Error(`not an instant: ${instant}`)
  return new Date(millis).toISOString()
}

const groupKey = (group: Readonly<Record<string, string>> | undefined): string =>
  JSON.stringify(Object.entries(group ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

const stat = (value: number | undefined): string => (value === undefined ? "" : String(value))

/** Collects canonical cells; `summary` sorts and digests them. @since 0.3.0 */
export class Cells {
  private readonly lines: Array<string> = []
  private readonly keys = new Set<string>()
  private duplicates = 0

  /** One cell: the bucket as `start` and `end` (any ISO form) or as a response's `start/end` interval. */
  add(
    group: Readonly<Record<string, string>> | undefined,
    bucket: string | readonly [string, string],
    metric: string,
    stats: CellStats | undefined
  ): void {
    const [start, end] = typeof bucket === "string" ? bucket.split("/") : bucket
    if (start === undefined || end === undefined) throw new Error(`not an interval: ${String(bucket)}`)
    const key = `${groupKey(group)}\t${iso(start)}\t${iso(end)}\t${metric}`
    if (this.keys.has(key)) this.duplicates++
    else this.keys.add(key)
    this.lines.push(`${key}\t${stat(stats?.count)},${stat(stats?.sum)},${stat(stats?.max)},${stat(stats?.min)}`)
  }

  /** Every cell of a response body's `results` (sync response or job page). */
  addResults(
    results:
      | ReadonlyArray<{
          readonly group?: Readonly<Record<string, string>> | undefined
          readonly data?:
            | ReadonlyArray<{
                readonly interval?: string | undefined
                readonly metrics?:
                  | ReadonlyArray<{ readonly metric?: string | undefined; readonly stats?: CellStats | undefined }>
                  | undefined
              }>
            | undefined
        }>
      | undefined
  ): void {
    for (const container of results ?? []) {
      for (const bucket of container.data ?? []) {
        for (const m of bucket.metrics ?? []) this.add(container.group, bucket.interval ?? "", m.metric ?? "", m.stats)
      }
    }
  }

  summary(): CellSummary {
    const hash = Crypto.createHash("sha256")
    for (const line of [...this.lines].sort()) hash.update(`${line}\n`)
    return { cells: this.lines.length, duplicates: this.duplicates, digest: hash.digest("hex") }
  }
}

const HOUR = 3_600_000

/** Consecutive chunks of `hours` over a UTC `start/end` interval (the last one may be shorter). @since 0.3.0 */
export const chunks = (interval: string, hours: number): ReadonlyArray<string> => {
  const [start, end] = interval.split("/").map((s) => Date.parse(s))
  if (start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end) || hours <= 0) {
    throw new Error(`bad interval ${interval} or chunk ${hours} h`)
  }
  const out: Array<string> = []
  for (let t = start; t < end && out.length < 100_000; t += hours * HOUR) {
    out.push(`${new Date(t).toISOString()}/${new Date(Math.min(end, t + hours * HOUR)).toISOString()}`)
  }
  return out
}
