import { assert, describe, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as Generator from "../src/Generator.js"

const swagger = JSON.parse(
  fs.readFileSync(
    path.join(path.dirname(fileURLToPath(import.meta.url)), "../../analytics/scripts/openapi-subset.json"),
    "utf8"
  )
) as { definitions: Record<string, { properties: Record<string, SwaggerProp> }> }
interface SwaggerProp {
  readonly type?: string
  readonly format?: string
  readonly enum?: ReadonlyArray<string>
  readonly $ref?: string
  readonly items?: SwaggerProp
  readonly additionalProperties?: SwaggerProp
}

const isoRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/

/** Check a value against a swagger definition: known field names, types, enums, date-time format. */
const validate = (value: unknown, def: string, at: string, errors: Array<string>): void => {
  const props = swagger.definitions[def]!.properties
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    const prop = props[key]
    if (prop === undefined) {
      errors.push(`${at}.${key}: not in ${def}`)
      continue
    }
    validateProp(v, prop, `${at}.${key}`, errors)
  }
}
const validateProp = (v: unknown, prop: SwaggerProp, at: string, errors: Array<string>): void => {
  if (prop.$ref !== undefined) {
    validate(v, prop.$ref.replace("#/definitions/", ""), at, errors)
    return
  }
  switch (prop.type) {
    case "array":
      if (!Array.isArray(v)) errors.push(`${at}: not an array`)
      else {
        for (let k = 0; k < v.length; k++) validateProp(v[k], prop.items!, `${at}[${k}]`, errors)
      }
      return
    case "string":
      if (typeof v !== "string") errors.push(`${at}: not a string`)
      else if (prop.enum !== undefined && !prop.enum.includes(v)) errors.push(`${at}: ${v} not in enum`)
      else if (prop.format === "date-time" && !isoRe.test(v)) errors.push(`${at}: bad date-time ${v}`)
      return
    case "integer":
      if (!Number.isInteger(v)) errors.push(`${at}: not an integer`)
      return
    case "number":
      if (typeof v !== "number") errors.push(`${at}: not a number`)
      return
    case "boolean":
      if (typeof v !== "boolean") errors.push(`${at}: not a boolean`)
      return
    case "object":
      if (typeof v !== "object" || v === null) errors.push(`${at}: not an object`)
      return
  }
}

const dataset = Generator.make({ seed: 42, startDate: "2026-03-02", days: 14, perDay: 400 })
const ms = (s: string | undefined) => Date.parse(s!)

