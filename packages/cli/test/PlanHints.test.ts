// Data where the user looks: the hints under a plan and a summary (an interval after now, a part after the watermark,
// a run that found nothing), and `extract --interval PT6H` against a default emulator (data ending now) over HTTP.
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import * as Server from "@effect-genesys/emulator/Server"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as PlanHints from "../src/internal/planHints.js"

const HOUR = 3_600_000
const iso = (millis: number) => new Date(millis).toISOString()
const now = Date.parse("2026-03-10T15:00:00.000Z")

const window = (start: number, end: number, provisional: boolean): Extraction.Window => ({
  id: iso(start),
  kind: provisional ? "query" : "job",
  interval: `${iso(start)}/${iso(end)}`,
  startMillis: start,
  endMillis: end,
  provisional
})

// Cast: only the fields the hints read matter.
const plan = (fields: {
  requested: string
  interval: string
  watermark: number
  windows: ReadonlyArray<Extraction.Window>
}): Extraction.Plan =>
  ({ ...fields, watermark: iso(fields.watermark), plannedAt: iso(now) }) as unknown as Extraction.Plan

const report = (fields: {
  interval: string
  watermark: number
  conversations: number
  provisionalFrom?: string
  complete?: boolean
}): Extraction.Report =>
  ({
    interval: fields.interval,
    watermark: iso(fields.watermark),
    provisionalFrom: fields.provisionalFrom,
    complete: fields.complete ?? true,
    totals: { conversations: fields.conversations }
  }) as unknown as Extraction.Report

describe("PlanHints.planHints", () => {
  it("settled data before the watermark: no hint", () => {
    const interval = `${iso(now - 48 * HOUR)}/${iso(now - 24 * HOUR)}`
    const p = plan({
      requested: interval,
      interval,
      watermark: now - 2 * HOUR,
      windows: [window(now - 48 * HOUR, now - 24 * HOUR, false)]
    })
    assert.deepStrictEqual(PlanHints.planHints(p), [])
    assert.notInclude(PlanHints.formatPlan(p), "note")
  })

  it("the last 6 hours: the part after the watermark is provisional, read by sync queries", () => {
    const interval = `${iso(now - 6 * HOUR)}/${iso(now)}`
    const hints = PlanHints.planHints(
      plan({
        requested: interval,
        interval,
        watermark: now - 2 * HOUR,
        windows: [window(now - 6 * HOUR, now - 10 * HOUR + 8 * HOUR, false), window(now - 4 * HOUR, now, true)]
      })
    )
    assert.strictEqual(
      hints[0],
      `from ${iso(now - 4 * HOUR)} the interval is near or after the watermark: sync queries read it, and that data is provisional`
    )
    assert.include(hints.join("\n"), "conversations still going on are not returned until they end")
  })

  it("an interval that ends after now is cut; one that starts after now has nothing", () => {
    const cut = PlanHints.planHints(
      plan({
        requested: `${iso(now - 48 * HOUR)}/${iso(now + 24 * HOUR)}`,
        interval: `${iso(now - 48 * HOUR)}/${iso(now)}`,
        watermark: now - 2 * HOUR,
        windows: [window(now - 48 * HOUR, now - 10 * HOUR, false), window(now - 10 * HOUR, now, true)]
      })
    )
    assert.strictEqual(
      cut[0],
      `the interval ends after now: planned up to ${iso(now)}, later conversations do not exist yet`
    )
    const future = PlanHints.planHints(
      plan({
        requested: `${iso(now + HOUR)}/${iso(now + 2 * HOUR)}`,
        interval: `${iso(now + HOUR)}/${iso(now + HOUR + 1)}`,
        watermark: now - 2 * HOUR,
        windows: []
      })
    )
    assert.deepStrictEqual(future, [
      `the interval starts after now (${iso(now)}): there is no data in it yet, nothing to extract`
    ])
  })

  it("an interval wholly after the watermark says so", () => {
    const interval = `${iso(now - HOUR)}/${iso(now)}`
    const hints = PlanHints.planHints(
      plan({ requested: interval, interval, watermark: now - 2 * HOUR, windows: [window(now - HOUR, now, true)] })
    )
    assert.strictEqual(
      hints[0],
      "the whole interval is after the watermark: sync queries read it, and the data is provisional"
    )
  })
})

