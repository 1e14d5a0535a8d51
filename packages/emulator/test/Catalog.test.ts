import { assert, describe, it } from "@effect/vitest"
import * as Catalog from "../src/Catalog.js"
import * as Generator from "../src/Generator.js"

describe("Catalog", () => {
  it("is stable per seed and differs between seeds", () => {
    const a = Catalog.make(5)
    const b = Catalog.make(5)
    const c = Catalog.make(6)
    assert.strictEqual(JSON.stringify(a.queues), JSON.stringify(b.queues))
    assert.strictEqual(JSON.stringify(a.users), JSON.stringify(b.users))
    assert.notStrictEqual(a.queues[0]!.id, c.queues[0]!.id)
  })

  it("is internally consistent: every user, team and queue points at known entities", () => {
    const cat = Catalog.make(9)
    const divisions = new Set(cat.divisions.map((d) => d.id))
    const teams = new Set(cat.teams.map((t) => t.id))
    for (const q of cat.queues) {
      assert.isTrue(divisions.has(q.divisionId))
      assert.isTrue(cat.usersOfQueue(q.id).length > 0)
      assert.strictEqual(cat.queueById(q.id), q)
    }
    for (const u of cat.users) {
      assert.isTrue(teams.has(u.teamId))
      for (const q of u.queueIds) assert.isDefined(cat.queueById(q))
    }
    const ids = [...cat.queues, ...cat.users, ...cat.wrapUpCodes, ...cat.flows, ...cat.divisions, ...cat.teams].map(
      (x) => x.id
    )
    assert.strictEqual(new Set(ids).size, ids.length)
  })

  it("is what generated conversations refer to", () => {
    const ds = Generator.make({ seed: 9, days: 1, perDay: 200 })
    for (let i = 0; i < ds.size; i++) {
      const c = ds.conversation(i)
      for (const d of c.divisionIds) assert.isTrue(ds.catalog.divisions.some((x) => x.id === d))
      for (const p of c.participants) {
        if (p.userId !== undefined) assert.isDefined(ds.catalog.userById(p.userId))
        for (const s of p.sessions) {
          for (const g of s.segments) {
            if (g.queueId !== undefined) assert.isDefined(ds.catalog.queueById(g.queueId))
            if (g.wrapUpCode !== undefined) assert.isDefined(ds.catalog.wrapUpCodeById(g.wrapUpCode))
          }
        }
      }
    }
  })
})