describe("Generator", () => {
  it("hourShare: a day's hours add up to its weekday's volume, business hours above the night", () => {
    const monday = Date.parse("2026-01-05T00:00:00.000Z")
    const sunday = Date.parse("2026-01-04T00:00:00.000Z")
    const dayTotal = (start: number) =>
      Array.from({ length: 24 }, (_, h) => Generator.hourShare(start + h * 3_600_000)).reduce((a, b) => a + b, 0)
    assert.closeTo(dayTotal(monday), 1.2, 1e-9)
    assert.closeTo(dayTotal(sunday), 0.35, 1e-9)
    assert.isAbove(Generator.hourShare(monday + 10 * 3_600_000), 10 * Generator.hourShare(monday + 3 * 3_600_000))
  })

  it("is deterministic: same seed, identical JSON; another seed differs", () => {
    const again = Generator.make({ seed: 42, startDate: "2026-03-02", days: 14, perDay: 400 })
    const other = Generator.make({ seed: 43, startDate: "2026-03-02", days: 14, perDay: 400 })
    for (const i of [0, 1, 17, 999, dataset.size - 1]) {
      assert.strictEqual(JSON.stringify(again.conversation(i)), JSON.stringify(dataset.conversation(i)))
      assert.notStrictEqual(JSON.stringify(other.conversation(i)), JSON.stringify(dataset.conversation(i)))
    }
  })

  it("is pure by index: the order of generation does not matter", () => {
    const forward = Array.from({ length: 50 }, (_, k) => JSON.stringify(dataset.conversation(k * 7)))
    const fresh = Generator.make(dataset.options)
    for (let k = 49; k >= 0; k--) assert.strictEqual(JSON.stringify(fresh.conversation(k * 7)), forward[k])
  })

  it("has the requested volume with a weekday and business-hours shape", () => {
    assert.strictEqual(dataset.size, 400 * 14)
    // 2026-03-02 is a Monday; day 5 is Saturday
    const monday = dataset.dayRange(0)
    const saturday = dataset.dayRange(5)
    assert.isTrue(monday.to - monday.from > 1.5 * (saturday.to - saturday.from))
    let business = 0
    for (let i = monday.from; i < monday.to; i++) {
      const h = new Date(dataset.startMillis(i)).getUTCHours()
      if (h >= 8 && h < 18) business++
    }
    assert.isTrue(business > 0.6 * (monday.to - monday.from))
  })

  it("orders starts by index, and startMillis/endMillis/conversationId agree with the record", () => {
    let previous = -Infinity
    for (let i = 0; i < dataset.size; i += 3) {
      const s = dataset.startMillis(i)
      assert.isTrue(s >= previous)
      previous = s
      if (i % 30 === 0) {
        const c = dataset.conversation(i)
        assert.strictEqual(ms(c.conversationStart), s)
        assert.strictEqual(ms(c.conversationEnd), dataset.endMillis(i))
        assert.strictEqual(c.conversationId, dataset.conversationId(i))
        assert.isTrue(dataset.endMillis(i) - s <= Generator.maxDurationMillis)
      }
    }
    assert.strictEqual(dataset.lowerBound(dataset.startMillis(100)), dataset.lowerBound(dataset.startMillis(100)))
    assert.isTrue(dataset.startMillis(dataset.lowerBound(dataset.startMillis(100))) === dataset.startMillis(100))
  })

  it("gives unique UUID-shaped ids that map back to their index", () => {
    const seen = new Set<string>()
    for (let i = 0; i < dataset.size; i++) {
      const id = dataset.conversationId(i)
      assert.match(id, uuidRe)
      seen.add(id)
      if (i % 97 === 0) assert.strictEqual(dataset.indexOfId(id), i)
    }
    assert.strictEqual(seen.size, dataset.size)
    assert.isUndefined(dataset.indexOfId("00000000-0000-4000-8000-000000000000"))
    assert.isUndefined(dataset.indexOfId("not-an-id"))
    assert.isUndefined(Generator.make({ ...dataset.options, seed: 5 }).indexOfId(dataset.conversationId(3)))
  })

  it("emits records valid against the swagger (names, types, enums, timestamps)", () => {
    const errors: Array<string> = []
    for (let i = 0; i < dataset.size; i += 5)
      validate(dataset.conversation(i), "AnalyticsConversation", `#${i}`, errors)
    assert.deepStrictEqual(errors.slice(0, 10), [])
  })

  it("covers the contact-center vocabulary", () => {
    const purposes = new Set<string>()
    const media = new Set<string>()
    const segmentTypes = new Set<string>()
    const disconnects = new Set<string>()
    let abandoned = 0
    let transfers = 0
    let evaluations = 0
    let surveys = 0
    let conferences = 0
    for (let i = 0; i < 3000; i++) {
      const c = dataset.conversation(i)
      if (c.conferenceStart !== undefined) conferences++
      evaluations += c.evaluations?.length ?? 0
      surveys += c.surveys?.length ?? 0
      for (const p of c.participants) {
        purposes.add(p.purpose)
        for (const s of p.sessions) {
          media.add(s.mediaType)
          for (const m of s.metrics) {
            if (m.name === "tAbandon") abandoned++
            if (m.name === "nTransferred") transfers++
          }
          for (const g of s.segments) {
            segmentTypes.add(g.segmentType)
            if (g.disconnectType) disconnects.add(g.disconnectType)
          }
        }
      }
    }
    for (const p of ["customer", "ivr", "acd", "agent", "external", "workflow"]) assert.isTrue(purposes.has(p), p)
    for (const m of ["voice", "chat", "email", "message", "callback"]) assert.isTrue(media.has(m), m)
    for (const t of ["ivr", "interact", "alert", "hold", "wrapup", "dialing", "contacting"])
      assert.isTrue(segmentTypes.has(t), t)
    for (const d of ["transfer", "consultTransfer", "conferenceTransfer", "peer", "endpoint", "client"]) {
      assert.isTrue(disconnects.has(d), d)
    }
    assert.isTrue(abandoned > 30 && transfers > 30 && evaluations > 30 && surveys > 30 && conferences > 5)
  })

  it("keeps session metrics consistent with segment timings", () => {
    for (let i = 0; i < dataset.size; i += 7) {
      const c = dataset.conversation(i)
      let minStart = Infinity
      let maxEnd = -Infinity
      for (const p of c.participants) {
        for (const s of p.sessions) {
          const sum = (type: string) =>
            s.segments
              .filter((g) => g.segmentType === type)
              .reduce((a, g) => a + ms(g.segmentEnd) - ms(g.segmentStart), 0)
          const metric = (name: string) => {
            const ms = s.metrics.filter((m) => m.name === name)
            return ms.length === 0 ? undefined : ms.reduce((a, m) => a + m.value, 0)
          }
          for (const g of s.segments) {
            assert.isTrue(ms(g.segmentEnd) >= ms(g.segmentStart))
            minStart = Math.min(minStart, ms(g.segmentStart))
            maxEnd = Math.max(maxEnd, ms(g.segmentEnd))
          }
          for (const m of s.metrics) {
            assert.match(m.emitDate, isoRe)
            assert.isTrue(ms(m.emitDate) >= ms(c.conversationStart) && ms(m.emitDate) <= ms(c.conversationEnd))
          }
          if (p.purpose === "agent") {
            const talk = sum("interact")
            const held = sum("hold")
            const acw = sum("wrapup")
            assert.strictEqual(metric("tTalk") ?? 0, talk)
            assert.strictEqual(metric("tTalkComplete") ?? 0, talk)
            assert.strictEqual(metric("tHeld") ?? 0, held)
            assert.strictEqual(metric("tAcw") ?? 0, acw)
            assert.strictEqual(metric("tHandle"), talk + held + acw)
            assert.strictEqual(metric("tAlert") ?? 0, sum("alert"))
          }
          if (p.purpose === "acd") {
            assert.strictEqual(metric("nOffered"), 1)
            assert.strictEqual(metric("tAcd"), sum("interact"))
            assert.strictEqual((metric("tAnswered") ?? 0) + (metric("tAbandon") ?? 0), sum("interact"))
          }
          if (p.purpose === "ivr") assert.strictEqual(metric("tIvr"), sum("ivr"))
        }
      }
      assert.strictEqual(minStart, ms(c.conversationStart))
      assert.strictEqual(maxEnd, ms(c.conversationEnd))
    }
  })

  it("puts participant attributes only in the job shape", () => {
    const c = dataset.conversation(12)
    assert.isTrue(c.participants.some((p) => p.attributes !== undefined))
    const without = Generator.withoutAttributes(c)
    assert.isTrue(without.participants.every((p) => !("attributes" in p)))
    assert.strictEqual(without.conversationId, c.conversationId)
  })
})
