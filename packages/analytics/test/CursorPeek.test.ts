// The cursor read from a results page's bytes before the page is read: an outermost `cursor` only, before or after
// the records, and never a cursor the page does not carry.
import { assert, describe, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { peekCursor } from "../src/internal/details/cursorPeek.js"
import * as Hostile from "./HostileHttp.js"
import { jsonPiece, splice } from "./JsonPieces.js"
import { resultsPage } from "./PageArbitrary.js"

const encoder = new TextEncoder()

/** A record carrying a `cursor` of its own, nested at the depth a participant's attributes are. */
const decoy = (i: number) =>
  Hostile.conversation(i, { participants: [{ purpose: "customer", attributes: { cursor: `decoy-${i}` } }] })

const layouts = {
  "records first": (cursor: string | undefined, records: ReadonlyArray<unknown>) => ({
    conversations: records,
    ...(cursor !== undefined ? { cursor } : {}),
    dataAvailabilityDate: "2026-01-06T00:00:00.000Z"
  }),
  "cursor first": (cursor: string | undefined, records: ReadonlyArray<unknown>) => ({
    ...(cursor !== undefined ? { cursor } : {}),
    dataAvailabilityDate: "2026-01-06T00:00:00.000Z",
    conversations: records
  })
}

describe("peekCursor", () => {
  it("finds the outermost cursor after the records and before them, past records that carry a cursor of their own", () => {
    const records = [decoy(1), decoy(2)]
    for (const [name, layout] of Object.entries(layouts)) {
      for (const pretty of [undefined, 2]) {
        const text = JSON.stringify(layout("c-42", records), null, pretty)
        assert.strictEqual(peekCursor(encoder.encode(text)), "c-42", `${name}, pretty ${pretty}`)
        const last = JSON.stringify(layout(undefined, records), null, pretty)
        assert.isUndefined(peekCursor(encoder.encode(last)), `${name} without a cursor, pretty ${pretty}`)
      }
    }
  })

  it("leaves a cursor with an escape, one between the records, and a body with a byte order mark to the read", () => {
    const records = [Hostile.conversation(1)]
    assert.isUndefined(peekCursor(encoder.encode(JSON.stringify(layouts["records first"]('a"b', records)))))
    const between = { a: [1], cursor: "c", b: [2] }
    assert.isUndefined(peekCursor(encoder.encode(JSON.stringify(between))))
    const text = `\ufeff${JSON.stringify(layouts["cursor first"]("c", records))}`
    assert.strictEqual(peekCursor(encoder.encode(text)), "c")
  })

  it("never fails: small bodies, a key at the end of the bytes it looks at first, an empty cursor", () => {
    const filler = "x".repeat(4096 - 20)
    const bodies = [
      "{}",
      '{"a":1}',
      '{"ok":1}',
      "",
      "{",
      `{"f":"${filler}","ab":1,"conversations":[]}`,
      '{"conversations":[],"cursor":""}',
      '{"cursor":"","conversations":[]}'
    ]
    for (const body of bodies) assert.isUndefined(peekCursor(encoder.encode(body)), body.slice(-40))
  })

  it.prop(
    "on any page JSON.stringify writes, the cursor it finds is the page's",
    [resultsPage, fc.constantFrom(...Object.values(layouts)), fc.boolean(), fc.nat(3)],
    ([page, layout, pretty, decoys]) => {
      const records = [...(page.conversations ?? []), ...Array.from({ length: decoys }, (_, i) => decoy(i))]
      const text = JSON.stringify(layout(page.cursor, records), null, pretty ? 1 : undefined)
      const found = peekCursor(encoder.encode(text))
      // Found whenever it is not empty and carries no escape; never another one.
      if (page.cursor !== undefined && page.cursor !== "" && JSON.stringify(page.cursor) === `"${page.cursor}"`) {
        assert.strictEqual(found, page.cursor)
      } else if (found !== undefined) assert.strictEqual(found, page.cursor)
      else assert.isUndefined(found)
    },
    { fastCheck: { numRuns: 100 } }
  )

  it.prop(
    "on a spliced page, a cursor it finds is the one JSON.parse reads, or the text is not JSON",
    [fc.array(fc.tuple(fc.nat(400), fc.nat(3), jsonPiece), { minLength: 1, maxLength: 3 }), fc.boolean()],
    ([edits, cursorFirst]) => {
      const layout = cursorFirst ? layouts["cursor first"] : layouts["records first"]
      const text = splice(JSON.stringify(layout("next-page", [decoy(1), Hostile.conversation(2)])), edits)
      const found = peekCursor(encoder.encode(text))
      if (found === undefined) return
      let parsed: unknown
      try {
        parsed = JSON.parse(text.replace(/^\ufeff/, ""))
      } catch {
        return
      }
      assert.strictEqual(found, (parsed as { cursor?: unknown }).cursor)
    },
    { fastCheck: { numRuns: 300 } }
  )
})
