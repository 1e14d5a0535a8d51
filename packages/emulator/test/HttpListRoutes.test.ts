/** The directory list endpoints: the catalog's names in the platform's list envelope, paged. */
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Emulator from "../src/Emulator.js"

const get = (emu: Emulator.Service, token: string, url: string) =>
  Effect.map(emu.handleRaw({ method: "GET", url, headers: { authorization: `Bearer ${token}` }, body: "" }), (raw) => ({
    status: raw.status,
    body: JSON.parse(raw.body!) as any
  }))

const readAll = (emu: Emulator.Service, token: string, path: string, pageSize: number) =>
  Effect.gen(function* () {
    const names: Array<string> = []
    let pageNumber = 1
    let pageCount = 1
    do {
      const r = yield* get(emu, token, `${path}?pageSize=${pageSize}&pageNumber=${pageNumber}`)
      assert.strictEqual(r.status, 200)
      assert.strictEqual(r.body.pageSize, pageSize)
      assert.strictEqual(r.body.pageNumber, pageNumber)
      assert.isAtMost(r.body.entities.length, pageSize)
      pageCount = r.body.pageCount
      assert.strictEqual(pageCount, Math.ceil(r.body.total / pageSize))
      assert.strictEqual(r.body.nextUri !== undefined, pageNumber < pageCount)
      assert.strictEqual(r.body.previousUri !== undefined, pageNumber > 1)
      assert.strictEqual(r.body.selfUri, `${path}?pageSize=${pageSize}&pageNumber=${pageNumber}`)
      for (const e of r.body.entities) {
        assert.isString(e.id)
        names.push(e.name)
      }
      pageNumber++
    } while (pageNumber <= pageCount)
    return names
  })

describe("list endpoints", () => {
  it.effect("wrap-up codes, queues and users: every catalog name once, over pages", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10 })
      const token = yield* emu.issueToken
      const catalog = emu.dataset.catalog
      const sorted = (xs: ReadonlyArray<{ name: string }>) => xs.map((x) => x.name).sort()
      assert.deepStrictEqual(yield* readAll(emu, token, "/api/v2/routing/wrapupcodes", 4), sorted(catalog.wrapUpCodes))
      assert.deepStrictEqual(yield* readAll(emu, token, "/api/v2/routing/queues", 3), sorted(catalog.queues))
      assert.deepStrictEqual(yield* readAll(emu, token, "/api/v2/users", 7), sorted(catalog.users))
      const first = yield* get(emu, token, "/api/v2/users")
      assert.strictEqual(first.body.pageSize, 25)
      assert.strictEqual(first.body.pageNumber, 1)
      const user = first.body.entities[0]
      assert.strictEqual(user.division.id, catalog.userById(user.id)!.divisionId)
    })
  )

  it.effect("name and id filters; 400 for a bad page size or number", () =>
    Effect.gen(function* () {
      const emu = yield* Emulator.make({ days: 1, perDay: 10 })
      const token = yield* emu.issueToken
      const code = emu.dataset.catalog.wrapUpCodes[0]!
      const exact = yield* get(
        emu,
        token,
        `/api/v2/routing/wrapupcodes?name=${encodeURIComponent(code.name.toUpperCase())}`
      )
      assert.deepStrictEqual(
        exact.body.entities.map((e: any) => e.id),
        [code.id]
      )
      const wild = yield* get(emu, token, "/api/v2/routing/queues?name=support*")
      assert.deepStrictEqual(
        wild.body.entities.map((e: any) => e.name),
        ["Support Tier 1", "Support Tier 2"]
      )
      const none = yield* get(emu, token, "/api/v2/routing/queues?name=nothing")
      assert.strictEqual(none.body.total, 0)
      assert.strictEqual(none.body.pageCount, 0)
      const users = emu.dataset.catalog.users.slice(0, 2)
      const byId = yield* get(emu, token, `/api/v2/users?id=${users.map((u) => u.id).join(",")}`)
      assert.deepStrictEqual(byId.body.entities.map((e: any) => e.id).sort(), users.map((u) => u.id).sort())
      for (const q of ["pageSize=501", "pageSize=0", "pageNumber=x"]) {
        const r = yield* get(emu, token, `/api/v2/routing/queues?${q}`)
        assert.strictEqual(r.status, 400, q)
        assert.strictEqual(r.body.code, "bad.request")
      }
    })
  )
})
