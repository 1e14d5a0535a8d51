/**
 * The official Genesys JS SDK (purecloud-platform-client-v2) against the emulator's server over loopback:
 * every flow it offers for conversation-detail analytics, each count checked against the ground truth.
 */
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as Faults from "../src/Faults.js"
import * as Server from "../src/Server.js"

type Sdk = typeof import("purecloud-platform-client-v2")

const home = Fs.mkdtempSync(Path.join(Os.tmpdir(), "genesys-sdk-home-"))
const originalHome = process.env.HOME
let sdk: Sdk
let server: Server.Running
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  // The SDK reads ~/.genesyscloudjavascript/config when it loads; an empty HOME keeps the developer's out.
  process.env.HOME = home
  sdk = (await import("purecloud-platform-client-v2")).default
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      days: 3,
      perDay: 120,
      jobs: { queueMillis: 30, runMillis: 60, runMillisPerConversation: 0 }
    }).pipe(Scope.extend(scope))
  )
  const client = sdk.ApiClient.instance
  client.config.live_reload_config = false
  client.setGateway({ host: "127.0.0.1", protocol: "http", port: server.port })
  await client.loginClientCredentialsGrant("emulator-client", "emulator-secret")
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  process.env.HOME = originalHome
  Fs.rmSync(home, { recursive: true, force: true })
})

const sleep = (millis: number) => new Promise((resolve) => setTimeout(resolve, millis))
const firstDay = () => {
  const day = server.emulator.options.startDate
  return `${day}T00:00:00.000Z/${day}T23:59:59.999Z`
}

