// Keeps the guides in docs/ honest: an example in a guide sits after `<!-- docs:<name> -->` in a ```ts block, and
// the test that runs it holds the same code between `// docs:<name>` and `// /docs`. `check` asserts both match.
import * as fs from "node:fs"
import * as path from "node:path"
import { assert } from "@effect/vitest"

const dedent = (text: string) => {
  const lines = text.replace(/^\n+|\s+$/g, "").split("\n")
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.match(/^ */)![0].length))
  return lines.map((l) => l.slice(indent)).join("\n")
}

/** The examples of `docs/<guide>` and the regions of the test file `testFile`, by name. */
export const docExamples = (guide: string, testFile: string) => {
  const markdown = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "..", "docs", guide), "utf8")
  const self = fs.readFileSync(testFile, "utf8")
  const regions = new Map(
    [...self.matchAll(/\/\/ docs:([a-z-]+)\n([\s\S]*?)\n\s*\/\/ \/docs/g)].map((m) => [m[1]!, dedent(m[2]!)] as const)
  )
  const examples = new Map(
    [...markdown.matchAll(/<!-- docs:([a-z-]+) -->\n```ts\n([\s\S]*?)\n```/g)].map(
      (m) => [m[1]!, dedent(m[2]!)] as const
    )
  )
  return {
    markdown,
    regions: [...regions.keys()],
    /** Asserts every example of the guide is a region of the test, verbatim; returns the example names. */
    check: (minimum: number): ReadonlyArray<string> => {
      assert.isAtLeast(examples.size, minimum, `${guide} has fewer examples than expected`)
      for (const [name, code] of examples) assert.strictEqual(code, regions.get(name), `${guide} example ${name}`)
      return [...examples.keys()]
    }
  }
}
