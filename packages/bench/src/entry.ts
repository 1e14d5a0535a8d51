/**
 * Where the child-process entries are: the built `dist` files, also when this module runs from `src`
 * under vitest (children are plain Node processes and cannot load TypeScript).
 *
 * @since 0.1.0
 */
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const here = Path.dirname(fileURLToPath(import.meta.url))

/** The absolute path of a built entry such as `contender.js`; throws if the package is not built. @since 0.1.0 */
export const distEntry = (file: string): string => {
  const dir = Path.basename(here) === "src" ? Path.join(here, "..", "dist") : here
  const path = Path.join(dir, file)
  if (!Fs.existsSync(path))
    throw new Error(`${path} is missing: build packages/bench first (npx tsc -b packages/bench)`)
  return path
}
