/** @internal */
import type * as PlatformError from "@effect/platform/Error"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import * as Os from "node:os"
import * as Cli from "./cliError.js"
import * as FsErrors from "./fsErrors.js"

// One writer per output: two runs appending to one `.partial` file (or upserting one database while each believes
// it owns the checkpoint) corrupt each other, and one may then report success. A lock file created with O_EXCL
// beside the output names its holder; it is removed when the command ends. A lock left by a process that died
// (SIGKILL, power loss) on this host is taken over, since its pid is gone; one from another host cannot be checked.

const FORMAT = "genesys-analytics/lock"

/** Who holds a lock. @internal */
export interface Holder {
  readonly format: typeof FORMAT
  readonly pid: number
  readonly host: string
  readonly startedAt: string
}

const parse = (text: string): Option.Option<Holder> => {
  try {
    const u = JSON.parse(text) as Partial<Holder>
    return u.format === FORMAT &&
      typeof u.pid === "number" &&
      Number.isSafeInteger(u.pid) &&
      typeof u.host === "string" &&
      typeof u.startedAt === "string"
      ? Option.some(u as Holder)
      : Option.none()
  } catch {
    return Option.none()
  }
}

/** Whether a process with this pid runs on this host (EPERM: it exists but belongs to someone else). @internal */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** The lock file of a path: `<path>.lock` beside it (a trailing slash of a directory dropped). @internal */
export const lockFileOf = (path: string): string => `${/^[\\/]+$/.test(path) ? path : path.replace(/[\\/]+$/, "")}.lock`

/** Removes temporary lock files (`<lock>.<pid>.tmp`) of processes that died between writing and linking them. */
const removeDeadTemps = (fs: FileSystem.FileSystem, lockFile: string, alive: (pid: number) => boolean) =>
  Effect.gen(function* () {
    const slash = Math.max(lockFile.lastIndexOf("/"), lockFile.lastIndexOf("\\"))
    const directory = slash < 0 ? "." : slash === 0 ? "/" : lockFile.slice(0, slash)
    const base = lockFile.slice(slash + 1)
    const entries = yield* fs.readDirectory(directory)
    for (const entry of entries) {
      const match = entry.startsWith(`${base}.`) ? /^\.(\d+)\.tmp$/.exec(entry.slice(base.length)) : null
      if (match !== null && !alive(Number(match[1]))) yield* Effect.ignore(fs.remove(`${directory}/${entry}`))
    }
  }).pipe(Effect.ignore)

const describeHolder = (h: Holder) =>
  `pid ${h.pid}${h.host === Os.hostname() ? "" : ` on host ${h.host}`}, started at ${h.startedAt}`

/**
 * Takes the lock file `lockFile` for `what` (e.g. `--out q1.ndjson`) for the current scope; fails with exit 2
 * naming the holder when another live process has it. `notice` receives the message when a stale lock is taken over.
 *
 * @internal
 */
export const acquire = (
  lockFile: string,
  what: string,
  notice: (message: string) => Effect.Effect<void>,
  options: { readonly isAlive?: (pid: number) => boolean; readonly host?: string } = {}
): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem | Scope.Scope> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const alive = options.isAlive ?? isAlive
    const host = options.host ?? Os.hostname()
    const now = yield* Clock.currentTimeMillis
    const mine: Holder = { format: FORMAT, pid: process.pid, host, startedAt: new Date(now).toISOString() }
    const text = `${JSON.stringify(mine)}\n`
    const failed = (e: PlatformError.PlatformError) =>
      e._tag === "SystemError" && e.reason === "AlreadyExists"
        ? Effect.succeed(false)
        : Effect.fail(FsErrors.toFailure(e, `cannot lock ${what}: cannot create ${lockFile}`))
    // The lock must appear with its holder already written: a process killed between creating an empty lock and
    // writing it would leave a lock nobody can judge. So the holder goes to a temporary file first, which is then
    // hard-linked to the lock's name (atomic, and failing if the name exists). Where hard links are not supported,
    // an O_EXCL create is the fallback.
    const temp = `${lockFile}.${process.pid}.tmp`
    const viaLink = Effect.acquireUseRelease(
      fs.writeFileString(temp, text),
      () => fs.link(temp, lockFile),
      () => Effect.ignore(fs.remove(temp))
    )
    const create = viaLink.pipe(
      Effect.as(true),
      Effect.catchAll((e) =>
        e._tag === "SystemError" && e.reason === "AlreadyExists"
          ? Effect.succeed(false)
          : fs.writeFileString(lockFile, text, { flag: "wx" }).pipe(Effect.as(true), Effect.catchAll(failed))
      )
    )
    yield* removeDeadTemps(fs, lockFile, alive)
    // Two attempts at most: the second only after removing a stale lock, and losing that race to another process
    // that took it over first is reported like any other holder.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (yield* create) {
        yield* Effect.addFinalizer(() =>
          // Only our own lock is removed: if it was taken over meanwhile, it belongs to someone else.
          fs.readFileString(lockFile).pipe(
            Effect.flatMap((current) => (current === text ? fs.remove(lockFile) : Effect.void)),
            Effect.ignore
          )
        )
        return
      }
      const current = yield* fs.readFileString(lockFile).pipe(Effect.orElseSucceed(() => ""))
      const holder = parse(current)
      if (Option.isNone(holder)) {
        // Empty: another process created it a moment ago and is writing its name, or one crashed right then.
        return yield* Cli.usage(
          `${what} is locked by ${lockFile}, which names no holder; if no extraction is writing it, remove ${lockFile}`
        )
      }
      const h = holder.value
      if (h.host !== host || alive(h.pid) || attempt > 0) {
        return yield* Cli.usage(
          `${what} is in use by another extraction (${describeHolder(h)}); wait for it to end, or use another path. ` +
            `If that process is gone, remove ${lockFile}`
        )
      }
      // Re-read just before removing, so a lock renewed since the first read is not removed.
      const again = yield* fs.readFileString(lockFile).pipe(Effect.orElseSucceed(() => ""))
      if (again !== current) continue
      yield* notice(`taking over the lock of ${what} left by ${describeHolder(h)}, which is no longer running`)
      yield* fs.remove(lockFile).pipe(Effect.ignore)
    }
    return yield* Cli.usage(`${what} is in use by another extraction; see ${lockFile}`)
  })
