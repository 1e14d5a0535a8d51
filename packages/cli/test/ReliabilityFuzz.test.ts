// Reliability suite, bad input at the command line: 2 000 fuzzed argument vectors (ReliabilityArgs.ts) run
// in-process through `Cli.run` against the emulator served over loopback HTTP. Every vector must end, within a bound,
// with a documented exit code and no defect or stack trace; exit 1 only from `audit verify`; exit 2 (bad input) with
// no connection to the emulator; exit 3 and 4 only after one; exit 0 without one only for help, version, completions
// and `audit verify`. Connections are counted by a TCP relay in front of the emulator, which also sees requests the
// HTTP server refuses before routing (oversized headers). Reported bugs are matched narrowly in `knownBugs` and
// counted instead of failing. Replay another sample with RELIABILITY_SEED (and RELIABILITY_VECTORS).
//
// `Cli.run` writes to `process.stdout`/`process.stderr` and `@effect/cli` prints through the global `console`, so
// both are captured while the vectors run. Valid vectors are kept cheap: every analytics POST (job submission, sync
// query) gets 401 from the emulator (a `revokeToken` fault), so a run that passed validation stops at its first
// submission with exit 3 instead of extracting. No vector points at a closed port: the client retries a refused
// connection for about 18 s, which thousands of vectors cannot afford (and the fault soak covers). A child-process
// check at the end runs 12 refused vectors through the built command: exit 2, the same single line as in-process.
import * as Cli from "../src/Cli.js"
import * as Server from "@effect-genesys/emulator/Server"
import { NodeFileSystem, NodePath, NodeTerminal } from "@effect/platform-node"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Scope } from "effect"
import * as fc from "fast-check"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { vi } from "vitest"
import * as Args from "./ReliabilityArgs.js"
import * as Child from "./ReliabilityChild.js"

const SECRET = "emulator-secret"
// `npm test` runs 2 000 vectors in-process and 12 refused ones through the built command (the library's own fuzzing
// adds 4 000 queries); `npm run soak` (GENESYS_SOAK=10) runs ten times as many of each.
const SOAK = Math.max(1, Number(process.env.GENESYS_SOAK ?? "") || 1)
const VECTORS = Number(process.env.RELIABILITY_VECTORS ?? 2_000 * SOAK)
const CHILD_VECTORS = 12 * SOAK
const SEED = Number(process.env.RELIABILITY_SEED ?? 7_2026)
// Generous: a vector that passed validation makes a handful of loopback requests; parse failures take a millisecond.
const VECTOR_TIMEOUT_MS = 8_000

const DAY = 86_400_000
const environment = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)

let scope: Scope.CloseableScope
let server: Server.Running
/** The command talks to the emulator through this relay, which counts connections. */
let relay: Awaited<ReturnType<typeof Child.countingRelay>>
let fixtures: Args.Fixtures
const root = Fs.realpathSync(Fs.mkdtempSync(Path.join(Os.tmpdir(), "cli-fuzz-")))
const savedCwd = process.cwd()
const savedEnv = { ...process.env }

/** What one vector printed, captured from the process streams and the console. */
const captured = { stdout: "", stderr: "" }
const capture = () => {
  const sink = (key: "stdout" | "stderr") =>
    ((chunk: string | Uint8Array, ...rest: Array<unknown>) => {
      captured[key] += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")
      const callback = rest.find((r): r is (error?: Error | null) => void => typeof r === "function")
      if (callback !== undefined) queueMicrotask(() => callback())
      return true
    }) as typeof process.stdout.write
  const append =
    (key: "stdout" | "stderr") =>
    (...args: Array<unknown>) => {
      captured[key] += `${args.map(String).join(" ")}\n`
    }
  return [
    vi.spyOn(process.stdout, "write").mockImplementation(sink("stdout")),
    vi.spyOn(process.stderr, "write").mockImplementation(sink("stderr")),
    ...(["log", "info", "debug"] as const).map((m) => vi.spyOn(console, m).mockImplementation(append("stdout"))),
    ...(["error", "warn"] as const).map((m) => vi.spyOn(console, m).mockImplementation(append("stderr")))
  ]
}

interface Outcome {
  /** None: the run did not end within the timeout. */
  readonly code: Option.Option<number>
  /** Connections the command opened to the emulator. */
  readonly connections: number
  /** Set when `Cli.run` itself failed or died (it must always succeed with a code). */
  readonly defect: string | undefined
  /** Method and path of every request the emulator received. */
  readonly requests: ReadonlyArray<string>
  readonly stdout: string
  readonly stderr: string
}