describe("PlanHints.reportHints", () => {
  it("no conversations: why, after the watermark or not", () => {
    const after = PlanHints.reportHints(
      report({ interval: `${iso(now - HOUR)}/${iso(now)}`, watermark: now - 2 * HOUR, conversations: 0 })
    )
    assert.match(after[0]!, /^no conversations: the interval .* is after the watermark, and none in it has ended yet$/)
    const before = PlanHints.reportHints(
      report({
        interval: `${iso(now - 48 * HOUR)}/${iso(now - 24 * HOUR)}`,
        watermark: now - 2 * HOUR,
        conversations: 0
      })
    )
    assert.include(before[0]!, "none matched the interval and filters")
    assert.deepStrictEqual(
      PlanHints.reportHints(
        report({ interval: `${iso(now - 48 * HOUR)}/${iso(now - 24 * HOUR)}`, watermark: now, conversations: 3 })
      ),
      []
    )
  })

  it("a provisional part is named with the watermark to wait for", () => {
    const hints = PlanHints.reportHints(
      report({
        interval: `${iso(now - 6 * HOUR)}/${iso(now)}`,
        watermark: now - 2 * HOUR,
        conversations: 12,
        provisionalFrom: iso(now - 10 * HOUR)
      })
    )
    assert.include(hints[0]!, `the data from ${iso(now - 10 * HOUR)} is provisional`)
    assert.include(hints[1]!, `once the watermark (${iso(now - 2 * HOUR)}) has passed it`)
    assert.include(
      PlanHints.formatReport({
        ...report({ interval: "x", watermark: now, conversations: 0 }),
        phases: [],
        routes: [],
        windows: [],
        totals: {
          conversations: 0,
          pages: 0,
          requests: 0,
          retries: 0,
          rateLimited: 0,
          duplicates: 0,
          resubmissions: 0,
          quarantined: 0
        },
        concurrency: { initial: 1, final: 1 }
      } as unknown as Extraction.Report),
      "note           no conversations"
    )
  })
})

// ---- end to end: the built command against a default emulator server (real time, data ending now) ----------
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
let scope: Scope.CloseableScope
let server: Server.Running
const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-plan-hints-"))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      days: 1,
      perDay: 400,
      jobs: { queueMillis: 20, runMillis: 50, runMillisPerConversation: 0 },
      rateLimit: { count: 10_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
})

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

const cli = (args: ReadonlyArray<string>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("GENESYS_")) env[k] = v
    const child = ChildProcess.spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: {
        ...env,
        GENESYS_API_URL: server.url,
        GENESYS_CLIENT_ID: "emulator-client",
        GENESYS_CLIENT_SECRET: "emulator-secret"
      },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString()
    })
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString()
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("extract --interval PT6H against a default emulator", () => {
  it("the dry run's plan says the last hours are after the watermark", { timeout: 60_000 }, async () => {
    const result = await cli(["extract", "--interval", "PT6H", "--dry-run", "--out", "never.ndjson"])
    assert.strictEqual(result.code, 0, result.stderr)
    assert.match(result.stdout, /note {7}.*after the watermark/)
    assert.include(result.stdout, "note       the watermark")
  })

  it("writes the conversations of the last 6 hours, or says why there are none", { timeout: 60_000 }, async () => {
    const out = Path.join(root, "six-hours.ndjson")
    const result = await cli(["extract", "--interval", "PT6H", "--out", out])
    assert.strictEqual(result.code, 0, result.stderr)
    const written = Fs.readFileSync(out, "utf8")
      .split("\n")
      .filter((l) => l !== "").length
    const reported = Number(/conversations {2}(\d+)/.exec(result.stderr)?.[1])
    assert.strictEqual(written, reported, result.stderr)
    if (written === 0) assert.match(result.stderr, /note {11}no conversations/)
    else assert.include(result.stderr, "note           the data from")
    // The data ends now, so the hours before it hold conversations whatever the time of day the test runs at.
    const end = Date.now()
    const truth = await Effect.runPromise(
      server.emulator.groundTruthSync({ interval: `${iso(end - 30 * 24 * HOUR)}/${iso(end)}` })
    )
    assert.isAbove(truth.length, 0)
  })
})
