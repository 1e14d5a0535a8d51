// `genesys-analytics sync` as a process against a live emulator server at 60× speed with every live fault on: seeded
// rates (dropped sockets, early channel expiries, missed notifications, stalled availability steps, jobs expiring, some
// while paging) plus the same faults fired on cue, so that each one certainly happens: a channel expired and two
// notifications missed in the first run, a dropped socket and a two-step stall in the second, the first job expiring.
// The first run is SIGKILLed while a cycle is in flight; the same command with --until then finishes. The SQLite
// database holds every conversation settled by the final watermark exactly once, in the form of its last read (every
// restatement made before the last cycle included), and the tail is provisional by the state table's settled point.
//
// The CLI reads the real clock, the emulated org runs 60× faster: the org's "now" is placed two hours in the past, and
// a sync on the real clock stays correct while the emulated watermark is behind the real time (about two minutes).
// The org's volume is sized for its hour of day, so the tail and the restatements never run dry. Nothing here waits on a fixed sleep: every wait is
// for a line of the sync's stderr or an emulator counter, and bounded.
//
// Needs the build (`npm test` builds first; alone: `npm run build -w @effect-genesys/cli`, which also bundles it).
import * as Flatten from "@effect-genesys/analytics/Flatten"
import * as Generator from "@effect-genesys/emulator/Generator"
import * as Server from "@effect-genesys/emulator/Server"
import * as SqlSinkSqlite from "@effect-genesys/sql/SqlSinkSqlite"
import * as SqlClient from "@effect/sql/SqlClient"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Child from "./ReliabilityChild.js"

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const SPEED = 60
const LAG = 3 * MINUTE
const RESTATEMENT_WINDOW = 20 * MINUTE
const jobsPath = "/api/v2/analytics/conversations/details/jobs"

/** `perDay` for about `perHour` conversations an hour around `anchor` (UTC), within [1,000, 100,000]. */
const perDayFor = (anchor: number, perHour: number): number =>
  Math.round(Math.min(100_000, Math.max(1_000, perHour / Generator.hourShare(anchor))))

let scope: Scope.CloseableScope
let server: Server.Running
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-sync-faults-"))

// The org's "now" starts two hours before the real time: the CLI's clock (the end of each cycle's span) stays ahead
// of the emulated watermark for (2 h + lag) / (speed - 1), about two minutes.
const anchor = Date.now() - 2 * HOUR

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 71,
      days: 1,
      perDay: perDayFor(anchor, 100),
      anchorMillis: anchor,
      live: {
        speed: SPEED,
        availabilityStepMillis: MINUTE,
        horizonDays: 1,
        restatementRate: 1,
        // Longer than the lag: conversations are restated after they settled, so only the restatement window read
        // again behind the watermark brings them up to date.
        restatementWindowMillis: RESTATEMENT_WINDOW
      },
      jobs: { availabilityLagMillis: LAG },
      faults: {
        seed: 9,
        rates: { dropSocket: 0.02, expireChannel: 0.01, missNotification: 0.2, stallAvailability: 0.1, expireJob: 0.1 },
        stallSteps: 2,
        script: [
          // The first job expires as it completes (the sync submits it again); the next three expire after their
          // first results page (while paging, when they have more than one).
          { method: "POST", path: jobsPath, nth: 1, fault: { kind: "expireJob", afterPages: 0 } },
          { method: "POST", path: jobsPath, nth: 2, times: 3, fault: { kind: "expireJob", afterPages: 1 } }
        ]
      }
    }).pipe(Scope.extend(scope))
  )
})

afterAll(async () => {
  Child.killAll()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect)
const emulatedNow = () => run(server.emulator.nowMillis)

const env = () => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("GENESYS_"))),
  GENESYS_API_URL: server.url,
  GENESYS_CLIENT_ID: "emulator-client",
  GENESYS_CLIENT_SECRET: "emulator-secret"
})