const runVector = (argv: ReadonlyArray<string>): Promise<Outcome> =>
  Effect.runPromise(
    Effect.gen(function* () {
      yield* server.emulator.clearRequests
      const before = relay.connections()
      captured.stdout = ""
      captured.stderr = ""
      const exit = yield* Cli.run(["node", "genesys-analytics", ...argv]).pipe(
        Effect.provide(environment),
        // Detached: a run stuck in an uninterruptible region still lets the timeout report it.
        Effect.disconnect,
        Effect.timeoutOption(VECTOR_TIMEOUT_MS),
        Effect.exit
      )
      const requests = (yield* server.emulator.requests).map((r) => `${r.method} ${r.path}`)
      return {
        code: Exit.isSuccess(exit) ? exit.value : Option.none(),
        defect: Exit.isFailure(exit) ? String(exit.cause) : undefined,
        connections: relay.connections() - before,
        requests,
        stdout: captured.stdout,
        stderr: captured.stderr
      }
    })
  )

const show = (argv: ReadonlyArray<string>) =>
  JSON.stringify(argv.map((a) => (a.length > 120 ? `${a.slice(0, 60)}…(${a.length} chars)` : a)))

const clip = (text: string) => {
  const t = text.trim()
  return t.length > 300 ? `${t.slice(0, 300)}…(${t.length} chars)` : t
}

const hasLoneSurrogate = (text: string) =>
  /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text)

/** The values given to `flag` in a vector, as `--flag value` or `--flag=value`. */
/**
 * Contract breaches already reported (issue 7, CLI reliability report), each matched narrowly so that any other
 * breach still fails the test. They are counted and printed; delete an entry once its bug is fixed.
 */
const knownBugs: ReadonlyArray<{
  readonly name: string
  readonly matches: (argv: ReadonlyArray<string>, o: Outcome) => boolean
}> = [
  // Emptied once the six reported breaches were fixed (deep --where nesting, non-Latin-1 credentials, job ids
  // checked locally, jobs results --page-size checked, a refused request exits 4, silent unclustered flags).
]

/** Why an outcome breaks the contract, or undefined when it keeps it. */
const violation = (argv: ReadonlyArray<string>, o: Outcome): string | undefined => {
  const sent = o.connections
  if (o.defect !== undefined) return `Cli.run failed instead of returning an exit code: ${clip(o.defect)}`
  if (Option.isNone(o.code)) return `no exit within ${VECTOR_TIMEOUT_MS} ms (${sent} requests so far)`
  const code = o.code.value
  if (![0, 1, 2, 3, 4].includes(code)) return `undocumented exit code ${code}`
  if (code === 1 && !(argv[0] === "audit" && argv[1] === "verify")) {
    return `exit 1 (an internal error) outside audit verify: ${clip(o.stderr)}`
  }
  // Bad input is refused before any request. The one exit 2 that follows a request is a credential the login
  // endpoint itself refuses as malformed (400), which no local check can know.
  // (Refused by the HTTP parser, such a request is answered without being routed, so the emulator records nothing.)
  const refusedLogin =
    o.requests.every((r) => r === "POST /oauth/token") && /Genesys refused the request/.test(o.stderr)
  if (code === 2 && sent > 0 && !refusedLogin) {
    return `exit 2 (bad input) after requests ${o.requests.join(", ")}: ${clip(o.stderr)}`
  }
  // A command that talks to Genesys cannot have succeeded without talking to it; `audit verify` (local) can, and so
  // can help, version and completions, which all print the command's name.
  const local = argv[0] === "audit" || o.stdout.includes("genesys-analytics") || o.stdout.trim() === "0.1.0"
  if (code === 0 && sent === 0 && !local) return `exit 0 without any request: ${clip(o.stdout)}`
  if ((code === 3 || code === 4) && sent === 0) return `exit ${code} without any request: ${clip(o.stderr)}`
  if (code !== 0 && o.stderr.trim() === "") return `exit ${code} with nothing on stderr`
  if (/^\s+at /m.test(o.stderr) || /^\s+at /m.test(o.stdout)) return `stack trace printed: ${clip(o.stderr)}`
  if (o.stdout.includes(SECRET) || o.stderr.includes(SECRET)) return "the client secret was printed"
  return undefined
}

