import { assert, describe, it } from "@effect/vitest"
import * as fc from "fast-check"
import type * as Record from "../src/ConversationRecord.js"
import * as Flatten from "../src/Flatten.js"
import { conversation, voiceCall } from "./FlattenFixtures.js"

type Conversation = Flatten.ConversationInput & { readonly participants?: ReadonlyArray<any> | undefined }

const nested = (c: Conversation): Flatten.Counts => {
  const participants = c.participants ?? []
  const sessions = participants.flatMap((p: any) => p.sessions ?? [])
  const flows = sessions.filter((s: any) => s.flow !== undefined)
  return {
    conversations: 1,
    participants: participants.length,
    participant_attributes: participants.reduce((n: number, p: any) => n + Object.keys(p.attributes ?? {}).length, 0),
    sessions: sessions.length,
    segments: sessions.reduce((n: number, s: any) => n + (s.segments ?? []).length, 0),
    session_metrics: sessions.reduce((n: number, s: any) => n + (s.metrics ?? []).length, 0),
    flows: flows.length,
    flow_outcomes: flows.reduce((n: number, s: any) => n + (s.flow.outcomes ?? []).length, 0),
    evaluations: (c.evaluations ?? []).length,
    surveys: (c.surveys ?? []).length,
    resolutions: (c.resolutions ?? []).length
  }
}

