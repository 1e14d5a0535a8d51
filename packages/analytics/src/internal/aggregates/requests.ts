// The requests one aggregates query becomes: itself, or — with a `maxSpan` — one per chunk of its interval, cut on
// bucket boundaries in its time zone. A bucket longer than `maxSpan` cannot be split: a `QueryInvalid` with rule
// `aggregate.maxSpan`, before anything is sent.
import * as Either from "effect/Either"
import type { AggregateQuery } from "../../ConversationAggregateQuery.js"
import { QueryInvalid, QueryIssue } from "../../GenesysError.js"
import * as Interval from "../../Interval.js"
import { boundaries, parseGranularity, split } from "./buckets.js"

/** One request of a query: its interval and the body to send. */
export interface Request<Q> {
  readonly interval: Interval.Interval
  readonly body: Q
}

/** The requests of a validated query, in interval order. */
export const requestsOf = <Q extends AggregateQuery>(
  query: Q,
  maxSpanMillis: number | undefined
): Either.Either<ReadonlyArray<Request<Q>>, QueryInvalid> => {
  const parsed = Interval.parse(query.interval)
  // Unreachable for a validated query; sent as it is, and the platform answers.
  if (Either.isLeft(parsed)) return Either.right([{ interval: { startMillis: 0, endMillis: 0 }, body: query }])
  const whole = parsed.right
  if (maxSpanMillis === undefined || whole.endMillis - whole.startMillis <= maxSpanMillis) {
    return Either.right([{ interval: whole, body: query }])
  }
  const granularity = query.granularity === undefined ? undefined : parseGranularity(query.granularity)
  const planned = split(boundaries(whole, granularity, query.timeZone ?? "UTC"), maxSpanMillis)
  if ("tooLong" in planned) {
    return Either.left(
      new QueryInvalid({
        issues: [
          new QueryIssue({
            path: query.granularity === undefined ? "$.interval" : "$.granularity",
            rule: "aggregate.maxSpan",
            message: `the bucket ${Interval.formatInterval(planned.tooLong)} is longer than maxSpan (${maxSpanMillis} ms)${query.granularity === undefined ? ": without a granularity the interval is one bucket; set a granularity to split it" : ": choose a finer granularity or a longer maxSpan"}`,
            value: query.granularity ?? query.interval
          })
        ]
      })
    )
  }
  return Either.right(
    planned.chunks.map((interval) => ({ interval, body: { ...query, interval: Interval.formatInterval(interval) } }))
  )
}
