/**
 * Our library on the aggregates endpoints as an application uses it: `ConversationAggregates.rows` over
 * `FetchHttpClient` (the floor's transport), the query validated before it is sent, every response decoded with the
 * Schemas, the default HTTP, pacing and poll policies, an in-memory audit log. The flows are one call each:
 * `rows(query)` (one sync query), `rows(query, { maxSpan })` (split on bucket boundaries, stitched) and
 * `rows(query, { via: "job" })` (one job, awaited, every page).
 *
 * @since 0.3.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import * as AuditLog from "@effect-genesys/analytics/AuditLog"
import * as ConversationAggregates from "@effect-genesys/analytics/ConversationAggregates"
import * as GenesysConfig from "@effect-genesys/analytics/GenesysConfig"
import type { AggregateContenderInput, AggregateOutcome, AggregateTask } from "../aggregatesProtocol.js"
import { Cells } from "../aggregatesProtocol.js"

/** The library's aggregates service over `fetch`; `counter` counts the 429 answers it receives. @since 0.3.0 */
export const layer = (endpoint: AggregateContenderInput["endpoint"], counter: { rateLimited: number }) => {
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      HttpClient.tap((response) =>
        Effect.sync(() => {
          if (response.status === 429) counter.rateLimited++
        })
      )
    )
  ).pipe(Layer.provide(FetchHttpClient.layer))
  const deps = Layer.mergeAll(
    GenesysConfig.layer({
      apiUrl: endpoint.url,
      loginUrl: endpoint.url,
      clientId: endpoint.clientId,
      clientSecret: endpoint.clientSecret
    }),
    AuditLog.layerMemory({ actor: endpoint.clientId, region: "emulator" }),
    http
  )
  return Layer.provide(ConversationAggregates.layer, deps)
}

const options = (task: AggregateTask): ConversationAggregates.RowsOptions | undefined => {
  switch (task.flow) {
    case "query":
      return undefined
    case "split":
      return { maxSpan: `${task.splitHours} hours` }
    case "job":
      return { via: "job" }
  }
}

const flow = (task: AggregateTask, counter: { rateLimited: number }) =>
  Effect.gen(function* () {
    const aggregates = yield* ConversationAggregates.ConversationAggregates
    const cells = new Cells()
    yield* aggregates.rows(task.query, options(task)).pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          for (const row of Chunk.toReadonlyArray(chunk)) {
            cells.add(row.group, [row.bucketStart, row.bucketEnd], row.metric, row.stats)
          }
        })
      )
    )
    return { ...cells.summary(), rateLimited: counter.rateLimited } satisfies AggregateOutcome
  })

/** Runs the task with the library. @since 0.3.0 */
export const run = (input: AggregateContenderInput): Promise<AggregateOutcome> => {
  const counter = { rateLimited: 0 }
  return Effect.runPromise(
    flow(input.task, counter).pipe(
      Effect.provide(layer(input.endpoint, counter)),
      Effect.catchAll((error) => Effect.dieMessage(`library failed: ${JSON.stringify(error)}`))
    )
  )
}
