/**
 * The aggregates loops a user of the official SDK writes by hand, shared by the SDK and the raw floor so that both
 * run the same control flow and differ only in transport and parsing: one sync query; sync queries over fixed
 * chunks, one after the other, their cells concatenated (chunks of whole buckets never cut a bucket, so nothing needs
 * stitching); or a job polled at a fixed interval (the Go SDK sample polls every 2 s, FACTS-aggregates Q9 [A21]),
 * then its pages cursor after cursor until none (§3.4).
 *
 * @since 0.3.0
 */
import type { AggregateBenchQuery, AggregateOutcome, AggregateTask, CellStats } from "../aggregatesProtocol.js"
import { Cells, chunks } from "../aggregatesProtocol.js"
import * as HandLoop from "./handLoop.js"

/** A sync response or a job results page, as the API returns it. @since 0.3.0 */
export interface Response {
  readonly results?:
    | ReadonlyArray<{
        readonly group?: Record<string, string> | undefined
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
  readonly cursor?: string | undefined
}

/** The aggregates calls, each already retrying 429 after `Retry-After`. @since 0.3.0 */
export interface Api {
  readonly query: (body: AggregateBenchQuery) => Promise<Response>
  readonly submit: (body: AggregateBenchQuery) => Promise<string>
  readonly status: (jobId: string) => Promise<HandLoop.Status>
  readonly results: (jobId: string, cursor: string | undefined) => Promise<Response>
  /** 429 answers seen so far. */
  readonly rateLimited: () => number
}

/** Runs the task's flow and reduces the answer to its canonical cells. @since 0.3.0 */
export const run = async (api: Api, task: AggregateTask): Promise<AggregateOutcome> => {
  const cells = new Cells()
  switch (task.flow) {
    case "query": {
      cells.addResults((await api.query(task.query)).results)
      break
    }
    case "split": {
      for (const interval of chunks(task.query.interval, task.splitHours)) {
        cells.addResults((await api.query({ ...task.query, interval })).results)
      }
      break
    }
    case "job": {
      const jobId = await api.submit(task.query)
      for (let poll = 0; ; poll++) {
        if (poll >= HandLoop.limits.maxPolls) throw new Error(`job ${jobId} not FULFILLED after ${poll} polls`)
        await HandLoop.sleep(task.pollMillis)
        const status = await api.status(jobId)
        if (status.state === "FULFILLED") break
        if (status.state !== "QUEUED" && status.state !== "PENDING") {
          throw new Error(`job ${jobId} ended ${status.state}: ${status.errorMessage ?? ""}`)
        }
      }
      let cursor: string | undefined
      for (let pages = 0; ; pages++) {
        if (pages >= HandLoop.limits.maxPages) throw new Error(`job ${jobId}: more than ${pages} pages`)
        const page = await api.results(jobId, cursor)
        cells.addResults(page.results)
        cursor = page.cursor === undefined || page.cursor === "" ? undefined : page.cursor
        if (cursor === undefined) break
      }
      break
    }
  }
  return { ...cells.summary(), rateLimited: api.rateLimited() }
}
