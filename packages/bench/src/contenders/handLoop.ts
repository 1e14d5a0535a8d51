/**
 * The loops a user of the official SDK writes by hand, shared by the SDK and the raw floor so that both run
 * exactly the same control flow and differ only in transport and parsing: submit, poll at a fixed interval,
 * follow cursors, and for several windows a bounded pool plus de-duplication by conversation id.
 *
 * @since 0.1.0
 */
import * as Checksum from "../checksum.js"
import type { CompletionTask, ExtractionTask, JobSeen, JobTask, LatencyTask, Outcome } from "../protocol.js"

/** A job status as the API returns it. @since 0.1.0 */
export interface Status {
  readonly state?: string | undefined
  readonly errorMessage?: string | undefined
  readonly submissionDate?: string | undefined
  readonly completionDate?: string | undefined
}

/** One results page as the API returns it. @since 0.1.0 */
export interface Page {
  readonly conversations?: ReadonlyArray<{ readonly conversationId?: string | undefined }> | undefined
  readonly cursor?: string | undefined
}

/** The three calls of the job flow, each already retrying 429 after `Retry-After`. @since 0.1.0 */
export interface Api {
  readonly submit: (query: { readonly interval: string }) => Promise<string>
  readonly status: (jobId: string) => Promise<Status>
  readonly results: (jobId: string, pageSize: number, cursor: string | undefined) => Promise<Page>
  /** 429 answers seen so far. */
  readonly rateLimited: () => number
}

/** Bounds on every loop, so that a misbehaving server cannot hang the bench. @since 0.1.0 */
export const limits = { maxPolls: 2_000, maxPages: 100_000, maxRateLimitRetries: 200 } as const

/** @since 0.1.0 */
export const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

/** Retry-After (seconds) of a 429, else one second. @since 0.1.0 */
export const retryAfterMillis = (value: string | null | undefined): number => {
  const seconds = value === null || value === undefined ? Number.NaN : Number(value)
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 1000
}

/** Polls at a fixed interval until the job is FULFILLED; throws on FAILED, CANCELLED or EXPIRED. @since 0.1.0 */
export const awaitJob = async (api: Api, jobId: string, pollMillis: number): Promise<Status> => {
  for (let poll = 0; poll < limits.maxPolls; poll++) {
    await sleep(pollMillis)
    const status = await api.status(jobId)
    if (status.state === "FULFILLED") return status
    if (status.state !== "QUEUED" && status.state !== "PENDING") {
      throw new Error(`job ${jobId} ended ${status.state}: ${status.errorMessage ?? ""}`)
    }
  }
  throw new Error(`job ${jobId} not FULFILLED after ${limits.maxPolls} polls`)
}

/** Follows the cursor from the first page to the last, handing every page to `onPage`. @since 0.1.0 */
export const readPages = async (
  api: Api,
  jobId: string,
  pageSize: number,
  onPage: (page: Page) => void,
  maxPages: number = limits.maxPages
): Promise<void> => {
  let cursor: string | undefined
  for (let pages = 0; pages < maxPages; pages++) {
    const page = await api.results(jobId, pageSize, cursor)
    onPage(page)
    cursor = page.cursor === undefined || page.cursor === "" ? undefined : page.cursor
    if (cursor === undefined) return
  }
  if (maxPages === limits.maxPages) throw new Error(`job ${jobId}: more than ${maxPages} pages`)
}

const seen = (jobId: string, status: Status): JobSeen => ({
  jobId,
  submissionDate: status.submissionDate,
  completionDate: status.completionDate
})

/** Scenario 1–3: one job, every page, a null sink that only counts. @since 0.1.0 */
export const runJob = async (api: Api, task: JobTask): Promise<Outcome> => {
  const jobId = await api.submit({ interval: task.interval })
  const status = await awaitJob(api, jobId, task.pollMillis)
  let conversations = 0
  let checksum = 0
  await readPages(api, jobId, task.pageSize, (page) => {
    for (const c of page.conversations ?? []) {
      conversations++
      checksum = Checksum.add(checksum, c.conversationId ?? "")
    }
  })
  return { conversations, checksum, jobs: [seen(jobId, status)], rateLimited: api.rateLimited() }
}

