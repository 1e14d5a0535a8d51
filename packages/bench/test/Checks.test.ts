/**
 * The checks' report section: figures and a failed check are shown, and a run without check results still says
 * which unit tests the checks replaced. (The checks themselves run in `npm run bench`, not here: their bounds are
 * on time and heap, which a unit suite cannot measure reliably.)
 */
import { assert, describe, it } from "@effect/vitest"
import * as Checks from "../src/checks.js"
import * as Report from "../src/report.js"

const results: Report.Results = {
  command: "test",
  mode: "quick",
  generatedAt: new Date(0).toISOString(),
  durationSeconds: 0,
  scenarioSeconds: {},
  machine: {
    nproc: 2,
    cpuModel: "test",
    memoryGiB: 1,
    node: "v20",
    platform: "test",
    loadAverage: { start: 0, end: 0 }
  }
}

describe("bench checks in the report", () => {
  it("renders each check with its bound, figures, origin and a visible failure", () => {
    const md = Report.markdown({
      ...results,
      checks: [
        { name: "heap", movedFrom: "Memory.test.ts: heap", bound: "< 150 MB", measured: "12 MB", passed: true },
        { name: "time", movedFrom: "GroundTruth.test.ts: time", bound: "< 10 s", measured: "11 s", passed: false }
      ]
    })
    assert.include(md, "## Checks")
    assert.include(md, "| heap | Memory.test.ts: heap | < 150 MB | 12 MB | passed |")
    assert.include(md, "| time | GroundTruth.test.ts: time | < 10 s | 11 s | **FAILED** |")
  })

  it("without check results, lists every check and the unit test it replaced", () => {
    const md = Report.markdown(results)
    assert.include(md, "This run has no check results")
    for (const check of Checks.moved) assert.include(md, `| ${check.check} | ${check.movedFrom} |`)
    assert.include(md, "packages/analytics/test/Memory.test.ts")
  })
})
