/**
 * Scenario 6 as a timeline, from an emulator's request log: for every job, when it was submitted, when the emulator
 * finished it (its model: submission + queue + run + per conversation), when the client first saw it FULFILLED (the
 * poll's overshoot), when its pages were served and how far apart (round trip, page building and reading); and for
 * the run, how long job slots stood idle while work was left. Where a client loses time against the bound.
 *
 * @since 0.4.0
 */
import type { RecordedRequest } from "./protocol.js"

const jobsPath = "/api/v2/analytics/conversations/details/jobs"

/** The job model the emulator ran (its `jobs` options). @since 0.4.0 */
export interface JobModel {
  readonly queueMillis: number
  readonly runMillis: number
  readonly runMillisPerConversation: number
  readonly maxConcurrent: number
}

/** One job's timeline, in milliseconds from the run's first request. @since 0.4.0 */
export interface JobLine {
  readonly jobId: string
  readonly conversations: number | undefined
  readonly submittedAt: number
  /** When the emulator's model finished it (undefined when its conversations are unknown). */
  readonly doneAt: number | undefined
  /** The first status answer FULFILLED (200). */
  readonly seenAt: number | undefined
  readonly polls: number
  readonly firstPageAt: number | undefined
  readonly lastPageAt: number | undefined
  readonly pages: number
  /** Mean time between two pages of this job (a round trip, the emulator's building and the client's reading). */
  readonly meanPageGap: number | undefined
}

/** The whole run. @since 0.4.0 */
export interface Timeline {
  readonly jobs: ReadonlyArray<JobLine>
  /** Last request of the run (from its first). */
  readonly endAt: number
  /** Job slots idle between the first submission and the last job's end, in slot-seconds. */
  readonly idleSlotSeconds: number
  /** Mean of `seenAt - doneAt`. */
  readonly meanOvershoot: number | undefined
  /**
   * From the first job seen FULFILLED to the last page of any job: the results' tail, which the polls' overshoot does
   * not move (A/B comparisons of how pages are read compare this).
   */
  readonly tailMillis: number | undefined
  /** Requests of the run by kind. */
  readonly requests: {
    readonly token: number
    readonly submit: number
    readonly status: number
    readonly pages: number
    readonly other: number
    readonly rateLimited: number
  }
}

const jobIdOf = (path: string): { readonly jobId: string; readonly results: boolean } | undefined => {
  if (!path.startsWith(`${jobsPath}/`)) return undefined
  const rest = path.slice(jobsPath.length + 1).split("/")
  if (rest[0] === undefined || rest[0] === "availability") return undefined
  return { jobId: rest[0], results: rest[1] === "results" }
}

/**
 * The timeline of one run. `info` gives what is known of a job: its conversations (its end then follows from the
 * model and its submission) or its `completionDate`. A job's submission is the earliest unmatched 202 POST before the
 * job's first request (jobs are polled first in the order they were submitted) (the log holds no response bodies).
 *
 * @since 0.4.0
 */