const write = (name: string, text: string) => {
  const file = Path.join(root, name)
  Fs.writeFileSync(file, text)
  return file
}

/** Submits a job straight to the emulator (not through the command under test); it is fulfilled at once. */
const submitJob = async (interval: string): Promise<string> => {
  const basic = Buffer.from(`emulator-client:${SECRET}`).toString("base64")
  const token = (await fetch(`${relay.url}/oauth/token`, {
    method: "POST",
    headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
    body: "grant_type=client_credentials"
  }).then((r) => r.json())) as { access_token: string }
  const job = (await fetch(`${relay.url}/api/v2/analytics/conversations/details/jobs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token.access_token}`, "content-type": "application/json" },
    body: JSON.stringify({ interval })
  }).then((r) => r.json())) as { jobId: string }
  return job.jobId
}

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  server = await Effect.runPromise(
    Server.start({
      port: 0,
      seed: 11,
      days: 2,
      perDay: 12,
      jobs: { queueMillis: 0, runMillis: 0, runMillisPerConversation: 0 },
      rateLimit: { count: 1_000_000, windowSeconds: 60 }
    }).pipe(Scope.extend(scope))
  )
  relay = await Child.countingRelay(server)
  for (const key of Object.keys(process.env)) if (key.startsWith("GENESYS_")) delete process.env[key]
  Object.assign(process.env, {
    GENESYS_API_URL: relay.url,
    GENESYS_LOGIN_URL: relay.url,
    GENESYS_CLIENT_ID: "emulator-client",
    GENESYS_CLIENT_SECRET: SECRET
  })
  // Relative paths in the vectors land in the scratch directory.
  process.chdir(root)
  const start = Date.parse(`${Server.startDateEndingToday(Date.now(), 2)}T00:00:00.000Z`)
  const dataInterval = `${new Date(start).toISOString()}/${new Date(start + DAY).toISOString()}`
  Fs.mkdirSync(Path.join(root, "queries"))
  const intact = Path.join(root, "audit.jsonl")
  // An intact audit log, written by a real query before the faults are set.
  const spies = capture()
  const made = await runVector(["query", "--interval", dataInterval, "--audit", intact])
  assert.deepStrictEqual(made.code, Option.some(0), made.stderr)
  const jobId = await submitJob(dataInterval)
  const status = await runVector(["jobs", "status", jobId])
  for (const spy of spies) spy.mockRestore()
  assert.include(status.stdout, '"state":"FULFILLED"', status.stderr)
  const lines = Fs.readFileSync(intact, "utf8").split("\n")
  lines[1] = lines[1]!.replace(/"seq":\d+/, (m) => `${m}7`)
  fixtures = {
    dir: root,
    url: relay.url,
    dataInterval,
    queryFiles: [
      write(
        "queries/valid.json",
        JSON.stringify({ segmentFilters: [{ type: "or", predicates: [{ dimension: "mediaType", value: "voice" }] }] })
      ),
      write(
        "queries/refused.json",
        JSON.stringify({ segmentFilters: [{ type: "and", predicates: [{ dimension: "mediaTyp", value: "voice" }] }] })
      ),
      write("queries/with-interval.json", JSON.stringify({ interval: dataInterval, order: "asc" })),
      write("queries/bad-interval.json", JSON.stringify({ interval: "2026-01-06/2026-01-05" })),
      write("queries/not-json.json", "{ interval: "),
      write("queries/array.json", "[]"),
      write("queries/null.json", "null"),
      write("queries/deep.json", `${"[".repeat(100_000)}${"]".repeat(100_000)}`)
    ],
    secretFiles: [
      write("secret-right.txt", `${SECRET}\n`),
      write("secret-wrong.txt", "wrong\n"),
      write("secret-empty.txt", "")
    ],
    jobId,
    auditFiles: [intact, write("audit-tampered.jsonl", lines.join("\n")), write("audit-empty.jsonl", "")]
  }
  // From here on, a run that passed validation stops at its first job submission or sync query (401, exit 3).
  await Effect.runPromise(
    server.emulator.setFaults({
      script: [
        { method: "POST", path: "/api/v2/analytics/**", nth: 1, times: 1_000_000_000, fault: { kind: "revokeToken" } }
      ]
    })
  )
}, 60_000)

afterAll(async () => {
  process.chdir(savedCwd)
  for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key]
  Object.assign(process.env, savedEnv)
  await relay?.close()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  Fs.rmSync(root, { recursive: true, force: true })
})

