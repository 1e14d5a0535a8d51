import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { UserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))
const pkg = (name: string) => path.join(root, "packages", name, "src")

// Tests run against the TypeScript sources of sibling packages, not their build output.
export const shared: UserConfig = {
  resolve: {
    alias: [
      { find: /^@effect-genesys\/(analytics|emulator|sql|cli|test-postgres)$/, replacement: `${pkg("$1")}/index.ts` },
      { find: /^@effect-genesys\/(analytics|emulator|sql|cli|test-postgres)\/(.+)$/, replacement: `${pkg("$1")}/$2.ts` }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: [path.join(root, "vitest.setup.ts")],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
}

// How the files are scheduled. Without a root vitest config, vitest runs every file of every project in one worker
// on a 2-core machine (its default is one worker fewer than the cores) and re-imports Effect and the sources for each
// file in a fresh module graph: about a second per file before its first test. Two groups instead, run side by side
// (a pool each, one worker each):
//
// - `inProcess` (analytics, emulator, sql, bench): a worker thread that runs a project's files one after another
//   without resetting the module graph between them (`isolate: false`), so the sources are imported once per
//   project. Mocks are still restored and the setup file still runs before every file.
// - `childProcesses` (cli): a forked worker (the fuzz suite changes the working directory, which a thread cannot),
//   its files one after another in one module graph as well; these files mostly wait on the built command in child
//   processes, which leaves the other core to the in-process worker.
export const inProcess: UserConfig = {
  test: { pool: "threads", poolOptions: { threads: { singleThread: true, isolate: false } } }
}

export const childProcesses: UserConfig = {
  test: { pool: "forks", poolOptions: { forks: { singleFork: true, isolate: false } } }
}