/** Resolves when `condition` holds, checked on each event-loop turn (10 ms apart at most), or rejects after `millis`. */
const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, millis = 20_000) => {
  const deadline = Date.now() + millis
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

interface Line {
  readonly text: string
  /** Emulator time when the line arrived. */
  readonly atMillis: number
}

/** Starts the command; `onLine` sees each stderr line as it arrives, with the emulator time. */
const spawnSync = (args: ReadonlyArray<string>, onLine: (line: Line) => void | Promise<void>) => {
  const child = ChildProcess.spawn(process.execPath, [Child.bin, "sync", ...args], {
    cwd: root,
    env: env(),
    stdio: ["ignore", "pipe", "pipe"]
  })
  const lines: Array<Line> = []
  let pending = ""
  let handlers = Promise.resolve()
  child.stderr.on("data", (d: Buffer) => {
    pending += d.toString()
    const parts = pending.split("\n")
    pending = parts.pop()!
    for (const text of parts) {
      const atMillis = Effect.runSync(server.emulator.nowMillis)
      const line = { text, atMillis }
      lines.push(line)
      handlers = handlers.then(() => onLine(line))
    }
  })
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000)
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal })
    })
  })
  return { child, lines, exited, handlers: () => handlers, stderr: () => lines.map((l) => l.text).join("\n") }
}

const channelOf = (text: string) => /listening to the availability topic \(channel (\S+)\)/.exec(text)?.[1]
const isCycle = (text: string) => /sync cycle \d+:/.test(text)