describe("Flatten", () => {
  it("defines every table with its primary key among its columns, keys first and non-null", () => {
    assert.deepStrictEqual(Flatten.tableNames, [
      "conversations",
      "participants",
      "participant_attributes",
      "sessions",
      "segments",
      "session_metrics",
      "flows",
      "flow_outcomes",
      "evaluations",
      "surveys",
      "resolutions"
    ])
    for (const table of Flatten.tables) {
      const names = table.columns.map((c) => c.name)
      assert.strictEqual(new Set(names).size, names.length, `${table.name} has duplicate columns`)
      for (const key of table.primaryKey) {
        assert.include(names, key)
        assert.isFalse(table.columns.find((c) => c.name === key)!.nullable)
      }
      for (const name of names) assert.match(name, /^[a-z][a-z0-9_]*$/)
      assert.strictEqual(table.primaryKey[0], "conversation_id")
    }
    const segments = Flatten.table("segments")
    assert.strictEqual(segments.columns.find((c) => c.name === "segment_end")!.type, "timestamp")
    assert.strictEqual(
      Flatten.table("conversations").columns.find((c) => c.name === "media_stats_min_conversation_r_factor")!.type,
      "real"
    )
  })

  it("flattens a voice call into rows per table with typed cells", () => {
    const flat = Flatten.flatten(voiceCall)
    assert.deepStrictEqual(Flatten.counts(flat), {
      conversations: 1,
      participants: 3,
      participant_attributes: 2,
      sessions: 3,
      segments: 4,
      session_metrics: 3,
      flows: 1,
      flow_outcomes: 1,
      evaluations: 0,
      surveys: 0,
      resolutions: 0
    })
    const conversationRow = flat.conversations[0]!
    assert.strictEqual(conversationRow.conversation_id, voiceCall.conversationId)
    assert.strictEqual(conversationRow.division_ids, `["d1"]`)
    assert.isNull(conversationRow.self_served)
    const wrapup = flat.segments.find((s) => s.segment_type === "wrapup")!
    assert.deepStrictEqual(
      [wrapup.participant_id, wrapup.session_id, wrapup.segment_end, wrapup.wrap_up_code],
      ["p-agent", "s-agent", null, "w1"]
    )
    assert.strictEqual(wrapup.segment_key, "s-agent|2024-05-01T10:06:00.000Z|wrapup|1")
    const handle = flat.session_metrics.find((m) => m.name === "tHandle")!
    assert.strictEqual(handle.value, 390000)
    assert.deepStrictEqual(
      flat.participant_attributes.map((a) => [a.participant_id, a.name, a.value]),
      [
        ["p-customer", "language", "en"],
        ["p-customer", "note", "line1\nline2"]
      ]
    )
    assert.strictEqual(flat.flow_outcomes[0]!.flow_outcome_value, "SUCCESS")
    for (const table of Flatten.tables) {
      for (const row of flat[table.name]) {
        assert.deepStrictEqual(
          Object.keys(row),
          table.columns.map((c) => c.name)
        )
      }
    }
  })

  it("keeps a segment's key when it gains its segmentEnd on re-extraction", () => {
    const before = Flatten.flatten(voiceCall)
    const after = Flatten.flatten({
      ...voiceCall,
      participants: voiceCall.participants.map((p) =>
        p.participantId !== "p-agent"
          ? p
          : {
              ...p,
              sessions: p.sessions.map((s) => ({
                ...s,
                segments: s.segments.map((seg) => ({ segmentEnd: "2024-05-01T10:07:30.000Z", ...seg }))
              }))
            }
      )
    })
    assert.deepStrictEqual(
      after.segments.map((s) => s.segment_key),
      before.segments.map((s) => s.segment_key)
    )
    assert.strictEqual(after.segments.find((s) => s.segment_type === "wrapup")!.segment_end, "2024-05-01T10:07:30.000Z")
  })

  it("synthesises keys for records without ids and converts loose cells", () => {
    const flat = Flatten.flatten({
      participants: [
        { sessions: [{ segments: [{}, {}], metrics: [{ name: "tTalk", value: "12" as any }] }] },
        { participantId: "#0", sessions: [{ sessionId: "s", recording: "true" as any }] }
      ]
    } as unknown as Flatten.ConversationInput)
    assert.strictEqual(flat.conversations[0]!.conversation_id, "#0")
    assert.deepStrictEqual(
      flat.participants.map((p) => p.participant_id),
      ["#0", "#0#1"]
    )
    assert.deepStrictEqual(
      flat.sessions.map((s) => s.session_id),
      ["#0#0", "s"]
    )
    assert.deepStrictEqual(
      flat.segments.map((s) => s.segment_key),
      ["#0#0|||1", "#0#0|||2"]
    )
    assert.strictEqual(flat.session_metrics[0]!.value, 12)
    assert.strictEqual(flat.sessions[1]!.recording, true)
  })

  it("property: keys are unique, flatten is deterministic, row counts match the nested counts", () => {
    fc.assert(
      fc.property(conversation, (c) => {
        const flat = Flatten.flatten(c)
        assert.deepStrictEqual(Flatten.counts(flat), nested(c))
        for (const table of Flatten.tables) {
          const keys = flat[table.name].map((row) => Flatten.primaryKeyOf(table, row))
          assert.strictEqual(new Set(keys).size, keys.length, `duplicate key in ${table.name}`)
          for (const row of flat[table.name]) for (const key of table.primaryKey) assert.isString(row[key])
        }
        // Same input (even a structurally equal copy) → the same rows.
        assert.deepStrictEqual(Flatten.flatten(JSON.parse(JSON.stringify(c))), flat)
      }),
      { numRuns: 300 }
    )
  })

  it("property: flattenAll is the concatenation of flatten per conversation", () => {
    fc.assert(
      fc.property(fc.array(conversation, { maxLength: 5 }), (cs) => {
        const all = Flatten.flattenAll(cs)
        const each = cs.map(Flatten.flatten)
        for (const name of Flatten.tableNames) {
          assert.deepStrictEqual(
            all[name],
            each.flatMap((f) => f[name])
          )
        }
        assert.deepStrictEqual(
          Flatten.counts(all),
          each.map(Flatten.counts).reduce(Flatten.addCounts, Flatten.zeroCounts)
        )
      }),
      { numRuns: 100 }
    )
  })
})

describe("Flatten input types", () => {
  it("accepts the decoded record types of both the sync query and jobs", () => {
    const job: Record.AnalyticsConversation = {
      conversationId: "c1",
      participants: [{ participantId: "p", attributes: { a: "1" } }]
    }
    const sync: Record.AnalyticsConversationWithoutAttributes = { conversationId: "c2" }
    assert.strictEqual(Flatten.flattenAll([job, sync]).participant_attributes.length, 1)
  })
})