describe("official JS SDK against the emulator", () => {
  it("logs in with client credentials through the gateway; bad credentials are refused", async () => {
    const client = sdk.ApiClient.instance
    const requests = await Effect.runPromise(server.emulator.requests)
    assert.deepStrictEqual(
      requests.filter((r) => r.path === "/oauth/token").map((r) => [r.method, r.status]),
      [["POST", 200]]
    )
    const refused = await client.loginClientCredentialsGrant("emulator-client", "wrong").then(
      () => false,
      () => true
    )
    assert.isTrue(refused)
    const auth = await client.loginClientCredentialsGrant("emulator-client", "emulator-secret")
    assert.isString(auth.accessToken)
    assert.isAbove(auth.tokenExpiryTime, Date.now() + 86_000_000)
  })

  it("pages a sync query to its last page; the ids equal the ground truth", async () => {
    const api = new sdk.AnalyticsApi()
    const query = {
      interval: firstDay(),
      order: "asc" as const,
      segmentFilters: [{ type: "or" as const, predicates: [{ dimension: "mediaType" as const, value: "voice" }] }]
    }
    const truth = await Effect.runPromise(server.emulator.groundTruthSync(query))
    assert.isAbove(truth.length, 25)
    const ids: Array<string> = []
    let totalHits = 0
    for (let pageNumber = 1; ; pageNumber++) {
      const page = await api.postAnalyticsConversationsDetailsQuery({ ...query, paging: { pageSize: 25, pageNumber } })
      totalHits = page.totalHits ?? 0
      for (const c of page.conversations ?? []) ids.push(c.conversationId!)
      if (pageNumber * 25 >= totalHits) break
    }
    assert.strictEqual(totalHits, truth.length)
    assert.deepStrictEqual(ids, [...truth])
  })

  it("submits a job, polls it to FULFILLED and reads every cursor page", async () => {
    const api = new sdk.AnalyticsApi()
    const query = { interval: firstDay() }
    const truth = await Effect.runPromise(server.emulator.groundTruthJob(query))
    const { jobId } = await api.postAnalyticsConversationsDetailsJobs(query)
    let state = ""
    for (let i = 0; i < 100 && state !== "FULFILLED"; i++) {
      state = (await api.getAnalyticsConversationsDetailsJob(jobId!)).state ?? ""
      if (state !== "FULFILLED") await sleep(20)
    }
    assert.strictEqual(state, "FULFILLED")
    const ids: Array<string> = []
    let cursor: string | undefined
    let pages = 0
    do {
      const page = await api.getAnalyticsConversationsDetailsJobResults(
        jobId!,
        cursor === undefined ? { pageSize: 40 } : { pageSize: 40, cursor }
      )
      for (const c of page.conversations ?? []) ids.push(c.conversationId!)
      cursor = page.cursor
      pages++
    } while (cursor !== undefined)
    assert.isAbove(pages, 1)
    assert.strictEqual(pages, Math.ceil(truth.length / 40))
    assert.deepStrictEqual(ids, [...truth])
  })

  it("cancels a job", async () => {
    const api = new sdk.AnalyticsApi()
    const { jobId } = await api.postAnalyticsConversationsDetailsJobs({ interval: firstDay() })
    await api.deleteAnalyticsConversationsDetailsJob(jobId!)
    const status = await api.getAnalyticsConversationsDetailsJob(jobId!)
    assert.strictEqual(status.state, "CANCELLED")
  })

  it("runs the aggregates query and job (status, cursor pages, cancel) against the ground truth", async () => {
    const api = new sdk.AnalyticsApi()
    const query = {
      interval: firstDay(),
      granularity: "PT6H",
      timeZone: "America/New_York",
      groupBy: ["queueId", "wrapUpCode"],
      metrics: ["nConnected", "tHandle", "nOffered"]
    }
    const truth = await Effect.runPromise(server.emulator.groundTruthAggregates(query))
    const sync = await api.postAnalyticsConversationsAggregatesQuery(query)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(sync)), JSON.parse(JSON.stringify(truth)))
    assert.isAbove(sync.results!.length, 5)

    const { jobId } = await api.postAnalyticsConversationsAggregatesJobs({ ...query, pageSize: 4 })
    let state: string | undefined
    for (let i = 0; i < 100 && state !== "FULFILLED"; i++) {
      await sleep(20)
      state = (await api.getAnalyticsConversationsAggregatesJob(jobId!)).state
    }
    assert.strictEqual(state, "FULFILLED")
    const results: Array<unknown> = []
    let cursor: string | undefined
    do {
      const page = await api.getAnalyticsConversationsAggregatesJobResults(
        jobId!,
        cursor === undefined ? {} : { cursor }
      )
      results.push(...(page.results ?? []))
      cursor = page.cursor
    } while (cursor !== undefined)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(results)), JSON.parse(JSON.stringify(truth.results)))
    await api.deleteAnalyticsConversationsAggregatesJob(jobId!)
    assert.strictEqual((await api.getAnalyticsConversationsAggregatesJob(jobId!)).state, "CANCELLED")
  })

  it("lists wrap-up codes, queues and users by page", async () => {
    const routing = new sdk.RoutingApi()
    const catalog = server.emulator.dataset.catalog
    const codes = await routing.getRoutingWrapupcodes({ pageSize: 100 })
    assert.deepStrictEqual(codes.entities!.map((e) => e.name).sort(), catalog.wrapUpCodes.map((w) => w.name).sort())
    const queues = await routing.getRoutingQueues({ pageSize: 3, pageNumber: 2 })
    assert.strictEqual(queues.total, catalog.queues.length)
    assert.strictEqual(queues.entities!.length, 3)
    const users = await new sdk.UsersApi().getUsers({ pageSize: 500 })
    assert.strictEqual(users.entities!.length, catalog.users.length)
  })

  it("reads availability, one conversation and several by id", async () => {
    const api = new sdk.AnalyticsApi()
    const availability = await api.getAnalyticsConversationsDetailsJobsAvailability()
    const expected = await Effect.runPromise(server.emulator.availabilityMillis)
    assert.isAtMost(Math.abs(Date.parse(String(availability.dataAvailabilityDate)) - expected), 5_000)
    const id = server.emulator.dataset.conversationId(5)
    const one = await api.getAnalyticsConversationDetails(id)
    assert.strictEqual(one.conversationId, id)
    const ids = [0, 1, 2].map((i) => server.emulator.dataset.conversationId(i))
    const many = await api.getAnalyticsConversationsDetails({ id: ids })
    assert.deepStrictEqual(
      many.conversations?.map((c) => c.conversationId),
      ids
    )
  })

  it("surfaces a 429 with Retry-After through extended responses", async () => {
    const client = sdk.ApiClient.instance
    const api = new sdk.AnalyticsApi()
    await Effect.runPromise(
      server.emulator.setFaults(Faults.script({ fault: { kind: "rateLimit", retryAfterSeconds: 3 } }))
    )
    client.setReturnExtendedResponses(true)
    try {
      const error = await api.getAnalyticsConversationsDetailsJobsAvailability().then(
        () => undefined,
        (e: { status: number; headers: Record<string, string>; body: { code: string } }) => e
      )
      assert.isDefined(error)
      assert.strictEqual(error!.status, 429)
      assert.strictEqual(error!.headers["retry-after"], "3")
      assert.strictEqual(error!.body.code, "too.many.requests.retry.after")
      const ok = (await api.getAnalyticsConversationsDetailsJobsAvailability()) as unknown as { status: number }
      assert.strictEqual(ok.status, 200)
    } finally {
      client.setReturnExtendedResponses(false)
      await Effect.runPromise(server.emulator.setFaults(undefined))
    }
  })
})
