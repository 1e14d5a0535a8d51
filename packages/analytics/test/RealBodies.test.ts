// Real query bodies from public sources (Genesys docs, blog and data actions, SDK-based tools, production connectors),
// each with the platform's known verdict: the validator must refuse none that Genesys runs and accept none that it
// refuses. Sources and the substitutions made for placeholders are recorded beside each body in the fixture.
import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import * as QueryValidator from "@effect-genesys/analytics/QueryValidator"
import { Either } from "effect"

interface RealBody {
  readonly id: string
  readonly endpoint: "query" | "job"
  readonly source: { readonly repo: string | null; readonly url: string | null }
  readonly verdict: "accepted" | "rejected"
  readonly body: unknown
}

const corpus: ReadonlyArray<RealBody> = JSON.parse(
  fs.readFileSync(path.join(import.meta.dirname, "fixtures", "real-bodies.json"), "utf8")
)

const check = (real: RealBody) =>
  real.endpoint === "query" ? QueryValidator.checkQuery(real.body) : QueryValidator.checkAsyncQuery(real.body)

describe("real bodies", () => {
  it("the corpus holds at least 25 accepted bodies from public sources, queries and jobs", () => {
    const accepted = corpus.filter((b) => b.verdict === "accepted")
    assert.isAtLeast(accepted.length, 25)
    assert.isAtLeast(accepted.filter((b) => b.endpoint === "job").length, 5)
    for (const real of corpus) assert.isTrue(real.source.repo !== null || real.source.url !== null, real.id)
    assert.strictEqual(new Set(corpus.map((b) => b.id)).size, corpus.length)
  })

  for (const real of corpus) {
    it(`${real.id} (${real.endpoint}): ${real.verdict}`, () => {
      const checked = check(real)
      if (real.verdict === "accepted") {
        assert.isTrue(
          Either.isRight(checked.result),
          Either.isLeft(checked.result) ? checked.result.left.message : "accepted"
        )
      } else {
        assert.isTrue(Either.isLeft(checked.result), "a body Genesys refuses passed the validator")
      }
    })
  }
})
