/** Path → route. Hand-written (a few string comparisons) because it runs on every request. */

export type Route =
  | { readonly _tag: "Token" }
  | { readonly _tag: "Query" }
  | { readonly _tag: "Jobs" }
  | { readonly _tag: "Availability" }
  | { readonly _tag: "Job"; readonly jobId: string }
  | { readonly _tag: "JobResults"; readonly jobId: string }
  | { readonly _tag: "Conversation"; readonly conversationId: string }
  | { readonly _tag: "MultiGet" }
  | { readonly _tag: "AggregateQuery" }
  | { readonly _tag: "AggregateJobs" }
  | { readonly _tag: "AggregateJob"; readonly jobId: string }
  | { readonly _tag: "AggregateJobResults"; readonly jobId: string }
  | { readonly _tag: "List"; readonly kind: "wrapupcodes" | "queues" | "users" }
  | { readonly _tag: "Channels" }
  | { readonly _tag: "Channel"; readonly channelId: string }
  | { readonly _tag: "Subscriptions"; readonly channelId: string }
  | { readonly _tag: "AvailableTopics" }
  | { readonly _tag: "Limits"; readonly namespace: string }

export interface Matched {
  readonly route: Route
  /** Methods the path accepts (for 405). */
  readonly allow: ReadonlyArray<string>
}

const DETAILS = "/api/v2/analytics/conversations/details"
const CONVERSATIONS = "/api/v2/analytics/conversations/"
const AGGREGATES = "/api/v2/analytics/conversations/aggregates"
const NOTIFICATIONS = "/api/v2/notifications/"
const LIMITS = "/api/v2/organizations/limits/namespaces/"

const param = (segment: string): string | undefined => {
  if (segment === "") return undefined
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}

/** The route of a path, or `undefined` (404). */
export const match = (path: string): Matched | undefined => {
  if (path === "/oauth/token") return { route: { _tag: "Token" }, allow: ["POST"] }
  if (path === DETAILS) return { route: { _tag: "MultiGet" }, allow: ["GET"] }
  if (path === "/api/v2/routing/wrapupcodes") return { route: { _tag: "List", kind: "wrapupcodes" }, allow: ["GET"] }
  if (path === "/api/v2/routing/queues") return { route: { _tag: "List", kind: "queues" }, allow: ["GET"] }
  if (path === "/api/v2/users") return { route: { _tag: "List", kind: "users" }, allow: ["GET"] }
  if (path.startsWith(LIMITS)) {
    const namespace = param(path.slice(LIMITS.length))
    return namespace === undefined || namespace.includes("/")
      ? undefined
      : { route: { _tag: "Limits", namespace }, allow: ["GET"] }
  }
  if (path.startsWith(NOTIFICATIONS)) {
    const parts = path.slice(NOTIFICATIONS.length).split("/")
    if (parts.length === 1 && parts[0] === "availabletopics")
      return { route: { _tag: "AvailableTopics" }, allow: ["GET"] }
    if (parts[0] !== "channels") return undefined
    if (parts.length === 1) return { route: { _tag: "Channels" }, allow: ["GET", "POST"] }
    const channelId = param(parts[1] ?? "")
    if (channelId === undefined) return undefined
    if (parts.length === 2) return { route: { _tag: "Channel", channelId }, allow: ["HEAD", "GET", "DELETE"] }
    if (parts.length === 3 && parts[2] === "subscriptions") {
      return { route: { _tag: "Subscriptions", channelId }, allow: ["GET", "POST", "PUT", "DELETE"] }
    }
    return undefined
  }
  if (path.startsWith(`${AGGREGATES}/`)) {
    const rest = path.slice(AGGREGATES.length + 1)
    if (rest === "query") return { route: { _tag: "AggregateQuery" }, allow: ["POST"] }
    if (rest === "jobs") return { route: { _tag: "AggregateJobs" }, allow: ["POST"] }
    if (rest.startsWith("jobs/")) {
      const parts = rest.slice(5).split("/")
      const jobId = param(parts[0] ?? "")
      if (jobId === undefined) return undefined
      if (parts.length === 1) return { route: { _tag: "AggregateJob", jobId }, allow: ["GET", "DELETE"] }
      if (parts.length === 2 && parts[1] === "results") {
        return { route: { _tag: "AggregateJobResults", jobId }, allow: ["GET"] }
      }
    }
    return undefined
  }
  if (path.startsWith(`${DETAILS}/`)) {
    const rest = path.slice(DETAILS.length + 1)
    if (rest === "query") return { route: { _tag: "Query" }, allow: ["POST"] }
    if (rest === "jobs") return { route: { _tag: "Jobs" }, allow: ["POST"] }
    if (rest.startsWith("jobs/")) {
      const parts = rest.slice(5).split("/")
      // `availability` has the shape of a job id, so it is matched first.
      if (parts.length === 1 && parts[0] === "availability") return { route: { _tag: "Availability" }, allow: ["GET"] }
      const jobId = param(parts[0] ?? "")
      if (jobId === undefined) return undefined
      if (parts.length === 1) return { route: { _tag: "Job", jobId }, allow: ["GET", "DELETE"] }
      if (parts.length === 2 && parts[1] === "results") return { route: { _tag: "JobResults", jobId }, allow: ["GET"] }
    }
    return undefined
  }
  if (path.startsWith(CONVERSATIONS)) {
    const parts = path.slice(CONVERSATIONS.length).split("/")
    if (parts.length === 2 && parts[1] === "details") {
      const conversationId = param(parts[0] ?? "")
      if (conversationId !== undefined) return { route: { _tag: "Conversation", conversationId }, allow: ["GET"] }
    }
  }
  return undefined
}
