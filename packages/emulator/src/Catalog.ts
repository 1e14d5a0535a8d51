/**
 * The org's stable reference data (divisions, teams, queues, users, wrap-up codes, flows, forms), derived
 * from the seed alone so that every conversation of a dataset points at the same entities.
 *
 * @since 0.1.0
 */
import { Rng, stableUuid } from "./internal/data/random.js"

/** @since 0.1.0 */
export interface Division {
  readonly id: string
  readonly name: string
}

/** @since 0.1.0 */
export interface Team {
  readonly id: string
  readonly name: string
  readonly divisionId: string
}

/** Media a queue routes. @since 0.1.0 */
export type QueueMedia = "voice" | "chat" | "email" | "message" | "callback"

/** @since 0.1.0 */
export interface Queue {
  readonly id: string
  readonly name: string
  readonly divisionId: string
  readonly media: ReadonlyArray<QueueMedia>
  readonly skillIds: ReadonlyArray<string>
}

/** @since 0.1.0 */
export interface User {
  readonly id: string
  readonly name: string
  readonly email: string
  readonly teamId: string
  readonly divisionId: string
  readonly queueIds: ReadonlyArray<string>
}

/** @since 0.1.0 */
export interface WrapUpCode {
  readonly id: string
  readonly name: string
}

/** @since 0.1.0 */
export interface Flow {
  readonly id: string
  readonly name: string
  readonly flowType: "INBOUNDCALL" | "INBOUNDCHAT" | "INBOUNDEMAIL" | "INBOUNDSHORTMESSAGE"
  readonly version: string
  readonly divisionId: string
  readonly outcomes: ReadonlyArray<{ readonly id: string; readonly name: string }>
}

/** @since 0.1.0 */
export interface Form {
  readonly id: string
  readonly contextId: string
  readonly name: string
}

/** @since 0.1.0 */
export interface Catalog {
  readonly seed: number
  readonly divisions: ReadonlyArray<Division>
  readonly teams: ReadonlyArray<Team>
  readonly queues: ReadonlyArray<Queue>
  readonly users: ReadonlyArray<User>
  readonly wrapUpCodes: ReadonlyArray<WrapUpCode>
  readonly flows: ReadonlyArray<Flow>
  readonly skills: ReadonlyArray<{ readonly id: string; readonly name: string }>
  readonly languages: ReadonlyArray<{ readonly id: string; readonly name: string }>
  readonly evaluationForms: ReadonlyArray<Form>
  readonly surveyForms: ReadonlyArray<Form>
  readonly knowledgeBaseIds: ReadonlyArray<string>
  /** The users that can take interactions from a queue (never empty). */
  readonly usersOfQueue: (queueId: string) => ReadonlyArray<User>
  readonly queueById: (id: string) => Queue | undefined
  readonly userById: (id: string) => User | undefined
  readonly wrapUpCodeById: (id: string) => WrapUpCode | undefined
}

const divisionNames = ["Home", "Retail", "Business", "Collections"]
const queueDefs: ReadonlyArray<readonly [string, number, ReadonlyArray<QueueMedia>]> = [
  ["Sales", 1, ["voice", "chat", "callback"]],
  ["Support Tier 1", 1, ["voice", "chat", "message", "callback"]],
  ["Support Tier 2", 1, ["voice", "email"]],
  ["Billing", 0, ["voice", "email", "message"]],
  ["Business Accounts", 2, ["voice", "email", "chat"]],
  ["Collections", 3, ["voice", "callback"]],
  ["Retentions", 0, ["voice", "chat"]],
  ["Social Care", 1, ["message", "chat"]],
  ["Email Desk", 0, ["email"]],
  ["Technical Escalations", 2, ["voice", "email", "message"]]
]
const wrapUpNames = [
  "Resolved",
  "Information Provided",
  "Callback Requested",
  "Escalated",
  "Sale Completed",
  "No Sale",
  "Billing Dispute",
  "Payment Taken",
  "Wrong Number",
  "Complaint",
  "Technical Issue",
  "Cancellation",
  "Follow-up Required",
  "Account Update",
  "ININ-WRAP-UP-TIMEOUT"
]
const firstNames = [
  "Ava",
  "Liam",
  "Mia",
  "Noah",
  "Emma",
  "Lucas",
  "Sofia",
  "Mateo",
  "Chloe",
  "Ethan",
  "Zoe",
  "Aria",
  "Leo",
  "Nora",
  "Omar",
  "Priya",
  "Ravi",
  "Yuki",
  "Hana",
  "Jonas",
  "Elena",
  "Marco",
  "Ines",
  "Tomas"
]
const lastNames = [
  "Smith",
  "Garcia",
  "Chen",
  "Patel",
  "Müller",
  "Rossi",
  "Kim",
  "Nguyen",
  "Silva",
  "Novak",
  "Dubois",
  "Okafor",
  "Larsen",
  "Haddad",
  "Tanaka",
  "Murphy",
  "Ivanova",
  "Costa"
]
const skillNames = ["English", "Spanish", "French", "Billing", "Technical", "Premium", "Retention", "Sales"]
const languageNames = ["english", "spanish", "french", "german"]
const flowDefs: ReadonlyArray<readonly [string, Flow["flowType"]]> = [
  ["Main IVR", "INBOUNDCALL"],
  ["After Hours IVR", "INBOUNDCALL"],
  ["Payments IVR", "INBOUNDCALL"],
  ["Web Chat Router", "INBOUNDCHAT"],
  ["Email Router", "INBOUNDEMAIL"],
  ["Messaging Router", "INBOUNDSHORTMESSAGE"]
]
const outcomeNames = ["Authenticated", "PaymentMade", "BalanceHeard", "MenuCompleted", "IntentCaptured"]

