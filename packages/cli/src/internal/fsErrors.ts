/** @internal */
import type * as PlatformError from "@effect/platform/Error"
import * as Cli from "./cliError.js"

// File-system failures reach the command wrapped in several layers (PlatformError, FileSinkError, SqlError, the
// library's ConfigInvalid for checkpoints). What a user can act on is the errno and the path, so those are dug out
// of the cause chain and put in the one-line message.

/** errno codes that mean "this path cannot be written": the user must change the path, space or permissions. */
const pathCodes = new Set(["ENOSPC", "EDQUOT", "EACCES", "EPERM", "EROFS", "ENOENT", "ENOTDIR", "EISDIR", "EFBIG"])

/** SQLite result codes (`SQLITE_FULL`, ...) and what they mean for a file. */
const sqliteCodes: Record<string, string> = {
  SQLITE_FULL: "ENOSPC",
  SQLITE_READONLY: "EROFS",
  SQLITE_READONLY_DIRECTORY: "EROFS",
  SQLITE_CANTOPEN: "ENOENT",
  SQLITE_PERM: "EACCES",
  SQLITE_IOERR_WRITE: "EIO",
  SQLITE_IOERR_FSYNC: "EIO"
}

const explanation: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOENT: "no such file or directory",
  ENOTDIR: "a parent is not a directory",
  EISDIR: "is a directory",
  EFBIG: "file too large",
  EIO: "input/output error"
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null

/**
 * Network errnos: a connection to Genesys that failed is not a file-system problem, though a `Transport` error
 * carries the system code (`ECONNREFUSED`, ...) since it names the cause.
 */
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "EPROTO"
])

/** The errno (`ENOSPC`, ...) somewhere in an error's cause chain, and the path it names if any. @internal */
export const find = (error: unknown): { readonly code: string; readonly path?: string | undefined } | undefined => {
  let current: unknown = error
  let path: string | undefined
  // Bounded: cause chains are short, and a cycle must not hang the error path.
  for (let depth = 0; depth < 8 && isRecord(current); depth++) {
    // The library's transport failures are about the network, whatever code they carry.
    if (current._tag === "Transport") return undefined
    if (typeof current.pathOrDescriptor === "string") path ??= current.pathOrDescriptor
    if (typeof current.path === "string") path ??= current.path
    for (const code of [current.errno, current.code]) {
      if (typeof code !== "string") continue
      if (/^E[A-Z]+$/.test(code) && !networkCodes.has(code)) return { code, path }
      const mapped = sqliteCodes[code] ?? (code.startsWith("SQLITE_IOERR") ? "EIO" : undefined)
      if (mapped !== undefined) return { code: mapped, path }
    }
    current = current.cause
  }
  // Some errors keep only text (the library's checkpoint store puts the platform's message in a string).
  const text = isRecord(error) && typeof error.message === "string" ? error.message : ""
  const named = /\b(ENOSPC|EDQUOT|EACCES|EPERM|EROFS|ENOENT|ENOTDIR|EISDIR|EFBIG|EIO)\b/.exec(text)
  return named === null ? undefined : { code: named[1]!, path }
}

/** "ENOSPC (no space left on device)". @internal */
export const describeCode = (code: string): string =>
  explanation[code] === undefined ? code : `${code} (${explanation[code]})`

/** Whether an error is a file-system condition the user must fix (disk full, permissions, missing directory). @internal */
export const isPathProblem = (error: unknown): boolean => {
  const found = find(error)
  return found !== undefined && (pathCodes.has(found.code) || found.code === "EIO")
}

/**
 * A file-system failure as a one-line message naming the path and errno, exit 2 (before any request) unless
 * `code` says otherwise.
 *
 * @internal
 */
export const toFailure = (
  error: PlatformError.PlatformError | unknown,
  context: string,
  code: number = Cli.ExitCode.usage
): Cli.CliFailure => {
  const found = find(error)
  const detail =
    found !== undefined
      ? `${describeCode(found.code)}${found.path !== undefined && !context.includes(found.path) ? ` at ${found.path}` : ""}`
      : isRecord(error) && typeof error.message === "string"
        ? error.message.split("\n")[0]!
        : String(error)
  return new Cli.CliFailure({ code, message: `${context}: ${detail}` })
}
