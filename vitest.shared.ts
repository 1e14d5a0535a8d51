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