export const timeline = (
  requests: ReadonlyArray<RecordedRequest>,
  model: JobModel,
  info: (jobId: string) => {
    readonly conversations?: number | undefined
    readonly completedAtMillis?: number | undefined
  }
): Timeline => {
  const sorted = [...requests].sort((a, b) => a.atMillis - b.atMillis)
  const t0 = sorted[0]?.atMillis ?? 0
  const byJob = new Map<string, { status: Array<RecordedRequest>; pages: Array<RecordedRequest> }>()
  const counts = { token: 0, submit: 0, status: 0, pages: 0, other: 0, rateLimited: 0 }
  for (const r of sorted) {
    if (r.status === 429) counts.rateLimited++
    if (r.path.startsWith("/oauth")) {
      counts.token++
      continue
    }
    if (r.method === "POST" && r.path === jobsPath) {
      counts.submit++
      continue
    }
    const job = r.method === "GET" ? jobIdOf(r.path) : undefined
    if (job === undefined) {
      counts.other++
      continue
    }
    const entry = byJob.get(job.jobId) ?? { status: [], pages: [] }
    byJob.set(job.jobId, entry)
    if (job.results) {
      counts.pages++
      entry.pages.push(r)
    } else {
      counts.status++
      entry.status.push(r)
    }
  }
  const posts = sorted.filter((r) => r.method === "POST" && r.path === jobsPath && r.status === 202)
  const firstSeen = [...byJob.entries()]
    .map(([jobId, e]) => ({ jobId, first: Math.min(...[...e.status, ...e.pages].map((r) => r.atMillis)), e }))
    .sort((a, b) => a.first - b.first)
  const used = new Set<RecordedRequest>()
  const jobs: Array<JobLine> = []
  for (const { e, first, jobId } of firstSeen) {
    const post = posts.find((p) => p.atMillis <= first && !used.has(p))
    // A job id no submission of this run created (a mistyped or foreign id) is not one of its jobs.
    if (post === undefined) continue
    used.add(post)
    const submittedAt = post.atMillis - t0
    const { completedAtMillis, conversations } = info(jobId)
    const doneAt =
      completedAtMillis !== undefined
        ? completedAtMillis - t0
        : conversations === undefined
          ? undefined
          : submittedAt +
            model.queueMillis +
            model.runMillis +
            Math.round(model.runMillisPerConversation * conversations)
    const seen = e.status.find((r) => r.status === 200)
    const pages = e.pages.filter((r) => r.status === 200)
    const gaps = pages.slice(1).map((p, i) => p.atMillis - pages[i]!.atMillis)
    jobs.push({
      jobId,
      conversations,
      submittedAt,
      doneAt,
      seenAt: seen === undefined ? undefined : seen.atMillis - t0,
      polls: e.status.length,
      firstPageAt: pages[0] === undefined ? undefined : pages[0].atMillis - t0,
      lastPageAt: pages.at(-1) === undefined ? undefined : pages.at(-1)!.atMillis - t0,
      pages: pages.length,
      meanPageGap: gaps.length === 0 ? undefined : gaps.reduce((s, g) => s + g, 0) / gaps.length
    })
  }
  jobs.sort((a, b) => a.submittedAt - b.submittedAt)
  // Idle slots: from the first submission to the last job's end, slots minus jobs the emulator ran.
  const ends = jobs.flatMap((j) => (j.doneAt === undefined ? [] : [j.doneAt]))
  const start = jobs[0]?.submittedAt ?? 0
  const end = ends.length === 0 ? start : Math.max(...ends)
  const busy = jobs.reduce((s, j) => s + (j.doneAt === undefined ? 0 : j.doneAt - j.submittedAt), 0)
  const overshoots = jobs.flatMap((j) =>
    j.doneAt === undefined || j.seenAt === undefined ? [] : [j.seenAt - j.doneAt]
  )
  const seens = jobs.flatMap((j) => (j.seenAt === undefined ? [] : [j.seenAt]))
  const lastPages = jobs.flatMap((j) => (j.lastPageAt === undefined ? [] : [j.lastPageAt]))
  return {
    jobs,
    endAt: (sorted.at(-1)?.atMillis ?? t0) - t0,
    tailMillis: seens.length === 0 || lastPages.length === 0 ? undefined : Math.max(...lastPages) - Math.min(...seens),
    idleSlotSeconds: (model.maxConcurrent * (end - start) - busy) / 1000,
    meanOvershoot: overshoots.length === 0 ? undefined : overshoots.reduce((s, o) => s + o, 0) / overshoots.length,
    requests: counts
  }
}

const s = (millis: number | undefined): string => (millis === undefined ? "-" : (millis / 1000).toFixed(2))

/** The timeline as a fixed-width table and a summary. @since 0.4.0 */
export const format = (t: Timeline): string => {
  const header = "job       convs  submit   done   seen  over  polls  page1  pageN  pages  gap(s)"
  const rows = t.jobs.map((j) =>
    [
      j.jobId.slice(0, 8),
      String(j.conversations ?? "-").padStart(6),
      s(j.submittedAt).padStart(7),
      s(j.doneAt).padStart(6),
      s(j.seenAt).padStart(6),
      s(j.seenAt === undefined || j.doneAt === undefined ? undefined : j.seenAt - j.doneAt).padStart(5),
      String(j.polls).padStart(6),
      s(j.firstPageAt).padStart(6),
      s(j.lastPageAt).padStart(6),
      String(j.pages).padStart(6),
      s(j.meanPageGap).padStart(7)
    ].join(" ")
  )
  const r = t.requests
  return [
    header,
    ...rows,
    `end ${s(t.endAt)} s after the first request; idle job slots ${t.idleSlotSeconds.toFixed(1)} slot-s until the last job's end; ` +
      `mean poll overshoot ${s(t.meanOvershoot)} s; results' tail ${s(t.tailMillis)} s (first job seen to last page)`,
    `requests: token ${r.token}, submit ${r.submit}, status ${r.status}, pages ${r.pages}, other ${r.other}; 429 ${r.rateLimited}`
  ].join("\n")
}