describe("genesys-analytics under fuzzed argument vectors", () => {
  it(`${VECTORS} vectors in-process: documented exit codes, no defect, no hang, no request for bad input`, {
    timeout: 300_000 * Math.max(1, VECTORS / 2_000)
  }, async () => {
    const knownHits = new Map<string, number>()
    const codes = new Map<number | "none", number>()
    let slowest: readonly [number, string] = [0, ""]
    const spies = capture()
    const started = performance.now()
    try {
      await fc.assert(
        fc.asyncProperty(Args.argv(fixtures), async (argv) => {
          const t0 = performance.now()
          const outcome = await runVector(argv)
          if (performance.now() - t0 > slowest[0]) slowest = [performance.now() - t0, show(argv).slice(0, 160)]
          const code = Option.getOrElse(outcome.code, (): number | "none" => "none")
          codes.set(code, (codes.get(code) ?? 0) + 1)
          const problem = violation(argv, outcome)
          if (problem === undefined) return
          const known = knownBugs.find((bug) => bug.matches(argv, outcome))
          if (known === undefined) throw new Error(`${show(argv)}: ${problem}`)
          knownHits.set(known.name, (knownHits.get(known.name) ?? 0) + 1)
        }),
        { numRuns: VECTORS, seed: SEED, endOnFailure: true }
      )
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
    const summary = [...codes.entries()].map(([c, n]) => `exit ${c}: ${n}`).join(", ")
    // Every outcome must be reached, or the generators have drifted and the property proves little.
    for (const code of [0, 1, 2, 3, 4]) assert.isAbove(codes.get(code) ?? 0, 0, `no vector exited ${code} (${summary})`)
    assert.isAbove(codes.get(2)!, VECTORS / 2, summary)
    console.info(
      `fuzzed ${VECTORS} vectors in ${(performance.now() - started).toFixed(0)} ms, seed ${SEED}: ${summary}\n` +
        `slowest ${slowest[0].toFixed(0)} ms: ${slowest[1]}\n` +
        `known bugs met: ${[...knownHits.entries()].map(([n, c]) => `${n}: ${c}`).join("; ") || "none"}`
    )
  })
})

describe("genesys-analytics refuses bad input in a child process", () => {
  it(`${CHILD_VECTORS} refused vectors: exit 2, the same one line on stderr as in-process, nothing else`, {
    timeout: 180_000 * SOAK
  }, async () => {
    // Vectors a shell can pass (no NUL, no lone surrogate) and of a sane length, refused in-process before any request.
    const candidates = fc.sample(
      Args.argv(fixtures).filter(
        (v) => v.join("").length < 4_000 && v.every((t) => !t.includes("\0") && !hasLoneSurrogate(t))
      ),
      { numRuns: 400 * SOAK, seed: SEED }
    )
    const refused: Array<{ readonly argv: ReadonlyArray<string>; readonly stderr: string }> = []
    const spies = capture()
    try {
      for (const argv of candidates) {
        if (refused.length === CHILD_VECTORS) break
        const o = await runVector(argv)
        if (Option.getOrUndefined(o.code) === 2 && o.connections === 0 && o.stdout === "" && o.stderr.trim() !== "") {
          refused.push({ argv, stderr: o.stderr })
        }
      }
    } finally {
      for (const spy of spies) spy.mockRestore()
    }
    assert.lengthOf(refused, CHILD_VECTORS)
    const env = {
      GENESYS_API_URL: relay.url,
      GENESYS_LOGIN_URL: relay.url,
      GENESYS_CLIENT_ID: "emulator-client",
      GENESYS_CLIENT_SECRET: SECRET
    }
    const before = relay.connections()
    const results = await Child.mapLimit(refused, 2, ({ argv }) => Child.run(argv, { cwd: root, env }))
    for (const [i, result] of results.entries()) {
      const { argv, stderr } = refused[i]!
      const context = `${show(argv)}: ${result.stderr}`
      assert.strictEqual(result.code, 2, context)
      assert.strictEqual(result.stdout, "", context)
      assert.lengthOf(result.stderr.trim().split("\n"), 1, context)
      assert.notMatch(result.stderr, /^\s+at /m, context)
      assert.strictEqual(result.stderr, stderr, context)
    }
    assert.strictEqual(relay.connections() - before, 0, "a refused vector connected to the emulator")
  })
})
