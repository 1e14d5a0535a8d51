// What an extraction says when it does not end cleanly: reconciliation outside its threshold (exit 4 instead of 0)
// and the interruption lines (where it stopped, the exact command to resume).
import type * as Extraction from "@effect-genesys/analytics/Extraction"
import { assert, describe, it } from "@effect/vitest"
import * as ReconcileCheck from "../src/internal/reconcileCheck.js"
import * as Stopped from "../src/internal/stopped.js"

// Cast: only the fields the check reads matter, and the report type grows with the library.
const window = (interval: string, expected: number, extracted: number): Extraction.WindowReport =>
  ({
    id: interval,
    kind: "job",
    interval,
    provisional: false,
    conversations: extracted,
    pages: 1,
    resubmissions: 0,
    duplicates: 0,
    foreign: 0,
    latencyMillis: 1,
    resumed: false,
    reconciliation: { expected, extracted, accuracy: expected === 0 ? (extracted === 0 ? 1 : 0) : extracted / expected }
  }) as Extraction.WindowReport
const report = (windows: ReadonlyArray<Extraction.WindowReport>) => ({ windows }) as unknown as Extraction.Report

describe("ReconcileCheck", () => {
  it("accepts equal counts and refuses any difference at the default threshold, on either side", () => {
    assert.deepStrictEqual(ReconcileCheck.shortfalls(report([window("d1", 40, 40), window("d2", 0, 0)]), 1), [])
    const low = ReconcileCheck.shortfalls(report([window("d1", 40, 38), window("d2", 10, 11)]), 1)
    assert.deepStrictEqual(
      low.map((s) => s.interval),
      ["d1", "d2"]
    )
    assert.strictEqual(
      ReconcileCheck.message(low, 1),
      "reconciliation failed: d1 has 38 conversations, the sync query counts 40 (95.00 %, threshold 100.00 %) " +
        "(and 1 more window); the output is not exact"
    )
  })

  it("a lower threshold accepts differences within it, exactly at the bound", () => {
    assert.deepStrictEqual(ReconcileCheck.shortfalls(report([window("d1", 100, 95)]), 0.95), [])
    assert.strictEqual(ReconcileCheck.shortfalls(report([window("d1", 100, 94)]), 0.95).length, 1)
  })
})

describe("Stopped.interruptedLines", () => {
  it("says how far the run got and prints the command to resume, quoted for a shell", () => {
    const lines = Stopped.interruptedLines({
      progress: { windowsDone: 2, windows: 5, pages: 7, conversations: 340, elapsedMillis: 1000 },
      partialNote: " (partial output in q1.ndjson.partial)",
      checkpoint: ".cp",
      argv: [
        "node",
        "bin.js",
        "extract",
        "--interval",
        "last-2-days",
        "--where",
        "mediaType = voice",
        "--checkpoint",
        ".cp"
      ]
    })
    assert.deepStrictEqual(lines, [
      "interrupted after 2/5 windows, 340 conversations written (partial output in q1.ndjson.partial)",
      "to resume, run the same command again: genesys-analytics extract --interval last-2-days --where 'mediaType = voice' --checkpoint .cp"
    ])
  })

  it("without a checkpoint says the run cannot resume", () => {
    const lines = Stopped.interruptedLines({
      progress: undefined,
      partialNote: "",
      checkpoint: undefined,
      argv: ["node", "bin.js", "extract", "--interval", "it's"]
    })
    assert.strictEqual(lines[0], "interrupted before the first page was written")
    assert.strictEqual(
      lines[1],
      "without --checkpoint this run cannot resume; run it again from the start: genesys-analytics extract --interval 'it'\\''s'"
    )
  })
})