describe("genesys-analytics sync under every live fault, SIGKILLed mid-cycle", () => {
  it("continues with --until: every settled conversation once, in its last-read form; the tail provisional", {
    timeout: 90_000
  }, async () => {
    const startMillis = await emulatedNow()
    const from = new Date(startMillis - 30 * MINUTE).toISOString()
    const args = [
      "--from",
      from,
      "--out",
      "faults.sqlite",
      "--poll-seconds",
      "1",
      "--tail-every",
      "0.05",
      // A conversation is read by the window of its start: the span read again behind the watermark must cover the
      // longest conversation (8 h in the emulator) plus the restatement window (20 min).
      "--restatement-hours",
      "8.4"
    ]

    // First run: on its first connection the channel expires and the next two advances are announced to nobody.
    let expired: boolean | undefined
    const first = spawnSync(args, async (line) => {
      const channel = channelOf(line.text)
      if (channel !== undefined && expired === undefined) {
        await run(server.emulator.notifications.missNotifications(2))
        expired = await run(server.emulator.notifications.expireChannel(channel))
      }
    })
    // Killed after a completed cycle and both missed notifications, once a new job is submitted (a cycle in flight).
    await waitFor("a completed cycle and two missed notifications", async () => {
      const fired = await run(server.emulator.notifications.fired)
      return first.lines.some((l) => isCycle(l.text)) && fired.missedEvents >= 2
    })
    const seen = (await run(server.emulator.requests)).length
    await waitFor("a job submitted by the next cycle", async () => {
      const requests = await run(server.emulator.requests)
      return requests.slice(seen).some((r) => r.method === "POST" && r.path === jobsPath)
    })
    first.child.kill("SIGKILL")
    const killed = await first.exited
    await first.handlers()
    assert.strictEqual(killed.signal, "SIGKILL", first.stderr())
    assert.isTrue(expired, `the first channel expired on cue\n${first.stderr()}`)
    assert.match(first.stderr(), /notifications lost/)

    const lastCycleBeforeKill = Math.max(
      ...first.lines.filter((l) => isCycle(l.text)).map((l) => Number(/sync cycle (\d+):/.exec(l.text)![1]))
    )
    // The command plans with the real clock.
    const restartedAt = Date.now()

    // Second run, the same command with --until six steps on: its first socket is dropped and two steps stall.
    const until = new Date((await run(server.emulator.availabilityMillis)) + 6 * MINUTE).toISOString()
    let dropped: boolean | undefined
    const second = spawnSync([...args, "--until", until], async (line) => {
      const channel = channelOf(line.text)
      if (channel !== undefined && dropped === undefined) {
        dropped = false
        await run(server.emulator.stallAvailability("2 minutes"))
        // The client sees the socket open a moment before the server has attached it to the channel.
        await waitFor("the socket attached", async () =>
          (await run(server.emulator.notifications.channels)).some((c) => c.id === channel && c.connected)
        )
        dropped = await run(server.emulator.notifications.dropSocket(channel))
      }
    })
    const done = await second.exited
    await second.handlers()
    const log = `${first.stderr()}\n--- second run ---\n${second.stderr()}`
    assert.strictEqual(done.code, 0, log)
    assert.isTrue(dropped, `the second run's socket was dropped on cue\n${log}`)
    assert.match(second.stderr(), /notifications lost/)
    assert.match(second.stderr(), /sync done: settled until/)
    // The cycle in flight at the kill was resumed from the journal, not planned again: it keeps its number and the
    // interval the killed process planned (ending before the restart).
    const resumed = /sync cycle (\d+): \S+\/(\S+),/.exec(second.lines.find((l) => isCycle(l.text))?.text ?? "")
    assert.strictEqual(Number(resumed?.[1]), lastCycleBeforeKill + 1, log)
    assert.isBelow(Date.parse(resumed![2]!), restartedAt, log)
    const settledUntil = /sync done: settled until (\S+)/.exec(second.stderr())![1]!
    const settledMillis = Date.parse(settledUntil)
    assert.isAtLeast(settledMillis, Date.parse(until), log)

    // The faults fired (the scripted ones for certain; the seeded rates add more, not asserted).
    const fired = await run(server.emulator.notifications.fired)
    assert.isAtLeast(fired.expiredChannels, 1, JSON.stringify(fired))
    assert.isAtLeast(fired.droppedSockets, 1, JSON.stringify(fired))
    assert.isAtLeast(fired.missedEvents, 2, JSON.stringify(fired))
    assert.isAtLeast(fired.stalledSteps, 2, JSON.stringify(fired))
    const requests = await run(server.emulator.requests)
    const jobIds = [
      ...new Set(
        requests.flatMap((r) => {
          const m = /^\/api\/v2\/analytics\/conversations\/details\/jobs\/([^/]+)$/.exec(r.path)
          return m === null || r.method !== "GET" || m[1] === "availability" ? [] : [m[1]!]
        })
      )
    ]
    const states = await run(Effect.forEach(jobIds, (id) => server.emulator.jobState(id)))
    assert.isTrue(states.includes("EXPIRED"), `a job expired: ${states.join(", ")}`)

    // What the database holds.
    const stored = await run(
      Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        const conversations = yield* sql<{
          readonly conversation_id: string
          readonly conversation_end: string | null
        }>`SELECT conversation_id, conversation_end FROM conversations`
        const segments = yield* sql<{
          readonly conversation_id: string
          readonly segment_key: string
          readonly wrap_up_code: string | null
        }>`SELECT conversation_id, segment_key, wrap_up_code FROM segments`
        const state = yield* sql<{ readonly settled_until: string }>`SELECT settled_until FROM genesys_sync_state`
        const provisional = yield* sql<{ readonly n: number }>`
          SELECT count(*) AS n FROM conversations, genesys_sync_state
          WHERE conversation_end IS NULL OR conversation_end > settled_until`
        return { conversations, segments, state, provisional: provisional[0]!.n }
      }).pipe(Effect.provide(SqlSinkSqlite.layer({ filename: Path.join(root, "faults.sqlite") })), Effect.scoped)
    )
    assert.deepStrictEqual(
      stored.state.map((s) => Date.parse(s.settled_until)),
      [settledMillis]
    )
    const ids = stored.conversations.map((c) => c.conversation_id)
    assert.strictEqual(new Set(ids).size, ids.length, "each conversation once")
    const rows = new Map(stored.conversations.map((c) => [c.conversation_id, c]))
    const wrapUps = new Map<string, Map<string, string | null>>()
    for (const s of stored.segments) {
      const m = wrapUps.get(s.conversation_id) ?? new Map<string, string | null>()
      m.set(s.segment_key, s.wrap_up_code)
      wrapUps.set(s.conversation_id, m)
    }

    // The truth: every conversation a job returns now, ended by the final watermark, in its current form.
    // A sync from `from` holds the conversations that started from then on.
    const truth = (await run(server.emulator.groundTruthSettled({ interval: `${from}/${settledUntil}` }))).filter(
      (c) => Date.parse(c.conversationEnd!) <= settledMillis && Date.parse(c.conversationStart) >= Date.parse(from)
    )
    // Enough conversations for the checks below to mean something; how many depends on the hour of the day (the
    // emulator's traffic curve): 50 at 11:25 UTC.
    assert.isAbove(truth.length, 20)
    const restated = new Map(
      (await run(server.emulator.restatements(`${from}/${settledUntil}`))).map((r) => [r.conversationId, r])
    )
    // The last cycle started after the line of the one before it: a restatement by then is in the sink for certain;
    // one after it may have come before or after that cycle's jobs were submitted.
    const lastCycleStart = second.lines.filter((l) => isCycle(l.text)).at(-2)?.atMillis ?? Number.NEGATIVE_INFINITY
    const wrapUpsOf = (c: (typeof truth)[number]) =>
      new Map(Flatten.flatten(c as Flatten.ConversationInput).segments.map((s) => [s.segment_key, s.wrap_up_code]))
    const missing: Array<string> = []
    const stale: Array<string> = []
    let restatedAfterSettled = 0
    for (const c of truth) {
      const row = rows.get(c.conversationId)
      if (row === undefined) {
        missing.push(`${c.conversationId} ${c.conversationStart}..${c.conversationEnd}`)
        continue
      }
      if (row.conversation_end === null || Date.parse(row.conversation_end) !== Date.parse(c.conversationEnd!)) {
        stale.push(
          `${c.conversationId} ${c.conversationStart}..${c.conversationEnd} stored end ${row.conversation_end}`
        )
        continue
      }
      const inSink = wrapUps.get(c.conversationId) ?? new Map()
      const r = restated.get(c.conversationId)
      const forms = [wrapUpsOf(c)]
      if (r !== undefined && r.restatedAtMillis > lastCycleStart) {
        // The generated record, before the restatement.
        forms.push(
          wrapUpsOf(server.emulator.dataset.conversation(server.emulator.dataset.indexOfId(c.conversationId)!))
        )
      }
      if (!forms.some((f) => sameMap(f, inSink))) stale.push(c.conversationId)
      if (r !== undefined && r.restatedAtMillis <= lastCycleStart && r.restatedAtMillis > r.endMillis + LAG + MINUTE) {
        if (r.restatedAtMillis > startMillis) restatedAfterSettled++
      }
    }
    assert.deepStrictEqual(missing, [], log)
    assert.deepStrictEqual(stale, [], log)
    // Some conversations were restated after they had settled, while the sync ran: read again, they are restated.
    assert.isAbove(restatedAfterSettled, 0, "a conversation restated after it settled, during the sync")
    // Everything else in the database is the provisional tail: not ended by the settled point.
    const settledIds = new Set(truth.map((c) => c.conversationId))
    for (const [id, row] of rows) {
      if (settledIds.has(id) || Date.parse(row.conversation_end ?? "") < Date.parse(from)) continue
      const end = row.conversation_end === null ? Number.POSITIVE_INFINITY : Date.parse(row.conversation_end)
      assert.isAbove(end, settledMillis, `${id} is in the database but neither settled nor provisional`)
    }
    assert.isAbove(stored.provisional, 0, "the tail is in the database, provisional")
  })
})

const sameMap = (a: ReadonlyMap<unknown, unknown>, b: ReadonlyMap<unknown, unknown>) =>
  a.size === b.size && [...a].every(([k, v]) => b.has(k) && b.get(k) === v)