const teamsOf = (seed: number, divisions: ReadonlyArray<Division>): Array<Team> => {
  const teams: Array<Team> = []
  for (let k = 0; k < 8; k++) {
    teams.push({
      id: stableUuid(seed, "team", k),
      name: `Team ${String.fromCharCode(65 + k)}`,
      divisionId: divisions[k % divisions.length]!.id
    })
  }
  return teams
}

const queuesOf = (
  seed: number,
  divisions: ReadonlyArray<Division>,
  skills: ReadonlyArray<{ readonly id: string }>
): Array<Queue> =>
  queueDefs.map(([name, div, media], k) => ({
    id: stableUuid(seed, "queue", k),
    name,
    divisionId: divisions[div]!.id,
    media,
    skillIds: [skills[k % skills.length]!.id, ...(k % 3 === 0 ? [skills[(k + 3) % skills.length]!.id] : [])]
  }))

// The only random draws of the catalog (names); everything else follows from the index, so adding an
// entity kind never reshuffles the users of an existing seed.
const usersOf = (
  seed: number,
  count: number,
  teams: ReadonlyArray<Team>,
  queues: ReadonlyArray<Queue>
): Array<User> => {
  const rng = new Rng(seed, 0, 0xca7a)
  const users: Array<User> = []
  for (let k = 0; k < count; k++) {
    const first = rng.pick(firstNames)
    const last = rng.pick(lastNames)
    const team = teams[k % teams.length]!
    const q1 = queues[k % queues.length]!
    const q2 = queues[(k * 7 + 3) % queues.length]!
    users.push({
      id: stableUuid(seed, "user", k),
      name: `${first} ${last}`,
      email: `${first}.${last}.${k}@example.com`.toLowerCase().replace("ü", "u"),
      teamId: team.id,
      divisionId: team.divisionId,
      queueIds: q1.id === q2.id ? [q1.id] : [q1.id, q2.id]
    })
  }
  return users
}

const flowsOf = (seed: number, divisions: ReadonlyArray<Division>): Array<Flow> =>
  flowDefs.map(([name, flowType], k) => ({
    id: stableUuid(seed, "flow", k),
    name,
    flowType,
    version: `${1 + (hashSmall(seed, k) % 9)}.0`,
    divisionId: divisions[0]!.id,
    outcomes: outcomeNames
      .filter((_, o) => (o + k) % 2 === 0 || o === 0)
      .map((outcome, o) => ({ id: stableUuid(seed, `outcome-${k}`, o), name: outcome }))
  }))

const formOf = (seed: number, kind: string, name: string, k: number): Form => ({
  id: stableUuid(seed, kind, k),
  contextId: stableUuid(seed, `${kind}-context`, k),
  name
})

/** Users by queue; a queue nobody was assigned to gets one user, so routing always finds an agent. */
const usersByQueue = (
  seed: number,
  queues: ReadonlyArray<Queue>,
  users: ReadonlyArray<User>
): Map<string, Array<User>> => {
  const byQueue = new Map<string, Array<User>>()
  for (const q of queues) byQueue.set(q.id, [])
  for (const u of users) for (const q of u.queueIds) byQueue.get(q)!.push(u)
  for (const [q, list] of byQueue) if (list.length === 0) list.push(users[hashSmall(seed, q.length) % users.length]!)
  return byQueue
}

/**
 * Build the catalog for a seed. Pure and cheap (a few hundred entities); call it once per dataset.
 *
 * @since 0.1.0
 */
export const make = (seed: number, options?: { readonly users?: number }): Catalog => {
  const divisions = divisionNames.map((name, k) => ({ id: stableUuid(seed, "division", k), name }))
  const skills = skillNames.map((name, k) => ({ id: stableUuid(seed, "skill", k), name }))
  const languages = languageNames.map((name, k) => ({ id: stableUuid(seed, "language", k), name }))
  const teams = teamsOf(seed, divisions)
  const queues = queuesOf(seed, divisions, skills)
  const users = usersOf(seed, options?.users ?? 60, teams, queues)
  const wrapUpCodes = wrapUpNames.map((name, k) => ({ id: stableUuid(seed, "wrapup", k), name }))
  const byQueue = usersByQueue(seed, queues, users)
  const queueIndex = new Map(queues.map((q) => [q.id, q]))
  const userIndex = new Map(users.map((u) => [u.id, u]))
  const wrapIndex = new Map(wrapUpCodes.map((w) => [w.id, w]))
  return {
    seed,
    divisions,
    teams,
    queues,
    users,
    wrapUpCodes,
    flows: flowsOf(seed, divisions),
    skills,
    languages,
    evaluationForms: [formOf(seed, "evalform", "Quality Standard", 0), formOf(seed, "evalform", "Compliance Check", 1)],
    surveyForms: [formOf(seed, "surveyform", "Post-contact CSAT", 0), formOf(seed, "surveyform", "NPS Pulse", 1)],
    knowledgeBaseIds: [stableUuid(seed, "kb", 0), stableUuid(seed, "kb", 1)],
    usersOfQueue: (id) => byQueue.get(id) ?? users,
    queueById: (id) => queueIndex.get(id),
    userById: (id) => userIndex.get(id),
    wrapUpCodeById: (id) => wrapIndex.get(id)
  }
}

const hashSmall = (seed: number, k: number): number => ((seed * 31 + k * 17) >>> 0) % 1000