/** Scenario 4: every job at once, each awaited and its first page read. @since 0.1.0 */
export const runCompletion = async (api: Api, task: CompletionTask): Promise<Outcome> => {
  const jobs = await Promise.all(
    task.intervals.map(async (interval) => {
      const jobId = await api.submit({ interval })
      const status = await awaitJob(api, jobId, task.pollMillis)
      let conversations = 0
      await readPages(
        api,
        jobId,
        task.pageSize,
        (page) => {
          conversations += page.conversations?.length ?? 0
        },
        1
      )
      return { job: seen(jobId, status), conversations }
    })
  )
  return {
    conversations: jobs.reduce((n, j) => n + j.conversations, 0),
    checksum: 0,
    jobs: jobs.map((j) => j.job),
    rateLimited: api.rateLimited()
  }
}

const DAY = 86_400_000

/** The UTC day windows of an interval `start/end` (whole days). @since 0.1.0 */
export const dayWindows = (interval: string): ReadonlyArray<string> => {
  const [start, end] = interval.split("/").map((s) => Date.parse(s))
  if (start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end)) {
    throw new Error(`bad interval ${interval}`)
  }
  const windows: Array<string> = []
  for (let t = start; t < end && windows.length < 10_000; t += DAY) {
    windows.push(`${new Date(t).toISOString()}/${new Date(Math.min(end, t + DAY)).toISOString()}`)
  }
  return windows
}

/** Runs `work` over `items`, at most `concurrency` at a time. @since 0.1.0 */
export const pool = async <A>(
  items: ReadonlyArray<A>,
  concurrency: number,
  work: (item: A) => Promise<void>
): Promise<void> => {
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!
      await work(item)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker))
}

/** `windows` as jobs, `concurrency` at a time, each awaited and read, de-duplicated by conversation id. @since 0.1.0 */
export const runWindows = async (
  api: Api,
  windows: ReadonlyArray<string>,
  concurrency: number,
  pageSize: number,
  pollMillis: number
): Promise<Outcome> => {
  const ids = new Set<string>()
  let checksum = 0
  const jobs: Array<JobSeen> = []
  await pool(windows, concurrency, async (interval) => {
    const jobId = await api.submit({ interval })
    const status = await awaitJob(api, jobId, pollMillis)
    jobs.push(seen(jobId, status))
    await readPages(api, jobId, pageSize, (page) => {
      for (const c of page.conversations ?? []) {
        const id = c.conversationId ?? ""
        if (!ids.has(id)) {
          ids.add(id)
          checksum = Checksum.add(checksum, id)
        }
      }
    })
  })
  return { conversations: ids.size, checksum, jobs, rateLimited: api.rateLimited() }
}

/** Scenario 5: one job per UTC day, `concurrency` at a time, de-duplicated by conversation id. @since 0.1.0 */
export const runExtraction = (api: Api, task: ExtractionTask): Promise<Outcome> =>
  runWindows(api, dayWindows(task.interval), task.concurrency, task.pageSize, task.pollMillis)

/** An interval `start/end` cut into `parts` windows of equal length (milliseconds rounded). @since 0.4.0 */
export const equalWindows = (interval: string, parts: number): ReadonlyArray<string> => {
  const [start, end] = interval.split("/").map((s) => Date.parse(s))
  if (start === undefined || end === undefined || Number.isNaN(start) || Number.isNaN(end) || !(parts >= 1)) {
    throw new Error(`bad interval ${interval} or parts ${parts}`)
  }
  const at = (i: number) => new Date(start + Math.round(((end - start) * i) / parts)).toISOString()
  return Array.from({ length: parts }, (_, i) => `${at(i)}/${at(i + 1)}`)
}

/**
 * Scenario 6: one job over the whole interval, polled and read cursor after cursor, as the SDK's documentation
 * shows it (`jobs` 1); or the interval cut into `jobs` equal windows, all submitted at once (a user's best effort).
 *
 * @since 0.4.0
 */
export const runLatency = (api: Api, task: LatencyTask): Promise<Outcome> =>
  task.jobs <= 1
    ? runJob(api, { kind: "job", interval: task.interval, pageSize: task.pageSize, pollMillis: task.pollMillis })
    : runWindows(api, equalWindows(task.interval, task.jobs), task.jobs, task.pageSize, task.pollMillis)
