/** @internal */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Cli from "./cliError.js"
import type * as Output from "./output.js"

// Why this exists: a file sink writes `<out>.partial` and renames it over `<out>` at the end. As root, renaming over
// `/dev/null` (or any device node) replaces the device with a regular file, and opening a FIFO blocks until someone
// reads it. So every path an output will create or replace must be a regular file, or not exist yet; a directory
// output (CSV) must be a directory. This runs before any request.

const kindName: Record<FileSystem.File.Type, string> = {
  File: "a regular file",
  Directory: "a directory",
  SymbolicLink: "a symbolic link",
  BlockDevice: "a block device",
  CharacterDevice: "a character device",
  FIFO: "a FIFO (named pipe)",
  Socket: "a socket",
  Unknown: "not a regular file"
}

/** The type of what is at `path` (symbolic links followed), or none when nothing is there. @internal */
export const typeOf = (
  fs: FileSystem.FileSystem,
  path: string
): Effect.Effect<Option.Option<FileSystem.File.Type>, Cli.CliFailure> =>
  fs.stat(path).pipe(
    Effect.map((info) => Option.some(info.type)),
    Effect.catchAll((e) =>
      e._tag === "SystemError" && e.reason === "NotFound"
        ? Effect.succeed(Option.none<FileSystem.File.Type>())
        : Effect.fail(Cli.usage(`cannot inspect ${path}: ${e.message}`))
    )
  )

const mustBe = (
  fs: FileSystem.FileSystem,
  path: string,
  expected: "File" | "Directory",
  flag: string,
  hint: string
): Effect.Effect<void, Cli.CliFailure> =>
  Effect.flatMap(typeOf(fs, path), (type) =>
    Option.isNone(type) || type.value === expected
      ? Effect.void
      : Effect.fail(
          Cli.usage(
            `${flag} ${path} is ${kindName[type.value]}, not ${expected === "File" ? "a regular file" : "a directory"}: ${hint}`
          )
        )
  )

const fileHint = (format: string) =>
  `--format ${format} writes a file, so give the path of a new or regular file (nothing was sent)`

const trimSlash = (path: string) => (/^[\\/]+$/.test(path) ? path : path.replace(/[\\/]+$/, ""))

/**
 * Checks that every path the output will create or replace is a regular file or new (ndjson: the file and its
 * `.partial`; sqlite: the database and its journal files; csv: the directory and each table's files). Exit 2.
 *
 * @internal
 */
export const check = (
  output: Output.Output,
  tables: ReadonlyArray<string>,
  partialSuffix: string
): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    if (Option.isNone(output.target)) return
    const fs = yield* FileSystem.FileSystem
    const target = output.target.value
    switch (output.format) {
      case "ndjson": {
        for (const path of [target, `${target}${partialSuffix}`]) {
          yield* mustBe(fs, path, "File", "--out", fileHint("ndjson"))
        }
        return
      }
      case "sqlite": {
        for (const path of [target, `${target}-wal`, `${target}-shm`, `${target}-journal`]) {
          yield* mustBe(fs, path, "File", "--out", fileHint("sqlite"))
        }
        return
      }
      case "csv": {
        const directory = trimSlash(target)
        yield* mustBe(
          fs,
          directory,
          "Directory",
          "--out",
          "--format csv writes one file per table into a directory, so give a new or existing directory (nothing was sent)"
        )
        for (const table of tables) {
          for (const path of [`${directory}/${table}.csv`, `${directory}/${table}.csv${partialSuffix}`]) {
            yield* mustBe(fs, path, "File", "--out", "each table's CSV file must be a regular file (nothing was sent)")
          }
        }
        return
      }
      case "postgres":
        return
    }
  })

/** Checks that `--checkpoint` is a directory or a new path. @internal */
export const checkCheckpoint = (directory: string): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    mustBe(fs, trimSlash(directory), "Directory", "--checkpoint", "give a directory for the plan and checkpoints")
  )

/** Checks that a file the command writes besides the output (e.g. `--quarantine`) is a regular file or new. @internal */
export const checkFile = (path: string, flag: string): Effect.Effect<void, Cli.CliFailure, FileSystem.FileSystem> =>
  Effect.flatMap(FileSystem.FileSystem, (fs) =>
    mustBe(fs, path, "File", flag, "give the path of a new or regular file (nothing was sent)")
  )
