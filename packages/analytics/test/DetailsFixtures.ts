// A scripted GenesysHttp and an in-memory audit log for the unit tests of the internal/details parts: each test
// says what the platform answers, and reads back what was asked and what was audited.
import { Headers, type HttpClientRequest } from "@effect/platform"
import { Effect } from "effect"
import type { AuditEventInput, AuditLog } from "../src/AuditLog.js"
import type { HttpError } from "../src/GenesysError.js"
import type * as GenesysHttp from "../src/GenesysHttp.js"

/** One request the fake saw: method, URL, URL params, body (as JSON) and the options passed with it. */
export interface SeenRequest {
  readonly method: string
  readonly url: string
  readonly params: Readonly<Record<string, string>>
  readonly body: unknown
  readonly options: GenesysHttp.RequestOptions
}

/** What the fake answers to a request: a body (decoded as-is), or a failure. */
export type Answer = (request: SeenRequest) => Effect.Effect<unknown, HttpError>

const seenOf = (request: HttpClientRequest.HttpClientRequest, options: GenesysHttp.RequestOptions): SeenRequest => ({
  method: request.method,
  url: request.url,
  params: Object.fromEntries(request.urlParams.map(([k, v]) => [k, v])),
  body: request.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(request.body.body)) : undefined,
  options
})

const noContent: GenesysHttp.Response = { status: 204, headers: Headers.empty, body: "", correlationId: undefined }

/** A GenesysHttp that answers with `answer`, records every request and applies `check` like the real one. */
export const fakeHttp = (answer: Answer) => {
  const seen: Array<SeenRequest> = []
  const http: GenesysHttp.Service = {
    execute: (request, options) =>
      Effect.suspend(() => {
        const s = seenOf(request, options)
        seen.push(s)
        return Effect.as(answer(s), noContent)
      }),
    json: (request, _schema, options) =>
      Effect.suspend(() => {
        const s = seenOf(request, options)
        seen.push(s)
        return answer(s) as Effect.Effect<never, HttpError>
      })
  }
  return { http, seen }
}

/** An audit log keeping its events in an array. */
export const memoryAudit = () => {
  const events: Array<AuditEventInput> = []
  const audit: AuditLog["Type"] = {
    record: (event) => Effect.sync(() => void events.push(event)),
    seal: () => Effect.succeed("sealed"),
    head: Effect.succeed("head")
  }
  return { audit, events }
}
