import { assert, describe, it } from "@effect/vitest"
import * as EmulatorOptions from "../src/EmulatorOptions.js"
import * as Faults from "../src/Faults.js"
import * as Generator from "../src/Generator.js"
import * as JobRoutes from "../src/internal/http/jobRoutes.js"
import * as JobStore from "../src/internal/http/jobStore.js"
import * as QueryTruth from "../src/internal/http/queryTruth.js"
import { isApiError } from "../src/internal/http/wire.js"

const options = EmulatorOptions.resolve({
  days: 2,
  perDay: 20,
  startDate: "2026-01-05",
  jobs: { maxConcurrent: 1, queueMillis: 1_000, runMillis: 1_000, runMillisPerConversation: 0, resultTtlMillis: 10_000 }
})
const dataset = Generator.make({ seed: options.seed, startDate: "2026-01-05", days: 2, perDay: 20 })
const T = Date.parse("2026-01-09T00:00:00.000Z")
const post = (body: unknown) => ({ method: "POST", url: "/jobs", headers: {}, body: JSON.stringify(body) })
const INTERVAL = { interval: "2026-01-05T00:00:00.000Z/2026-01-07T00:00:00.000Z" }

const setup = (profile: Faults.FaultProfile = {}) => {
  const jobs = JobStore.make(options)
  const routes = JobRoutes.make(options, jobs, QueryTruth.make(options, dataset), () => profile)
  return { jobs, routes }
}

describe("job routes", () => {
  it("the first fault of each kind shapes the job, then the profile's defaults", () => {
    const fail = { kind: "failJob" } as const
    assert.deepStrictEqual(JobRoutes.jobFaultsOf([], {}), { failMessage: undefined, expireAfterPages: undefined })
    assert.deepStrictEqual(JobRoutes.jobFaultsOf([fail, { kind: "expireJob" }], {}), {
      failMessage: Faults.defaultFailJobMessage,
      expireAfterPages: 1
    })
    assert.deepStrictEqual(
      JobRoutes.jobFaultsOf(
        [
          { kind: "failJob", errorMessage: "first" },
          { kind: "failJob", errorMessage: "second" }
        ],
        {
          failJobMessage: "profile"
        }
      ).failMessage,
      "first"
    )
    assert.deepStrictEqual(
      JobRoutes.jobFaultsOf([fail, { kind: "expireJob" }], { failJobMessage: "profile", expireJobAfterPages: 4 }),
      { failMessage: "profile", expireAfterPages: 4 }
    )
  })

  it("status bodies carry the dates of their state, and 202 while the job runs", () => {
    const { jobs, routes } = setup()
    const id = JSON.parse((routes.submit(post(INTERVAL), T, []) as { body: string }).body).jobId
    const queued = routes.status(id, T)
    assert.isFalse(isApiError(queued))
    if (isApiError(queued)) return
    assert.strictEqual(queued.status, 202)
    assert.deepStrictEqual(JSON.parse(queued.body!), { state: "QUEUED", submissionDate: "2026-01-09T00:00:00.000Z" })
    const done = routes.status(id, T + 2_000)
    assert.deepStrictEqual(isApiError(done) ? undefined : JSON.parse(done.body!), {
      state: "FULFILLED",
      submissionDate: "2026-01-09T00:00:00.000Z",
      completionDate: "2026-01-09T00:00:02.000Z",
      expirationDate: "2026-01-09T00:00:12.000Z"
    })
    const job = jobs.get(id)!
    assert.deepStrictEqual(JobRoutes.statusBody({ ...job, failMessage: "x" }, "FAILED", 10_000), {
      state: "FAILED",
      errorMessage: "x",
      submissionDate: "2026-01-09T00:00:00.000Z",
      completionDate: "2026-01-09T00:00:02.000Z"
    })
  })

  it("refuses a submission over the concurrency limit with the platform's limit body", () => {
    const { routes } = setup()
    assert.strictEqual((routes.submit(post(INTERVAL), T, []) as { status: number }).status, 202)
    const refused = routes.submit(post(INTERVAL), T + 1, [])
    assert.isTrue(isApiError(refused))
    if (!isApiError(refused)) return
    assert.strictEqual(refused.status, 429)
    assert.strictEqual(refused.code, "too.many.requests")
    assert.deepStrictEqual(refused.limit, {
      namespace: "analytics",
      key: options.jobs.concurrentLimitKey,
      value: 1
    })
    // Once the first job finishes, a new one is accepted.
    assert.strictEqual((routes.submit(post(INTERVAL), T + 2_000, []) as { status: number }).status, 202)
  })

  it("cancel answers 204 (404 for an unknown job) and availability lags now", () => {
    const { jobs, routes } = setup()
    const id = JSON.parse((routes.submit(post(INTERVAL), T, []) as { body: string }).body).jobId
    assert.strictEqual((routes.cancel(id, T + 10) as { status: number }).status, 204)
    assert.strictEqual(jobs.stateAt(jobs.get(id)!, T + 10), "CANCELLED")
    const unknown = routes.cancel("nope", T)
    assert.isTrue(isApiError(unknown) && unknown.status === 404)
    const lag = options.jobs.availabilityLagMillis
    assert.deepStrictEqual(JSON.parse(routes.availability(T).body!), {
      dataAvailabilityDate: new Date(T - lag).toISOString()
    })
  })
})
