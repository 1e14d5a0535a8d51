import { assert, describe, it } from "@effect/vitest"
import * as PageBuffers from "../src/internal/http/pageBuffers.js"

describe("page buffers", () => {
  it("a buffer given back serves a later page of up to its size; one still lent is never handed out again", () => {
    const first = PageBuffers.take(1_000)
    const second = PageBuffers.take(1_000)
    assert.notStrictEqual(first.buffer, second.buffer)
    PageBuffers.giveBack(first)
    const third = PageBuffers.take(1_100)
    assert.strictEqual(third.buffer, first.buffer, "the spare buffer has room for a page a little larger")
    assert.strictEqual(third.length, 1_100)
    const fourth = PageBuffers.take(1_000)
    assert.notStrictEqual(fourth.buffer, third.buffer)
    assert.notStrictEqual(fourth.buffer, second.buffer)
  })

  it("a buffer given back twice is spare once, and bytes it never lent are ignored", () => {
    const page = PageBuffers.take(500)
    const before = PageBuffers.spareCount()
    PageBuffers.giveBack(page)
    PageBuffers.giveBack(page)
    PageBuffers.giveBack(new Uint8Array(500))
    assert.strictEqual(PageBuffers.spareCount(), before + 1)
    const a = PageBuffers.take(500)
    const b = PageBuffers.take(500)
    assert.notStrictEqual(a.buffer, b.buffer)
  })
})
